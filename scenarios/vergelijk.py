"""What-if for regional staff: the same seeded run under two profiles, and what differs.

``vergelijk`` runs the reference actors twice with the same seed, number of clients, start date
and length — once per profile — and measures each ledger the same way (``meet``):

* lead time per route: calendar days from the client's first contact (verwijzing, aanmelding at
  the toegang, eerste contact in crisis, intake) to the start of care (``start_zorg``, the start
  of sGGZ diagnostiek or of crisis care), median and 90th percentile;
* deadline pressure per message: werkdagen of slack between the message and the profile's last
  allowed day for it (negative = late), median, p10 (the tight end) and the share sent in the last
  werkdag of the window;
* message volume per route and message type, and the answers to verzoeken: rejections (319
  "afgewezen") and "in onderzoek" per route;
* the checker's verdict (deviations) of each run;
* which rules differ between the two profiles (``profielverschillen``): deadlines, rules,
  toewijzingswijze, routes, calendar and the product catalogue.

The two populations share seed and size; each profile draws its own route mix (a profile without
an sGGZ route has no sGGZ clients), so routes are compared where both profiles have them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from simulator.codelijsten import Codelijsten
from simulator.codes import codes
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import Profiel
from simulator.reader import lees
from simulator.schemas import SchemaRegistry

#: heenbericht number → the deadline key its answer (retour) runs against
RETOUR_TERMIJN = {"301": "retour_302", "305": "retour_306", "307": "retour_308", "315": "retour_316",
                  "317": "retour_318", "319": "retour_320", "323": "antwoord_325"}
#: events that are a client's first contact, and those that are the start of care
EERSTE_CONTACT = ("verwijzing", "aanmelding_toegang", "bepaling_jeugdhulp_gi", "leesdossier_bij_aanbieder",
                  "leesdossier_bij_toegang", "eerste_contact_crisis", "intake", "client_zonder_bsn")
START_ZORG = ("start_zorg", "start_diagnostiek", "eerste_contact_crisis")
RETOURS = ("302", "306", "308", "316", "318", "320", "325")


@dataclass
class Spreiding:
    """A distribution of whole numbers, summarised."""

    n: int
    mediaan: float | None
    p90: float | None
    p10: float | None
    gemiddeld: float | None

    @classmethod
    def van(cls, waarden: list[int]) -> "Spreiding":
        if not waarden:
            return cls(0, None, None, None, None)
        w = sorted(waarden)
        return cls(len(w), float(statistics.median(w)), _percentiel(w, 0.9), _percentiel(w, 0.1),
                   round(statistics.fmean(w), 1))


def _percentiel(gesorteerd: list[int], q: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, min(len(gesorteerd) - 1, int(round(q * len(gesorteerd) + 0.5)) - 1))
    return float(gesorteerd[k])


@dataclass
class Druk:
    """Deadline pressure of one message kind: werkdagen of slack before the profile's deadline."""

    termijn: str  # profile deadline key
    beschrijving: str  # e.g. "20 werkdagen na intake"
    speling: Spreiding
    laatste_dag: float  # share sent on the last allowed werkdag (slack 0)
    te_laat: int


@dataclass
class Meting:
    profiel: str
    ledger: str
    berichten: int
    doorlooptijd: dict[str, Spreiding]  # route → days first contact → start of care
    tot_toewijzing: dict[str, Spreiding]  # route → days first contact → first 301
    druk: dict[str, Druk]  # deadline key → pressure
    volume: dict[str, dict[str, int]]  # route → berichttype → count
    afgewezen: dict[str, int]  # route → 319 afgewezen
    in_onderzoek: dict[str, int]  # route → 319 in onderzoek
    afwijkingen: int | None = None  # the checker's deviations (None: not checked)
    afwijkingen_per_regel: dict[str, int] = field(default_factory=dict)


def meet(ledger: str | Path, profiel: Profiel, registry: SchemaRegistry) -> Meting:
    """Measure one ledger against its profile (one pass; only 319s are parsed)."""
    kal = profiel.kalender
    codelijsten = Codelijsten(registry)
    lg = open_ledger(ledger)
    contact: dict[str, date] = {}
    start: dict[str, date] = {}
    route_van: dict[str, str] = {}
    intake: dict[str, date] = {}  # traject → intake (the VOT deadline runs from it)
    vot_basis: dict[str, tuple[str, date]] = {}
    eerste_315: dict[str, date] = {}
    open_315: dict[str, date] = {}  # traject → 315 not yet answered
    toegewezen: dict[str, date] = {}  # traject → first 301
    gestart: dict[str, date] = {}  # toewijzing → start of care, until its 305
    heen: dict[tuple[str, str], tuple[str, date]] = {}  # (afzender, identificatie) → (nummer, datum)
    speling: dict[str, list[int]] = defaultdict(list)
    volume: dict[str, Counter] = defaultdict(Counter)
    afgewezen: Counter = Counter()
    onderzoek: Counter = Counter()
    n = 0

    def noteer(sleutel: str, vanaf: date, op: date) -> None:
        if sleutel in profiel.termijnen:
            speling[sleutel].append(kal.werkdagen_between(op, profiel.deadline(sleutel, vanaf)))

    for r in lg.records():
        if isinstance(r, Gebeurtenis):
            t = r.traject
            if t is None:
                continue
            if r.route:
                route_van[t] = r.route
            if r.wat in EERSTE_CONTACT:
                contact.setdefault(t, r.datum)
            if r.wat in START_ZORG:
                begin = r.gegevens.get("datum_start")
                start.setdefault(t, date.fromisoformat(begin) if begin else r.datum)
            if r.wat == "start_zorg" and r.gegevens.get("toewijzing"):
                gestart[r.gegevens["toewijzing"]] = date.fromisoformat(r.gegevens["datum_start"])
            if r.wat == "einde_zorg" and r.gegevens.get("datum_einde"):  # recorded when the 307 went out
                noteer("stop_307", date.fromisoformat(r.gegevens["datum_einde"]), r.datum)
            if r.wat == "intake" and r.route != "sggz":
                vot_basis.setdefault(t, ("vot_na_intake", r.datum))
            elif r.wat == "start_diagnostiek":
                vot_basis.setdefault(t, ("vot_sggz", r.datum))
            elif r.wat == "eerste_contact_crisis":
                vot_basis.setdefault(t, ("vot_crisis", r.datum))
            continue
        if not isinstance(r, Boeking):
            continue
        n += 1
        nummer = r.berichttype[-3:]
        volume[r.route or "—"][r.berichttype] += 1
        heen[(r.afzender, r.identificatie)] = (nummer, r.datum)
        if r.heen is not None and nummer in RETOURS:  # its heenbericht went the other way
            h = heen.get((r.ontvanger, r.heen))
            if h is not None and h[0] in RETOUR_TERMIJN:
                noteer(RETOUR_TERMIJN[h[0]], h[1], r.datum)
        if nummer == "301" and r.traject:
            toegewezen.setdefault(r.traject, r.datum)
        if nummer in ("301", "319") and r.traject in open_315:
            noteer("besluit_vot", open_315.pop(r.traject), r.datum)
        if nummer == "305" and r.toewijzingnummers and r.toewijzingnummers[0] in gestart:
            noteer("start_305", gestart.pop(r.toewijzingnummers[0]), r.datum)
        if nummer == "315" and r.traject:
            open_315.setdefault(r.traject, r.datum)
        if nummer == "315" and r.traject and r.traject not in eerste_315:
            eerste_315[r.traject] = r.datum
            if r.traject in vot_basis:
                sleutel, vanaf = vot_basis[r.traject]
                noteer(sleutel, vanaf, r.datum)
        if nummer == "319":
            try:
                m = lees(r.xml, registry)
            except Exception:  # noqa: BLE001 — an unreadable 319 is the checker's business, not ours
                continue
            c = codes(codelijsten, m.standaard)
            if m.antwoord.verzoek_antwoord == c["antwoord.afgewezen"]:
                afgewezen[r.route or "—"] += 1
            elif m.antwoord.verzoek_antwoord == c["antwoord.in_onderzoek"]:
                onderzoek[r.route or "—"] += 1
    doorloop: dict[str, list[int]] = defaultdict(list)
    for t, s in start.items():
        if t in contact:
            doorloop[route_van.get(t, "—")].append((s - contact[t]).days)
    tot_301: dict[str, list[int]] = defaultdict(list)
    for t, d in toegewezen.items():
        if t in contact:
            tot_301[route_van.get(t, "—")].append((d - contact[t]).days)
    druk = {}
    for sleutel, waarden in sorted(speling.items()):
        d = profiel.termijnen[sleutel]
        druk[sleutel] = Druk(sleutel, d.beschrijving(), Spreiding.van(waarden),
                             round(sum(1 for w in waarden if w == 0) / len(waarden), 3),
                             sum(1 for w in waarden if w < 0))
    return Meting(profiel.naam, str(lg.pad), n, {k: Spreiding.van(v) for k, v in sorted(doorloop.items())},
                  {k: Spreiding.van(v) for k, v in sorted(tot_301.items())}, druk,
                  {k: dict(sorted(v.items())) for k, v in sorted(volume.items())}, dict(afgewezen), dict(onderzoek))


# ==============================================================================================
# Which rules differ
# ==============================================================================================
@dataclass
class Verschil:
    onderdeel: str  # termijn | regel | toewijzing | route | kalender | catalogus
    sleutel: str
    a: str
    b: str


def profielverschillen(a: Profiel, b: Profiel) -> list[Verschil]:
    uit: list[Verschil] = []
    for k in sorted(set(a.termijnen) | set(b.termijnen)):
        ta, tb = a.termijnen.get(k), b.termijnen.get(k)
        va = ta.termijn.beschrijving() if ta else "—"
        vb = tb.termijn.beschrijving() if tb else "—"
        if va != vb:
            uit.append(Verschil("termijn", k, _met_bron(va, ta), _met_bron(vb, tb)))
    for k in sorted(set(a.regels) | set(b.regels)):
        ra, rb = a.regels.get(k), b.regels.get(k)
        if (ra.waarde if ra else None) != (rb.waarde if rb else None):
            uit.append(Verschil("regel", k, _met_bron(str(ra.waarde), ra) if ra else "—",
                                _met_bron(str(rb.waarde), rb) if rb else "—"))
    for d in sorted(set(a.toewijzing) | set(b.toewijzing)):
        wa, wb = _wijze(a, d), _wijze(b, d)
        if wa != wb:
            uit.append(Verschil("toewijzing", d, wa, wb))
    for r in sorted(set(a.routes) | set(b.routes)):
        ra, rb = a.routes.get(r), b.routes.get(r)
        sa = f"gewicht {ra.gewicht:g}, {'/'.join(ra.domeinen)}" if ra else "—"
        sb = f"gewicht {rb.gewicht:g}, {'/'.join(rb.domeinen)}" if rb else "—"
        if sa != sb:
            uit.append(Verschil("route", r, sa, sb))
    ka, kb = a.kalender, b.kalender
    if (ka.feestdagen, ka.extra_vrije_dagen) != (kb.feestdagen, kb.extra_vrije_dagen):
        uit.append(Verschil("kalender", "feestdagen/extra_vrije_dagen",
                            ", ".join(ka.feestdagen) + f" + {len(ka.extra_vrije_dagen)} extra",
                            ", ".join(kb.feestdagen) + f" + {len(kb.extra_vrije_dagen)} extra"))
    pa = {p.code: p for p in a.producten}
    pb = {p.code: p for p in b.producten}
    alleen_a, alleen_b = sorted(set(pa) - set(pb)), sorted(set(pb) - set(pa))
    if alleen_a or alleen_b:
        uit.append(Verschil("catalogus", "producten", f"{len(pa)} ({', '.join(alleen_a) or 'niets'} alleen hier)",
                            f"{len(pb)} ({', '.join(alleen_b) or 'niets'} alleen hier)"))
    for code in sorted(set(pa) & set(pb)):
        x, y = pa[code], pb[code]
        velden = [f for f in ("categorie", "eenheid", "frequentie", "tarief_cent", "toewijzing") if getattr(x, f) != getattr(y, f)]
        if velden:
            uit.append(Verschil("catalogus", code, ", ".join(f"{f} {getattr(x, f)}" for f in velden),
                                ", ".join(f"{f} {getattr(y, f)}" for f in velden)))
    return uit


def _met_bron(waarde: str, item) -> str:
    return f"{waarde} ({item.bron})" if item is not None and item.bron else waarde


def _wijze(p: Profiel, domein: str) -> str:
    w = p.wijze(domein)
    delen = [w.wijze]
    if w.budget:
        delen.append("met budget")
    if w.frequentie:
        delen.append(f"frequentie {w.frequentie}")
    if w.einddatum is not None:
        delen.append(f"einddatum {w.einddatum.beschrijving()} na {w.einddatum_na or 'verzoek'}")
    if w.vow_bij_budget is not None:
        delen.append(f"317 bij {w.vow_bij_budget:.0%} budget")
    return ", ".join(delen) + (f" ({w.bron})" if w.bron else "")


# ==============================================================================================
# The comparison as data, text and JSON
# ==============================================================================================
def vergelijking(a: Meting, b: Meting, pa: Profiel, pb: Profiel, instellingen: dict[str, Any]) -> dict[str, Any]:
    """Everything the report shows, as plain data (written as JSON)."""
    return {
        "instellingen": instellingen,
        "profielen": [a.profiel, b.profiel],
        "metingen": [asdict(a), asdict(b)],
        "verschillen": [asdict(v) for v in profielverschillen(pa, pb)],
    }


def _getal(x: float | None, fmt: str = "{:g}") -> str:
    return "—" if x is None else fmt.format(x)


def _delta(x: float | None, y: float | None) -> str:
    if x is None or y is None:
        return ""
    d = y - x
    return f"{d:+g}" if d else "="


def tekst(a: Meting, b: Meting, pa: Profiel, pb: Profiel, instellingen: dict[str, Any]) -> str:
    r: list[str] = []
    r.append(f"ketensim compare: {a.profiel} (A) vs {b.profiel} (B) — {instellingen.get('clients')} clients, "
             f"{instellingen.get('dagen')} days, seed {instellingen.get('seed')}, start {instellingen.get('start')}")
    r.append("")
    r.append("rules that differ (A | B):")
    verschillen = profielverschillen(pa, pb)
    if not verschillen:
        r.append("  none: the profiles prescribe the same")
    for v in verschillen:
        r.append(f"  {v.onderdeel:<10} {v.sleutel}")
        r.append(f"      A: {v.a}")
        r.append(f"      B: {v.b}")
    r.append("")
    for titel, veld in (("lead time, first contact → first toewijzing (301)", "tot_toewijzing"),
                        ("lead time, first contact → start of care", "doorlooptijd")):
        r.append(f"{titel} (calendar days; median / p90 / n):")
        r.append(f"  {'route':<12} {'A median':>9} {'A p90':>7} {'A n':>5}   {'B median':>9} {'B p90':>7} {'B n':>5}   "
                 f"{'Δ median':>8} {'Δ p90':>6}")
        va, vb = getattr(a, veld), getattr(b, veld)
        for route in sorted(set(va) | set(vb)):
            x = va.get(route) or Spreiding.van([])
            y = vb.get(route) or Spreiding.van([])
            r.append(f"  {route:<12} {_getal(x.mediaan):>9} {_getal(x.p90):>7} {x.n:>5}   {_getal(y.mediaan):>9} "
                     f"{_getal(y.p90):>7} {y.n:>5}   {_delta(x.mediaan, y.mediaan):>8} {_delta(x.p90, y.p90):>6}")
        r.append("")
    r.append("deadline pressure: werkdagen of slack before the deadline (median / p10; 'last' = share sent on the last day):")
    r.append(f"  {'deadline':<24} {'A deadline':<34} {'A med':>5} {'A p10':>5} {'last':>5}   "
             f"{'B deadline':<34} {'B med':>5} {'B p10':>5} {'last':>5}")
    for k in sorted(set(a.druk) | set(b.druk)):
        x, y = a.druk.get(k), b.druk.get(k)
        kolom = lambda d: (f"{d.beschrijving[:34]:<34} {_getal(d.speling.mediaan):>5} {_getal(d.speling.p10):>5} "  # noqa: E731
                           f"{d.laatste_dag:>5.0%}" if d else f"{'—':<34} {'':>5} {'':>5} {'':>5}")
        r.append(f"  {k:<24} {kolom(x)}   {kolom(y)}")
    r.append("")
    r.append("message volume per route (all message types; A | B):")
    for route in sorted(set(a.volume) | set(b.volume)):
        na, nb = sum(a.volume.get(route, {}).values()), sum(b.volume.get(route, {}).values())
        r.append(f"  {route:<12} {na:>7} | {nb:<7} {_delta(na, nb)}")
    typen = sorted({t for v in (a.volume, b.volume) for per in v.values() for t in per})
    tel = lambda m, t: sum(per.get(t, 0) for per in m.volume.values())  # noqa: E731
    r.append("  per type:   " + "  ".join(f"{t} {tel(a, t)}|{tel(b, t)}" for t in typen))
    r.append("")
    r.append("answers to verzoeken per route (319 afgewezen, 319 in onderzoek; A | B):")
    for route in sorted(set(a.afgewezen) | set(b.afgewezen) | set(a.in_onderzoek) | set(b.in_onderzoek)):
        r.append(f"  {route:<12} afgewezen {a.afgewezen.get(route, 0)} | {b.afgewezen.get(route, 0)}   "
                 f"in onderzoek {a.in_onderzoek.get(route, 0)} | {b.in_onderzoek.get(route, 0)}")
    r.append("")
    r.append(f"conformance of the reference actors: A {_afw(a)}, B {_afw(b)}")
    return "\n".join(r) + "\n"


def _afw(m: Meting) -> str:
    if m.afwijkingen is None:
        return "not checked"
    if not m.afwijkingen:
        return "0 deviations"
    return f"{m.afwijkingen} deviations (" + ", ".join(f"{k} {v}" for k, v in sorted(m.afwijkingen_per_regel.items())) + ")"
