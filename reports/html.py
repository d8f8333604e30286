"""The HTML report: one self-contained page for a person (vendor, regional officer).

``schrijf_html(uitslag, ledger, uit)`` renders a checked result (``reports/uitslag.py``) with the
Jinja2 templates in ``templates/rapport/`` (autoescaped; read by ``jinja2.PackageLoader`` as
package data, so an installed wheel works too) into ONE file: inline CSS, a little inline
JS for filtering and opening drill-downs, SVG drawn here (``reports/html_svg.py``), no external
assets.  With the run's ledger it adds what only the traffic can show: a sequence diagram per client
trajectory, days-to-answer charts per message type, the XML of the messages deviations are about,
and the §13.3 declaration-timeliness view.  Without a ledger it renders the result and says what
is missing.

Size is bounded for big runs: diagrams only for trajectories with deviations (at most
``MAX_DIAGRAMMEN``) plus a small evenly spread sample of clean ones, deviations listed up to
``MAX_AFWIJKINGEN``, embedded XML up to ``XML_BUDGET`` bytes; the page says what it left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jinja2
from markupsafe import Markup

from simulator.ledger import LedgerFout

from .html_ledger import LedgerBeeld, TrajectInfo, haal_xml, lees_ledger
from .html_svg import Lijn, Pijl, anker, histogram, volgordediagram
from .html_xml import weergave
from .regels import FOUT, Regel
from .uitslag import FAIL, GEEN_ROUTE, NVT, ONBESLIST, PASS, Oordeel, Uitslag, scenario_label

MAX_DIAGRAMMEN = 60  # trajectories with deviations that get a diagram
STEEKPROEF = 8  # clean trajectories drawn as a sample
MAX_RIJEN = 120  # rows per diagram
MAX_AFWIJKINGEN = 400  # deviations listed one by one
MAX_ONBESLIST = 100
MAX_CLIENTEN = 1000  # rows of the client table
XML_BUDGET = 2_000_000  # bytes of embedded XML

VERDICT_NL = {PASS: "voldoet", FAIL: "voldoet niet", ONBESLIST: "onbeslist", NVT: "niet van toepassing"}
ROL_NL = {"aanbieder": "aanbieder", "gemeente": "gemeente", "zender": "zender", "ontvanger": "ontvanger",
          "sut": "systeem onder test"}


@dataclass
class RegelRij:
    regel: Regel
    anker: str
    verdict: str
    pass_: int
    fail: int
    onbeslist: int
    afwijkingen: list[int]  # indexes into the deviation list


@dataclass
class AfwijkingRij:
    nr: int
    anker: str
    o: Oordeel
    regel: Regel | None
    waarschuwing: bool
    traject: str | None
    diagram: str | None  # anchor of the client's diagram, when drawn
    berichten: list[tuple[str, str | None]]  # (ref, anchor in the message viewer or None)


@dataclass
class Diagram:
    traject: TrajectInfo
    anker: str
    svg: Markup
    afwijkingen: list[int]
    steekproef: bool


@dataclass
class BerichtWeergave:
    ref: str
    anker: str
    kop: str
    html: Markup
    gemarkeerd: int
    afwijkingen: list[int]


@dataclass
class Grafiek:
    titel: str
    svg: Markup
    aantal: int
    te_laat: int
    zonder_antwoord: int
    termijn: str
    regel_anker: str


@dataclass
class Monitoring:
    maanden: list[str]
    rijen: list[tuple[str, str, list[tuple[int, int] | None]]]  # aanbieder, gemeente, per month (late, total)
    onleesbaar: int = 0


@dataclass
class Rapport:
    u: Uitslag
    verdict: str
    gemaakt: str
    regels: list[RegelRij]
    afwijkingen: list[AfwijkingRij]
    afwijkingen_totaal: int
    onbeslist: list[tuple[Oordeel, str]]
    onbeslist_per_regel: list[tuple[str, str, int]]
    routes: list[dict]
    ledger: LedgerBeeld | None
    ontbreekt: list[str] = field(default_factory=list)
    ontbreekt_reden: str = "geen ledger van de run beschikbaar, alleen de uitslag"
    diagrammen: list[Diagram] = field(default_factory=list)
    clienten: list[dict] = field(default_factory=list)
    clienten_totaal: int = 0
    grafieken: list[Grafiek] = field(default_factory=list)
    berichten: list[BerichtWeergave] = field(default_factory=list)
    monitoring: Monitoring | None = None
    grenzen: list[str] = field(default_factory=list)


def schrijf_html(uitslag: Uitslag, ledger: Path | None, uit: Path) -> Path:
    """Render ``uitslag`` (with the run's ``ledger`` when available) as one HTML file at ``uit``."""
    rapport = bouw_rapport(uitslag, ledger)
    html = omgeving().get_template("rapport.html.j2").render(r=rapport, VERDICT_NL=VERDICT_NL, anker=anker)
    uit.parent.mkdir(parents=True, exist_ok=True)
    uit.write_text(html, encoding="utf-8")
    return uit


def omgeving() -> jinja2.Environment:
    """The files of ``templates/rapport``, read as package data (works from an installed wheel too)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("templates", "rapport"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _profiel(u: Uitslag):
    from simulator.profiel import ProfielFout, laad_profiel

    try:
        return laad_profiel(u.run.get("profiel") or "mijov-2024")
    except (ProfielFout, OSError, ValueError):
        return None


def _registry(u: Uitslag):
    from simulator.schemas import SchemaRegistry

    try:
        return SchemaRegistry.load(u.run.get("schemas"))
    except Exception:  # noqa: BLE001 — a missing schema folder only costs the §13.3 view
        try:
            return SchemaRegistry.load(None)
        except Exception:  # noqa: BLE001
            return None


def bouw_rapport(u: Uitslag, ledger: Path | None) -> Rapport:
    afw_alle = u.afwijkingen
    afwijkingen = [AfwijkingRij(i, f"afw-{i}", o, u.regels.get(o.regel),
                                u.regels.get(o.regel) is not None and u.regels[o.regel].ernst != FOUT, None, None,
                                [(ref, None) for ref in o.berichten])
                   for i, o in enumerate(afw_alle[:MAX_AFWIJKINGEN])]
    per_regel: dict[str, list[int]] = defaultdict(list)
    for a in afwijkingen:
        per_regel[a.o.regel].append(a.nr)
    regels = []
    for r in u.regels.values():
        c = u.tellingen.get(r.id, Counter())
        regels.append(RegelRij(r, anker("regel", r.id), u.verdict(r.id), c[PASS], c[FAIL], c[ONBESLIST], per_regel[r.id]))
    regels.sort(key=lambda rr: ({FAIL: 0, ONBESLIST: 1, PASS: 2}.get(rr.verdict, 3), rr.regel.id))
    onb = u.onbeslist
    onb_tel = Counter(o.regel for o in onb)
    rapport = Rapport(
        u=u, verdict=u.totaal_verdict(), gemaakt=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        regels=regels, afwijkingen=afwijkingen, afwijkingen_totaal=len(afw_alle),
        onbeslist=[(o, anker("regel", o.regel)) for o in onb[:MAX_ONBESLIST]],
        onbeslist_per_regel=[(k, anker("regel", k), n) for k, n in onb_tel.most_common()],
        routes=_routes(u, afwijkingen), ledger=None)
    if len(afw_alle) > MAX_AFWIJKINGEN:
        rapport.grenzen.append(f"van de {len(afw_alle)} afwijkingen staan de eerste {MAX_AFWIJKINGEN} hier één voor één; "
                               "alle afwijkingen staan in uitslag.json")
    if len(onb) > MAX_ONBESLIST:
        rapport.grenzen.append(f"van de {len(onb)} onbesliste oordelen staan de eerste {MAX_ONBESLIST} hier")
    if ledger is None or not Path(ledger).is_file():
        rapport.ontbreekt = [
            "volgordediagrammen per cliënt", "termijngrafieken (werkdagen tot het antwoord)", "berichtviewer (XML)",
            "§13.3 tijdigheid van declareren"]
        return rapport
    profiel = _profiel(u)
    registry = _registry(u)
    try:
        beeld = lees_ledger(Path(ledger), profiel, registry)
    except (LedgerFout, OSError) as exc:
        rapport.ontbreekt_reden = f"de ledger is niet te lezen: {exc}"
        rapport.ontbreekt = ["volgordediagrammen per cliënt", "termijngrafieken", "berichtviewer (XML)",
                             "§13.3 tijdigheid van declareren"]
        return rapport
    rapport.ledger = beeld
    if profiel is None or registry is None:
        rapport.ontbreekt_reden = "profiel of iStandaarden-map van de run niet gevonden"
    if profiel is None:
        rapport.ontbreekt += ["termijngrafieken (profiel onbekend)", "§13.3 tijdigheid van declareren (profiel onbekend)"]
    elif registry is None:
        rapport.ontbreekt.append("§13.3 tijdigheid van declareren (geen iStandaarden-map om de 323 te lezen)")
    eigen = scenario_label(beeld.run)
    for a in afwijkingen:
        if u.delen and a.o.scenario and a.o.scenario != eigen:
            continue  # a merged result: this ledger holds one scenario's traffic only
        a.traject = beeld.traject_van(a.o.traject, a.o.bsn, a.o.berichten)
    if u.delen:
        rapport.grenzen.append(f"samengevoegde uitslag van {len(u.delen)} scenario's: diagrammen, grafieken, berichten "
                               f"en §13.3 komen uit de ledger van {eigen}")
    namen = {code: g.naam for code, g in profiel.gemeenten.items()} if profiel is not None else {}
    _diagrammen(rapport, beeld, namen)
    _berichten(rapport, beeld)
    _grafieken(rapport, beeld)
    _monitoring(rapport, beeld, registry is not None and profiel is not None)
    _clienten(rapport, beeld)
    return rapport


def _routes(u: Uitslag, afwijkingen: list[AfwijkingRij]) -> list[dict]:
    routes: dict[str, dict] = {}
    for regel, per in u.per_route.items():
        for route, c in per.items():
            d = routes.setdefault(route, {"route": route, "anker": anker("route", route), "regels": [], "pass": 0,
                                          "fail": 0, "onbeslist": 0, "afwijkingen": []})
            d["pass"] += c[PASS]
            d["fail"] += c[FAIL]
            d["onbeslist"] += c[ONBESLIST]
            if c[FAIL] or c[ONBESLIST]:
                d["regels"].append((regel, anker("regel", regel), c[PASS], c[FAIL], c[ONBESLIST]))
    for a in afwijkingen:
        route = a.o.route or GEEN_ROUTE
        if route in routes:
            routes[route]["afwijkingen"].append(a.nr)
    for d in routes.values():
        d["regels"].sort()
        d["label"] = "zonder route (declaraties, losse berichten)" if d["route"] == GEEN_ROUTE else d["route"]
    return sorted(routes.values(), key=lambda d: (d["route"] == GEEN_ROUTE, d["route"]))


# -- sequence diagrams ---------------------------------------------------------------------------------
def _lijn(sleutel: str, namen: dict[str, str]) -> Lijn:
    if sleutel.isdigit() and len(sleutel) == 4:
        return Lijn(sleutel, "gemeente", f"{sleutel} {namen.get(sleutel, '')}".strip())
    if sleutel.isdigit() and len(sleutel) == 8:
        return Lijn(sleutel, "aanbieder", f"AGB {sleutel}")
    if sleutel.startswith("toegang"):
        return Lijn(sleutel, "toegang", sleutel.removeprefix("toegang").strip() or sleutel)
    if sleutel == "school":
        return Lijn(sleutel, "school", "leesdossier")
    return Lijn(sleutel, "verwijzer", sleutel.replace("_", " "))


_ROL_VOLGORDE = {"verwijzer": 0, "school": 0, "toegang": 1, "gemeente": 2, "aanbieder": 3}


def _diagram(t: TrajectInfo, beeld: LedgerBeeld, afwijkingen: list[AfwijkingRij], namen: dict[str, str],
             steekproef: bool) -> Diagram:
    fout_per_ref: dict[str, list[AfwijkingRij]] = defaultdict(list)
    losse: list[AfwijkingRij] = []
    for a in afwijkingen:
        ref = a.o.bericht
        if ref and ref in beeld.berichten:
            fout_per_ref[ref].append(a)
        else:
            losse.append(a)
    items: list[tuple[int, Pijl]] = []
    for info in beeld.berichten_van(t):
        fouten = fout_per_ref.get(info.ref, [])
        uitleg = f"{info.berichttype} van {info.afzender} aan {info.ontvanger}, {info.datum:%d-%m-%Y}, id {info.identificatie}"
        if fouten:
            uitleg += "".join(f"\n✗ {a.o.regel}: {a.o.waargenomen} (verwacht: {a.o.verwacht})" for a in fouten)
        items.append((info.seq, Pijl(info.afzender, info.ontvanger, info.berichttype, info.datum, anker("m", info.ref),
                                     ", ".join(dict.fromkeys(a.o.regel for a in fouten)) or None, uitleg)))
    for g in t.gebeurtenissen:
        if g.actor is None:
            continue
        naar = g.naar if g.wat == "verwijzing" else None
        items.append((g.seq, Pijl(g.actor, naar, g.wat.replace("_", " "), g.datum, None, None,
                                  f"{g.wat} ({g.actor}) {g.datum:%d-%m-%Y}", stippel=True)))
    items.sort(key=lambda i: i[0])
    rijen = [p for _, p in items]
    for a in losse:  # a deviation without a message of its own (a missing answer, an event): a red note
        wie = a.o.actor if a.o.actor else (t.gemeente or t.aanbieder or "")
        rijen.append(Pijl(wie, None, f"{a.o.waargenomen}"[:60], a.o.datum, a.anker, a.o.regel,
                          f"{a.o.regel}: verwacht {a.o.verwacht}; waargenomen {a.o.waargenomen}"))
    rijen.sort(key=lambda p: p.datum)  # stable: ledger order within a day
    weggelaten = max(0, len(rijen) - MAX_RIJEN)
    rijen = rijen[:MAX_RIJEN]
    sleutels = list(dict.fromkeys(s for p in rijen for s in (p.van, p.naar) if s))
    lijnen = sorted((_lijn(s, namen) for s in sleutels), key=lambda l: (_ROL_VOLGORDE.get(l.rol, 4), l.sleutel))
    titel = f"Traject {t.id} — cliënt BSN {t.bsn or '?'}, route {t.route or '?'}"
    svg = volgordediagram(t.id, titel, lijnen, rijen, weggelaten)
    return Diagram(t, anker("client", t.id), svg, [a.nr for a in afwijkingen], steekproef)


def _diagrammen(rapport: Rapport, beeld: LedgerBeeld, namen: dict[str, str]) -> None:
    per_traject: dict[str, list[AfwijkingRij]] = defaultdict(list)
    for a in rapport.afwijkingen:
        if a.traject:
            per_traject[a.traject].append(a)
    met = [t for t in per_traject if t in beeld.trajecten]
    schoon = sorted(t for t in beeld.trajecten if t not in per_traject)
    stap = max(1, len(schoon) // STEEKPROEF) if schoon else 1
    steekproef = schoon[::stap][:STEEKPROEF]
    for tid in met[:MAX_DIAGRAMMEN]:
        rapport.diagrammen.append(_diagram(beeld.trajecten[tid], beeld, per_traject[tid], namen, False))
    for tid in steekproef:
        rapport.diagrammen.append(_diagram(beeld.trajecten[tid], beeld, [], namen, True))
    getekend = {d.traject.id: d.anker for d in rapport.diagrammen}
    for a in rapport.afwijkingen:
        a.diagram = getekend.get(a.traject or "")
    if len(met) > MAX_DIAGRAMMEN:
        rapport.grenzen.append(f"volgordediagrammen voor {MAX_DIAGRAMMEN} van de {len(met)} trajecten met afwijkingen")
    rapport.grenzen.append(f"volgordediagrammen: alle trajecten met afwijkingen (tot {MAX_DIAGRAMMEN}) en een steekproef "
                           f"van {len(steekproef)} van de {len(schoon)} trajecten zonder afwijking; "
                           f"hoogstens {MAX_RIJEN} regels per diagram")


# -- message viewer ------------------------------------------------------------------------------------
def _berichten(rapport: Rapport, beeld: LedgerBeeld) -> None:
    """XML of the messages deviations are about first, then the other messages of the drawn diagrams."""
    per_ref: dict[str, list[AfwijkingRij]] = defaultdict(list)
    volgorde: list[str] = []
    for a in rapport.afwijkingen:
        for ref in a.o.berichten:
            if ref in beeld.berichten:
                volgorde.append(ref)
                if ref == a.o.bericht:
                    per_ref[ref].append(a)
    for d in rapport.diagrammen:
        volgorde.extend(i.ref for i in beeld.berichten_van(d.traject))
    volgorde = list(dict.fromkeys(volgorde))
    haal_xml(beeld, volgorde, XML_BUDGET)
    for ref in volgorde:
        xml = beeld.xml.get(ref)
        if xml is None:
            continue
        info = beeld.berichten[ref]
        afw = per_ref.get(ref, [])
        html, n = weergave(xml, [a.o for a in afw])
        kop = f"{info.berichttype} · {info.afzender} → {info.ontvanger} · {info.datum:%d-%m-%Y} · id {info.identificatie}"
        rapport.berichten.append(BerichtWeergave(ref, anker("m", ref), kop, html, n, [a.nr for a in afw]))
    getoond = {b.ref: b.anker for b in rapport.berichten}
    for a in rapport.afwijkingen:
        a.berichten = [(ref, getoond.get(ref)) for ref in a.o.berichten]
    if beeld.xml_weggelaten:
        rapport.grenzen.append(f"berichtviewer: {len(beeld.xml)} berichten (tot {XML_BUDGET // 1000} kB XML); "
                               f"{beeld.xml_weggelaten} berichten zonder XML hier — zie de ledger")


# -- deadline charts -----------------------------------------------------------------------------------
def _grafieken(rapport: Rapport, beeld: LedgerBeeld) -> None:
    for nummer, a in beeld.antwoordtijden.items():
        te_laat = sum(1 for _, laat in a.dagen if laat)
        titel = f"{nummer} → {a.retour}: werkdagen tot het antwoord (termijn {a.beschrijving})"
        kort = f"{nummer} → {a.retour}: werkdagen tot het antwoord"
        rapport.grafieken.append(Grafiek(titel, histogram(f"{nummer}-{a.retour}", kort, a.dagen, a.limiet),
                                         len(a.dagen), te_laat, a.zonder_antwoord, a.beschrijving,
                                         anker("regel", f"TERMIJN.{a.termijn}")))


# -- §13.3 ---------------------------------------------------------------------------------------------
def _monitoring(rapport: Rapport, beeld: LedgerBeeld, mogelijk: bool) -> None:
    if not mogelijk:
        return
    maanden = sorted({m for (_, _, m) in beeld.declaraties})
    paren = sorted({(a, g) for (a, g, _) in beeld.declaraties})
    rijen = []
    for a, g in paren:
        cellen: list[tuple[int, int] | None] = []
        for m in maanden:
            c = beeld.declaraties.get((a, g, m))
            cellen.append((c.te_laat, c.prestaties) if c else None)
        rijen.append((a, g, cellen))
    rapport.monitoring = Monitoring(maanden, rijen, beeld.declaratie_fouten)


# -- clients -------------------------------------------------------------------------------------------
def _clienten(rapport: Rapport, beeld: LedgerBeeld) -> None:
    per_traject = Counter(a.traject for a in rapport.afwijkingen if a.traject)
    getekend = {d.traject.id: d.anker for d in rapport.diagrammen}
    rijen = []
    for t in sorted(beeld.trajecten.values(), key=lambda t: (-per_traject[t.id], t.id)):
        rijen.append({"t": t, "berichten": len(t.berichten), "afwijkingen": per_traject[t.id],
                      "diagram": getekend.get(t.id),
                      "route_anker": anker("route", t.route or GEEN_ROUTE)})
    rapport.clienten_totaal = len(rijen)
    rapport.clienten = rijen[:MAX_CLIENTEN]
    if len(rijen) > MAX_CLIENTEN:
        rapport.grenzen.append(f"cliënttabel: {MAX_CLIENTEN} van de {len(rijen)} trajecten (die met afwijkingen eerst)")
