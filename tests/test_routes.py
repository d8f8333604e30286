"""Each Annex 4 route, and each special event that changes a client's message sequence, run with
the reference actors: per client, the heenberichten come in the order the annex prescribes, each
within its deadline, and enough clients are followed to the end of their care to mean something.

The expected sequences are written down here from the annex (Bijlage 1.1 – 1.5, §4, §6.4, §7.2,
§9.1, §12), not derived from the actors' code.  Deadline keys are those of the profile
(``scenarios/profiles/mijov-2024.toml``); "from" says what the deadline counts from.

Per route (``ROUTES``; the 305/307 pair comes for every toewijzing of the 301):

===================  ====================================================================================
1.1 toegang          301 (gemeente; toewijzing_toegang from the toegang's verwijzing)
                     → per toewijzing 305 (start_305 from its Begindatum) → 307 (stop_307 from its Einddatum)
1.2 extern           315 (aanbieder; vot_na_intake from the intake) → 301 (besluit_vot from the 315)
                     → 305 → 307 as in 1.1
1.3 sGGZ             315 (vot_sggz: 3 months + 5 werkdagen from the start of diagnostiek, which is after
                     the intake) → 301 (besluit_vot; retroactive: Ingangsdatum = start of diagnostiek)
                     → 305 (start_305_sggz from the 301; Begindatum = start of diagnostiek)
                     → 307 (stop_307 from the end of care, or from the 301 when care ended before it came);
                     both variants: diagnostiek only, and a behandelgroep; a 323 ≤ 30 days after the 301
1.4.1 dyslexie       315 (both products, VerwijzerType gemeente; vot_na_intake) → 301 (both; besluit_vot)
                     → 305 → 307 for diagnostiek and for behandeling
1.4.2 dyslexie       301 (both products; toewijzing_toegang from the toegang's verwijzing) → 305 → 307 twice
1.5 crisis           315 (vot_crisis from the first direct client time) → 301 (besluit_vot; retroactive)
                     → 305 (start_305_terugwerkend from the 301) → 307 (as sGGZ); no 323 before the 301
§9.1 zonder BSN      no messages: melding (vot_na_intake from the client's arrival) → ontvangstbevestiging
                     (afhandeling_zonder_bsn) → a declaration outside the traffic per month of care
===================  ====================================================================================

Per special event (each run with only that event, for every client it can happen to):

* §4 / §2.3 vot_onderzoek: 315 → 319 "aanvraag in onderzoek" (besluit_vot) → 301 or 319 "afgewezen"
  within 8 weeks of the 315's Dagtekening (onderzoek) → after a 301: 305 → 307;
* §4 woonplaatsbeginsel: 315 to gemeente A → 319 "afgewezen", reden woonplaatsbeginsel, naming gemeente
  B ≠ A, within 2 weeks (woonplaatsbeginsel) and besluit_vot → a new 315 to B (vot_na_intake from the
  319) → 301 from B → 305 → 307 to B;
* §6.4 tijdelijk stoppen: 305 → 307 "levering tijdelijk beëindigd" after a full calendar month without
  care (stop_307_tijdelijk from the end of that month) → 305 from the day care resumes → 307;
* §6.4 a temporary stop that turns out definitive: 307 tijdelijk → the same 307 with "verwijderen
  aanlevering" → the gemeente's 308 on it → only then the 307 with the right reden (stop_307 from the
  withdrawal); no new 305;
* §12 Jeugdwet → Wmo at 18: JW301 → WMO301 (toewijzing_toegang from the toegang's overleg) → JW307 reden
  "uitstroom naar ander domein" ending the day before the 18th birthday → WMO305 from the birthday:
  the care line is not interrupted; JW323 and WMO323 both declare the client;
* §7.2 correcting an approved line: a credit line (VorigReferentieNummer = the approved debit, the
  same amount negative, correctie_goedgekeurd from the approval) and a new debit for the same
  toewijzing and month in the same 323.

Every heenbericht gets exactly one retour within 3 werkdagen (302/306/308/316/318/320), every 323 a
325 within 10 werkdagen (``_controleer_retouren``).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import pytest

from scenarios.run import RunInstellingen, voer_uit
from simulator.codelijsten import Codelijsten
from simulator.codes import Codes, codes
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import Profiel, laad_profiel
from simulator.reader import lees
from simulator.schemas import IJW, IWMO
from simulator.werkdagen import add_maanden, einde_maand

PROFIEL = laad_profiel("mijov-2024")
STIL = dataclasses.replace(PROFIEL, gebeurtenissen={})  # no special events
KAL = PROFIEL.kalender
DAGEN = 500
MARGE = timedelta(days=40)  # care that ended this long before the end of the run has its whole sequence
GEMEENTE, AANBIEDER = "gemeente", "aanbieder"

HEEN = {"301", "305", "307", "315", "317", "319", "323"}
RETOUR_TERMIJN = {"302": "retour_302", "306": "retour_306", "308": "retour_308", "316": "retour_316",
                  "318": "retour_318", "320": "retour_320", "325": "antwoord_325"}


# ==============================================================================================
# The expected sequences, from the annex
# ==============================================================================================
@dataclasses.dataclass(frozen=True)
class Stap:
    """One heenbericht of a route: who sends it, its deadline, and what the deadline counts from."""

    bericht: str
    door: str  # GEMEENTE | AANBIEDER
    termijn: str  # profile key
    vanaf: str  # a key of VANAF


#: what a deadline counts from
VANAF = {
    "verwijzing": "the toegang's verwijzing (event)",
    "intake": "the intake at the aanbieder (event)",
    "start_diagnostiek": "the start of sGGZ diagnostiek (event)",
    "eerste_contact_crisis": "the first direct client time in crisis (event)",
    "315": "the client's latest 315",
    "301": "the client's latest 301",
    "begindatum": "the 305's Begindatum: the real start of care",
    "einddatum": "the 307's Einddatum: the end of care",
    "einde_bekend": "the later of the 307's Einddatum and the 301 (care that ended before its retroactive 301)",
}


@dataclasses.dataclass(frozen=True)
class Route:
    annex: str
    verzoek: tuple[Stap, ...]  # up to and including the 301
    zorg: tuple[Stap, ...]  # for every toewijzing of the 301
    toewijzingen: int  # products in the 301
    minimum: int  # clients whose whole sequence must be checked


START_STOP = (Stap("305", AANBIEDER, "start_305", "begindatum"), Stap("307", AANBIEDER, "stop_307", "einddatum"))
ROUTES = {
    "toegang": Route("Bijlage 1.1", (Stap("301", GEMEENTE, "toewijzing_toegang", "verwijzing"),), START_STOP, 1, 15),
    "extern": Route("Bijlage 1.2", (Stap("315", AANBIEDER, "vot_na_intake", "intake"),
                                    Stap("301", GEMEENTE, "besluit_vot", "315")), START_STOP, 1, 15),
    "sggz": Route("Bijlage 1.3", (Stap("315", AANBIEDER, "vot_sggz", "start_diagnostiek"),
                                  Stap("301", GEMEENTE, "besluit_vot", "315")),
                  (Stap("305", AANBIEDER, "start_305_sggz", "301"), Stap("307", AANBIEDER, "stop_307", "einde_bekend")),
                  1, 10),
    "dyslexie:aanbieder_vot": Route("Bijlage 1.4.1", (Stap("315", AANBIEDER, "vot_na_intake", "intake"),
                                                      Stap("301", GEMEENTE, "besluit_vot", "315")), START_STOP, 2, 15),
    "dyslexie:toegang_toewijzing": Route("Bijlage 1.4.2", (Stap("301", GEMEENTE, "toewijzing_toegang", "verwijzing"),),
                                         START_STOP, 2, 4),
    "crisis": Route("Bijlage 1.5", (Stap("315", AANBIEDER, "vot_crisis", "eerste_contact_crisis"),
                                    Stap("301", GEMEENTE, "besluit_vot", "315")),
                    (Stap("305", AANBIEDER, "start_305_terugwerkend", "301"),
                     Stap("307", AANBIEDER, "stop_307", "einde_bekend")), 1, 20),
}


# ==============================================================================================
# Running and reading
# ==============================================================================================
@dataclasses.dataclass
class Run:
    pad: Path
    registry: object
    berichten: list[Boeking]
    per_traject: dict[str, list[Boeking]]
    gebeurtenissen: dict[str, list[Gebeurtenis]]
    einde: date
    _gelezen: dict[int, object] = dataclasses.field(default_factory=dict)

    def lees(self, b: Boeking):
        if b.seq not in self._gelezen:
            self._gelezen[b.seq] = lees(b.xml, self.registry)
        return self._gelezen[b.seq]

    @cached_property
    def op_id(self) -> dict[tuple[str, str], Boeking]:
        return {(b.afzender, b.identificatie): b for b in self.berichten}

    def retour_op(self, heen: Boeking) -> Boeking | None:
        return next((b for b in self.berichten if b.heen == heen.identificatie and b.ontvanger == heen.afzender
                     and b.berichttype[-3:] in RETOUR_TERMIJN), None)

    def heen(self, traject: str) -> list[Boeking]:
        return [b for b in self.per_traject[traject] if _nr(b) in HEEN]

    def gebeurtenis(self, traject: str, wat: str) -> Gebeurtenis | None:
        return next((g for g in self.gebeurtenissen[traject] if g.wat == wat), None)


def _draai(tmp_path_factory, registry, scenario: str, profiel: Profiel = STIL, clients: int = 40, seed: int = 7,
           naam: str | None = None, dagen: int = DAGEN) -> Run:
    uit = tmp_path_factory.mktemp(naam or scenario)
    voer_uit(RunInstellingen(uit=uit, scenario=scenario, clients=clients, dagen=dagen, seed=seed, profiel=profiel))
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
    return Run(uit, registry, berichten, per_traject, gebeurtenissen, date(2026, 1, 1) + timedelta(days=dagen))


def _met(**kansen: float) -> Profiel:
    """mijov-2024 with only these special events."""
    return dataclasses.replace(PROFIEL, gebeurtenissen=kansen)


def _nr(b: Boeking) -> str:
    return b.berichttype[-3:]


def _door(b: Boeking) -> str:
    return GEMEENTE if len(b.afzender) == 4 else AANBIEDER


def _codes(registry, std=IJW) -> Codes:
    return codes(Codelijsten(registry), std)


def _std(b: Boeking):
    return IJW if b.berichttype.startswith("JW") else IWMO


def _binnen(b: Boeking, termijn: str, vanaf: date, wat: str = "") -> None:
    """``b`` is sent after ``vanaf`` and no later than deadline ``termijn`` counted from it."""
    grens = PROFIEL.deadline(termijn, vanaf)
    assert vanaf < b.datum <= grens, (b.traject, b.berichttype, wat or termijn, vanaf, b.datum, grens)


def _controleer_retouren(run: Run) -> None:
    """Every heenbericht has exactly one retour, later and within its deadline."""
    beantwoord = defaultdict(int)
    for b in run.berichten:
        if b.heen is not None and _nr(b) in RETOUR_TERMIJN:
            beantwoord[(b.ontvanger, b.heen)] += 1
    for b in run.berichten:
        if _nr(b) in HEEN and b.datum < run.einde - timedelta(days=20):
            assert beantwoord[(b.afzender, b.identificatie)] == 1, (b.berichttype, b.identificatie)
    for b in run.berichten:
        if _nr(b) in RETOUR_TERMIJN:
            heen = run.op_id[(b.ontvanger, b.heen)]
            assert _nr(heen) in HEEN
            assert b.datum <= PROFIEL.deadline(RETOUR_TERMIJN[_nr(b)], heen.datum), (b.berichttype, b.datum, heen.datum)
            assert b.datum > heen.datum  # handled from the next werkdag on


# ==============================================================================================
# Checking one client against a route
# ==============================================================================================
def _vanaf(run: Run, traject: str, stap: Stap, b: Boeking, laatste: dict[str, Boeking]) -> date:
    if stap.vanaf in ("verwijzing", "intake", "start_diagnostiek", "eerste_contact_crisis"):
        g = run.gebeurtenis(traject, stap.vanaf)
        assert g is not None, (traject, stap.vanaf)
        return g.datum
    if stap.vanaf in ("315", "301"):
        return laatste[stap.vanaf].datum
    product = run.lees(b).client.producten[0]
    if stap.vanaf == "begindatum":
        return product.begindatum
    if stap.vanaf == "einddatum":
        return product.einddatum
    assert stap.vanaf == "einde_bekend"
    return max(product.einddatum, laatste["301"].datum)


def _klaar(run: Run, toewijzing: Boeking) -> bool:
    """Every toewijzing of this 301 ended (and the 301 came) long enough before the end of the run for
    the client's whole sequence to be in the ledger."""
    tps = run.lees(toewijzing).client.producten
    return all(tp.einddatum is not None and max(tp.einddatum, toewijzing.datum) < run.einde - MARGE for tp in tps)


def _volg_route(run: Run, traject: str, route: Route, heen: list[Boeking] | None = None) -> bool:
    """Assert the client's heenberichten (default: all of them) follow ``route``, each within its deadline;
    True when the whole sequence is in the ledger (the run ended after all care did), False when only a
    prefix could be."""
    heen = run.heen(traject) if heen is None else heen
    laatste: dict[str, Boeking] = {}
    n = len(route.verzoek)
    assert [_nr(b) for b in heen[:n]] == [s.bericht for s in route.verzoek][:len(heen[:n])], (traject, heen)
    for stap, b in zip(route.verzoek, heen):
        assert _door(b) == stap.door, (traject, b.berichttype, b.afzender)
        _binnen(b, stap.termijn, _vanaf(run, traject, stap, b, laatste), stap.vanaf)
        laatste[stap.bericht] = b
    toewijzing = laatste.get("301")
    if toewijzing is None:
        assert len(heen) < n, (traject, [_nr(b) for b in heen])
        return False
    nummers = toewijzing.toewijzingnummers
    assert len(nummers) == route.toewijzingen, (traject, nummers)
    per_toewijzing: dict[str, list[Boeking]] = defaultdict(list)
    for b in heen[n:]:
        assert _nr(b) in {s.bericht for s in route.zorg}, (traject, b.berichttype)  # no 315/317/319/301 later
        assert _door(b) == AANBIEDER and b.datum > toewijzing.datum
        assert len(b.toewijzingnummers) == 1 and b.toewijzingnummers[0] in nummers, (traject, b.toewijzingnummers)
        per_toewijzing[b.toewijzingnummers[0]].append(b)
    for nummer in nummers:
        reeks = per_toewijzing[nummer]
        assert [_nr(b) for b in reeks] == [s.bericht for s in route.zorg][:len(reeks)], (traject, nummer, reeks)
        for stap, b in zip(route.zorg, reeks):
            _binnen(b, stap.termijn, _vanaf(run, traject, stap, b, laatste), stap.vanaf)
    if not _klaar(run, toewijzing):
        return False
    for nummer in nummers:
        assert [_nr(b) for b in per_toewijzing[nummer]] == [s.bericht for s in route.zorg], (traject, nummer)
    return True


def _volg_alle(run: Run, route: Route, trajecten) -> int:
    """Every client of ``trajecten`` follows ``route``; returns how many were followed to the end."""
    volledig = sum(_volg_route(run, t, route) for t in trajecten)
    assert volledig >= route.minimum, (route.annex, volledig)
    return volledig


# ==============================================================================================
# The routes
# ==============================================================================================
@pytest.fixture(scope="module")
def toegang(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "toegang")


@pytest.fixture(scope="module")
def extern(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "extern")


@pytest.fixture(scope="module")
def sggz(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "sggz", clients=60)


@pytest.fixture(scope="module")
def dyslexie(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "dyslexie", clients=60, dagen=700)  # care lasts a year


@pytest.fixture(scope="module")
def crisis(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "crisis", clients=30)


@pytest.fixture(scope="module")
def zonder_bsn(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "zonder_bsn", clients=15)


def test_route_toegang_sequence_and_deadlines(toegang, registry):
    _volg_alle(toegang, ROUTES["toegang"], toegang.per_traject)
    _controleer_retouren(toegang)
    for traject in toegang.per_traject:
        bs = toegang.per_traject[traject]
        t301 = bs[0]
        assert _nr(t301) == "301" and toegang.gebeurtenis(traject, "verwijzing").gegevens["verwijzer"] == "toegang"
        tp = toegang.lees(t301).client.producten[0]
        for b in bs:
            if _nr(b) == "305":  # never before the 302 on its toewijzing has gone out
                assert b.datum >= toegang.retour_op(t301).datum
                assert toegang.lees(b).client.producten[0].begindatum >= tp.ingangsdatum
            if _nr(b) == "307":  # §6.2: also when care ends on the planned date, with a reden
                sp = toegang.lees(b).client.producten[0]
                assert sp.einddatum == tp.einddatum
                assert sp.reden_beeindiging == _codes(registry, _std(b))["beeindiging.volgens_plan"]


def test_route_extern_sequence_and_deadlines(extern, registry):
    _volg_alle(extern, ROUTES["extern"], extern.per_traject)
    _controleer_retouren(extern)
    c = _codes(registry)
    for traject in extern.per_traject:
        verzoek = extern.heen(traject)[0]
        verwijzer = extern.gebeurtenis(traject, "verwijzing").gegevens["verwijzer"]
        assert verwijzer in ("huisarts", "jeugdarts", "medisch_specialist", "gi")
        assert extern.lees(verzoek).client.producten[0].verwijzer.type == c[f"verwijzer.{verwijzer}"]
        t301 = next((b for b in extern.per_traject[traject] if _nr(b) == "301"), None)
        if t301 is not None:  # the decision never precedes the technical receipt
            assert t301.datum >= extern.retour_op(verzoek).datum


def _sggz_variant(run: Run, traject: str) -> str:
    product = run.lees(run.heen(traject)[0]).client.producten[0].product
    tags = PROFIEL.catalogus().per_code(product.code).tags
    return "diagnostiek" if "sggz-diagnostiek" in tags else "behandelgroep"


def test_route_sggz_both_variants_sequence_and_deadlines(sggz, registry):
    _controleer_retouren(sggz)
    varianten = defaultdict(int)
    for traject in sggz.per_traject:
        varianten[_sggz_variant(sggz, traject)] += _volg_route(sggz, traject, ROUTES["sggz"])
    assert varianten["diagnostiek"] >= 10 and varianten["behandelgroep"] >= 10, varianten
    declaraties = [b for b in sggz.berichten if _nr(b) == "323"]
    for traject in sggz.per_traject:
        intake = sggz.gebeurtenis(traject, "intake").datum
        start = sggz.gebeurtenis(traject, "start_diagnostiek").datum
        assert start > intake  # §4 note 2, §6.1: the intake is not the start of care
        verzoek = sggz.lees(sggz.heen(traject)[0]).client.producten[0]
        assert verzoek.toewijzing_ingangsdatum == start
        t301 = next((b for b in sggz.heen(traject) if _nr(b) == "301"), None)
        if t301 is None:
            continue
        tp = sggz.lees(t301).client.producten[0]
        assert tp.ingangsdatum == start  # retroactive
        if _sggz_variant(sggz, traject) == "diagnostiek":
            assert tp.einddatum < sggz.heen(traject)[0].datum  # asked for once it was done (§4)
        t305 = next((b for b in sggz.heen(traject) if _nr(b) == "305"), None)
        if t305 is not None:
            assert sggz.lees(t305).client.producten[0].begindatum == start
        bsn = t301.bsn.encode()
        eerste = next((d for d in declaraties if d.datum > t301.datum and bsn in d.xml), None)
        if t301.datum < sggz.einde - timedelta(days=60):
            assert eerste is not None and eerste.datum <= PROFIEL.deadline("declaratie_sggz", t301.datum)


def test_route_dyslexie_both_variants_sequence_and_deadlines(dyslexie, registry):
    _controleer_retouren(dyslexie)
    c = _codes(registry)
    variant = {}
    for traject in dyslexie.per_traject:
        wat = {g.wat for g in dyslexie.gebeurtenissen[traject]}
        assert "leesdossier_school" in wat
        variant[traject] = "toegang_toewijzing" if "leesdossier_bij_toegang" in wat else "aanbieder_vot"
    for v in ("aanbieder_vot", "toegang_toewijzing"):
        _volg_alle(dyslexie, ROUTES[f"dyslexie:{v}"], [t for t in variant if variant[t] == v])
    for traject, v in variant.items():
        heen = dyslexie.heen(traject)
        # the variant follows the gemeente: 1.4.2 in Heerde, Lochem, Zutphen only
        gemeente = heen[0].ontvanger if _nr(heen[0]) == "315" else heen[0].afzender
        assert (v == "toegang_toewijzing") == (PROFIEL.gemeenten[gemeente].dyslexie == "toegang_toewijzing")
        if v == "aanbieder_vot":
            producten = dyslexie.lees(heen[0]).client.producten
            assert len(producten) == 2 and all(p.verwijzer.type == c["verwijzer.gemeente"] for p in producten)
        t301 = next((b for b in heen if _nr(b) == "301"), None)
        if t301 is not None:  # diagnostiek (3 months), then behandeling from the day after
            diag, beh = sorted(dyslexie.lees(t301).client.producten, key=lambda tp: tp.ingangsdatum)
            assert "dyslexie-diagnostiek" in PROFIEL.catalogus().per_code(diag.product.code).tags
            assert "dyslexie-behandeling" in PROFIEL.catalogus().per_code(beh.product.code).tags
            assert beh.ingangsdatum == diag.einddatum + timedelta(days=1)


def test_route_crisis_care_first_then_retroactive_toewijzing(crisis, registry):
    _volg_alle(crisis, ROUTES["crisis"], crisis.per_traject)
    _controleer_retouren(crisis)
    for traject in crisis.per_traject:
        eerste = crisis.gebeurtenis(traject, "eerste_contact_crisis").datum
        t301 = next((b for b in crisis.heen(traject) if _nr(b) == "301"), None)
        if t301 is None:
            continue
        assert crisis.lees(t301).client.producten[0].ingangsdatum == eerste
        t305 = next((b for b in crisis.heen(traject) if _nr(b) == "305"), None)
        if t305 is not None:
            assert crisis.lees(t305).client.producten[0].begindatum == eerste
        bsn = t301.bsn.encode()  # declarable only after the 301 (§5)
        assert all(d.datum > t301.datum for d in crisis.berichten if _nr(d) == "323" and bsn in d.xml)


def test_route_zonder_bsn_has_no_messages_only_mail(zonder_bsn):
    assert all(b.traject is None for b in zonder_bsn.berichten)
    gevolgd = 0
    for traject, gs in zonder_bsn.gebeurtenissen.items():
        assert all(g.bsn is None for g in gs)
        aankomst = zonder_bsn.gebeurtenis(traject, "client_zonder_bsn")
        melding = zonder_bsn.gebeurtenis(traject, "melding_buiten_berichtenverkeer")
        bevestiging = zonder_bsn.gebeurtenis(traject, "ontvangstbevestiging_buiten_berichtenverkeer")
        assert aankomst is not None and melding is not None and bevestiging is not None, traject
        assert aankomst.datum < melding.datum <= PROFIEL.deadline("vot_na_intake", aankomst.datum)
        assert melding.datum < bevestiging.datum <= PROFIEL.deadline("afhandeling_zonder_bsn", melding.datum)
        maanden = [g.gegevens["periode"] for g in gs if g.wat == "declaratie_buiten_berichtenverkeer"]
        assert maanden == sorted(set(maanden)), traject  # one per month of care, in order
        if aankomst.datum < zonder_bsn.einde - timedelta(days=200):  # 4 months of care, all declared
            assert len(maanden) >= 4, (traject, maanden)
            gevolgd += 1
    assert gevolgd >= 8


def test_declarations_answered_within_ten_werkdagen_with_correct_totals(toegang):
    antwoorden = [b for b in toegang.berichten if _nr(b) == "325"]
    assert len(antwoorden) >= 10
    for a in antwoorden:
        heen = toegang.op_id[(a.ontvanger, a.heen)]
        assert a.datum <= PROFIEL.deadline("antwoord_325", heen.datum)
        d, r = toegang.lees(heen), toegang.lees(a)
        assert r.antwoord.totaal_ingediend_cent == d.declaratie.totaal_cent
        assert r.antwoord.totaal_toegekend_cent == d.declaratie.totaal_cent  # no faults: all approved


def test_declarations_in_minutes_for_hours_and_by_end_of_following_month(toegang, registry):
    uur = _codes(registry)["eenheid.uur"]
    regels = 0
    for b in toegang.berichten:
        if _nr(b) != "323":
            continue
        for c in toegang.lees(b).declaratie.clienten:
            for p in c.prestaties:
                assert p.eenheid != uur  # hours are declared in minutes (§7 note 13)
                assert b.datum <= PROFIEL.deadline("declaratie_323", p.periode.einddatum), (b.datum, p.periode)
                regels += 1
    assert regels >= 50


# ==============================================================================================
# Special events
# ==============================================================================================
@pytest.fixture(scope="module")
def onderzoek(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "extern", _met(vot_onderzoek=1.0), naam="onderzoek")


def test_onderzoek_then_301_or_rejection_within_8_weeks_of_the_dagtekening(onderzoek, registry):
    """§4, §2.3: 315 → 319 'aanvraag in onderzoek' → within 8 weeks of the 315's Dagtekening a 301
    (then care as in 1.2) or a 319 'verzoek afgewezen'."""
    _controleer_retouren(onderzoek)
    c = _codes(registry)
    # after the 301 the route goes on as 1.2; the 301 came within the 8 weeks instead of besluit_vot
    na_onderzoek = Route("§4 onderzoek", (ROUTES["extern"].verzoek[0], Stap("301", GEMEENTE, "onderzoek", "315")),
                         START_STOP, 1, 0)
    uitkomsten = defaultdict(int)
    for traject in onderzoek.per_traject:
        heen = onderzoek.heen(traject)
        verzoek = heen[0]
        assert _nr(verzoek) == "315"
        _binnen(verzoek, "vot_na_intake", onderzoek.gebeurtenis(traject, "intake").datum)
        if len(heen) < 2:
            continue
        eerst = heen[1]
        assert _nr(eerst) == "319" and onderzoek.lees(eerst).antwoord.verzoek_antwoord == c["antwoord.in_onderzoek"]
        _binnen(eerst, "besluit_vot", verzoek.datum)
        if len(heen) < 3:
            assert onderzoek.einde <= PROFIEL.deadline("onderzoek", onderzoek.lees(verzoek).header.dagtekening)
            continue
        besluit = heen[2]
        _binnen(besluit, "onderzoek", onderzoek.lees(verzoek).header.dagtekening, "onderzoek (Dagtekening 315)")
        if _nr(besluit) == "319":
            a = onderzoek.lees(besluit).antwoord
            assert a.verzoek_antwoord == c["antwoord.afgewezen"] and a.reden_afwijzing == c["afwijzing.zorginhoudelijk"]
            assert len(heen) == 3, (traject, heen)  # rejected: no care
            uitkomsten["afgewezen"] += 1
        else:
            uitkomsten["toegewezen"] += _volg_route(onderzoek, traject, na_onderzoek, [verzoek] + heen[2:])
    assert uitkomsten["afgewezen"] >= 3 and uitkomsten["toegewezen"] >= 12, uitkomsten


@pytest.fixture(scope="module")
def woonplaats(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "extern", _met(woonplaatsbeginsel=1.0), naam="woonplaats")


def test_woonplaatsbeginsel_rejected_within_2_weeks_naming_the_gemeente_then_a_new_315_there(woonplaats, registry):
    _controleer_retouren(woonplaats)
    c = _codes(registry)
    gevolgd = 0
    for traject in woonplaats.per_traject:
        heen = woonplaats.heen(traject)
        assert [_nr(b) for b in heen[:3]] == ["315", "319", "315"][:len(heen[:3])], (traject, heen)
        if len(heen) < 3:
            continue
        eerste, afwijzing, opnieuw = heen[:3]
        a = woonplaats.lees(afwijzing).antwoord
        assert afwijzing.afzender == eerste.ontvanger
        assert a.verzoek_antwoord == c["antwoord.afgewezen"] and a.reden_afwijzing == c["afwijzing.woonplaatsbeginsel"]
        verantwoordelijk = a.woonplaatsbeginsel.gemeente
        assert verantwoordelijk != eerste.ontvanger and verantwoordelijk in PROFIEL.gemeenten
        _binnen(afwijzing, "woonplaatsbeginsel", eerste.datum)
        _binnen(afwijzing, "besluit_vot", eerste.datum)
        assert opnieuw.ontvanger == verantwoordelijk
        _binnen(opnieuw, "vot_na_intake", afwijzing.datum, "new 315 after the rejection")
        # from the new 315 on, the route of 1.2 with the responsible gemeente
        rest = heen[2:]
        assert all(verantwoordelijk in (b.afzender, b.ontvanger) for b in rest)
        t301 = next((b for b in rest if _nr(b) == "301"), None)
        if t301 is not None:
            _binnen(t301, "besluit_vot", opnieuw.datum)
            assert [_nr(b) for b in rest] == ["315", "301", "305", "307"][:len(rest)]
            gevolgd += _klaar(woonplaats, t301) and len(rest) == 4
    assert gevolgd >= 12


@pytest.fixture(scope="module")
def tijdelijk(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "toegang", _met(tijdelijk_stoppen=1.0), naam="tijdelijk")


def _eerste_volle_maand(laatste_zorgdag: date) -> tuple[date, date]:
    """First and last day of the first whole calendar month after ``laatste_zorgdag``."""
    d = laatste_zorgdag + timedelta(days=1)
    if d.day != 1:
        d = add_maanden(date(d.year, d.month, 1), 1)
    return d, einde_maand(d.year, d.month)


def test_tijdelijk_stoppen_after_a_full_month_without_care_then_a_new_305(tijdelijk, registry):
    """§6.4: 305 → 307 'levering tijdelijk beëindigd' once a full calendar month passed without care →
    305 when care resumes → 307 at the end."""
    _controleer_retouren(tijdelijk)
    gevolgd = 0
    for traject in tijdelijk.per_traject:
        heen = tijdelijk.heen(traject)
        c = _codes(registry, _std(heen[0]))
        stops = [(b, tijdelijk.lees(b).client.producten[0]) for b in heen if _nr(b) == "307"]
        if not any(sp.reden_beeindiging == c["beeindiging.tijdelijk"] for _, sp in stops):
            _volg_route(tijdelijk, traject, ROUTES["toegang"])  # care too short to pause: as 1.1
            continue
        assert [_nr(b) for b in heen][:5] == ["301", "305", "307", "305", "307"][:len(heen[:5])], (traject, heen)
        start1, stop1, start2 = heen[1], heen[2], heen[3] if len(heen) > 3 else None
        s1, e1 = tijdelijk.lees(start1).client.producten[0], tijdelijk.lees(stop1).client.producten[0]
        assert e1.reden_beeindiging == c["beeindiging.tijdelijk"] and e1.begindatum == s1.begindatum
        maand_begin, maand_eind = _eerste_volle_maand(e1.einddatum)
        _binnen(stop1, "stop_307_tijdelijk", maand_eind, "after the month without care")
        if start2 is None:
            continue
        s2 = tijdelijk.lees(start2).client.producten[0]
        assert s2.begindatum > maand_eind  # a whole calendar month without care lies between
        assert tijdelijk.gebeurtenis(traject, "hervat_zorg").gegevens["datum_hervat"] == s2.begindatum.isoformat()
        _binnen(start2, "start_305", s2.begindatum)
        if len(heen) == 5:
            e2 = tijdelijk.lees(heen[4]).client.producten[0]
            assert e2.begindatum == s2.begindatum and e2.reden_beeindiging == c["beeindiging.volgens_plan"]
            _binnen(heen[4], "stop_307", e2.einddatum)
            gevolgd += 1
    assert gevolgd >= 8


@pytest.fixture(scope="module")
def stop_corrigeren(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "toegang", _met(stop_corrigeren=1.0), naam="stop_corrigeren")


def test_definitive_stop_waits_for_the_308_on_the_withdrawal(stop_corrigeren, registry):
    """§6.4: a temporary stop turns out definitive — the aanbieder withdraws the temporary 307
    ('verwijderen aanlevering'), receives the gemeente's 308, and only then sends the 307 with the right
    reden, within stop_307 of the withdrawal."""
    run = stop_corrigeren
    _controleer_retouren(run)
    gevolgd = 0
    for traject in run.per_traject:
        heen = run.heen(traject)
        c = _codes(registry, _std(heen[0]))
        stops = [b for b in heen if _nr(b) == "307"]
        inhoud = [run.lees(b).client.producten[0] for b in stops]
        if not any(sp.status_aanlevering == c["status.verwijderen"] for sp in inhoud):
            continue
        assert [_nr(b) for b in heen] == ["301", "305", "307", "307", "307"], (traject, heen)  # no new 305
        tijdelijk, intrekking, definitief = stops
        t, i, d = inhoud
        assert (t.reden_beeindiging, t.status_aanlevering) == (c["beeindiging.tijdelijk"], c["status.eerste"])
        assert (i.reden_beeindiging, i.status_aanlevering) == (c["beeindiging.tijdelijk"], c["status.verwijderen"])
        assert (d.reden_beeindiging, d.status_aanlevering) == (c["beeindiging.door_client"], c["status.eerste"])
        assert t.begindatum == i.begindatum == d.begindatum and t.einddatum == i.einddatum == d.einddatum
        assert tijdelijk.datum < intrekking.datum
        retour = run.retour_op(intrekking)
        assert retour is not None and _door(retour) == GEMEENTE
        assert retour.datum < definitief.datum, (traject, retour.datum, definitief.datum)  # received, then sent
        _binnen(definitief, "stop_307", intrekking.datum, "stop_307 from the withdrawal")
        gevolgd += 1
    assert gevolgd >= 15


@pytest.fixture(scope="module")
def overgang(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "toegang", _met(overgang_18=1.0), clients=80, naam="overgang")


def test_jeugdwet_to_wmo_at_18_care_continues(overgang, registry):
    """§12: JW301 → WMO301 after the toegang's overleg → JW307 'uitstroom naar ander domein' the day before
    the 18th birthday → WMO305 from the birthday; the care line is not interrupted."""
    _controleer_retouren(overgang)
    jw, wmo = _codes(registry, IJW), _codes(registry, IWMO)
    declaraties = [b for b in overgang.berichten if _nr(b) == "323"]
    gevolgd = 0
    for traject in overgang.per_traject:
        overleg = overgang.gebeurtenis(traject, "overleg_toegang_overgang_18")
        if overleg is None:
            continue
        bs = overgang.per_traject[traject]
        jw301 = next(b for b in bs if b.berichttype == "JW301")
        wmo301 = next((b for b in bs if b.berichttype == "WMO301"), None)
        assert wmo301 is not None and jw301.datum < wmo301.datum, traject
        _binnen(wmo301, "toewijzing_toegang", overleg.datum)
        client = overgang.lees(jw301).client
        geboren = client.geboortedatum.datum
        achttien = date(geboren.year + 18, geboren.month, geboren.day) if (geboren.month, geboren.day) != (2, 29) \
            else date(geboren.year + 18, 3, 1)
        eind_jw = client.producten[0].einddatum
        assert eind_jw == achttien - timedelta(days=1)
        if jw301.datum < add_maanden(eind_jw, -3):  # §12: at least three months before the end
            assert overleg.datum <= KAL.volgende_werkdag(add_maanden(eind_jw, -3))
        assert overgang.lees(wmo301).client.producten[0].ingangsdatum == achttien
        jw307 = [b for b in bs if b.berichttype == "JW307"]
        wmo305 = next((b for b in bs if b.berichttype == "WMO305"), None)
        if not jw307 or wmo305 is None:
            assert achttien > overgang.einde - MARGE, traject
            continue
        stop = overgang.lees(jw307[-1]).client.producten[0]
        assert stop.reden_beeindiging == jw["beeindiging.ander_domein"] and stop.einddatum == eind_jw
        _binnen(jw307[-1], "stop_307", stop.einddatum)
        start = overgang.lees(wmo305).client.producten[0]
        assert start.begindatum == stop.einddatum + timedelta(days=1), (traject, stop.einddatum, start.begindatum)
        _binnen(wmo305, "start_305", start.begindatum)
        assert start.status_aanlevering == wmo["status.eerste"]
        bsn = jw301.bsn.encode()
        if achttien < overgang.einde - timedelta(days=70):  # Jeugd months in JW323, Wmo months in WMO323
            assert any(b.berichttype == "JW323" and bsn in b.xml for b in declaraties)
            assert any(b.berichttype == "WMO323" and bsn in b.xml and b.datum > achttien for b in declaraties)
        gevolgd += 1
    assert gevolgd >= 10


@pytest.fixture(scope="module")
def correctie(tmp_path_factory, registry):
    return _draai(tmp_path_factory, registry, "toegang", _met(correctie=1.0), naam="correctie")


def test_correcting_an_approved_line_credit_and_new_debit(correctie, registry):
    """§7.2: an approved line that turns out wrong is corrected with a credit line (VorigReferentieNummer
    = the approved debit, the same amount negative) and a new debit for the same toewijzing and month, in
    one 323 within correctie_goedgekeurd of the approval."""
    run = correctie
    debet: dict[tuple[str, str], tuple] = {}  # (agb, ReferentieNummer) → (prestatie, 323)
    goedgekeurd: dict[tuple[str, str], date] = {}  # (agb, ReferentieNummer) → date of the approving 325
    for b in run.berichten:
        if _nr(b) == "325":
            d = run.lees(run.op_id[(b.ontvanger, b.heen)])
            afgekeurd = {p.referentie.nummer for c in (run.lees(b).antwoord.clienten or ()) for p in c.prestaties}
            for c in d.declaratie.clienten:
                for p in c.prestaties:
                    if p.bedrag_cent > 0 and p.referentie.nummer not in afgekeurd:
                        goedgekeurd[(b.ontvanger, p.referentie.nummer)] = b.datum
        if _nr(b) != "323":
            continue
        prestaties = [p for c in run.lees(b).declaratie.clienten for p in c.prestaties]
        for p in prestaties:
            if p.bedrag_cent > 0:
                debet[(b.afzender, p.referentie.nummer)] = (p, b)
        for credit in (p for p in prestaties if p.bedrag_cent < 0):
            oud, _ = debet[(b.afzender, credit.referentie.vorig)]
            assert credit.bedrag_cent == -oud.bedrag_cent and credit.referentie.nummer != oud.referentie.nummer
            assert (credit.toewijzingnummer, credit.periode) == (oud.toewijzingnummer, oud.periode)
            _binnen(b, "correctie_goedgekeurd", goedgekeurd[(b.afzender, oud.referentie.nummer)],
                    "credit after the approval")
            nieuw = [p for p in prestaties if p.bedrag_cent > 0 and p.toewijzingnummer == oud.toewijzingnummer
                     and p.periode == oud.periode]
            assert len(nieuw) == 1 and nieuw[0].referentie.nummer not in (oud.referentie.nummer, credit.referentie.nummer)
            assert nieuw[0].volume < oud.volume or nieuw[0].volume == oud.volume == 1
    credits = sum(1 for b in run.berichten if _nr(b) == "323"
                  for c in run.lees(b).declaratie.clienten for p in c.prestaties if p.bedrag_cent < 0)
    assert credits >= 20
