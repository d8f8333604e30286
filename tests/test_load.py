"""``ketensim load``: traffic through the example SUT (a separate process on loopback) with every call
timed; latency percentiles per message type, deadlines kept, time split between SUT and harness."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.belasting import MetendeAdapter, percentiel
from simulator import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def voorbeeld_sut(tmp_path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "examples" / "gemeente_sut" / "server.py"), "--port", "0",
                             "--db", str(tmp_path / "sut.sqlite")], stdout=subprocess.PIPE, text=True)
    try:
        regel = proc.stdout.readline().strip()
        assert regel.startswith("listening on "), regel
        yield regel.split()[-1]
    finally:
        proc.kill()
        proc.wait(10)


def test_load_against_the_example_sut(voorbeeld_sut, tmp_path, capsys):
    code = cli.main(["load", "--sut", f"gemeente:0200={voorbeeld_sut}", "--clients", "40", "--days", "90",
                     "--out", str(tmp_path / "uit"), "--format", "json"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0, d  # the example SUT keeps its deadlines at this load
    assert d["berichten_geleverd"] > 20 and d["berichten_ontvangen"] > 20
    lat = d["latentie_ms"]
    assert lat["klok"]["n"] == d["werkdagen"] > 50 and {"outbox", "start", "einde"} <= set(lat)
    assert any(k.startswith(("JW", "WMO")) for k in lat)  # per message type
    for v in lat.values():
        assert 0 <= v["p50"] <= v["p95"] <= v["p99"]
    assert d["wall_s"] >= d["in_sut_s"] > 0 and d["harness_s"] >= 0
    assert all(t["fail"] == 0 for t in d["termijnen_sut"].values())
    assert (tmp_path / "uit" / "belasting.json").is_file() and (tmp_path / "uit" / "uitslag.json").is_file()


def test_rate_paces_the_deliveries():
    class Snel:
        def lever(self, dag, berichten):
            return ""

    m = MetendeAdapter(Snel(), rate=200.0)
    from datetime import date

    import time

    t0 = time.perf_counter()
    m.lever(date(2026, 3, 2), [b"<a/>"] * 21)
    # 20 intervals of 5 ms at least; how much of that is sleeping depends on the machine's load
    assert m.geleverd == 21 and time.perf_counter() - t0 >= 0.1 and m.wacht > 0


def test_percentiles():
    assert percentiel([], 50) == 0.0
    w = [i / 100 for i in range(1, 101)]
    assert percentiel(w, 50) == pytest.approx(0.5, abs=0.011) and percentiel(w, 99) == pytest.approx(0.99, abs=0.011)


def test_load_usage_errors(capsys):
    assert cli.main(["load", "--sut", "gemeente:0200=http://127.0.0.1:1", "--rate", "snel"]) == 2
    assert "--rate" in capsys.readouterr().err
    assert cli.main(["load", "--sut", "nonsense"]) == 2
    assert "ROL:CODE=ADRES" in capsys.readouterr().err
