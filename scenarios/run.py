"""Build and run one simulation: profile → population → actors → bus → ledger.

``voer_uit(RunInstellingen(...))`` is what ``ketensim run`` and ``ketensim demo`` call.  It writes
``ledger.jsonl`` into the output folder and returns a :class:`Samenvatting` (messages per type,
route and gemeente).  The ledger is closed (and marked complete) even when the run is interrupted;
an interrupted ledger has no ``einde`` record and says so when read.
"""

from __future__ import annotations

import time as _time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from actors.aanbieder import Aanbieder
from actors.fouten import met_samen
from actors.gemeente import Gemeente
from actors.populatie import Populatie
from actors.verwijzers import School, Toegang, Verwijzer
from actors.wereld import Wereld
from simulator.bus import Bus
from simulator.codelijsten import Codelijsten
from simulator.engine import Simulatie, Voortgang
from simulator.ledger import LEDGER_NAAM, LedgerWriter
from simulator.profiel import Profiel, laad_profiel
from simulator.render import render, xsd_versie
from simulator.schemas import SchemaRegistry
from simulator.sut import REFERENTIE, RunInfo, SutAdapter, SutFout, SutSpec, maak_adapter
from simulator.synthetisch import Aanbieder as AanbiederGegevens, Productcatalogus, Synthetisch

from .routes import Rolverdeling, begin

VERWIJZERS = ("huisarts", "jeugdarts", "medisch_specialist", "gi", "gemeente")
STANDAARD_START = date(2026, 1, 1)


@dataclass
class RunInstellingen:
    uit: Path
    scenario: str = "mix"
    clients: int = 200
    dagen: int = 365
    seed: int = 1
    profiel: str | Path | Profiel = "mijov-2024"
    schemas: str | Path | None = None
    start: date = STANDAARD_START
    aanbieders: int | None = None
    fouten: frozenset[str] = frozenset()  # fault switches (actors/fouten.py)
    meervoudig: float = 0.0  # share of trajectories of an earlier client (actors/populatie.py)
    sut: "SutSpec | None" = None  # a system under test takes this role (simulator/sut.py, docs/sut.md)
    sut_adapter: "SutAdapter | None" = None  # made from ``sut`` when not given (tests inject one)
    sut_timeout: float = 30.0  # seconds per call to the SUT
    sut_timeout_dag: float | None = None  # seconds for the day grant (klok); None: sut_timeout
    sut_token: str | None = None


@dataclass
class Samenvatting:
    ledger: Path
    berichten: int
    trajecten: int
    per_type: Counter = field(default_factory=Counter)
    per_route: Counter = field(default_factory=Counter)
    per_gemeente: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)
    gebeurtenissen: Counter = field(default_factory=Counter)
    eerste_dag: date | None = None
    laatste_dag: date | None = None
    seconden: float = 0.0
    compleet: bool = True


def _aanbieders(synth: Synthetisch, aantal: int) -> list[AanbiederGegevens]:
    """Enough aanbieders that every gemeente has contracted ones for both domains and for both together."""
    uit = list(synth.aanbieders(aantal))
    alle = frozenset(g.code for g in synth.gemeenten)
    for domeinen in ({"jeugd"}, {"wmo"}, {"jeugd", "wmo"}):
        a = synth.aanbieder()
        uit.append(AanbiederGegevens(a.agb, a.naam, frozenset(domeinen), alle))
    return uit


def bouw(inst: RunInstellingen, profiel: Profiel, registry: SchemaRegistry, ledger: LedgerWriter):
    """The world of one run, with every role played by a reference actor."""
    codelijsten = Codelijsten(registry)
    catalogus = profiel.catalogus(codelijsten)
    sim = Simulatie(inst.start, profiel.kalender, inst.seed)
    bus = Bus(ledger, lambda: sim.vandaag)
    wereld = Wereld(sim, bus, profiel, registry, codelijsten, catalogus, render, xsd_versie, scenario=inst.scenario,
                    fouten=met_samen(inst.fouten), met_sut=inst.sut is not None)
    synth = Synthetisch(inst.seed, codelijsten=codelijsten, catalogus=catalogus)
    aantal = inst.aanbieders or max(6, min(60, inst.clients // 40))
    gegevens = _aanbieders(synth, aantal)
    sut_agb = inst.sut.code if inst.sut is not None and inst.sut.rol == "aanbieder" else None
    if sut_agb is not None:
        gegevens = _met_sut_aanbieder(gegevens, sut_agb, profiel)
    wereld.contracten = {a.agb: a for a in gegevens}
    gemeenten = {code: Gemeente(wereld, code, g.naam) for code, g in profiel.gemeenten.items()}
    aanbieders = {a.agb: Aanbieder(wereld, a) for a in gegevens if a.agb != sut_agb}
    sut = None
    if inst.sut is not None:
        sut = _sut_deelnemer(inst, wereld, profiel, gemeenten)
        (aanbieders if sut_agb is not None else gemeenten)[inst.sut.code] = sut
    for g in gemeenten.values():
        bus.registreer(g.adres, g)
    for a in aanbieders.values():
        bus.registreer(a.adres, a)
    rollen = Rolverdeling(
        wereld=wereld, gemeenten=gemeenten,
        toegangen={code: Toegang(wereld, g) for code, g in gemeenten.items()},
        aanbieders=aanbieders, verwijzers={s: Verwijzer(wereld, s) for s in VERWIJZERS}, school=School(wereld))
    populatie = Populatie(wereld, synth, gegevens, inst.seed, inst.meervoudig)
    rollen.sut = sut
    return wereld, rollen, populatie


def sut_adapter(inst: RunInstellingen) -> SutAdapter:
    """The adapter to ``inst.sut``: the injected one (tests, the load test's meter), else made from the spec."""
    return inst.sut_adapter or maak_adapter(inst.sut, inst.sut_timeout, inst.sut_token, inst.sut_timeout_dag)


def _sut_deelnemer(inst: RunInstellingen, wereld: Wereld, profiel: Profiel, gemeenten: dict):
    """The stand-in for the SUT on the bus (actors/sut.py, actors/sut_aanbieder.py); the reference actor
    of that role is left out."""
    from actors.sut import SutDeelnemer
    from actors.sut_aanbieder import SutAanbieder

    spec = inst.sut
    if spec.rol == "aanbieder":
        return SutAanbieder(wereld, spec, sut_adapter(inst), wereld.contracten[spec.code].naam)
    if spec.code not in gemeenten:
        raise SutFout(f"--sut gemeente:{spec.code}: not a gemeente of profile {profiel.naam} "
                      f"({', '.join(sorted(gemeenten))})")
    return SutDeelnemer(wereld, spec, sut_adapter(inst), gemeenten[spec.code].naam)


def _met_sut_aanbieder(gegevens: list[AanbiederGegevens], agb: str, profiel: Profiel) -> list[AanbiederGegevens]:
    """The aanbieders of a run with an aanbieder SUT: the SUT takes the place of the aanbieder with its
    AGB code when the run has one, else it joins as one contracted by every gemeente for both domains."""
    if any(a.agb == agb for a in gegevens):
        return gegevens
    return gegevens + [AanbiederGegevens(agb, "Systeem onder test", frozenset({"jeugd", "wmo"}),
                                         frozenset(profiel.gemeenten))]


def _contracten(gegevens: list[AanbiederGegevens], gemeente: str) -> list[dict]:
    """Every aanbieder of the run, contracted or not for this gemeente (API v1 "contracten")."""
    return [{"aanbieder": a.agb, "gecontracteerd": gemeente in a.gemeenten, "domeinen": sorted(a.domeinen),
             "producten": []} for a in gegevens]


def _contracten_aanbieder(agb: str, wereld: Wereld) -> list[dict]:
    """An aanbieder SUT's contract with every gemeente of the run: the domains and the products with the
    unit they are declared in (hours in minutes, Annex 4 §7 note 13) and the tariff per that unit."""
    a = wereld.contracten[agb]
    minuten = bool(wereld.profiel.regel("declareren_uren_in_minuten"))
    producten = [{"domein": p.domein, "categorie": p.categorie, "code": p.code,
                  "eenheid": p.declaratie_eenheid(minuten), "tarief": p.declaratietarief_cent(minuten)}
                 for p in wereld.catalogus.producten if p.domein in a.domeinen]
    return [{"aanbieder": agb, "gemeente": g, "gecontracteerd": g in a.gemeenten, "domeinen": sorted(a.domeinen),
             "producten": producten} for g in sorted(wereld.profiel.gemeenten)]


def voer_uit(inst: RunInstellingen, voortgang: Callable[[Voortgang], None] | None = None) -> Samenvatting:
    t0 = _time.perf_counter()
    registry = SchemaRegistry.load(inst.schemas)
    profiel = inst.profiel if isinstance(inst.profiel, Profiel) else laad_profiel(inst.profiel)
    from actors.fouten import FOUTEN

    onbekend = sorted(set(inst.fouten) - set(FOUTEN))
    if onbekend:
        raise ValueError(f"unknown fault(s) {', '.join(onbekend)}; known: {', '.join(sorted(FOUTEN))}")
    if inst.scenario != "mix" and inst.scenario not in profiel.routes:
        raise ValueError(f"unknown scenario {inst.scenario!r}; choose 'mix' or one of: {', '.join(profiel.routes)}")
    inst.uit.mkdir(parents=True, exist_ok=True)
    pad = inst.uit / LEDGER_NAAM
    ledger = LedgerWriter(pad, {
        "profiel": profiel.naam, "seed": inst.seed, "scenario": inst.scenario, "clients": inst.clients,
        "dagen": inst.dagen, "start": inst.start.isoformat(), "schemas": str(registry.root),
        "fouten": sorted(inst.fouten),
        "release": "iJw 3.2 / iWmo 3.2", "derived": sorted(t for t in registry.berichttypen if registry.is_derived(t)),
        **({"meervoudig": inst.meervoudig} if inst.meervoudig else {}),
        **({"sut": inst.sut.metadata()} if inst.sut is not None else {}),
    })
    compleet = False
    sut = None
    try:
        wereld, rollen, populatie = bouw(inst, profiel, registry, ledger)
        sut = rollen.sut
        if sut is not None:
            import uuid

            contracten = (_contracten_aanbieder(inst.sut.code, wereld)
                          if inst.sut.rol == "aanbieder" else _contracten(populatie.aanbieders, inst.sut.code))
            sut.start(RunInfo(f"ketensim-{inst.seed}-{uuid.uuid4().hex[:12]}", inst.sut.rol, inst.sut.code,
                              profiel.naam, wereld.sim.klok.start, contracten,
                              wereld=wereld if inst.sut.soort == REFERENTIE else None))
        trajecten = populatie.trajecten(inst.clients, wereld.sim.klok.start, inst.dagen, inst.scenario)
        for t in trajecten:
            wereld.registreer(t)
            wereld.sim.plan_op(t.aanmelding, begin, rollen, t)
        eind = inst.start + timedelta(days=inst.dagen)
        werkdagen = wereld.sim.klok.index(eind)
        wereld.sim.draai(werkdagen, voortgang, berichten=lambda: ledger.aantal_berichten)
        compleet = True
    finally:
        if sut is not None:
            sut.einde()
        ledger.sluit({"berichten": ledger.aantal_berichten} if compleet else None)
    s = samenvatting(pad)
    s.trajecten = len(trajecten)
    s.routes = Counter(t.route for t in trajecten)
    s.seconden = _time.perf_counter() - t0
    return s


def samenvatting(pad: Path) -> Samenvatting:
    """Counts from a ledger on disk (so a summary always describes what was recorded).

    One pass over the records as dicts (the summary needs a few fields of each; reading the ledger
    once, without building message objects, costs a third of ``open_ledger`` + ``records()``)."""
    from simulator.ledger import LedgerFout, ledger_pad, record_dicts

    p = ledger_pad(pad)
    s = Samenvatting(ledger=p, berichten=0, trajecten=0)
    run = einde = eerste = laatste = None
    for rec in record_dicts(p):
        soort = rec.get("soort")
        if soort == "bericht":
            s.berichten += 1
            s.per_type[rec["berichttype"]] += 1
            s.per_route[rec.get("route") or "—"] += 1
            afzender = rec["afzender"]
            s.per_gemeente[afzender if len(afzender) == 4 else rec["ontvanger"]] += 1
            eerste = eerste or rec["datum"]
            laatste = rec["datum"]
        elif soort == "gebeurtenis":
            s.gebeurtenissen[rec["wat"]] += 1
        elif soort == "run" and run is None:
            run = rec
        elif soort == "einde":
            einde = rec
    if run is None:
        raise LedgerFout(f"{p}: not a ketensim ledger (no 'run' record)")
    s.compleet = einde is not None
    s.eerste_dag = date.fromisoformat(eerste) if eerste else None
    s.laatste_dag = date.fromisoformat(laatste) if laatste else None
    return s


def schrijf_samenvatting(s: Samenvatting, stroom) -> None:
    """The summary ``ketensim run`` prints: messages per type, per route and per gemeente."""
    w = stroom.write
    status = "complete" if s.compleet else "INTERRUPTED (the ledger holds what was sent until then)"
    w(f"run {status}: {s.trajecten} trajectories, {s.berichten} messages"
      f"{f', {s.eerste_dag} … {s.laatste_dag}' if s.eerste_dag else ''} in {s.seconden:.1f} s\n")
    w(f"ledger: {s.ledger}\n\n")
    if s.routes:
        w("trajectories per route:  " + "  ".join(f"{r} {n}" for r, n in sorted(s.routes.items())) + "\n\n")
    w("messages per type:\n")
    typen = sorted(s.per_type)
    for i in range(0, len(typen), 7):
        w("  " + "  ".join(f"{t:<7}{s.per_type[t]:>7}" for t in typen[i:i + 7]) + "\n")
    w("\nmessages per route (323/325 batches cover many trajectories: '—'):\n")
    for r, n in sorted(s.per_route.items()):
        w(f"  {r:<12}{n:>8}\n")
    w("\nmessages per gemeente:\n")
    for g, n in sorted(s.per_gemeente.items()):
        w(f"  {g}  {n:>8}\n")
    bijzonder = {k: v for k, v in s.gebeurtenissen.items() if k in BIJZONDERE_GEBEURTENISSEN}
    if bijzonder:
        w("\nspecial events recorded:  " + "  ".join(f"{k} {v}" for k, v in sorted(bijzonder.items())) + "\n")


BIJZONDERE_GEBEURTENISSEN = frozenset({
    "verzoek_in_onderzoek", "verzoek_afgewezen", "toewijzing_vervallen", "toewijzing_vervalt_zonder_start",
    "hervat_zorg", "prestatie_afgekeurd", "verhuizing", "overleg_toegang_overgang_18", "client_zonder_bsn",
    "bepaling_jeugdhulp_gi", "zorg_beeindigd_zonder_toewijzing", "referentie_fout",
    "inzet_onderaannemer", "afstemming_toegang_onderaannemer", "geen_contract", "clientgegevens_afwijkend_315",
    "overleg_naw_buiten_berichtenverkeer", "samenloop_afstemming",
})
