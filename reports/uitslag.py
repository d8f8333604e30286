"""The result model of a check: verdict counts per rule, every deviation with its evidence, and
every inconclusive judgement with its reason.  All report formats are rendered from this; it is
written as JSON (``uitslag.json``, schema in docs/results.md) and read back without rerunning."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
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

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["datum"] = self.datum.isoformat()
        d["berichten"] = list(self.berichten)
        return {k: v for k, v in d.items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Oordeel":
        return cls(d["regel"], d["uitkomst"], date.fromisoformat(d["datum"]), d.get("actor"), d.get("bsn"),
                   tuple(d.get("berichten", ())), d.get("verwacht", ""), d.get("waargenomen", ""),
                   d.get("traject"), d.get("route"))


@dataclass
class Uitslag:
    run: dict[str, Any]
    regels: dict[str, Regel]
    tellingen: dict[str, Counter] = field(default_factory=dict)
    oordelen: list[Oordeel] = field(default_factory=list)
    berichten: int = 0
    ongeldig: int = 0
    derived: list[str] = field(default_factory=list)

    def tel(self, regel: str, uitkomst: str) -> None:
        self.tellingen.setdefault(regel, Counter())[uitkomst] += 1

    @property
    def afwijkingen(self) -> list[Oordeel]:
        return [o for o in self.oordelen if o.uitkomst == FAIL]

    @property
    def onbeslist(self) -> list[Oordeel]:
        return [o for o in self.oordelen if o.uitkomst == ONBESLIST]

    def verdict(self, regel: str) -> str:
        c = self.tellingen.get(regel, Counter())
        if c[FAIL]:
            return FAIL
        if c[PASS]:
            return PASS
        return ONBESLIST if c[ONBESLIST] else "not applicable"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ketensim_uitslag": 1,
            "run": self.run,
            "berichten": self.berichten,
            "ongeldig": self.ongeldig,
            "derived": self.derived,
            "regels": [
                r.as_dict() | {"verdict": self.verdict(r.id), "tellingen": dict(self.tellingen.get(r.id, Counter()))}
                for r in self.regels.values()
            ],
            "oordelen": [o.as_dict() for o in self.oordelen],
        }

    def schrijf(self, pad: Path) -> None:
        pad.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def lees(cls, pad: Path) -> "Uitslag":
        d = json.loads(pad.read_text(encoding="utf-8"))
        if d.get("ketensim_uitslag") != 1:
            raise ValueError(f"{pad} is not a ketensim result file")
        regels = {}
        tellingen = {}
        for r in d["regels"]:
            regels[r["id"]] = Regel(r["id"], r["stelling"], r["bron"], tuple(r.get("berichten", ())), r["rol"],
                                    r.get("ernst", "fout"), r.get("retourcode"), r.get("profielsleutel"))
            tellingen[r["id"]] = Counter(r.get("tellingen", {}))
        return cls(d["run"], regels, tellingen, [Oordeel.from_dict(o) for o in d["oordelen"]], d.get("berichten", 0),
                   d.get("ongeldig", 0), d.get("derived", []))
