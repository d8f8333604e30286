"""JUnit XML from a result, for CI systems: one test suite per scenario, one test case per rule
(per route where the rule was judged on messages of more than one route, or of a named route).

* a rule with a deviation (severity ``fout``) is a ``<failure>`` whose text lists every deviation
  (date, actor, client, expected, observed, message ids);
* a rule judged only inconclusively is ``<skipped>`` with the reason; so is a rule nothing in the
  input applied to ("not applicable");
* a deviation of a rule with severity ``waarschuwing`` does not fail the case; it is in
  ``<system-out>``.

The layout is the common one read by Jenkins, GitLab, GitHub Actions reporters and pytest's own
``--junitxml`` (``testsuites/testsuite/testcase``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .regels import FOUT
from .uitslag import FAIL, GEEN_ROUTE, NVT, ONBESLIST, PASS, Oordeel, Uitslag, sut_omschrijving, verdict_van

MAX_IN_TEKST = 50  # deviations written out in full per test case; the rest are counted


@dataclass
class Geval:
    """One JUnit test case: a rule in a scenario, optionally narrowed to one route."""

    scenario: str
    regel: str
    route: str | None  # None: every route together
    tellingen: Counter
    oordelen: list[Oordeel]

    @property
    def naam(self) -> str:
        if self.route is None:
            return self.regel
        return f"{self.regel}[{'zonder route' if self.route == GEEN_ROUTE else self.route}]"


def gevallen(u: Uitslag) -> list[Geval]:
    """Every test case of a result, in catalogue order per scenario."""
    index: dict[tuple[str, str, str], list[Oordeel]] = {}
    for o in u.oordelen:  # one pass, not one per case: a big run has many judgements
        index.setdefault((o.scenario or u.scenario, o.regel, o.route or GEEN_ROUTE), []).append(o)
    uit = []
    for deel in u.scenarios():
        for regel in u.regels:
            routes = deel.per_route.get(regel, {})
            c = deel.tellingen.get(regel, Counter())
            if not routes or set(routes) == {GEEN_ROUTE}:
                alle = [o for (s, r, _), lijst in index.items() if s == deel.scenario and r == regel for o in lijst]
                uit.append(Geval(deel.scenario, regel, None, c, alle))
                continue
            for route in sorted(routes):
                uit.append(Geval(deel.scenario, regel, route, routes[route], index.get((deel.scenario, regel, route), [])))
    return uit


def oordeel_tekst(o: Oordeel) -> str:
    """One deviation or inconclusive judgement as a few readable lines."""
    kop = [o.datum.isoformat(), f"actor {o.actor or '?'}"]
    if o.bsn:
        kop.append(f"client BSN {o.bsn}")
    if o.traject:
        kop.append(f"traject {o.traject}")
    if o.route:
        kop.append(f"route {o.route}")
    regels = ["- " + ", ".join(kop), f"    expected: {o.verwacht}", f"    observed: {o.waargenomen}"]
    if o.element:
        regels.append(f"    element:  {o.element}")
    regels.append(f"    messages: {'; '.join(o.berichten) or '-'}")
    return "\n".join(regels)


def afwijkingen_tekst(u: Uitslag, oordelen: list[Oordeel], maximum: int = MAX_IN_TEKST) -> str:
    """The failure text of a rule: its statement and source, then each deviation."""
    if not oordelen:
        return ""
    r = u.regels.get(oordelen[0].regel)
    kop = f"{oordelen[0].regel}: {len(oordelen)} deviation(s)"
    if r is not None:
        kop += f"\nrule: {r.stelling}\nsource: {r.bron}"
    delen = [kop] + [oordeel_tekst(o) for o in oordelen[:maximum]]
    if len(oordelen) > maximum:
        delen.append(f"... and {len(oordelen) - maximum} more (see uitslag.json)")
    return "\n".join(delen)


def reden_onbeslist(oordelen: list[Oordeel]) -> str:
    onbeslist = [o for o in oordelen if o.uitkomst == ONBESLIST]
    if not onbeslist:
        return "not applicable: nothing in the input this rule applies to"
    return f"inconclusive ({len(onbeslist)}x): {onbeslist[0].waargenomen}"


def _ernst(u: Uitslag, regel: str) -> str:
    r = u.regels.get(regel)
    return r.ernst if r is not None else FOUT


def junit_element(u: Uitslag) -> etree._Element:
    alle = etree.Element("testsuites", name=f"ketensim {u.run.get('profiel', '')}".strip())
    per_suite: dict[str, etree._Element] = {}
    for g in gevallen(u):
        suite = per_suite.get(g.scenario)
        if suite is None:
            suite = per_suite[g.scenario] = etree.SubElement(alle, "testsuite", name=g.scenario)
            eigenschappen = etree.SubElement(suite, "properties")
            deel = next(d for d in u.scenarios() if d.scenario == g.scenario)
            for k in ("profiel", "scenario", "seed", "clients", "dagen", "release", "ketensim_versie"):
                v = deel.run.get(k, u.run.get(k))
                if v is not None:
                    etree.SubElement(eigenschappen, "property", name=k, value=str(v))
            sut = sut_omschrijving(deel.run) or sut_omschrijving(u.run)
            if sut:
                etree.SubElement(eigenschappen, "property", name="sut", value=sut)
            ledger = deel.run.get("ledger") or {}
            if ledger:
                etree.SubElement(eigenschappen, "property", name="ledger_sha256", value=str(ledger.get("sha256", "")))
        r = u.regels.get(g.regel)
        geval = etree.SubElement(suite, "testcase", classname=f"ketensim.{g.scenario}", name=g.naam, time="0")
        afw = [o for o in g.oordelen if o.uitkomst == FAIL]
        verdict = verdict_van(g.tellingen)
        if afw and _ernst(u, g.regel) == FOUT:
            ids = "; ".join(dict.fromkeys(m for o in afw for m in o.berichten))
            bericht = f"{len(afw)} deviation(s) of {g.regel}: {afw[0].waargenomen}"
            f = etree.SubElement(geval, "failure", message=_kort(f"{bericht} [messages: {ids}]"),
                                 type=g.regel.split(".")[0])
            f.text = afwijkingen_tekst(u, afw)
        elif verdict in (ONBESLIST, NVT):
            etree.SubElement(geval, "skipped", message=_kort(reden_onbeslist(g.oordelen)))
        uitvoer = []
        if afw and _ernst(u, g.regel) != FOUT:
            uitvoer.append(f"warning (severity {_ernst(u, g.regel)}):\n" + afwijkingen_tekst(u, afw))
        if verdict in (PASS, FAIL) and g.tellingen[ONBESLIST]:
            uitvoer.append(reden_onbeslist(g.oordelen))
        if r is not None:
            uitvoer.append(f"{sum(g.tellingen.values())} judgement(s): {dict(g.tellingen)}; source: {r.bron}")
        if uitvoer:
            etree.SubElement(geval, "system-out").text = "\n".join(uitvoer)
    for el in [*per_suite.values(), alle]:
        gevallen_ = el.iter("testcase")
        n = Counter()
        for tc in gevallen_:
            n["tests"] += 1
            n["failures"] += tc.find("failure") is not None
            n["skipped"] += tc.find("skipped") is not None
        for sleutel in ("tests", "failures", "errors", "skipped"):
            el.set(sleutel, str(n[sleutel]))
        el.set("time", "0")
    return alle


def _kort(tekst: str, n: int = 500) -> str:
    tekst = " ".join(tekst.split())
    return tekst if len(tekst) <= n else tekst[: n - 1] + "…"


def schrijf_junit(u: Uitslag, pad: Path) -> Path:
    pad.write_bytes(etree.tostring(junit_element(u), xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return pad
