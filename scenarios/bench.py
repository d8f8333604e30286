"""The benchmark: a fixed, seeded region-year run in full, timed per stage (``ketensim bench``).

One bench run does what a user does: ``ketensim run`` (population, actors, bus, every message
rendered and written to the ledger on disk, the summary read back from the ledger) and then
``ketensim check`` on that ledger (every message parsed and XSD-validated, every conformance rule
judged).  It measures wall time, messages/s, trajectories/s, peak RSS and the share of time per
stage, and the lxml parse+validate floor of a typical message (a JW315 taken from the run,
parsed and validated ``floor_n`` times) in the same process, so the harness's own cost per
message can be quoted as a ratio to that floor (docs/performance.md). Next to it, the same lxml
calls on a sample of the run's *own* messages (every k-th message, up to ``floor_n``): what
validating this traffic costs before ketensim does anything else.

Stage times come from timers wrapped around the functions of each stage for the duration of the
bench (and removed afterwards): ``render`` (message → XML bytes), the ledger writer (JSON line,
write, flush), the summary (ledger read back), ``codec.validate`` inside the checker (parse + XSD);
the rest of the simulation is "actors, engine, bus" and the rest of the check is "checks".

The region-year (:func:`regio_jaar`): the eight MIJOV gemeenten of the profile, 365 days, all
routes in the profile's mix, monthly 323/325 batches.  The BSN test range holds 9,091 people,
fewer than the region-year's trajectories, so most trajectories are a further trajectory of an
earlier client (``meervoudig``: same person, gemeente and domein, another aanbieder; see
actors/populatie.py) — one BSN is always one person.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from lxml import etree

#: region-year defaults (docs/performance.md): ≥ 20,000 trajectories, ≥ 300,000 messages
REGIO_JAAR_TRAJECTEN = 45_000
REGIO_JAAR_MEERVOUDIG = 0.8
REGIO_JAAR_AANBIEDERS = 120
BENCH_SEED = 2026


@dataclass
class BenchInstellingen:
    clients: int = REGIO_JAAR_TRAJECTEN  # trajectories
    dagen: int = 365
    seed: int = BENCH_SEED
    meervoudig: float = REGIO_JAAR_MEERVOUDIG
    aanbieders: int | None = REGIO_JAAR_AANBIEDERS
    profiel: str = "mijov-2024"
    schemas: str | Path | None = None
    uit: Path | None = None  # None: a temporary folder, removed afterwards
    floor_n: int = 2000
    #: 0: one process, stage by stage (the one-core figure); N ≥ 1: ``run --workers N`` with each gemeente
    #: shard checked by its own worker (scenarios/shard.py, ``voer_uit_en_controleer``): wall, throughput
    #: and peak RSS only, the stage timers cannot see inside the workers
    workers: int = 0


@dataclass
class BenchUitslag:
    clients: int
    dagen: int
    seed: int
    meervoudig: float
    berichten: int
    trajecten: int
    wall_s: float
    simulatie_s: float
    check_s: float
    stadia_s: dict[str, float] = field(default_factory=dict)
    piek_rss_mb: float = 0.0
    floor_us: float = 0.0  # lxml parse + XSD validate of one JW315, median
    floor_eigen_us: float = 0.0  # the same on a sample of the run's own messages, median µs per message
    ledger_mb: float = 0.0
    afwijkingen: int = 0
    regels_fail: int = 0
    workers: int = 0
    afwijkende_regels: list[str] = field(default_factory=list)  # rule ids with deviations, sorted

    @property
    def berichten_per_s(self) -> float:
        return self.berichten / self.wall_s if self.wall_s else 0.0

    @property
    def trajecten_per_s(self) -> float:
        return self.trajecten / self.wall_s if self.wall_s else 0.0

    @property
    def us_per_bericht(self) -> float:
        return self.wall_s / self.berichten * 1e6 if self.berichten else 0.0

    @property
    def ratio_floor(self) -> float:
        return self.us_per_bericht / self.floor_us if self.floor_us else 0.0

    @property
    def ratio_floor_eigen(self) -> float:
        return self.us_per_bericht / self.floor_eigen_us if self.floor_eigen_us else 0.0

    def als_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(berichten_per_s=round(self.berichten_per_s, 1), trajecten_per_s=round(self.trajecten_per_s, 1),
                 us_per_bericht=round(self.us_per_bericht, 1), ratio_floor=round(self.ratio_floor, 2),
                 ratio_floor_eigen=round(self.ratio_floor_eigen, 2))
        return d


def regio_jaar() -> BenchInstellingen:
    """The fixed workload of ``ketensim bench`` without options."""
    return BenchInstellingen()


# =============================================================================================
# Stage timers
# =============================================================================================


@contextmanager
def _timer(doel: Any, naam: str, stadia: dict[str, float], stadium: str) -> Iterator[None]:
    """Wrap ``doel.naam`` (a module function or class attribute) with a timer adding to ``stadia[stadium]``."""
    origineel = getattr(doel, naam)
    stadia.setdefault(stadium, 0.0)
    klok = time.perf_counter

    def gemeten(*args: Any, **kwargs: Any) -> Any:
        t = klok()
        try:
            return origineel(*args, **kwargs)
        finally:
            stadia[stadium] += klok() - t

    setattr(doel, naam, gemeten)
    try:
        yield
    finally:
        setattr(doel, naam, origineel)


# =============================================================================================
# The floor: lxml parse + validate of one typical message
# =============================================================================================


def meet_floor(xml: bytes, schema: etree.XMLSchema, n: int, herhaal: int = 5) -> float:
    """Median µs of lxml parse + XSD validate of ``xml`` (a safe parser, as the codec uses)."""
    parser = _parser()
    tijden = []
    for _ in range(herhaal):
        t = time.perf_counter()
        for _ in range(n):
            root = etree.fromstring(xml, parser)
            if not schema.validate(root):
                raise ValueError("the floor message is not schema-valid")
        tijden.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(tijden)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def meet_floor_eigen(berichten: list[tuple[bytes, etree.XMLSchema]], herhaal: int = 5) -> float:
    """Median µs per message of lxml parse + XSD validate over ``berichten`` (each with its schema)."""
    if not berichten:
        return 0.0
    parser = _parser()
    tijden = []
    for _ in range(herhaal):
        t = time.perf_counter()
        for xml, schema in berichten:
            schema.validate(etree.fromstring(xml, parser))
        tijden.append((time.perf_counter() - t) / len(berichten) * 1e6)
    return statistics.median(tijden)


def _steekproef(ledger: Path, aantal: int, n: int, registry: Any) -> list[tuple[bytes, etree.XMLSchema]]:
    """Every k-th message of the ledger (k so that about ``n`` are taken), with its compiled schema."""
    from simulator.ledger import open_ledger

    stap = max(1, aantal // n)
    return [(b.xml, registry.compiled(b.berichttype))
            for i, b in enumerate(open_ledger(ledger).berichten()) if i % stap == 0][:n]


def _floors(ledger: Path, aantal: int, n: int, registry: Any) -> tuple[float, float]:
    """(the JW315 floor, the floor of the run's own messages), both measured now, in this process."""
    typisch = _typisch_bericht(ledger)
    floor = meet_floor(typisch, registry.compiled("JW315"), n) if typisch else 0.0
    return floor, meet_floor_eigen(_steekproef(ledger, aantal, n, registry))


def _typisch_bericht(ledger: Path, berichttype: str = "JW315") -> bytes | None:
    from simulator.ledger import open_ledger

    for b in open_ledger(ledger).berichten():
        if b.berichttype == berichttype:
            return b.xml
    return None


# =============================================================================================
# One bench run
# =============================================================================================


def draai(inst: BenchInstellingen) -> BenchUitslag:
    import reports.controle as controle
    import scenarios.run as run
    from reports.controleer import controleer
    from reports.invoer import open_invoer
    from simulator.ledger import LedgerWriter
    from simulator.profiel import laad_profiel
    from simulator.schemas import SchemaRegistry

    tijdelijk = inst.uit is None
    uit = Path(tempfile.mkdtemp(prefix="ketensim-bench-")) if tijdelijk else inst.uit
    stadia: dict[str, float] = {}
    if inst.workers:
        try:
            return _draai_verdeeld(inst, uit)
        finally:
            if tijdelijk:
                shutil.rmtree(uit, ignore_errors=True)
    try:
        t0 = time.perf_counter()
        with _timer(run, "render", stadia, "render"), \
                _timer(LedgerWriter, "_schrijf", stadia, "ledger write"), \
                _timer(run, "samenvatting", stadia, "summary (ledger read back)"):
            s = run.voer_uit(run.RunInstellingen(
                uit=uit, clients=inst.clients, dagen=inst.dagen, seed=inst.seed, profiel=inst.profiel,
                schemas=inst.schemas, aanbieders=inst.aanbieders, meervoudig=inst.meervoudig))
        t1 = time.perf_counter()
        registry = SchemaRegistry.load(inst.schemas)
        with _timer(controle, "validate", stadia, "validation (parse + XSD)"):
            invoer = open_invoer(uit, registry)
            uitslag = controleer(invoer, laad_profiel(invoer.run.get("profiel") or inst.profiel), registry)
        t2 = time.perf_counter()
        piek = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        simulatie = t1 - t0
        check = t2 - t1
        eigen = {k: v for k, v in stadia.items()}
        stadia_s = {
            "render": eigen["render"],
            "ledger write": eigen["ledger write"],
            "actors, engine, bus": simulatie - eigen["render"] - eigen["ledger write"]
                                   - eigen["summary (ledger read back)"],
            "summary (ledger read back)": eigen["summary (ledger read back)"],
            "validation (parse + XSD)": eigen["validation (parse + XSD)"],
            "checks (read, rules)": check - eigen["validation (parse + XSD)"],
        }
        floor, floor_eigen = _floors(s.ledger, s.berichten, inst.floor_n, registry)
        return BenchUitslag(
            clients=inst.clients, dagen=inst.dagen, seed=inst.seed, meervoudig=inst.meervoudig,
            berichten=s.berichten, trajecten=s.trajecten, wall_s=simulatie + check, simulatie_s=simulatie,
            check_s=check, stadia_s=stadia_s, piek_rss_mb=piek, floor_us=floor, floor_eigen_us=floor_eigen,
            ledger_mb=s.ledger.stat().st_size / 1e6, afwijkingen=len(uitslag.afwijkingen),
            regels_fail=len({o.regel for o in uitslag.afwijkingen}),
            afwijkende_regels=sorted({o.regel for o in uitslag.afwijkingen}))
    finally:
        if tijdelijk:
            shutil.rmtree(uit, ignore_errors=True)


def _draai_verdeeld(inst: BenchInstellingen, uit: Path) -> BenchUitslag:
    """``run --workers N``, each shard simulated and checked in its worker, merged (scenarios/shard.py)."""
    import scenarios.run as run
    from scenarios.shard import voer_uit_en_controleer
    from simulator.schemas import SchemaRegistry

    t0 = time.perf_counter()
    s, uitslag = voer_uit_en_controleer(run.RunInstellingen(
        uit=uit, clients=inst.clients, dagen=inst.dagen, seed=inst.seed, profiel=inst.profiel, schemas=inst.schemas,
        aanbieders=inst.aanbieders, meervoudig=inst.meervoudig), inst.workers)
    wall = time.perf_counter() - t0
    piek = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    registry = SchemaRegistry.load(inst.schemas)
    floor, floor_eigen = _floors(s.ledger, s.berichten, inst.floor_n, registry)
    return BenchUitslag(
        clients=inst.clients, dagen=inst.dagen, seed=inst.seed, meervoudig=inst.meervoudig, berichten=s.berichten,
        trajecten=s.trajecten, wall_s=wall, simulatie_s=wall, check_s=0.0, stadia_s={}, piek_rss_mb=piek,
        floor_us=floor, floor_eigen_us=floor_eigen, ledger_mb=s.ledger.stat().st_size / 1e6, afwijkingen=len(uitslag.afwijkingen),
        regels_fail=len({o.regel for o in uitslag.afwijkingen}), workers=inst.workers,
        afwijkende_regels=sorted({o.regel for o in uitslag.afwijkingen}))


def schrijf(u: BenchUitslag, stroom) -> None:
    w = stroom.write
    w(f"bench: {u.trajecten} trajectories, {u.dagen} days, seed {u.seed}, meervoudig {u.meervoudig}\n")
    w(f"  messages           {u.berichten:>12,}\n")
    if u.workers:
        w(f"  wall time          {u.wall_s:>12.1f} s   (run + check, {u.workers} worker process(es), gemeente shards)\n")
    else:
        w(f"  wall time          {u.wall_s:>12.1f} s   (run {u.simulatie_s:.1f} s + check {u.check_s:.1f} s, one process)\n")
    w(f"  messages/s         {u.berichten_per_s:>12,.0f}\n")
    w(f"  trajectories/s     {u.trajecten_per_s:>12,.0f}\n")
    w(f"  per message        {u.us_per_bericht:>12.1f} µs\n")
    w(f"  lxml floor (JW315) {u.floor_us:>12.1f} µs   parse + validate, median; harness/floor = {u.ratio_floor:.1f}×\n")
    w(f"  lxml, own messages {u.floor_eigen_us:>12.1f} µs   the same calls on a sample of this run's messages; "
      f"harness/that = {u.ratio_floor_eigen:.1f}×\n")
    w(f"  peak RSS           {u.piek_rss_mb:>12.0f} MB{'   (largest process)' if u.workers else ''}\n")
    w(f"  ledger             {u.ledger_mb:>12.0f} MB\n")
    w(f"  deviations         {u.afwijkingen:>12}"
      f"{'   (' + ', '.join(u.afwijkende_regels) + ')' if u.afwijkende_regels else ''}\n")
    if not u.stadia_s:
        return
    w("  time per stage:\n")
    for naam, sec in u.stadia_s.items():
        w(f"    {naam:<28}{sec:>8.2f} s  {sec / u.wall_s * 100 if u.wall_s else 0:>5.1f} %"
          f"  {sec / u.berichten * 1e6 if u.berichten else 0:>7.1f} µs/message\n")
