"""Werkdagkalender and Termijn: Algemene termijnenwet feestdagen, werkdag arithmetic, deadlines.

Every expected date below was worked out by hand on a calendar; the weekday asserts guard the
hand work (e.g. that 2026-05-05 really is a Tuesday, so 5 mei is what makes it a non-werkdag).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.werkdagen import (
    DEFAULT_FEESTDAGEN, FEESTDAGEN, Termijn, Werkdagkalender, add_maanden, pasen,
)

D = date.fromisoformat
KAL = Werkdagkalender()
MA, DI, WO, DO, VR, ZA, ZO = range(7)


# -- feestdagen -------------------------------------------------------------------------------

@pytest.mark.parametrize("jaar, pasen_, goede_vrijdag, paasmaandag, hemelvaart, pinkstermaandag", [
    (2025, "2025-04-20", "2025-04-18", "2025-04-21", "2025-05-29", "2025-06-09"),
    (2026, "2026-04-05", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25"),
    (2027, "2027-03-28", "2027-03-26", "2027-03-29", "2027-05-06", "2027-05-17"),
])
def test_pasen_en_afgeleide_feestdagen(jaar, pasen_, goede_vrijdag, paasmaandag, hemelvaart, pinkstermaandag):
    assert pasen(jaar) == D(pasen_)
    assert D(pasen_).weekday() == ZO
    feest = KAL.feestdagen_in(jaar)
    for dag, naam, weekdag in [
        (goede_vrijdag, "goede_vrijdag", VR), (paasmaandag, "tweede_paasdag", MA),
        (hemelvaart, "hemelvaartsdag", DO), (pinkstermaandag, "tweede_pinksterdag", MA),
    ]:
        assert D(dag).weekday() == weekdag
        assert feest[D(dag)] == naam
        assert not KAL.is_werkdag(D(dag))
    # the days around them are ordinary werkdagen
    assert KAL.is_werkdag(D(goede_vrijdag) - timedelta(days=1))
    assert KAL.is_werkdag(D(paasmaandag) + timedelta(days=1))
    assert KAL.is_werkdag(D(hemelvaart) + timedelta(days=1))


def test_pasen_bekende_jaren():
    assert [pasen(j) for j in (2016, 2019, 2024, 2028, 2038)] == [
        D("2016-03-27"), D("2019-04-21"), D("2024-03-31"), D("2028-04-16"), D("2038-04-25")]


def test_koningsdag_2025_op_zaterdag_26_april():
    assert D("2025-04-27").weekday() == ZO
    feest = KAL.feestdagen_in(2025)
    assert feest[D("2025-04-26")] == "koningsdag"
    assert D("2025-04-27") not in feest


def test_koningsdag_2026_op_27_april():
    assert D("2026-04-27").weekday() == MA
    assert KAL.feestdagen_in(2026)[D("2026-04-27")] == "koningsdag"
    assert not KAL.is_werkdag(D("2026-04-27"))
    assert KAL.is_werkdag(D("2026-04-28"))


@pytest.mark.parametrize("dag, weekdag", [("2026-05-05", DI), ("2025-05-05", MA), ("2027-05-05", WO)])
def test_bevrijdingsdag_elk_jaar(dag, weekdag):
    # the `holidays` package would call 2026-05-05 (a Tuesday, no lustrum year) a working day
    assert D(dag).weekday() == weekdag
    assert not KAL.is_werkdag(D(dag))
    assert KAL.feestdagen_in(D(dag).year)[D(dag)] == "bevrijdingsdag"


def test_kerst_en_nieuwjaar():
    assert D("2025-12-25").weekday() == DO and D("2025-12-26").weekday() == VR
    assert not KAL.is_werkdag(D("2025-12-25"))
    assert not KAL.is_werkdag(D("2025-12-26"))
    assert KAL.is_werkdag(D("2025-12-24"))
    assert KAL.is_werkdag(D("2025-12-29"))
    assert not KAL.is_werkdag(D("2026-01-01"))
    assert KAL.is_werkdag(D("2026-01-02"))


def test_samenvallende_feestdagen_houden_beide_namen():
    # 2016: Hemelvaart fell on 5 mei
    assert KAL.feestdagen_in(2016)[D("2016-05-05")] == "bevrijdingsdag/hemelvaartsdag"


def test_weekend_is_geen_werkdag():
    assert not KAL.is_werkdag(D("2026-03-07"))  # Saturday
    assert not KAL.is_werkdag(D("2026-03-08"))  # Sunday
    assert KAL.is_werkdag(D("2026-03-09"))


def test_aantal_werkdagen_in_2026():
    # 261 weekdays (2026 starts on a Thursday, 52 weeks + 1 day); feestdagen on a weekday:
    # 1/1, 3/4, 6/4, 27/4, 5/5, 14/5, 25/5, 25/12 (26/12 is a Saturday) -> 253 werkdagen
    assert KAL.werkdagen_between(D("2025-12-31"), D("2026-12-31")) == 253


def test_feestdagen_configureerbaar_zonder_goede_vrijdag():
    kal = Werkdagkalender(feestdagen=tuple(n for n in DEFAULT_FEESTDAGEN if n != "goede_vrijdag"))
    assert kal.is_werkdag(D("2026-04-03"))
    assert D("2026-04-03") not in kal.feestdagen_in(2026)
    assert not kal.is_werkdag(D("2026-04-06"))
    assert kal.add_werkdagen(D("2026-04-02"), 3) == D("2026-04-08")  # Fri 3, Tue 7, Wed 8


def test_onbekende_feestdag_naam():
    with pytest.raises(ValueError, match="sinterklaas"):
        Werkdagkalender(feestdagen=("nieuwjaarsdag", "sinterklaas"))


def test_extra_vrije_dagen():
    vrijdag_na_hemelvaart = D("2026-05-15")
    assert vrijdag_na_hemelvaart.weekday() == VR
    kal = Werkdagkalender(extra_vrije_dagen=frozenset({vrijdag_na_hemelvaart}))
    assert KAL.is_werkdag(vrijdag_na_hemelvaart)
    assert not kal.is_werkdag(vrijdag_na_hemelvaart)
    assert kal.feestdagen_in(2026)[vrijdag_na_hemelvaart] == "extra_vrije_dag"
    # Wed 13 May + 1 werkdag: Thu 14 is Hemelvaart; Fri 15 (default) or Mon 18 (extra day off)
    assert KAL.add_werkdagen(D("2026-05-13"), 1) == D("2026-05-15")
    assert kal.add_werkdagen(D("2026-05-13"), 1) == D("2026-05-18")
    assert kal.werkdagen_between(D("2026-05-13"), D("2026-05-18")) == 1
    assert KAL.werkdagen_between(D("2026-05-13"), D("2026-05-18")) == 2
    # a calendar period ending on the extra day is extended too
    assert kal.deadline(D("2026-05-01"), Termijn("weken", 2)) == D("2026-05-18")


# -- werkdag arithmetic ------------------------------------------------------------------------

def test_add_werkdagen_nul_is_dezelfde_dag():
    assert KAL.add_werkdagen(D("2026-03-07"), 0) == D("2026-03-07")  # even on a Saturday
    assert KAL.add_werkdagen(D("2026-03-09"), 0) == D("2026-03-09")


def test_add_werkdagen_over_jaarwisseling():
    assert KAL.add_werkdagen(D("2025-12-31"), 1) == D("2026-01-02")  # skips Nieuwjaarsdag
    assert KAL.add_werkdagen(D("2025-12-24"), 1) == D("2025-12-29")  # skips both Kerstdagen
    assert KAL.add_werkdagen(D("2026-01-02"), -1) == D("2025-12-31")
    assert KAL.vorige_werkdag(D("2026-01-02")) == D("2025-12-31")
    assert KAL.volgende_werkdag(D("2026-12-24")) == D("2026-12-28")  # 25 Fri, 26/27 weekend


def test_add_werkdagen_vanuit_weekend():
    assert KAL.add_werkdagen(D("2026-03-07"), 1) == D("2026-03-09")   # Sat -> Mon
    assert KAL.add_werkdagen(D("2026-03-08"), -1) == D("2026-03-06")  # Sun -> Fri
    assert KAL.add_werkdagen(D("2026-03-07"), 5) == D("2026-03-13")


def test_drie_werkdagen_vanaf_witte_donderdag_2026():
    # Thu 2 Apr; Fri 3 Goede Vrijdag, Sat 4/Sun 5, Mon 6 tweede Paasdag; Tue 7, Wed 8, Thu 9
    assert KAL.deadline(D("2026-04-02"), Termijn("werkdagen", 3)) == D("2026-04-09")
    assert KAL.add_werkdagen(D("2026-04-09"), -3) == D("2026-04-02")
    assert KAL.vorige_werkdag(D("2026-04-07")) == D("2026-04-02")


def test_vijf_werkdagen_over_bevrijdingsdag():
    # Thu 30 Apr 2026: Fri 1 May, Mon 4, (Tue 5 mei), Wed 6, Thu 7, Fri 8
    assert KAL.add_werkdagen(D("2026-04-30"), 5) == D("2026-05-08")


def test_tien_werkdagen_over_hemelvaart_en_pinksteren():
    # Fri 8 May 2026: 11,12,13,(14 Hemelvaart),15,18,19,20,21,22,(25 Pinksteren),26
    assert KAL.add_werkdagen(D("2026-05-08"), 10) == D("2026-05-26")
    kal = Werkdagkalender(extra_vrije_dagen=frozenset({D("2026-05-15")}))
    assert kal.add_werkdagen(D("2026-05-08"), 10) == D("2026-05-27")


def test_werkdagen_between_over_paasweek():
    # (Thu 2 Apr, Fri 10 Apr]: 7, 8, 9, 10 — 3 Apr and 6 Apr are feestdagen
    assert KAL.werkdagen_between(D("2026-04-02"), D("2026-04-10")) == 4
    assert KAL.werkdagen_between(D("2026-04-10"), D("2026-04-02")) == -4
    # two weeks Tue 31 Mar .. Tue 14 Apr: 10 weekdays minus 2 feestdagen
    assert KAL.werkdagen_between(D("2026-03-31"), D("2026-04-14")) == 8
    assert KAL.werkdagen_between(D("2026-04-03"), D("2026-04-06")) == 0
    assert KAL.werkdagen_between(D("2026-04-10"), D("2026-04-10")) == 0


# -- deadlines --------------------------------------------------------------------------------

def test_einde_volgende_maand():
    evm = Termijn("einde_volgende_maand")
    assert KAL.deadline(D("2026-01-15"), evm, verlengen=False) == D("2026-02-28")
    # 28 Feb 2026 is a Saturday: extended to Monday 2 March (art. 1 Atw)
    assert D("2026-02-28").weekday() == ZA
    assert KAL.deadline(D("2026-01-15"), evm) == D("2026-03-02")
    assert KAL.deadline(D("2027-12-03"), evm) == D("2028-01-31")
    assert D("2028-01-31").weekday() == MA
    assert KAL.deadline(D("2028-01-10"), evm) == D("2028-02-29")  # leap year
    assert KAL.deadline(D("2028-01-31"), evm) == D("2028-02-29")
    # 31 Jan 2027 is a Sunday -> Monday 1 Feb
    assert D("2027-01-31").weekday() == ZO
    assert KAL.deadline(D("2026-12-15"), evm) == D("2027-02-01")


def test_maanden():
    assert add_maanden(D("2028-01-31"), 1) == D("2028-02-29")
    assert add_maanden(D("2027-01-31"), 1) == D("2027-02-28")
    assert add_maanden(D("2028-02-29"), 12) == D("2029-02-28")
    assert add_maanden(D("2026-03-31"), -1) == D("2026-02-28")
    assert add_maanden(D("2026-11-15"), 3) == D("2027-02-15")
    assert KAL.deadline(D("2028-01-31"), Termijn("maanden", 1)) == D("2028-02-29")   # a Tuesday
    assert KAL.deadline(D("2028-02-29"), Termijn("maanden", 12)) == D("2029-02-28")  # a Wednesday
    # 25 Dec 2026 (Fri, Kerst), 26 Sat, 27 Sun -> Mon 28 Dec
    assert KAL.deadline(D("2026-11-25"), Termijn("maanden", 1)) == D("2026-12-28")


def test_weken_verlengd_naar_werkdag():
    # 8 weeks after Sat 7 Feb 2026 is Sat 4 Apr; Sun 5 and Mon 6 (tweede Paasdag) -> Tue 7 Apr
    acht_weken = Termijn("weken", 8)
    assert KAL.deadline(D("2026-02-07"), acht_weken, verlengen=False) == D("2026-04-04")
    assert KAL.deadline(D("2026-02-07"), acht_weken) == D("2026-04-07")
    # 8 weeks after Sat 7 Mar 2026 is Sat 2 May -> Mon 4 May
    assert KAL.deadline(D("2026-03-07"), acht_weken) == D("2026-05-04")
    # Tue 10 Mar + 8 weeks = Tue 5 May (Bevrijdingsdag) -> Wed 6 May; a werkdag result is kept
    assert KAL.deadline(D("2026-03-10"), acht_weken) == D("2026-05-06")
    assert KAL.deadline(D("2026-03-11"), acht_weken) == D("2026-05-06")
    # 2 weeks after Tue 21 Apr 2026 is Tue 5 May (Bevrijdingsdag) -> Wed 6 May
    assert KAL.deadline(D("2026-04-21"), Termijn("weken", 2)) == D("2026-05-06")


def test_dagen():
    # 30 days after 25 Nov 2026 is Fri 25 Dec -> Mon 28 Dec
    assert KAL.deadline(D("2026-11-25"), Termijn("dagen", 30)) == D("2026-12-28")
    assert KAL.deadline(D("2026-11-02"), Termijn("dagen", 30)) == D("2026-12-02")  # a Wednesday


def test_maanden_plus_werkdagen():
    # 5 Feb 2026 + 3 months = Tue 5 May (Bevrijdingsdag); then 6, 7, 8, 11, 12 May
    t = Termijn("maanden_plus_werkdagen", 3, werkdagen=5)
    assert KAL.deadline(D("2026-02-05"), t) == D("2026-05-12")
    # 10 Mar 2026 + 3 months = Wed 10 Jun; then 11, 12, 15, 16, 17 Jun
    assert KAL.deadline(D("2026-03-10"), t) == D("2026-06-17")


# -- Termijn text ------------------------------------------------------------------------------

@pytest.mark.parametrize("tekst, termijn, beschrijving", [
    ("5 werkdagen", Termijn("werkdagen", 5), "5 werkdagen"),
    ("1 werkdag", Termijn("werkdagen", 1), "1 werkdag"),
    ("8 weken", Termijn("weken", 8), "8 weken"),
    ("1 week", Termijn("weken", 1), "1 week"),
    ("3 maanden", Termijn("maanden", 3), "3 maanden"),
    ("30 dagen", Termijn("dagen", 30), "30 dagen"),
    ("einde volgende maand", Termijn("einde_volgende_maand"),
     "uiterlijk de laatste dag van de opvolgende maand"),
    ("3 maanden + 5 werkdagen", Termijn("maanden_plus_werkdagen", 3, werkdagen=5),
     "3 maanden + 5 werkdagen"),
    ("  3  Maanden+5 WERKDAGEN ", Termijn("maanden_plus_werkdagen", 3, werkdagen=5),
     "3 maanden + 5 werkdagen"),
])
def test_termijn_parse_en_beschrijving(tekst, termijn, beschrijving):
    assert Termijn.parse(tekst) == termijn
    assert termijn.beschrijving() == beschrijving
    assert Termijn.parse(termijn.beschrijving()) == termijn


@pytest.mark.parametrize("tekst", [
    "", "vijf werkdagen", "5", "werkdagen", "5 uren", "-3 dagen", "3 maanden + 5 dagen",
    "5 werkdagen en zo", "einde deze maand", "3 maanden + 0 werkdagen", "2.5 weken",
])
def test_termijn_parse_weigert_onzin(tekst):
    with pytest.raises(ValueError):
        Termijn.parse(tekst)


def test_termijn_valideert():
    with pytest.raises(ValueError):
        Termijn("jaren", 1)
    with pytest.raises(ValueError):
        Termijn("werkdagen", -1)
    with pytest.raises(ValueError):
        Termijn("weken", 2, werkdagen=3)
    with pytest.raises(ValueError):
        Termijn("einde_volgende_maand", 1)


# -- fast path against a naive day-by-day reference ---------------------------------------------

def _naief_werkdag(kal: Werkdagkalender, d: date) -> bool:
    return d.weekday() < 5 and d not in kal.feestdagen_in(d.year)


def _naief_add(kal: Werkdagkalender, d: date, n: int) -> date:
    stap = 1 if n > 0 else -1
    while n:
        d += timedelta(days=stap)
        if _naief_werkdag(kal, d):
            n -= stap
    return d


def _naief_between(kal: Werkdagkalender, start: date, end: date) -> int:
    lo, hi, teken = (start, end, 1) if start <= end else (end, start, -1)
    return teken * sum(_naief_werkdag(kal, lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))


def test_is_werkdag_naief_2020_2035():
    kal = Werkdagkalender(extra_vrije_dagen=frozenset({D("2026-05-15"), D("2030-01-02")}))
    d = D("2020-01-01")
    while d <= D("2035-12-31"):
        assert kal.is_werkdag(d) == _naief_werkdag(kal, d), d
        d += timedelta(days=1)


datums = st.dates(min_value=D("2020-01-01"), max_value=D("2035-12-31"))
kalenders = st.builds(
    Werkdagkalender,
    extra_vrije_dagen=st.frozensets(datums, max_size=20),
    feestdagen=st.lists(st.sampled_from(list(FEESTDAGEN)), unique=True).map(tuple),
) | st.just(KAL)


@settings(max_examples=400, deadline=None)
@given(kal=kalenders, d=datums, n=st.integers(-300, 300))
def test_add_werkdagen_gelijk_aan_naief(kal, d, n):
    e = kal.add_werkdagen(d, n)
    assert e == _naief_add(kal, d, n)
    if n:
        assert kal.is_werkdag(e)
    if n >= 0 or kal.is_werkdag(d):
        assert kal.werkdagen_between(d, e) == n


@settings(max_examples=300, deadline=None)
@given(kal=kalenders, a=datums, b=datums)
def test_werkdagen_between_gelijk_aan_naief(kal, a, b):
    assert kal.werkdagen_between(a, b) == _naief_between(kal, a, b)
