"""The reference gemeente's §4 checks on a 315, each exercised by its provocation event.

Annex 4 §4: the gemeente checks a 315 for volledigheid, stapeling, woonplaatsbeginsel, naam/adres/
woonplaats, gecontracteerde aanbieder en contract, and samenloop; when an aspect is not in order it
uses "een passende retourcode in het 316-bericht of overlegt ... buiten het berichtenverkeer om als
er geen passende retourcode is". What the reference gemeente does (docs/routes.md, "The gemeente's
§4 checks on a 315"), as written down here from the annex and the code lists:

* no contract for the domein → 319 "Verzoek afgewezen", reden 3 "Geen contract" (WJ759), within
  `besluit_vot`; no 301, no care;
* stapeling (the same product at the same aanbieder in an overlapping period) → 319, reden 6
  "Stapeling"; the toewijzing the client has stays as it is;
* naam differs from the register → no WJ001 retourcode fits (its codes are technical), so the 316
  is clean, the gemeente consults the aanbieder outside the traffic (event) and its 301 carries the
  register's name;
* samenloop (the client has care at another aanbieder of this gemeente) → afstemming outside the
  traffic (event); the 315 is decided as any other (a 301 here).
Each run is also checked: no deviations, and the rejection rules pass once per rejected 315.
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
DAGEN = 400


@dataclasses.dataclass
class Run:
    per_traject: dict[str, list[Boeking]]
    gebeurtenissen: dict[str, list[Gebeurtenis]]
    uitslag: object


def _draai(tmp_path_factory, registry, scenario: str, gebeurtenissen: dict[str, float], clients: int = 40,
           meervoudig: float = 0.0) -> Run:
    uit = tmp_path_factory.mktemp(f"vot-{scenario}")
    profiel = dataclasses.replace(PROFIEL, gebeurtenissen=gebeurtenissen)
    voer_uit(RunInstellingen(uit=uit, scenario=scenario, clients=clients, dagen=DAGEN, seed=3, profiel=profiel,
                             meervoudig=meervoudig))
    c = Controleur(PROFIEL, registry)
    per_traject, per_traject_g = defaultdict(list), defaultdict(list)
    for rec in open_ledger(uit).records():
        c.verwerk(rec)
        if rec.traject:
            (per_traject if isinstance(rec, Boeking) else per_traject_g)[rec.traject].append(rec)
    return Run(per_traject, per_traject_g, c.sluit())


def _met(run: Run, wat: str) -> dict[str, Gebeurtenis]:
    return {t: g for t, gs in run.gebeurtenissen.items() for g in gs if g.wat == wat}


def _schoon(run: Run) -> None:
    assert run.uitslag.afwijkingen == [], [(o.regel, o.waargenomen) for o in run.uitslag.afwijkingen[:5]]


def _antwoorden(bs: list[Boeking], registry) -> list[tuple[str, object]]:
    """(berichttype, message) of every 301 and 319, in order."""
    return [(b.berichttype[-3:], lees(b.xml, registry)) for b in bs if b.berichttype[-3:] in ("301", "319")]


def test_a_315_from_an_aanbieder_without_contract_is_rejected(tmp_path_factory, registry):
    run = _draai(tmp_path_factory, registry, "extern", {"geen_contract_315": 1.0})
    zonder = _met(run, "geen_contract")
    assert len(zonder) >= 20
    for traject, g in zonder.items():
        bs = run.per_traject[traject]
        v315 = [b for b in bs if b.berichttype == "JW315"]
        assert len(v315) == 1 and v315[0].afzender == g.actor and v315[0].ontvanger == g.gegevens["gemeente"]
        antwoorden = _antwoorden(bs, registry)
        assert [(n, m.antwoord.verzoek_antwoord, m.antwoord.reden_afwijzing) for n, m in antwoorden] == [
            ("319", "1", "3")], traject
        b319 = next(b for b in bs if b.berichttype == "JW319")
        assert b319.datum <= PROFIEL.deadline("besluit_vot", v315[0].datum)
        assert not [b for b in bs if b.berichttype[-3:] in ("305", "307")]  # no toewijzing, no care
    _schoon(run)
    assert run.uitslag.tellingen["PROT.afwijzen_geen_contract"]["pass"] == len(zonder)


@pytest.mark.parametrize("scenario", ["toegang", "extern"])
def test_a_315_stacking_the_same_product_is_rejected(tmp_path_factory, registry, scenario):
    run = _draai(tmp_path_factory, registry, scenario, {"stapeling_315": 1.0})
    gezien = 0
    for traject, bs in run.per_traject.items():
        verzoeken = [(b, lees(b.xml, registry)) for b in bs if b.berichttype == "JW315"]
        toewijzingen = [lees(b.xml, registry) for b in bs if b.berichttype == "JW301"]
        if not toewijzingen or len(verzoeken) < (2 if scenario == "extern" else 1):
            continue
        b315, stapeling = verzoeken[-1]
        eerste = toewijzingen[0].client.producten[0]
        ap = stapeling.client.producten[0]
        # the provocation: the same product, overlapping the toewijzing the aanbieder received
        assert ap.product == eerste.product and eerste.ingangsdatum <= ap.toewijzing_ingangsdatum <= eerste.einddatum
        ref = ap.referentie_aanbieder
        antwoord = [(b, lees(b.xml, registry).antwoord) for b in bs if b.berichttype == "JW319"]
        antwoord = [(b, a) for b, a in antwoord if a.referentie_aanbieder == ref]
        assert [(a.verzoek_antwoord, a.reden_afwijzing) for _, a in antwoord] == [("1", "6")], traject
        assert antwoord[0][0].datum <= PROFIEL.deadline("besluit_vot", b315.datum)
        # no toewijzing answers it, and the one the client has is unchanged by it
        assert all(tp.referentie_aanbieder != ref for t in toewijzingen for tp in t.client.producten)
        assert {tp.toewijzingnummer for t in toewijzingen for tp in t.client.producten} == {eerste.toewijzingnummer}
        gezien += 1
    assert gezien >= 8
    _schoon(run)
    assert run.uitslag.tellingen["PROT.afwijzen_stapeling"]["pass"] == gezien
    assert "PROT.verlenging_eenmaal" not in run.uitslag.tellingen  # a stapeling is not a verlenging


def test_a_315_with_a_name_the_register_does_not_know_is_discussed_outside_the_traffic(tmp_path_factory, registry):
    run = _draai(tmp_path_factory, registry, "extern", {"naw_afwijkend_315": 1.0})
    afwijkend = _met(run, "clientgegevens_afwijkend_315")
    overleg = _met(run, "overleg_naw_buiten_berichtenverkeer")
    assert len(afwijkend) >= 20 and set(overleg) == set(afwijkend)
    for traject, g in afwijkend.items():
        bs = run.per_traject[traject]
        b315 = next(b for b in bs if b.berichttype == "JW315")
        verzoek = lees(b315.xml, registry)
        assert verzoek.client.naam.geslachtsnaam == g.gegevens["geslachtsnaam_315"] != g.gegevens["geslachtsnaam_register"]
        assert overleg[traject].gegevens["verschil"] == ["geslachtsnaam"]
        assert b315.datum < overleg[traject].datum <= PROFIEL.deadline("besluit_vot", b315.datum)
        r316 = lees(next(b for b in bs if b.berichttype == "JW316").xml, registry)
        assert set(r316.retour.retourcodes) <= {"0200"}
        assert r316.client is None or set(r316.client.retourcodes) <= {"0200"}
        antwoorden = _antwoorden(bs, registry)
        assert antwoorden and antwoorden[0][0] == "301", traject
        assert antwoorden[0][1].client.naam.geslachtsnaam == g.gegevens["geslachtsnaam_register"]
    # a 315 with the register's name gets no overleg
    assert not [t for t in overleg if t not in afwijkend]
    _schoon(run)


def test_samenloop_is_coordinated_not_rejected(tmp_path_factory, registry):
    """Several trajectories of one client at different aanbieders (``meervoudig``): a 315 while the client
    has a current toewijzing at another aanbieder of this gemeente is samenloop; it gets a 301."""
    run = _draai(tmp_path_factory, registry, "extern", {}, clients=60, meervoudig=0.6)
    samenloop = _met(run, "samenloop_afstemming")
    assert len(samenloop) >= 3
    for traject, g in samenloop.items():
        assert g.gegevens["andere"] and g.gegevens["aanbieder"] not in g.gegevens["andere"]
        antwoorden = _antwoorden(run.per_traject[traject], registry)
        assert antwoorden and antwoorden[0][0] == "301", traject
    _schoon(run)
