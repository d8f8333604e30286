"""The declaration side's building blocks: how much an Omvang allows (TR321/TR322), care days of
overlapping periods, and a 325 that gives a Client class its own retourcode (TR304, 8187)."""

from __future__ import annotations

from datetime import date

from actors.declareren import _zorgdagen
from simulator.berichten import Omvang
from simulator.codec import validate
from simulator.codelijsten import Codelijsten
from simulator.codes import codes
from simulator.genereer import genereer
from simulator.reader import lees
from simulator.render import render
from simulator.retour import maak_declaratie_antwoord
from simulator.omvang import max_loopduur, max_per_periode
from simulator.schemas import IJW


def _codes(registry):
    return codes(Codelijsten(registry), IJW)


def test_max_per_periode_follows_the_frequency_and_the_unit(registry):
    c = _codes(registry)
    week = Omvang(2, c["eenheid.uur"], c["frequentie.week"])
    # 2 hours a week over 14 days, declared in minutes: 240
    assert max_per_periode(week, date(2026, 3, 1), date(2026, 3, 14), c["eenheid.minuut"], c) == 240
    # 10 days: 2 * 10 / 7 hours, rounded up in minutes
    assert max_per_periode(week, date(2026, 3, 1), date(2026, 3, 10), c["eenheid.minuut"], c) == 172
    assert max_per_periode(week, date(2026, 3, 1), date(2026, 3, 14), c["eenheid.uur"], c) == 4
    maand = Omvang(5, c["eenheid.dagdeel"], c["frequentie.maand"])
    assert max_per_periode(maand, date(2026, 3, 10), date(2026, 3, 31), c["eenheid.dagdeel"], c) == 5
    dag = Omvang(1, c["eenheid.etmaal"], c["frequentie.dag"])
    assert max_per_periode(dag, date(2026, 2, 1), date(2026, 2, 28), c["eenheid.etmaal"], c) == 28


def test_max_loopduur_is_the_whole_toewijzing_or_unbounded(registry):
    c = _codes(registry)
    totaal = Omvang(30, c["eenheid.uur"], c["frequentie.totaal"])
    assert max_loopduur(totaal, date(2026, 1, 1), None, c["eenheid.minuut"], c) == 1800
    week = Omvang(3, c["eenheid.dagdeel"], c["frequentie.week"])
    assert max_loopduur(week, date(2026, 1, 1), None, c["eenheid.dagdeel"], c) is None
    assert max_loopduur(week, date(2026, 1, 1), date(2026, 1, 28), c["eenheid.dagdeel"], c) == 12
    maand = Omvang(4, c["eenheid.dagdeel"], c["frequentie.maand"])
    assert max_loopduur(maand, date(2026, 1, 15), date(2026, 3, 2), c["eenheid.dagdeel"], c) == 12


def test_overlapping_care_periods_count_once():
    # a stop withdrawn and care restarted: the periods overlap in June
    perioden = [[date(2026, 3, 31), date(2026, 6, 7)], [date(2026, 6, 1), date(2026, 6, 7)]]
    assert _zorgdagen(perioden, date(2026, 6, 1), date(2026, 6, 30)) == 7
    gaten = [[date(2026, 3, 1), date(2026, 3, 10)], [date(2026, 3, 20), date(2026, 4, 7)]]
    assert _zorgdagen(gaten, date(2026, 3, 1), date(2026, 3, 31)) == 22
    assert _zorgdagen(gaten, date(2026, 3, 11), date(2026, 3, 19)) == 0


def test_a_325_gives_a_client_its_own_retourcode(registry):
    heen = next(d for d in (genereer("JW323", s, registry) for s in range(100)) if len(d.declaratie.clienten) >= 2)
    client = heen.declaratie.clienten[0]
    afgekeurd = {p.referentie.nummer: ("9338",) for p in client.prestaties}
    antwoord = maak_declaratie_antwoord(heen, identificatie="A9", dagtekening=date(2026, 2, 3), registry=registry,
                                        afgekeurd=afgekeurd, client_codes={client.bsn: ("8187",)})
    clienten = {c.bsn: c for c in antwoord.antwoord.clienten}
    assert set(clienten) == {client.bsn} and clienten[client.bsn].retourcodes == ("8187",)
    xml = render(antwoord, registry)
    assert validate(xml, registry, None).geldig
    assert lees(xml, registry) == antwoord
