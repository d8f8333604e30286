"""The reference gemeente as a system under test (``--sut gemeente:0200=referentie``, actors/referentie_sut.py):
the golden behaviour through the SUT code path — the in-process adapter's worker thread and time-outs, the
lock-step loop (deliver, grant the day, collect), bytes in and bytes out — checks clean, keeps the timing
of a directly wired reference gemeente, and its fault switches still fire under their rules."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from actors.fouten import FOUTEN
from actors.gemeente import Gemeente
from actors.referentie_sut import Dagwerk, ReferentieGemeente
from actors.sut import SutDeelnemer
from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import laad_profiel
from simulator.sut import InprocesAdapter, RunInfo, SutFout, maak_adapter, parse_sut_spec

ROOT = Path(__file__).resolve().parent.parent
PROFIEL = laad_profiel("mijov-2024")
GEMEENTE = "0200"
REFERENTIE = parse_sut_spec(f"gemeente:{GEMEENTE}=referentie")


def _draai(uit: Path, registry, sut=REFERENTIE, profiel=PROFIEL, **kw):
    voer_uit(RunInstellingen(uit=uit, profiel=profiel, sut=sut, **kw))
    records = list(open_ledger(uit).records())
    c = Controleur(PROFIEL, registry)
    for r in records:
        c.verwerk(r)
    return records, c.sluit()


def _van_gemeente(records) -> list[Boeking]:
    """The messages gemeente 0200 sent (a retour travels from the receiver of its heenbericht)."""
    return [r for r in records if isinstance(r, Boeking) and r.afzender == GEMEENTE]


def _gebeurtenissen(records, *wat: str) -> list[Gebeurtenis]:
    return [r for r in records if isinstance(r, Gebeurtenis) and r.wat in wat]


# -- the spec ----------------------------------------------------------------------------------
def test_referentie_is_the_in_process_adapter_around_the_reference_gemeente():
    a = maak_adapter(REFERENTIE)
    assert isinstance(a, InprocesAdapter) and a.doel is ReferentieGemeente  # made on the worker thread
    assert REFERENTIE.metadata() == {"rol": "gemeente", "code": GEMEENTE, "adres": "referentie"}


@pytest.mark.parametrize("tekst", ["gemeente:0200=referentie:x", "aanbieder:12345678=referentie",
                                   "gemeente:0200=referenties"])
def test_referentie_takes_no_argument_and_only_the_gemeente_role(tekst):
    with pytest.raises(SutFout):
        parse_sut_spec(tekst)


def test_the_reference_gemeente_refuses_a_run_that_does_not_hand_it_its_world():
    """Spelled as a plain in-process SUT it has no world: its start fails with the reason, the run gives it up."""
    a = maak_adapter(parse_sut_spec(f"gemeente:{GEMEENTE}=inproces:actors.referentie_sut:ReferentieGemeente"))
    fout = a.begin(RunInfo("r1", "gemeente", GEMEENTE, "mijov-2024", date(2026, 1, 2)))
    assert "alleen in de wereld van haar eigen run" in fout
    assert not a.geef_dag(date(2026, 1, 2)).beantwoord  # never begun: every day unanswered
    a.einde()


# -- the golden behaviour through the SUT path ---------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2])
def test_the_reference_gemeente_behind_the_adapter_is_clean_and_keeps_the_direct_timing(seed, tmp_path, registry,
                                                                                       monkeypatch):
    draden: set[str] = set()
    stuur_301 = Gemeente._stuur_301

    def volg(self, *args, **kwargs):
        if self.adres == GEMEENTE:
            draden.add(threading.current_thread().name)
        return stuur_301(self, *args, **kwargs)

    monkeypatch.setattr(Gemeente, "_stuur_301", volg)
    records, u = _draai(tmp_path / "sut", registry, clients=150, dagen=200, seed=seed)
    assert u.afwijkingen == [], [(o.regel, o.waargenomen) for o in u.afwijkingen[:6]]
    assert u.tellingen["SUT.lockstep"] == Counter({"pass": 1})
    assert not _gebeurtenissen(records, "sut_fout", "sut_dag_onbeantwoord", "sut_opgegeven", "referentie_fout",
                               "onleesbaar_bericht", "onverwacht_bericht")
    # the gemeente's work ran inside the day grants, on the in-process adapter's worker thread
    assert draden == {"ketensim-sut-inproces"}
    van_sut = _van_gemeente(records)
    assert len(van_sut) > 150 and {r.rol for r in van_sut} == {"sut"}
    # the SUT's retours carry the metadata of the heenbericht they answer, as a reference actor's do
    retours = [r for r in van_sut if r.heen is not None and r.berichttype[-3:] in ("306", "308", "316", "318")]
    assert retours and all(r.bsn for r in retours)
    assert all(r.toewijzingnummers for r in retours if r.berichttype.endswith(("306", "308")))

    monkeypatch.setattr(Gemeente, "_stuur_301", stuur_301)
    direct, u_direct = _draai(tmp_path / "direct", registry, sut=None, clients=150, dagen=200, seed=seed)
    assert u_direct.afwijkingen == []
    van_direct = _van_gemeente(direct)
    # Tolerance: the same message types in (nearly) the same numbers.  Every decision the gemeente takes is
    # drawn from streams keyed by trajectory and purpose, so it takes the same ones on the same werkdagen;
    # only the order within a werkdag differs (its messages come at D + 1/2, after all reference actors' of
    # D), which can renumber identifiers the aanbieders key a few of their own draws on.  One message or
    # 2 % per type, whichever is more, absorbs that; a real change of behaviour moves far more.
    per_type = Counter(r.berichttype for r in van_sut)
    per_type_direct = Counter(r.berichttype for r in van_direct)
    assert per_type.keys() == per_type_direct.keys()
    for t, n in per_type_direct.items():
        assert abs(per_type[t] - n) <= max(1, 0.02 * n), (t, per_type[t], n)
    # timing: the same message types to the same receivers on the same dates (the same tolerance overall)
    wanneer = Counter((r.datum, r.berichttype, r.ontvanger) for r in van_sut)
    wanneer_direct = Counter((r.datum, r.berichttype, r.ontvanger) for r in van_direct)
    assert sum((wanneer & wanneer_direct).values()) >= 0.98 * len(van_direct)


@pytest.mark.parametrize("naam", ["laat_316", "325_half", "retour_niet_schemavalide"])
def test_a_fault_of_the_reference_gemeente_fires_its_rule_behind_the_adapter(naam, tmp_path, registry):
    """As tests/test_fouten.py runs it, with gemeente 0200 behind the adapter: exactly the fault's rules fire,
    and on messages of the SUT (the bytes the faulty actor rendered, collected from its outbox)."""
    fout = FOUTEN[naam]
    assert fout.rol == "gemeente"
    routes = {n: dataclasses.replace(r, opties={**r.opties, **fout.route_opties.get(n, {})})
              for n, r in PROFIEL.routes.items()}
    profiel = dataclasses.replace(PROFIEL, gebeurtenissen=dict(fout.gebeurtenissen), routes=routes)
    records, u = _draai(tmp_path, registry, profiel=profiel, scenario=fout.scenario, clients=30, dagen=300, seed=3,
                        fouten=frozenset({naam, *fout.samen_met}))
    assert {o.regel for o in u.afwijkingen} == set(fout.regels), [(o.regel, o.actor) for o in u.afwijkingen[:6]]
    assert {o.regel for o in u.afwijkingen if o.actor == GEMEENTE} == set(fout.regels)
    assert _gebeurtenissen(records, "fout_ingeschakeld")
    assert u.tellingen["SUT.lockstep"] == Counter({"pass": 1})


def test_ketensim_run_with_the_reference_gemeente_as_sut(tmp_path):
    uit = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "run", "--sut", f"gemeente:{GEMEENTE}=referentie",
                        "--clients", "60", "--days", "120", "--seed", "2", "--out", str(uit)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"system under test gemeente {GEMEENTE} at referentie: 0 unanswered day(s), 0 failed call(s)" in r.stdout
    c = subprocess.run([sys.executable, "-m", "simulator.cli", "check", str(uit)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert c.returncode == 0, c.stdout[-2000:]
    assert "0 deviation(s)" in c.stdout and "gemeente:0200=referentie" in c.stdout
    kop = json.loads((uit / "ledger.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert kop["sut"] == {"rol": "gemeente", "code": GEMEENTE, "adres": "referentie"}


# -- the clock and the time-out ------------------------------------------------------------------
class _Sim:
    """The shared clock, as far as Dagwerk reads it."""

    def __init__(self) -> None:
        self.werkdag = 5
        self.klok = None


def test_dagwerk_runs_in_simpys_order_and_a_past_day_on_the_current_day():
    sim = _Sim()
    d = Dagwerk(sim)
    gedaan: list[str] = []
    d.plan(7, gedaan.append, "a7")
    d.plan(6, gedaan.append, "b6")
    d.plan(6, lambda: (gedaan.append("c6"), d.plan(2, gedaan.append, "e-verleden"), d.plan(6, gedaan.append, "f6")))
    d.plan(6, gedaan.append, "d6")
    sim.werkdag = 6
    assert d.draai(6) == 5
    # by werkdag, then in the order planned; what is planned for a past day runs today, after what was queued
    assert gedaan == ["b6", "c6", "d6", "e-verleden", "f6"]
    assert d.draai(6) == 0 and gedaan[-1] == "f6"
    sim.werkdag = 7
    d.draai(7)
    assert gedaan[-1] == "a7"


class _Blijft:
    """Blocks in its day grant until released; records te_laat and the thread it ran on."""

    def __init__(self) -> None:
        self.los = threading.Event()
        self.te_laat_op: list[str] = []

    def geef_dag(self, dag):
        self.los.wait(10)
        return True

    def haal_op(self, dag):
        return []

    def te_laat(self) -> None:
        self.te_laat_op.append(threading.current_thread().name)


def test_the_adapter_tells_an_object_that_shares_state_when_it_stopped_waiting():
    sut = _Blijft()
    a = InprocesAdapter(sut, timeout=5, timeout_dag=0.1)
    uitkomst = a.geef_dag(date(2026, 1, 2))
    assert not uitkomst.beantwoord and "geen antwoord binnen 0.1 s" in uitkomst.reden
    assert sut.te_laat_op == [threading.current_thread().name]  # at once, on the harness's thread
    sut.los.set()


def test_a_reference_gemeente_that_is_too_late_writes_nothing_after_the_harness_went_on(tmp_path, registry,
                                                                                         monkeypatch):
    """Its first 301 takes longer than the day time-out.  The harness goes on and gives it up after three
    silent days; only then the blocked 301 continues — and its write into the run is refused (Afgebroken),
    so nothing of the gemeente enters the ledger while the harness is writing it."""
    los, klaar = threading.Event(), threading.Event()
    gezien: list[str] = []
    stuur_301, geef_op = Gemeente._stuur_301, SutDeelnemer._geef_op

    def traag(self, *args, **kwargs):
        if self.adres == GEMEENTE and not los.is_set():
            los.wait(10)
            try:
                self.w.gebeurtenis("laat_werk", actor=self.adres)  # what it would write into the run now
                return stuur_301(self, *args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 — recorded for the assertion, then raised on
                gezien.append(type(exc).__name__)
                raise
            finally:
                klaar.set()
        return stuur_301(self, *args, **kwargs)

    def opgegeven(self, reden):
        los.set()  # the harness is running (not waiting for the SUT): let the late work go on now
        klaar.wait(10)
        geef_op(self, reden)

    monkeypatch.setattr(Gemeente, "_stuur_301", traag)
    monkeypatch.setattr(SutDeelnemer, "_geef_op", opgegeven)
    records, u = _draai(tmp_path, registry, scenario="toegang", clients=25, dagen=60, seed=4, sut_timeout=5,
                        sut_timeout_dag=0.2)
    led = open_ledger(tmp_path)
    assert led.compleet and not led.waarschuwingen
    seqs = [r.seq for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    eerste_stil = _gebeurtenissen(records, "sut_dag_onbeantwoord")[0]
    assert "geen antwoord binnen 0.2 s" in eerste_stil.gegevens["reden"]
    assert len(_gebeurtenissen(records, "sut_opgegeven")) == 1
    na = [r for r in records if r.seq > eerste_stil.seq]
    assert not [r for r in na if isinstance(r, Boeking) and r.afzender == GEMEENTE]
    assert not [r for r in na if isinstance(r, Gebeurtenis) and r.actor == GEMEENTE and not r.wat.startswith("sut_")]
    assert "SUT.lockstep" in {o.regel for o in u.afwijkingen}
    assert gezien == ["Afgebroken"]
