"""Each Annex 4 route, run alone with the reference actors and no special events, produces the
message sequence the annex prescribes per client, within the annex's deadlines.

The expected sequences are written down here from the annex (Bijlage 1.1 – 1.5, §9.1), not
derived from the actors' code:

(heenberichten per client; each is answered by its retour 302/306/308/316 within 3 werkdagen)

* 1.1 toegang:      301 → 305 → 307
* 1.2 extern:       315 → 301 → 305 → 307
* 1.3 sGGZ:         315 → 301 → 305 → 307, with the 315 ≤ 3 months + 5
                    werkdagen after the start of diagnostiek, the 305's Begindatum = that start,
                    the 305 ≤ 5 werkdagen after the 301, and a 323 ≤ 30 days after the 301
* 1.4.1 dyslexie:   315 → 301 → then 305 → 307 per product (diagnostiek, behandeling)
* 1.4.2 dyslexie:   301 → then the same
* 1.5 crisis:       315 (≤ 5 wd after first contact) → 301 (retroactive) → 305 (≤ 5 wd after the
                    301) → 307; no 323 line before the 301
* §9.1 zonder BSN:  no messages; mail notification and acknowledgement (≤ 5 wd) recorded
Every retour comes ≤ 3 werkdagen after its heenbericht; every 323 is answered by a 325 ≤ 10 werkdagen.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import laad_profiel
from simulator.reader import lees

PROFIEL = laad_profiel("mijov-2024")
STIL = dataclasses.replace(PROFIEL, gebeurtenissen={})  # no special events
DAGEN = 500

#: heenberichten per client in order (each is answered by its retour: see _controleer_retouren)
KERN = ["305", "307"]
VERWACHT = {
    "toegang": ["301"] + KERN,
    "extern": ["315", "301"] + KERN,
    "sggz": ["315", "301"] + KERN,
    "crisis": ["315", "301"] + KERN,
    "dyslexie:aanbieder_vot": ["315", "301"] + KERN + KERN,
    "dyslexie:toegang_toewijzing": ["301"] + KERN + KERN,
}
RETOUR_TERMIJN = {"302": "retour_302", "306": "retour_306", "308": "retour_308", "316": "retour_316",
                  "318": "retour_318", "320": "retour_320", "325": "antwoord_325"}


@dataclasses.dataclass
class Run:
    pad: Path
    berichten: list[Boeking]
    per_traject: dict[str, list[Boeking]]
    gebeurtenissen: dict[str, list[Gebeurtenis]]
    einde: date


def _draai(tmp_path_factory, scenario: str, clients: int = 40, seed: int = 7) -> Run:
    uit = tmp_path_factory.mktemp(scenario)
    voer_uit(RunInstellingen(uit=uit, scenario=scenario, clients=clients, dagen=DAGEN, seed=seed, profiel=STIL))
    led = open_ledger(uit)
    assert led.compleet and not led.waarschuwingen
    berichten, per_traject, gebeurtenissen = [], defaultdict(list), defaultdict(list)
    for rec in led.records():
        if isinstance(rec, Boeking):
            berichten.append(rec)
            if rec.traject:
                per_traject[rec.traject].append(rec)
        elif rec.traject:
            gebeurtenissen[rec.traject].append(rec)
    return Run(uit, berichten, per_traject, gebeurtenissen, date(2026, 1, 1) + timedelta(days=DAGEN))


HEEN = {"301", "305", "307", "315", "317", "319", "323"}


def _nummers(bs: list[Boeking]) -> list[str]:
    """The heenberichten of a client, in ledger order."""
    return [b.berichttype[-3:] for b in bs if b.berichttype[-3:] in HEEN]


def _gebeurtenis(run: Run, traject: str, wat: str) -> Gebeurtenis:
    return next(g for g in run.gebeurtenissen[traject] if g.wat == wat)


def _klaar(run: Run, traject: str) -> bool:
    """Care of every toewijzing ended long enough before the end of the run for the whole
    sequence to be in the ledger."""
    toewijzingen = {nr for b in run.per_traject[traject] if b.berichttype.endswith("301") for nr in b.toewijzingnummers}
    einden = [g for g in run.gebeurtenissen[traject] if g.wat == "einde_zorg"]
    return (len(einden) == len(toewijzingen) > 0
            and all(g.datum < run.einde - timedelta(days=40) for g in einden))


def _controleer_retouren(run: Run) -> None:
    """Every heenbericht has exactly one retour, later and within its deadline."""
    op_id = {(b.afzender, b.identificatie): b for b in run.berichten}
    beantwoord = defaultdict(int)
    for b in run.berichten:
        if b.heen is not None and b.berichttype[-3:] in RETOUR_TERMIJN:
            beantwoord[(b.ontvanger, b.heen)] += 1
    for b in run.berichten:
        if b.berichttype[-3:] in HEEN and b.datum < run.einde - timedelta(days=20):
            assert beantwoord[(b.afzender, b.identificatie)] == 1, (b.berichttype, b.identificatie)
    for b in run.berichten:
        nr = b.berichttype[-3:]
        if nr in RETOUR_TERMIJN:
            heen = op_id[(b.ontvanger, b.heen)]
            assert heen.berichttype[-3:] in {"301", "305", "307", "315", "317", "319", "323"}
            assert b.datum <= PROFIEL.deadline(RETOUR_TERMIJN[nr], heen.datum), (b.berichttype, b.datum, heen.datum)
            assert b.datum > heen.datum  # handled from the next werkdag on


def _lees(b: Boeking, registry):
    return lees(b.xml, registry)


@pytest.fixture(scope="module")
def toegang(tmp_path_factory):
    return _draai(tmp_path_factory, "toegang")


@pytest.fixture(scope="module")
def extern(tmp_path_factory):
    return _draai(tmp_path_factory, "extern")


@pytest.fixture(scope="module")
def sggz(tmp_path_factory):
    return _draai(tmp_path_factory, "sggz", clients=30)


@pytest.fixture(scope="module")
def dyslexie(tmp_path_factory):
    return _draai(tmp_path_factory, "dyslexie", clients=30)


@pytest.fixture(scope="module")
def crisis(tmp_path_factory):
    return _draai(tmp_path_factory, "crisis", clients=30)


@pytest.fixture(scope="module")
def zonder_bsn(tmp_path_factory):
    return _draai(tmp_path_factory, "zonder_bsn", clients=10)


def _sequenties(run: Run, verwacht: list[str], sleutel=lambda t: True) -> int:
    gecontroleerd = 0
    for traject, bs in run.per_traject.items():
        if not sleutel(traject):
            continue
        if _klaar(run, traject):
            assert _nummers(bs) == verwacht, (traject, _nummers(bs))
            gecontroleerd += 1
        else:
            heen = _nummers(bs)
            assert heen == verwacht[:len(heen)], (traject, heen)
    return gecontroleerd


def test_route_toegang_sequence_and_deadlines(toegang, registry):
    assert _sequenties(toegang, VERWACHT["toegang"]) >= 10
    _controleer_retouren(toegang)
    for traject, bs in toegang.per_traject.items():
        verwijzing = _gebeurtenis(toegang, traject, "verwijzing").datum
        assert bs[0].datum <= PROFIEL.deadline("toewijzing_toegang", verwijzing)
        for b in bs:
            if b.berichttype.endswith("305"):
                start = _lees(b, registry).client.producten[0].begindatum
                assert b.datum <= PROFIEL.deadline("start_305", start)
            if b.berichttype.endswith("307"):
                eind = _lees(b, registry).client.producten[0].einddatum
                assert b.datum <= PROFIEL.deadline("stop_307", eind) and b.datum > eind


def test_route_extern_sequence_and_deadlines(extern, registry):
    assert _sequenties(extern, VERWACHT["extern"]) >= 10
    _controleer_retouren(extern)
    for traject, bs in extern.per_traject.items():
        intake = _gebeurtenis(extern, traject, "intake").datum
        assert bs[0].berichttype.endswith("315") and bs[0].datum <= PROFIEL.deadline("vot_na_intake", intake)
        toewijzing = next(b for b in bs if b.berichttype.endswith("301"))
        assert toewijzing.datum <= PROFIEL.deadline("besluit_vot", bs[0].datum)
        verzoek = _lees(bs[0], registry)
        assert verzoek.client.producten[0].verwijzer.type != "01"  # an external verwijzer, not the gemeente


def test_route_sggz_sequence_and_deadlines(sggz, registry):
    assert _sequenties(sggz, VERWACHT["sggz"]) >= 5
    _controleer_retouren(sggz)
    declaraties = [b for b in sggz.berichten if b.berichttype.endswith("323")]
    for traject, bs in sggz.per_traject.items():
        start = _gebeurtenis(sggz, traject, "start_diagnostiek").datum
        assert bs[0].datum <= PROFIEL.deadline("vot_sggz", start)
        t301 = next((b for b in bs if b.berichttype.endswith("301")), None)
        if t301 is None:
            continue
        assert _lees(t301, registry).client.producten[0].ingangsdatum == start  # retroactive
        t305 = next((b for b in bs if b.berichttype.endswith("305")), None)
        if t305 is not None:
            assert _lees(t305, registry).client.producten[0].begindatum == start
            assert t305.datum <= PROFIEL.deadline("start_305_sggz", t301.datum)
        bsn = bs[0].bsn
        eerste = next((d for d in declaraties if d.datum > t301.datum and bsn.encode() in d.xml), None)
        if t301.datum < sggz.einde - timedelta(days=60):
            assert eerste is not None and eerste.datum <= PROFIEL.deadline("declaratie_sggz", t301.datum)


def test_route_dyslexie_both_variants(dyslexie, registry):
    variant = {}
    for traject in dyslexie.per_traject:
        wat = {g.wat for g in dyslexie.gebeurtenissen[traject]}
        variant[traject] = "toegang_toewijzing" if "leesdossier_bij_toegang" in wat else "aanbieder_vot"
        assert "leesdossier_school" in wat
    assert set(variant.values()) == {"aanbieder_vot", "toegang_toewijzing"}
    for v in ("aanbieder_vot", "toegang_toewijzing"):
        _sequenties(dyslexie, VERWACHT[f"dyslexie:{v}"], lambda t, v=v: variant[t] == v)
    _controleer_retouren(dyslexie)
    # the variant follows the gemeente: 1.4.2 in Heerde, Lochem, Zutphen only
    for traject, bs in dyslexie.per_traject.items():
        gemeente = bs[0].ontvanger if bs[0].berichttype.endswith("315") else bs[0].afzender
        assert (variant[traject] == "toegang_toewijzing") == (PROFIEL.gemeenten[gemeente].dyslexie == "toegang_toewijzing")


def test_route_crisis_care_first_then_retroactive_toewijzing(crisis, registry):
    assert _sequenties(crisis, VERWACHT["crisis"]) >= 5
    _controleer_retouren(crisis)
    for traject, bs in crisis.per_traject.items():
        eerste = _gebeurtenis(crisis, traject, "eerste_contact_crisis").datum
        assert bs[0].datum <= PROFIEL.deadline("vot_crisis", eerste)
        t301 = next(b for b in bs if b.berichttype.endswith("301"))
        assert _lees(t301, registry).client.producten[0].ingangsdatum == eerste
        t305 = next((b for b in bs if b.berichttype.endswith("305")), None)
        if t305 is not None:
            assert t305.datum <= PROFIEL.deadline("start_305_terugwerkend", t301.datum)
        # declarable only after the 301
        bsn = bs[0].bsn.encode()
        for d in crisis.berichten:
            if d.berichttype.endswith("323") and bsn in d.xml:
                assert d.datum > t301.datum


def test_route_zonder_bsn_has_no_messages_only_mail(zonder_bsn):
    assert zonder_bsn.berichten == [] or all(b.traject is None for b in zonder_bsn.berichten)
    assert zonder_bsn.gebeurtenissen
    for traject, gs in zonder_bsn.gebeurtenissen.items():
        melding = next(g for g in gs if g.wat == "melding_buiten_berichtenverkeer")
        bevestiging = next(g for g in gs if g.wat == "ontvangstbevestiging_buiten_berichtenverkeer")
        assert bevestiging.datum <= PROFIEL.deadline("afhandeling_zonder_bsn", melding.datum)
        assert all(g.bsn is None for g in gs)


def test_declarations_answered_within_ten_werkdagen_with_correct_totals(toegang, registry):
    op_id = {(b.afzender, b.identificatie): b for b in toegang.berichten}
    antwoorden = [b for b in toegang.berichten if b.berichttype.endswith("325")]
    assert antwoorden
    for a in antwoorden:
        heen = op_id[(a.ontvanger, a.heen)]
        assert a.datum <= PROFIEL.deadline("antwoord_325", heen.datum)
        d, r = _lees(heen, registry), _lees(a, registry)
        assert r.antwoord.totaal_ingediend_cent == d.declaratie.totaal_cent
        assert r.antwoord.totaal_toegekend_cent == d.declaratie.totaal_cent  # no faults: all approved


def test_declarations_in_minutes_for_hours_and_by_end_of_following_month(toegang, registry):
    for b in toegang.berichten:
        if not b.berichttype.endswith("323"):
            continue
        d = _lees(b, registry)
        for c in d.declaratie.clienten:
            for p in c.prestaties:
                assert p.eenheid != "04"  # hours are declared in minutes (§7 note 13)
                assert b.datum <= PROFIEL.deadline("declaratie_323", p.periode.einddatum), (b.datum, p.periode)
