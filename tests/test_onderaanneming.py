"""Onderaannemerschap (Annex 4 §11), per trajectory, from the ledger of a reference run.

Written down from the annex, not from the actors' code:

* §11.1 — there is no message between onderaannemer and gemeente; an onderaannemer that sends a
  JW315 anyway is rejected by the gemeente (319 "Verzoek afgewezen"), and gets no toewijzing;
* §11.2 — the hoofdaannemer sends the 305 when the care starts at either party, also when only the
  onderaannemer gives care; the 305's Begindatum is the first start at either party, within
  `start_305` of it; the (definitive) 307 comes only when the care stopped at both, with the later
  end as Einddatum;
* §11.3 — only the hoofdaannemer declares (323), also the onderaannemer's care;
* §11 — a non-contracted onderaannemer is engaged after afstemming with the gemeente's toegang.

The per-party start and end are ground-truth events (``start_zorg_onderaannemer`` …) the actors
record; the messages are what is judged against them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta

import pytest

from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import laad_profiel
from simulator.reader import lees

PROFIEL = laad_profiel("mijov-2024")
DAGEN = 500
EINDE = date(2026, 1, 1) + timedelta(days=DAGEN)


@dataclasses.dataclass
class Run:
    berichten: list[Boeking]
    gebeurtenissen: dict[str, list[Gebeurtenis]]  # per traject
    per_traject: dict[str, list[Boeking]]
    uitslag: object


def _draai(tmp_path_factory, scenario: str, gebeurtenissen: dict[str, float], registry, clients: int = 40) -> Run:
    uit = tmp_path_factory.mktemp(f"onder-{scenario}")
    profiel = dataclasses.replace(PROFIEL, gebeurtenissen=gebeurtenissen)
    voer_uit(RunInstellingen(uit=uit, scenario=scenario, clients=clients, dagen=DAGEN, seed=3, profiel=profiel))
    led = open_ledger(uit)
    assert led.compleet and not led.waarschuwingen
    c = Controleur(PROFIEL, registry)
    berichten, per_traject, gebeurtenissen_ = [], defaultdict(list), defaultdict(list)
    for rec in led.records():
        c.verwerk(rec)
        if isinstance(rec, Boeking):
            berichten.append(rec)
            if rec.traject:
                per_traject[rec.traject].append(rec)
        elif rec.traject:
            gebeurtenissen_[rec.traject].append(rec)
    return Run(berichten, gebeurtenissen_, per_traject, c.sluit())


@pytest.fixture(scope="module")
def extern(tmp_path_factory, registry):
    return _draai(tmp_path_factory, "extern", {"onderaannemer": 1.0}, registry)


@pytest.fixture(scope="module")
def toegang(tmp_path_factory, registry):
    return _draai(tmp_path_factory, "toegang", {"onderaannemer": 1.0}, registry)


@pytest.fixture(scope="module")
def met_315(tmp_path_factory, registry):
    return _draai(tmp_path_factory, "extern", {"onderaannemer": 1.0, "onderaannemer_315": 1.0}, registry)


def _inzet(run: Run) -> dict[str, Gebeurtenis]:
    """traject → its inzet_onderaannemer event."""
    return {t: g for t, gs in run.gebeurtenissen.items() for g in gs if g.wat == "inzet_onderaannemer"}


def _wat(run: Run, traject: str, wat: str) -> list[Gebeurtenis]:
    return [g for g in run.gebeurtenissen[traject] if g.wat == wat]


def _datum(g: Gebeurtenis, veld: str) -> date:
    return date.fromisoformat(g.gegevens[veld])


def _heen(bs: list[Boeking], nummer: str) -> list[Boeking]:
    return [b for b in bs if b.berichttype[-3:] == nummer]


def _controleer_305_307(run: Run, registry) -> dict[str, int]:
    """§11.2 per trajectory with an onderaannemer; counts of the cases seen."""
    gezien: dict[str, int] = defaultdict(int)
    for traject, inzet in _inzet(run).items():
        hoofd, onder = inzet.gegevens["hoofdaannemer"], inzet.gegevens["onderaannemer"]
        assert hoofd != onder
        bs = run.per_traject[traject]
        starts = {g.wat: _datum(g, "datum_start") for g in run.gebeurtenissen[traject] if g.wat.startswith("start_zorg_")}
        if not starts or min(starts.values()) > EINDE - timedelta(days=14):
            continue  # no care started, or too late in the run for its 305 to be in the ledger
        for b in _heen(bs, "305") + _heen(bs, "307"):
            assert b.afzender == hoofd, (traject, b.berichttype, b.afzender)  # never the onderaannemer
        vijf = [b for b in _heen(bs, "305") if lees(b.xml, registry).client.producten[0].status_aanlevering == "1"]
        assert vijf, (traject, starts)  # a 305, also when only the onderaannemer gives care
        eerste = min(starts.values())
        eerste_305 = lees(vijf[0].xml, registry).client.producten[0]
        assert eerste_305.begindatum == eerste, (traject, starts, eerste_305.begindatum)
        assert eerste <= vijf[0].datum <= PROFIEL.deadline("start_305", eerste)
        start_zorg = _wat(run, traject, "start_zorg")[0]
        assert _datum(start_zorg, "datum_start") == eerste
        wie_eerst = min(starts, key=starts.get)
        gezien[wie_eerst] += 1
        if "start_zorg_hoofdaannemer" not in starts:
            gezien["alleen_onderaannemer"] += 1
        # the definitive 307: after the end at both parties, Einddatum = the later end
        stops = [(b, lees(b.xml, registry).client.producten[0]) for b in _heen(bs, "307")]
        definitief = [(b, p) for b, p in stops if p.reden_beeindiging != "20" and p.status_aanlevering == "1"]
        eindes = [g for g in run.gebeurtenissen[traject] if g.wat.startswith("einde_zorg_")]
        if not definitief:
            assert len(eindes) < len(starts) or all(_datum(g, "datum_einde") > EINDE - timedelta(days=20)
                                                      for g in eindes), traject
            continue
        b307, p307 = definitief[0]
        assert {g.wat.replace("einde", "start") for g in eindes} == set(starts), (traject, starts, eindes)
        for g in eindes:
            assert g.seq < b307.seq and _datum(g, "datum_einde") <= p307.einddatum  # stopped before the 307
        assert p307.einddatum == max(_datum(g, "datum_einde") for g in eindes)
        assert b307.datum <= PROFIEL.deadline("stop_307", p307.einddatum) or p307.reden_beeindiging != "31"
        if len({_datum(g, "datum_einde") for g in eindes}) == 2:
            gezien["een_stopt_eerder"] += 1
        gezien["gestopt"] += 1
    return gezien


def _clienten_in_323(run: Run, registry, afzender: str) -> set[str]:
    return {c.bsn for b in run.berichten if b.afzender == afzender and b.berichttype.endswith("323")
            for c in lees(b.xml, registry).declaratie.clienten}


def _controleer_declaraties(run: Run, registry) -> int:
    """§11.3: the hoofdaannemer declares the care of both, from the first start at either party; the
    onderaannemer declares nothing for the client."""
    gedeclareerd = 0
    for traject, inzet in _inzet(run).items():
        hoofd, onder = inzet.gegevens["hoofdaannemer"], inzet.gegevens["onderaannemer"]
        assert inzet.bsn not in _clienten_in_323(run, registry, onder)
        starts = [_datum(g, "datum_start") for g in run.gebeurtenissen[traject] if g.wat.startswith("start_zorg_")]
        if not starts or min(starts) > EINDE - timedelta(days=90):
            continue
        perioden = [p.periode for b in run.berichten if b.afzender == hoofd and b.berichttype.endswith("323")
                    for c in lees(b.xml, registry).declaratie.clienten if c.bsn == inzet.bsn for p in c.prestaties
                    if p.bedrag_cent > 0]
        # from the month of the first start at either party (or the next: a few days without a whole
        # week of care at the end of a month declare nothing)
        assert perioden, traject
        eerste_maand = min(starts).replace(day=1)
        assert eerste_maand <= min(p.begindatum for p in perioden) <= eerste_maand + timedelta(days=62), traject
        gedeclareerd += 1
    return gedeclareerd


@pytest.mark.parametrize("route", ["extern", "toegang"])
def test_the_hoofdaannemer_reports_start_and_stop_for_both(route, extern, toegang, registry):
    run = {"extern": extern, "toegang": toegang}[route]
    gezien = _controleer_305_307(run, registry)
    # every case of §11.2 occurred: either party first, the onderaannemer alone, one party stopping earlier
    assert gezien["start_zorg_onderaannemer"] >= 3 and gezien["start_zorg_hoofdaannemer"] >= 3, gezien
    assert gezien["alleen_onderaannemer"] >= 1 and gezien["een_stopt_eerder"] >= 3 and gezien["gestopt"] >= 10, gezien


@pytest.mark.parametrize("route", ["extern", "toegang"])
def test_only_the_hoofdaannemer_declares(route, extern, toegang, registry):
    run = {"extern": extern, "toegang": toegang}[route]
    assert _controleer_declaraties(run, registry) >= 10


def test_the_onderaannemer_sends_nothing_and_a_non_contracted_one_is_agreed_with_the_toegang(extern, toegang):
    for run in (extern, toegang):
        inzet = _inzet(run)
        assert len(inzet) >= 20
        for traject, g in inzet.items():
            onder = g.gegevens["onderaannemer"]
            assert not [b for b in run.per_traject[traject] if b.afzender == onder]
            afstemming = _wat(run, traject, "afstemming_toegang_onderaannemer")
            assert bool(afstemming) == (not g.gegevens["gecontracteerd"])
        assert run.uitslag.afwijkingen == [], [(o.regel, o.waargenomen) for o in run.uitslag.afwijkingen[:5]]
        assert run.uitslag.tellingen["PROT.onderaannemer_stuurt_niet"]["pass"] > 20


def test_a_315_from_the_onderaannemer_is_rejected(met_315, registry):
    """§11.1: a non-contracted onderaannemer's JW315 gets a 316 and a 319 "afgewezen" (reden 3 "Geen
    contract", profile onderaannemer_315_afwijzen), never a 301; the hoofdaannemer's 315 gets its 301."""
    afgewezen = 0
    for traject, g in _inzet(met_315).items():
        onder, hoofd = g.gegevens["onderaannemer"], g.gegevens["hoofdaannemer"]
        bs = met_315.per_traject[traject]
        van_onder = [b for b in bs if b.afzender == onder]
        if g.gegevens["gecontracteerd"]:
            assert not van_onder  # §11.1's risk: the gemeente could not tell such a 315 apart
            continue
        v315 = [b for b in van_onder if b.berichttype == "JW315"]
        assert len(v315) == 1 and {b.berichttype for b in van_onder} <= {"JW315", "JW320"}, traject
        naar_onder = [b for b in bs if b.ontvanger == onder]
        assert not [b for b in naar_onder if b.berichttype == "JW301"]
        antwoorden = [lees(b.xml, registry).antwoord for b in naar_onder if b.berichttype == "JW319"]
        assert [(a.verzoek_antwoord, a.reden_afwijzing) for a in antwoorden] == [("1", "3")], traject
        b319 = next(b for b in naar_onder if b.berichttype == "JW319")
        assert b319.datum <= PROFIEL.deadline("besluit_vot", v315[0].datum)
        assert [b for b in naar_onder if b.berichttype == "JW316"]
        assert [b for b in bs if b.berichttype == "JW301" and b.ontvanger == hoofd]
        afgewezen += 1
    assert afgewezen >= 5
    assert met_315.uitslag.afwijkingen == [], [(o.regel, o.waargenomen) for o in met_315.uitslag.afwijkingen[:5]]
    assert met_315.uitslag.tellingen["PROT.afwijzen_onderaannemer"]["pass"] == afgewezen
