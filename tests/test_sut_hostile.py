"""A harness that survives any SUT (issue 5): whatever the system under test does — hang, crash,
close its port, answer garbage, bombs, oversized bodies, wrong or duplicated messages, die mid-run —
the run ends, the ledger is complete and intact, and the check reports it (SUT.lockstep and the
rules the messages break); the SUT's deadlines that depended on an unanswered day are inconclusive,
not failed.  And Ctrl-C on the harness leaves a flushed ledger and a partial report (exit 130)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator.genereer import genereer
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import laad_profiel
from simulator.render import render
from simulator.sut import parse_sut_spec
from tests.fake_sut import FakeSut

ROOT = Path(__file__).resolve().parent.parent
PROFIEL = laad_profiel("mijov-2024")
GEMEENTE = "0200"
BOM = ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
       '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><lol>&c;</lol>')


def _run(tmp_path: Path, registry, url: str | None = None, adapter=None, dagen: int = 40, timeout: float = 0.4,
         scenario: str = "toegang"):
    spec = parse_sut_spec(f"gemeente:{GEMEENTE}={url or 'inproces:x:y'}")
    t0 = time.monotonic()
    voer_uit(RunInstellingen(uit=tmp_path, scenario=scenario, clients=25, dagen=dagen, seed=4, profiel=PROFIEL,
                             sut=spec, sut_adapter=adapter, sut_timeout=timeout))
    duur = time.monotonic() - t0
    led = open_ledger(tmp_path)
    records = list(led.records())
    c = Controleur(PROFIEL, registry)
    for r in records:
        c.verwerk(r)
    return led, records, c.sluit(), duur


def _gebeurtenissen(records, wat: str) -> list[Gebeurtenis]:
    return [r for r in records if isinstance(r, Gebeurtenis) and r.wat == wat]


def _fails(u) -> set[str]:
    return {o.regel for o in u.afwijkingen}


def test_a_hanging_sut_is_given_up_and_its_deadlines_are_inconclusive(tmp_path, registry):
    with FakeSut(gedrag={"klok": "hang"}, hang_s=3) as sut:
        led, records, u, duur = _run(tmp_path, registry, sut.url, timeout=0.3)
    assert led.compleet  # the run went on to its end
    assert len(_gebeurtenissen(records, "sut_dag_onbeantwoord")) == 3 and _gebeurtenissen(records, "sut_opgegeven")
    assert duur < 20  # three timeouts, then the SUT is no longer called
    assert _fails(u) == {"SUT.lockstep"}  # no deadline of the SUT fails: they depended on the silent days
    onbeslist = [o for o in u.oordelen if o.uitkomst == "inconclusive" and o.actor == GEMEENTE]
    assert onbeslist and all("opgegeven" in o.waargenomen or "niet" in o.waargenomen for o in onbeslist)


def test_a_closed_port_is_reported_not_raised(tmp_path, registry):
    with FakeSut() as sut:
        url = sut.url  # the server is gone after the with block: nothing listens on that port
    led, records, u, _ = _run(tmp_path, registry, url)
    assert led.compleet
    opgegeven = _gebeurtenissen(records, "sut_opgegeven")
    assert opgegeven and "geweigerd" in opgegeven[0].gegevens["reden"]
    assert "SUT.lockstep" in _fails(u)


@pytest.mark.parametrize("gedrag", [{"inbox": "500"}, {"outbox": "geen-json"}, {"outbox": "groot"},
                                    {"klok": "sluit"}, {"start": "500"}])
def test_http_errors_and_garbage_answers_are_reported(tmp_path, registry, gedrag):
    with FakeSut(gedrag=gedrag) as sut:
        led, records, u, _ = _run(tmp_path, registry, sut.url, dagen=40, scenario="extern")
    assert led.compleet
    fouten = [g for wat in ("sut_fout", "sut_dag_onbeantwoord", "sut_opgegeven") for g in _gebeurtenissen(records, wat)]
    assert fouten, gedrag
    assert "SUT.lockstep" in _fails(u)


def _outbox_run(tmp_path, registry, berichten: list[str]):
    gestuurd = []

    def outbox(datum: str) -> list[str]:
        if gestuurd:
            return []
        gestuurd.append(datum)
        return berichten

    with FakeSut(outbox=outbox) as sut:
        return _run(tmp_path, registry, sut.url, dagen=20)


@pytest.mark.parametrize("xml", ["<niet-af", BOM, "<a>" + "x" * (3 * 1024 * 1024) + "</a>", "\ufeff<a/>"],
                         ids=["malformed", "xml-bomb", "oversized", "bom"])
def test_malformed_bombs_and_oversized_messages_are_recorded_and_judged(tmp_path, registry, xml):
    led, records, u, _ = _outbox_run(tmp_path, registry, [xml])
    van_sut = [r for r in records if isinstance(r, Boeking) and r.rol == "sut"]
    assert len(van_sut) == 1 and van_sut[0].xml == xml.encode("utf-8")  # recorded exactly as sent
    assert led.compleet and "XSD" in _fails(u) and "SUT.lockstep" in _fails(u)


def _bericht(registry, soort: str, seed: int = 3) -> str:
    return render(genereer(soort, seed, registry), registry).decode("utf-8")


def test_a_message_of_the_wrong_type_is_reported(tmp_path, registry):
    led, records, u, _ = _outbox_run(tmp_path, registry, [_bericht(registry, "JW315")])  # a gemeente sends no 315
    redenen = [g.gegevens["reden"] for g in _gebeurtenissen(records, "sut_fout")]
    assert any("verstuurt geen 315" in r for r in redenen) and "SUT.lockstep" in _fails(u)


def _header(xml: str, afzender: str, ontvanger: str) -> str:
    """The message with another Afzender and Ontvanger in its header."""
    xml = re.sub(r"(<(\w+):Afzender>)[^<]*(</\2:Afzender>)", rf"\g<1>{afzender}\g<3>", xml, count=1)
    return re.sub(r"(<(\w+):Ontvanger>)[^<]*(</\2:Ontvanger>)", rf"\g<1>{ontvanger}\g<3>", xml, count=1)


def test_a_message_addressed_to_a_party_not_in_the_run_is_reported_and_recorded_undeliverable(tmp_path, registry):
    xml = _header(_bericht(registry, "JW301"), GEMEENTE, "99999999")  # from the SUT itself, to nobody in the run
    led, records, u, _ = _outbox_run(tmp_path, registry, [xml])
    van_sut = [r for r in records if isinstance(r, Boeking) and r.rol == "sut"]
    assert len(van_sut) == 1 and (van_sut[0].afzender, van_sut[0].ontvanger) == (GEMEENTE, "99999999")
    redenen = [g.gegevens["reden"] for g in _gebeurtenissen(records, "sut_fout")]
    assert any("geadresseerd aan 99999999, die niet in de run zit" in r for r in redenen), redenen
    assert not any("niet de SUT" in r for r in redenen), redenen
    assert _gebeurtenissen(records, "onbestelbaar")
    assert "SUT.lockstep" in _fails(u)


def test_a_message_with_another_sender_than_the_sut_is_reported(tmp_path, registry):
    """A 301 whose header says another gemeente sent it, to an aanbieder that is in the run."""
    gestuurd: list[str] = []

    def outbox(datum: str) -> list[str]:
        if gestuurd:
            return []
        start = next(v for v in sut.verkeer if v.methode == "PUT")  # the run's aanbieders, from PUT /runs/{run}
        aanbieder = json.loads(start.body)["contracten"][0]["aanbieder"]
        gestuurd.append(aanbieder)
        return [_header(_bericht(registry, "JW301"), "0285", aanbieder)]

    with FakeSut(outbox=outbox) as sut:
        led, records, u, _ = _run(tmp_path, registry, sut.url, dagen=20)
    assert gestuurd
    redenen = [g.gegevens["reden"] for g in _gebeurtenissen(records, "sut_fout")]
    assert any(f"afzender 0285 is niet de SUT ({GEMEENTE})" in r for r in redenen), redenen
    assert not any("niet in de run zit" in r for r in redenen), redenen
    assert not _gebeurtenissen(records, "onbestelbaar")  # the aanbieder is in the run: it was delivered
    assert "SUT.lockstep" in _fails(u)


def test_a_duplicated_message_is_recorded_twice_and_reported(tmp_path, registry):
    xml = _bericht(registry, "JW301")
    led, records, u, _ = _outbox_run(tmp_path, registry, [xml, xml])
    van_sut = [r for r in records if isinstance(r, Boeking) and r.rol == "sut"]
    assert len(van_sut) == 2 and van_sut[0].xml == van_sut[1].xml  # both recorded, nothing dropped
    assert "TR056" in _fails(u)  # the same BerichtIdentificatie twice


def test_an_in_process_sut_that_raises_is_reported(tmp_path, registry):
    led, records, u, _ = _run(tmp_path, registry, "inproces:tests.inproces_sut:Crasht")
    assert led.compleet
    redenen = [g.gegevens["reden"] for g in _gebeurtenissen(records, "sut_dag_onbeantwoord")]
    assert redenen and redenen[0] == "geef_dag: RuntimeError: database is locked"
    ophalen = [g.gegevens["reden"] for g in _gebeurtenissen(records, "sut_fout") if g.gegevens["operatie"] == "haal_op"]
    assert ophalen and ophalen[0] == "haal_op: OSError: disk full"
    assert len(redenen) == 3 and _gebeurtenissen(records, "sut_opgegeven")
    assert _fails(u) == {"SUT.lockstep"}


def test_a_hanging_in_process_sut_is_given_up_as_a_hanging_http_sut_is(tmp_path, registry):
    led, records, u, duur = _run(tmp_path, registry, "inproces:tests.inproces_sut:Hangt", timeout=0.3)
    assert led.compleet  # the run went on to its end
    stil = _gebeurtenissen(records, "sut_dag_onbeantwoord")
    assert len(stil) == 3 and _gebeurtenissen(records, "sut_opgegeven")
    assert stil[0].gegevens["reden"] == "geef_dag: geen antwoord binnen 0.3 s"
    assert "nog bezig met geef_dag" in stil[1].gegevens["reden"]  # not called again while it hangs
    assert duur < 10  # one timeout, not one per day
    assert _fails(u) == {"SUT.lockstep"}
    onbeslist = [o for o in u.oordelen if o.uitkomst == "inconclusive" and o.actor == GEMEENTE]
    assert onbeslist


def test_an_in_process_sut_that_hangs_at_the_start_is_given_up_at_once(tmp_path, registry):
    led, records, u, duur = _run(tmp_path, registry, "inproces:tests.inproces_sut:HangtBijBegin", timeout=0.3)
    assert led.compleet and duur < 10
    opgegeven = _gebeurtenissen(records, "sut_opgegeven")
    assert len(opgegeven) == 1 and opgegeven[0].gegevens["reden"] == "begin: begin: geen antwoord binnen 0.3 s"
    assert not _gebeurtenissen(records, "sut_dag_onbeantwoord")  # never called again


def test_ketensim_run_with_a_hanging_in_process_sut_ends(tmp_path):
    """The audit's command, ``ketensim run --sut gemeente:0200=inproces:… --sut-timeout 1``, ends."""
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "run", "--sut",
                        f"gemeente:{GEMEENTE}=inproces:tests.inproces_sut:Hangt", "--sut-timeout", "1",
                        "--scenario", "toegang", "--clients", "10", "--days", "30", "--out", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "3 unanswered day(s)" in r.stdout and "GIVEN UP" in r.stdout and "Traceback" not in r.stderr


def _start_voorbeeld(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "examples" / "gemeente_sut" / "server.py"), "--port", "0",
                             "--db", str(tmp_path / "sut.sqlite")], stdout=subprocess.PIPE, text=True)
    regel = proc.stdout.readline().strip()
    assert regel.startswith("listening on "), regel
    return proc, regel.split()[-1]


def _wacht_op_ledger(pad: Path, regels: int, proc: subprocess.Popen) -> None:
    grens = time.monotonic() + 60
    while time.monotonic() < grens and proc.poll() is None:
        if pad.exists() and pad.read_bytes().count(b"\n") >= regels:
            return
        time.sleep(0.05)


def test_a_sut_process_that_dies_mid_run_is_reported_and_the_ledger_is_intact(tmp_path, registry):
    sut, url = _start_voorbeeld(tmp_path)
    uit = tmp_path / "run"
    run = subprocess.Popen([sys.executable, "-m", "simulator.cli", "run", "--sut", f"gemeente:{GEMEENTE}={url}",
                            "--scenario", "toegang", "--clients", "60", "--days", "365", "--seed", "2",
                            "--sut-timeout", "2", "--out", str(uit)], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        _wacht_op_ledger(uit / "ledger.jsonl", 40, run)
        sut.kill()
        out, err = run.communicate(timeout=120)
    finally:
        sut.kill()
        run.kill()
    assert run.returncode == 0, err[-2000:]
    assert "GIVEN UP" in out and "Traceback" not in err
    led = open_ledger(uit)
    records = list(led.records())
    assert led.compleet and _gebeurtenissen(records, "sut_opgegeven")
    check = subprocess.run([sys.executable, "-m", "simulator.cli", "check", str(uit), "--format", "json"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and '"SUT.lockstep"' in check.stdout


def test_ctrl_c_on_the_harness_flushes_the_ledger_and_writes_a_partial_report(tmp_path):
    sut, url = _start_voorbeeld(tmp_path)
    uit = tmp_path / "run"
    run = subprocess.Popen([sys.executable, "-m", "simulator.cli", "run", "--sut", f"gemeente:{GEMEENTE}={url}",
                            "--scenario", "toegang", "--clients", "60", "--days", "365", "--seed", "2",
                            "--out", str(uit)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wacht_op_ledger(uit / "ledger.jsonl", 40, run)
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()
        sut.kill()
    assert run.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "partial report" in err
    led = open_ledger(uit)
    assert not led.compleet and any(isinstance(r, Boeking) for r in led.records())  # readable, says interrupted
    assert (uit / "uitslag.json").is_file() and "INTERRUPTED" in (uit / "samenvatting.txt").read_text(encoding="utf-8")
