"""Load mode: a year of traffic through a SUT, with the SUT's throughput and latencies measured.

:class:`MetendeAdapter` wraps any :class:`simulator.sut.SutAdapter` and times every call: each
delivered message (per message type), each day grant, each collection.  ``--rate R`` paces the
deliveries to at most R messages per wall-clock second; ``max`` delivers as fast as the SUT takes
them.  :func:`belast` runs the co-simulation with it (the same lock-step run as ``ketensim run
--sut``), checks the ledger, and returns a :class:`Belasting` report: throughput, p50/p95/p99 per
message type, whether the SUT kept its deadlines under that load, and where the wall time went
(inside the SUT's calls versus the harness itself).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reports.controleer import controleer
from reports.invoer import open_invoer
from simulator.profiel import laad_profiel
from simulator.schemas import SchemaRegistry
from simulator.sut import DagUitkomst, RunInfo, SutAdapter

from .run import RunInstellingen, sut_adapter, voer_uit


_TYPE = re.compile(rb"/(?:ijw|iwmo)/3_2/(jw|wmo)(\d{3})/schema")


def _berichttype(xml: bytes) -> str:
    """The message type from the message namespace in the first bytes (no parse); 'onbekend' otherwise."""
    m = _TYPE.search(xml[:1000])
    return f"{m.group(1).decode().upper()}{m.group(2).decode()}" if m else "onbekend"


@dataclass
class MetendeAdapter:
    doel: SutAdapter
    rate: float | None = None  # messages per second at most; None: as fast as the SUT takes them
    latenties: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    in_sut: float = 0.0  # wall seconds spent inside calls to the SUT
    wacht: float = 0.0  # wall seconds spent pacing (rate)
    geleverd: int = 0
    ontvangen: int = 0
    _volgende: float = 0.0

    def _tijd(self, soort: str, f, *args: Any):
        t0 = time.perf_counter()
        try:
            return f(*args)
        finally:
            dt = time.perf_counter() - t0
            self.in_sut += dt
            self.latenties[soort].append(dt)

    def begin(self, run: RunInfo) -> str:
        return self._tijd("start", self.doel.begin, run)

    def lever(self, dag: date, berichten: list[bytes]) -> str:
        fouten = []
        for xml in berichten:  # one call per message, so each gets its own latency
            if self.rate:
                nu = time.perf_counter()
                if nu < self._volgende:
                    time.sleep(self._volgende - nu)
                    self.wacht += time.perf_counter() - nu  # the time really spent pacing (sleep overshoots)
                self._volgende = max(nu, self._volgende) + 1.0 / self.rate
            fout = self._tijd(_berichttype(xml), self.doel.lever, dag, [xml])
            self.geleverd += 1
            if fout:
                fouten.append(fout)
        return "; ".join(fouten)

    def toegang(self, dag: date, besluit: dict[str, Any]) -> str:
        return self._tijd("toegang", self.doel.toegang, dag, besluit)

    def zorg(self, dag: date, gebeurtenis: dict[str, Any]) -> str:
        return self._tijd("zorg", self.doel.zorg, dag, gebeurtenis)

    def geef_dag(self, dag: date) -> DagUitkomst:
        return self._tijd("klok", self.doel.geef_dag, dag)

    def haal_op(self, dag: date) -> list[bytes] | str:
        r = self._tijd("outbox", self.doel.haal_op, dag)
        if isinstance(r, list):
            self.ontvangen += len(r)
        return r

    def einde(self) -> None:
        self._tijd("einde", self.doel.einde)


def percentiel(waarden: list[float], p: float) -> float:
    if not waarden:
        return 0.0
    s = sorted(waarden)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


@dataclass
class Belasting:
    wall: float
    in_sut: float
    wacht: float
    geleverd: int
    ontvangen: int
    dagen: int
    latenties: dict[str, list[float]]
    termijnen: dict[str, dict[str, int]]  # rule → fail/inconclusive counts of the SUT's own deadlines
    lockstep_fouten: int
    termijnen_gehaald: int = 0  # deadline judgements passed in the whole run (all gemeenten and aanbieders)

    @property
    def harness(self) -> float:
        return max(0.0, self.wall - self.in_sut - self.wacht)

    def as_dict(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall, 3), "in_sut_s": round(self.in_sut, 3), "harness_s": round(self.harness, 3),
            "pacing_s": round(self.wacht, 3), "berichten_geleverd": self.geleverd, "berichten_ontvangen": self.ontvangen,
            "werkdagen": self.dagen,
            "doorvoer_per_s": round(self.geleverd / self.in_sut, 1) if self.in_sut else None,
            "latentie_ms": {k: {"n": len(v), "p50": round(1000 * percentiel(v, 50), 2),
                                "p95": round(1000 * percentiel(v, 95), 2), "p99": round(1000 * percentiel(v, 99), 2)}
                            for k, v in sorted(self.latenties.items())},
            "termijnen_sut": self.termijnen, "termijnen_gehaald_in_run": self.termijnen_gehaald,
            "sut_lockstep_fouten": self.lockstep_fouten,
        }


def belast(inst: RunInstellingen, rate: float | None) -> Belasting:
    """Run ``inst`` (which has ``sut`` set) with a measuring adapter; check it; report."""
    meter = MetendeAdapter(sut_adapter(inst), rate)
    inst.sut_adapter = meter
    t0 = time.perf_counter()
    voer_uit(inst)
    wall = time.perf_counter() - t0
    registry = SchemaRegistry.load(inst.schemas)
    profiel = inst.profiel if not isinstance(inst.profiel, (str,)) and hasattr(inst.profiel, "naam") \
        else laad_profiel(inst.profiel)
    uitslag = controleer(open_invoer(inst.uit, registry), profiel, registry)
    uitslag.schrijf(inst.uit / "uitslag.json")
    # the SUT's own deadline judgements: fails and inconclusives name their actor (passes are counted per rule)
    termijnen: dict[str, dict[str, int]] = defaultdict(lambda: {"fail": 0, "inconclusive": 0})
    for o in uitslag.oordelen:
        if o.regel.startswith("TERMIJN.") and o.actor == inst.sut.code:
            termijnen[o.regel]["fail" if o.uitkomst == "fail" else "inconclusive"] += 1
    gehaald = sum(int(c.get("pass", 0)) for r, c in uitslag.tellingen.items() if r.startswith("TERMIJN."))
    lockstep = sum(1 for o in uitslag.afwijkingen if o.regel == "SUT.lockstep")
    return Belasting(wall, meter.in_sut, meter.wacht, meter.geleverd, meter.ontvangen,
                     len(meter.latenties.get("klok", [])), dict(meter.latenties), dict(termijnen), lockstep, gehaald)
