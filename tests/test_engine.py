"""The engine: werkdag index ↔ date, seeded random streams, and a deterministic SimPy run."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import Klok, Simulatie, Voortgang
from simulator.werkdagen import Werkdagkalender

D = date.fromisoformat
KAL = Werkdagkalender()
MA, DI, WO, DO, VR, ZA, ZO = range(7)


@pytest.fixture(scope="module")
def klok() -> Klok:
    # Monday 30 March 2026: Goede Vrijdag 3 April and tweede Paasdag 6 April in the first fortnight
    return Klok(D("2026-03-30"), KAL)


# -- Klok ---------------------------------------------------------------------------------------

def test_index_and_datum_over_pasen(klok):
    assert D("2026-03-30").weekday() == MA
    verwacht = ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02",  # Thu; Fri 3 = Goede Vrijdag
                "2026-04-07", "2026-04-08", "2026-04-09", "2026-04-10"]  # Mon 6 = tweede Paasdag
    assert [klok.datum(i) for i in range(8)] == [D(d) for d in verwacht]
    for i, d in enumerate(verwacht):
        assert klok.index(D(d)) == i
    # non-werkdagen map to the first werkdag on or after them
    for vrij in ("2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06"):
        assert klok.index(D(vrij)) == 4


def test_fractional_time_is_the_same_werkdag(klok):
    assert klok.datum(3.5) == klok.datum(3) == D("2026-04-02")
    assert klok.datum(3.999) == D("2026-04-02")


def test_start_on_a_non_werkdag():
    k = Klok(D("2026-01-01"), KAL)  # nieuwjaarsdag
    assert k.start == D("2026-01-02")
    assert k.datum(0) == D("2026-01-02") and k.datum(1) == D("2026-01-05")
    assert k.index(D("2026-01-01")) == 0


def test_negative_indices_before_the_start(klok):
    # werkdagen before Monday 30 March 2026: Fri 27, Thu 26, Wed 25 ...
    assert [klok.datum(-i) for i in (1, 2, 3, 5)] == [D("2026-03-27"), D("2026-03-26"), D("2026-03-25"),
                                                    D("2026-03-23")]
    assert klok.index(D("2026-03-27")) == -1
    assert klok.index(D("2026-03-28")) == 0  # Saturday → the start
    assert klok.index(D("2026-03-23")) == -5
    # across the turn of the year: Klok from Mon 5 Jan 2026; 2 Jan is a werkdag, 1 Jan is not
    k = Klok(D("2026-01-05"), KAL)
    assert k.datum(-1) == D("2026-01-02")
    assert k.datum(-2) == D("2025-12-31")  # 25/26 Dec and 1 Jan are skipped further back
    assert k.index(D("2026-01-01")) == -1
    assert k.index(D("2025-12-31")) == -2
    assert k.datum(-5) == D("2025-12-24")  # 31, 30, 29, 24 — 25 and 26 are Kerstdagen
    assert k.index(D("2025-12-25")) == -4


@settings(max_examples=200, deadline=None)
@given(i=st.integers(min_value=-800, max_value=3000))
def test_round_trip_index_datum(klok, i):
    d = klok.datum(i)
    assert KAL.is_werkdag(d)
    assert klok.index(d) == i


@settings(max_examples=200, deadline=None)
@given(d=st.dates(min_value=D("2023-01-01"), max_value=D("2037-12-31")))
def test_index_gives_the_first_werkdag_on_or_after(klok, d):
    i = klok.index(d)
    e = klok.datum(i)
    assert e >= d and KAL.is_werkdag(e)
    assert all(not KAL.is_werkdag(d + timedelta(days=k)) for k in range((e - d).days))


def test_klok_honours_extra_vrije_dagen():
    kal = Werkdagkalender(extra_vrije_dagen=frozenset({D("2026-05-15")}))
    k = Klok(D("2026-05-13"), kal)
    assert [k.datum(i) for i in range(3)] == [D("2026-05-13"), D("2026-05-18"), D("2026-05-19")]


# -- Simulatie -----------------------------------------------------------------------------------

def test_rng_reproducible_per_seed_and_name():
    a = Simulatie(D("2026-01-05"), KAL, seed=42)
    b = Simulatie(D("2026-01-05"), KAL, seed=42)
    trek = lambda r: [r.random() for _ in range(5)]
    assert trek(a.rng("populatie")) == trek(b.rng("populatie"))
    assert trek(a.rng("populatie")) == trek(a.rng("populatie"))  # a fresh stream each call
    assert trek(a.rng("populatie")) != trek(a.rng("aanbieder:12345678"))
    assert trek(a.rng("populatie")) != trek(Simulatie(D("2026-01-05"), KAL, seed=43).rng("populatie"))


def test_rng_streams_are_independent():
    """Drawing from one stream does not shift another (adding an actor keeps others' draws)."""
    s = Simulatie(D("2026-01-05"), KAL, seed=7)
    x1, y = s.rng("x"), s.rng("y")
    eerst = [y.random() for _ in range(3)]
    x2, y2 = s.rng("x"), s.rng("y")
    [x2.random() for _ in range(1000)]
    assert [y2.random() for _ in range(3)] == eerst


def test_rng_is_the_same_in_another_process():
    """Seeding from a string is stable across processes (not subject to PYTHONHASHSEED)."""
    code = ("from datetime import date; from simulator.engine import Simulatie; "
            "from simulator.werkdagen import Werkdagkalender; "
            "print(Simulatie(date(2026,1,5), Werkdagkalender(), 42).rng('populatie').random())")
    uit = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONHASHSEED": h}, cwd=Path(__file__).resolve().parents[1]).stdout.strip()
           for h in ("1", "2")}
    assert uit == {repr(Simulatie(D("2026-01-05"), KAL, 42).rng("populatie").random())}


def test_draai_advances_exactly_n_werkdagen_and_reports_progress():
    s = Simulatie(D("2026-03-30"), KAL, seed=1)
    gezien: list[tuple[int, date]] = []

    def actor():
        while True:
            gezien.append((s.werkdag, s.vandaag))
            yield s.env.timeout(1)

    s.env.process(actor())
    voortgang: list[Voortgang] = []
    teller = iter(range(100, 200))
    s.draai(6, voortgang.append, berichten=lambda: next(teller))
    assert s.env.now == 6 and s.werkdag == 6
    assert [w for w, _ in gezien] == [0, 1, 2, 3, 4, 5]
    assert gezien[4][1] == D("2026-04-07")  # after Goede Vrijdag and Pasen
    assert voortgang == [Voortgang(d, 6, 100 + d - 1) for d in range(1, 7)]
    assert s.vandaag == D("2026-04-09")  # werkdag 6, not yet run


def test_wacht_tot_and_wacht_tot_datum():
    s = Simulatie(D("2026-03-30"), KAL, seed=1)
    log: list[tuple[float, date]] = []

    def actor():
        yield s.wacht_tot_datum(D("2026-04-03"))  # Goede Vrijdag → Tuesday 7 April
        log.append((s.env.now, s.vandaag))
        yield s.wacht_tot(2)  # in the past: fires now
        log.append((s.env.now, s.vandaag))

    s.env.process(actor())
    s.draai(10)
    assert log == [(4, D("2026-04-07")), (4, D("2026-04-07"))]


def _scenario(seed: int) -> list[tuple]:
    """Two aanbieders and a gemeente exchanging at random werkdagen; returns the event order."""
    s = Simulatie(D("2026-03-30"), KAL, seed=seed)
    log: list[tuple] = []
    postbus = [s.env.event() for _ in range(3)]

    def aanbieder(naam: str):
        rng = s.rng(f"aanbieder:{naam}")
        for n in range(6):
            yield s.env.timeout(rng.randint(0, 3))
            log.append((s.vandaag.isoformat(), s.env.now, naam, "stuurt", n))

    def gemeente():
        rng = s.rng("gemeente")
        while True:
            yield s.env.timeout(rng.choice([1, 0.5, 2]))
            log.append((s.vandaag.isoformat(), s.env.now, "gemeente", "verwerkt", rng.random()))

    for naam in ("A", "B"):
        s.env.process(aanbieder(naam))
    s.env.process(gemeente())
    s.draai(20)
    return log


def test_identical_runs_give_identical_event_order():
    een, twee = _scenario(5), _scenario(5)
    assert len(een) > 20
    assert een == twee
    assert _scenario(6) != een


# -- regressions --------------------------------------------------------------------------------

def test_negative_fractional_time_is_the_werkdag_before(klok):
    """t = -0.5 lies in werkdag -1 (floor), not werkdag 0 (int() truncates towards zero)."""
    assert klok.datum(-0.5) == klok.datum(-1) == D("2026-03-27")
    assert klok.datum(-1.5) == klok.datum(-2)


def test_beyond_the_precomputed_span():
    """A short span (1 year) must give the same dates and indices as the calendar arithmetic."""
    kort, lang = Klok(D("2026-03-30"), KAL, jaren=1), Klok(D("2026-03-30"), KAL, jaren=3)
    for i in (200, 250, 260, 300, 500, 700):
        assert kort.datum(i) == lang.datum(i)
        assert kort.index(kort.datum(i)) == i
    for d in ("2027-03-31", "2027-04-01", "2027-12-25", "2028-06-03", "2028-12-31"):
        assert kort.index(D(d)) == lang.index(D(d))


def test_draai_twice_continues_where_it_stopped():
    s = Simulatie(D("2026-03-30"), KAL, seed=1)
    voortgang: list[Voortgang] = []
    s.draai(3)
    s.draai(4, voortgang.append)
    assert s.env.now == 7
    assert [v.werkdag for v in voortgang] == [1, 2, 3, 4] and {v.totaal for v in voortgang} == {4}
