"""``ketensim check --follow``: checking a ledger while the run still writes it gives the same
result as checking the finished ledger offline; a ledger that stops growing is judged after the
timeout, as an interrupted run."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from reports.controleer import controleer
from reports.invoer import open_invoer
from reports.uitslag import ONBESLIST
from reports.volgen import volg_invoer
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import LedgerWriter
from simulator.profiel import laad_profiel

PROJECT = Path(__file__).resolve().parent.parent
PROFIEL = laad_profiel("mijov-2024")


def _zonder_invoer(u) -> dict:
    d = u.as_dict()
    d["run"].pop("invoer")
    return d


def test_following_a_running_simulation_equals_the_offline_check(tmp_path, registry, monkeypatch):
    # Throttle the writer a little so that the follower certainly catches up with it and has to wait,
    # however busy the machine is (the check of a record is otherwise about as fast as writing it).
    schrijf = LedgerWriter._schrijf
    monkeypatch.setattr(LedgerWriter, "_schrijf", lambda self, rec: (time.sleep(0.001), schrijf(self, rec))[1])
    inst = RunInstellingen(uit=tmp_path, scenario="mix", clients=40, dagen=200, seed=11, profiel=PROFIEL,
                           fouten=frozenset({"laat_302"}))
    t = threading.Thread(target=voer_uit, args=(inst,))
    t.start()
    gevolgd = volg_invoer(tmp_path, timeout=60, poll=0.01)
    live = controleer(gevolgd, PROFIEL, registry)
    t.join()
    assert gevolgd.volger.einde is not None and gevolgd.compleet
    assert gevolgd.volger.wachtbeurten > 0  # it did catch up with the writer and wait for more
    offline = controleer(open_invoer(tmp_path, registry), PROFIEL, registry)
    assert _zonder_invoer(live) == _zonder_invoer(offline)
    assert {o.regel for o in live.afwijkingen} == {"TERMIJN.retour_302"}


def test_a_ledger_that_stops_growing_is_judged_after_the_timeout(tmp_path, registry):
    voer_uit(RunInstellingen(uit=tmp_path, scenario="toegang", clients=10, dagen=120, seed=2, profiel=PROFIEL))
    regels = (tmp_path / "ledger.jsonl").read_bytes().splitlines(keepends=True)
    afgebroken = tmp_path / "afgebroken.jsonl"
    afgebroken.write_bytes(b"".join(regels[: len(regels) // 2]) + regels[len(regels) // 2][:40])  # torn last line
    inv = volg_invoer(afgebroken, timeout=0.3, poll=0.02)
    u = controleer(inv, PROFIEL, registry)
    assert not inv.compleet and inv.volger.gestopt
    assert any("incomplete last line" in w for w in inv.waarschuwingen)
    assert u.berichten > 0
    open_aan_einde = [o for o in u.oordelen if o.uitkomst == ONBESLIST]
    assert open_aan_einde and all("onderbroken" in o.waargenomen for o in open_aan_einde)


def test_cli_follow_with_the_run_in_a_subprocess(tmp_path):
    run = subprocess.Popen([sys.executable, "-m", "simulator.cli", "run", "--scenario", "toegang", "--clients", "20",
                            "--days", "150", "--seed", "4", "--out", str(tmp_path / "run")],
                           cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        check = subprocess.run([sys.executable, "-m", "simulator.cli", "check", "--follow", str(tmp_path / "run"),
                                "--timeout", "30", "--format", "json", "--out", str(tmp_path / "live")],
                               cwd=PROJECT, capture_output=True, text=True, timeout=120)
    finally:
        run.wait(timeout=120)
    assert check.returncode == 0, check.stderr
    live = json.loads(check.stdout)
    assert live["run"]["compleet"] is True and live["verdict"]
    offline = subprocess.run([sys.executable, "-m", "simulator.cli", "check", str(tmp_path / "run"), "--format", "json",
                              "--out", str(tmp_path / "off")], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert json.loads(offline.stdout)["regels"] == live["regels"]


def test_follow_without_a_ledger_is_a_clear_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "check", "--follow", str(tmp_path / "nergens"),
                        "--timeout", "0.3"], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no ledger appeared" in r.stderr and "Traceback" not in r.stderr
