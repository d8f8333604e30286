"""The result model of a check: verdict counts per rule, every deviation with its evidence, and
every inconclusive judgement with its reason.  All report formats are rendered from this; it is
written as JSON (``uitslag.json``, schema in docs/results.md) and read back without rerunning."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from .regels import Regel

PASS, FAIL, ONBESLIST = "pass", "fail", "inconclusive"


@dataclass(frozen=True)
class Oordeel:
    """One judgement that is not a plain pass: a deviation (fail) or an inconclusive verdict."""

    regel: str
    uitkomst: str  # fail | inconclusive
    datum: date  # simulated (or Dagtekening) date the verdict concerns
    actor: str | None  # gemeentecode or AGB code of the party that had to keep the rule
    bsn: str | None
    berichten: tuple[str, ...]  # "JW301 0200/020000000001" style references: type afzender/identificatie
    verwacht: str
    waargenomen: str
    traject: str | None = None
    route: str | None = None
    element: str | None = None  # element path in the message, where known (XSD findings)
    scenario: str | None = None  # label of the scenario (run) it came from, set when results are merged
    betreft: str | None = None  # the message the verdict is about when it is not the first of ``berichten`` (a late answer)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["datum"] = self.datum.isoformat()
        d["berichten"] = list(self.berichten)
        return {k: v for k, v in d.items() if v is not None}

    @property
    def bericht(self) -> str | None:
        """The message this verdict is about: ``betreft``, else the first of ``berichten``."""
        return self.betreft or (self.berichten[0] if self.berichten else None)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Oordeel":
        return cls(d["regel"], d["uitkomst"], date.fromisoformat(d["datum"]), d.get("actor"), d.get("bsn"),
                   tuple(d.get("berichten", ())), d.get("verwacht", ""), d.get("waargenomen", ""),
                   d.get("traject"), d.get("route"), d.get("element"), d.get("scenario"), d.get("betreft"))


def verdict_van(c: Counter) -> str:
    """The verdict of a set of judgements: any fail fails; else any pass passes; else inconclusive."""
    if c[FAIL]:
        return FAIL
    if c[PASS]:
        return PASS
    return ONBESLIST if c[ONBESLIST] else NVT


NVT = "not applicable"
GEEN_ROUTE = "-"  # key for judgements without a route (323/325 batches, XML folders)


def scenario_label(run: dict[str, Any]) -> str:
    """A readable label for one run: ``mix[seed1]``; a shard adds its part (``mix[seed1-shard2of4]``)."""
    if run.get("label"):
        return str(run["label"])
    if "scenario" in run and "seed" in run:
        return f"{run['scenario']}[seed{run['seed']}]"
    return str(run.get("soort") or "invoer")


def sut_omschrijving(run: dict[str, Any]) -> str | None:
    """The run's system under test as ``ketensim run --sut`` takes it (``gemeente:0200=http://…``),
    or None for a run of reference actors only."""
    sut = run.get("sut")
    if isinstance(sut, dict):
        return f"{sut.get('rol', '?')}:{sut.get('code', '?')}={sut.get('adres', '?')}"
    return str(sut) if sut else None


@dataclass
class Deel:
    """The counts of one scenario (one run, or one shard of a run) inside a merged result."""

    scenario: str
    run: dict[str, Any]
    tellingen: dict[str, Counter]
    per_route: dict[str, dict[str, Counter]]
    berichten: int = 0

    def as_dict(self, regels: dict[str, Regel]) -> dict[str, Any]:
        uit: dict[str, Any] = {}
        for r in regels:
            c = self.tellingen.get(r, Counter())
            d: dict[str, Any] = {"verdict": verdict_van(c), "tellingen": dict(c)}
            routes = self.per_route.get(r, {})
            if routes:
                d["per_route"] = {k: {"verdict": verdict_van(v), "tellingen": dict(v)} for k, v in sorted(routes.items())}
            uit[r] = d
        return {"scenario": self.scenario, "run": self.run, "berichten": self.berichten, "regels": uit}


@dataclass
class Uitslag:
    run: dict[str, Any]
    regels: dict[str, Regel]
    _tellingen: dict[str, Counter] = field(default_factory=dict)
    oordelen: list[Oordeel] = field(default_factory=list)
    berichten: int = 0
    ongeldig: int = 0
    derived: list[str] = field(default_factory=list)
    _per_route: dict[str, dict[str, Counter]] = field(default_factory=dict)  # regel → route → counts
    delen: list[Deel] = field(default_factory=list)  # filled when several runs were merged (``voeg_samen``)
    #: judgements counted by :meth:`tel` and not yet added to the Counters: (regel, uitkomst, route) → n
    _nieuw: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False, compare=False)

    def tel(self, regel: str, uitkomst: str, route: str | None = None) -> None:
        # called for every judgement (~14 per message): one flat dict, folded into the Counters when read
        k = (regel, uitkomst, route or GEEN_ROUTE)
        n = self._nieuw
        n[k] = n.get(k, 0) + 1

    def tel_op(self) -> None:
        """Add the pending counts to the Counters, in the order they were first counted (as counting
        straight into the Counters would have ordered their keys)."""
        if not self._nieuw:
            return
        tellingen, per_route = self._tellingen, self._per_route
        for (regel, uitkomst, route), n in self._nieuw.items():
            c = tellingen.get(regel)
            if c is None:
                c = tellingen[regel] = Counter()
            c[uitkomst] += n
            routes = per_route.get(regel)
            if routes is None:
                routes = per_route[regel] = {}
            c = routes.get(route)
            if c is None:
                c = routes[route] = Counter()
            c[uitkomst] += n
        self._nieuw.clear()

    @property
    def tellingen(self) -> dict[str, Counter]:
        """regel → Counter of uitkomsten."""
        self.tel_op()
        return self._tellingen

    @property
    def per_route(self) -> dict[str, dict[str, Counter]]:
        """regel → route → Counter of uitkomsten."""
        self.tel_op()
        return self._per_route

    @property
    def afwijkingen(self) -> list[Oordeel]:
        return [o for o in self.oordelen if o.uitkomst == FAIL]

    @property
    def onbeslist(self) -> list[Oordeel]:
        return [o for o in self.oordelen if o.uitkomst == ONBESLIST]

    @property
    def scenario(self) -> str:
        return scenario_label(self.run)

    def verdict(self, regel: str) -> str:
        return verdict_van(self.tellingen.get(regel, Counter()))

    def scenarios(self) -> list[Deel]:
        """The scenarios this result covers: its parts when merged, else the one run itself."""
        if self.delen:
            return self.delen
        return [Deel(self.scenario, self.run, self.tellingen, self.per_route, self.berichten)]

    def oordelen_van(self, regel: str, scenario: str | None = None, route: str | None = None) -> list[Oordeel]:
        """The deviations/inconclusive judgements of one rule, optionally of one scenario and route."""
        uit = []
        for o in self.oordelen:
            if o.regel != regel:
                continue
            if scenario is not None and (o.scenario or self.scenario) != scenario:
                continue
            if route is not None and (o.route or GEEN_ROUTE) != route:
                continue
            uit.append(o)
        return uit

    def totaal_verdict(self) -> str:
        """FAIL when a rule of severity ``fout`` has a deviation; warnings alone do not fail a run."""
        if any(self.regels.get(o.regel) is None or self.regels[o.regel].ernst == "fout" for o in self.afwijkingen):
            return FAIL
        return PASS if any(c[PASS] for c in self.tellingen.values()) else ONBESLIST

    def as_dict(self) -> dict[str, Any]:
        return {
            "ketensim_uitslag": 1,
            "verdict": self.totaal_verdict(),
            "run": self.run,
            "berichten": self.berichten,
            "ongeldig": self.ongeldig,
            "derived": self.derived,
            "regels": [
                r.as_dict() | {"verdict": self.verdict(r.id), "tellingen": dict(self.tellingen.get(r.id, Counter()))}
                | ({"per_route": {k: dict(v) for k, v in sorted(self.per_route[r.id].items())}}
                   if self.per_route.get(r.id) else {})
                for r in self.regels.values()
            ],
            "scenarios": [d.as_dict(self.regels) for d in self.scenarios()],
            "oordelen": [o.as_dict() for o in self.oordelen],
        }

    def schrijf(self, pad: Path) -> None:
        pad.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def lees(cls, pad: Path) -> "Uitslag":
        try:
            d = json.loads(pad.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{pad}: cannot read a result file ({exc})") from None
        if not isinstance(d, dict) or d.get("ketensim_uitslag") != 1:
            raise ValueError(f"{pad} is not a ketensim result file")
        try:
            return cls.uit_dict(d)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{pad}: damaged result file ({type(exc).__name__}: {exc})") from None

    @classmethod
    def uit_dict(cls, d: dict[str, Any]) -> "Uitslag":
        regels = {}
        tellingen = {}
        per_route: dict[str, dict[str, Counter]] = {}
        for r in d["regels"]:
            regels[r["id"]] = Regel(r["id"], r["stelling"], r["bron"], tuple(r.get("berichten", ())), r["rol"],
                                    r.get("ernst", "fout"), r.get("retourcode"), r.get("profielsleutel"))
            tellingen[r["id"]] = Counter(r.get("tellingen", {}))
            per_route[r["id"]] = {k: Counter(v) for k, v in r.get("per_route", {}).items()}
        delen = []
        scen = d.get("scenarios", [])
        if len(scen) > 1:
            for s in scen:
                delen.append(Deel(s["scenario"], s.get("run", {}),
                                  {k: Counter(v.get("tellingen", {})) for k, v in s["regels"].items()},
                                  {k: {rt: Counter(x.get("tellingen", {})) for rt, x in v.get("per_route", {}).items()}
                                   for k, v in s["regels"].items()}, s.get("berichten", 0)))
        return cls(d["run"], regels, tellingen, [Oordeel.from_dict(o) for o in d["oordelen"]], d.get("berichten", 0),
                   d.get("ongeldig", 0), d.get("derived", []), per_route, delen)


def voeg_samen(delen: list[Uitslag], run: dict[str, Any] | None = None) -> Uitslag:
    """One result from several runs (scenarios or shards): counts add up, every judgement keeps
    the label of the scenario it came from, and each part stays visible in ``scenarios``."""
    if not delen:
        raise ValueError("nothing to merge")
    regels: dict[str, Regel] = {}
    for u in delen:
        for k, r in u.regels.items():
            regels.setdefault(k, r)
    samen = Uitslag(run or {}, regels)
    for u in delen:
        for deel in u.scenarios():
            samen.delen.append(deel)
        for k, c in u.tellingen.items():
            samen.tellingen.setdefault(k, Counter()).update(c)
        for k, routes in u.per_route.items():
            for rt, c in routes.items():
                samen.per_route.setdefault(k, {}).setdefault(rt, Counter()).update(c)
        for o in u.oordelen:
            samen.oordelen.append(o if o.scenario else replace(o, scenario=u.scenario))
        samen.berichten += u.berichten
        samen.ongeldig += u.ongeldig
        for t in u.derived:
            if t not in samen.derived:
                samen.derived.append(t)
    if not samen.run:
        eerste = delen[0].run
        samen.run = {k: eerste[k] for k in ("profiel", "release", "schemas", "ketensim_versie", "sut") if k in eerste}
        samen.run["label"] = "+".join(d.scenario for d in samen.delen)
        samen.run["shards"] = [d.run for d in samen.delen]
    return samen
