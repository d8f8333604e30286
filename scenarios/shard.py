"""Scale-out: one run sharded by gemeente over worker processes, merged into one ledger.

``voer_uit_verdeeld(inst, workers)`` is ``ketensim run --workers N``. The design
(docs/performance.md, "Scale-out"):

* **The shards are fixed by the profile, not by N**: one shard per gemeente of the profile, in
  profile order, a big gemeente split by aanbieder (:func:`shards`). ``--workers N`` only says how
  many processes run them; ``--workers 1`` runs the same shards one after another in this process.
  So the merged ledger cannot depend on N.
* **The population is drawn once**, here, exactly as an unsharded run draws it (same trajectory
  ids, people and BSNs); each shard gets the trajectories of its gemeente (pickled, so every shard
  starts from the same fresh objects whether it runs here or in a forked worker).
* **Each shard is a whole world** (every gemeente, aanbieder, toegang and verwijzer actor: a
  woonplaatsbeginsel trajectory sends its first 315 to another gemeente) that plays only its own
  trajectories. Randomness is already keyed by trajectory and purpose (``Actor.rng``), identifiers
  are counted per gemeente; an identifier a shard numbers under *another* shard's gemeente comes
  from a range of the shard's own (``Wereld.nummer_start``), so shards never collide.
* **Merge order**: records are merged by (datum, shard number, the shard's own seq) and numbered
  again 1, 2, 3 …; an event naming the seq of a message (``onbestelbaar`` …) is renumbered with it.
  The header is the unsharded run's header plus ``"verdeling": "gemeente"``.

What differs from an unsharded run of the same seed: within a day the records are grouped by
gemeente instead of interleaved in simulation order, a fault switch's ``hoe_vaak`` counts per
shard, and an aanbieder's monthly 323 batch process runs in each shard for that shard's gemeente
(each 323 covers one gemeente in both). The merged ledger is byte-identical for every N
(``tests/test_shard.py``), and a clean sharded run checks without deviations.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import multiprocessing
import pickle
import re
import shutil
import signal
import time as _time
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

from actors.traject import Traject
from reports.controle import Controleur, Verwachting
from reports.uitslag import Uitslag
from simulator.ledger import LEDGER_NAAM, Ledger, LedgerWriter, _dump
from simulator.profiel import Profiel, laad_profiel
from simulator.schemas import SchemaRegistry

from .routes import begin
from .run import RunInstellingen, Samenvatting, bouw, samenvatting

SHARD_MAP = "shards"  # inside the --out folder while the shards run; removed after the merge
_KOP = re.compile(rb'^\{"soort":"(?:bericht|gebeurtenis)","seq":(\d+),"datum":"([0-9-]+)"')

# set before the workers fork: the run and each shard's pickled trajectories (read by _draai_shard)
_TAKEN: dict[str, object] = {}


@dataclass(frozen=True)
class Shard:
    """One gemeente, or one part of a big gemeente's aanbieders (``deel`` of ``delen``)."""

    gemeente: str
    deel: int = 0
    delen: int = 1

    @property
    def naam(self) -> str:
        return self.gemeente if self.delen == 1 else f"{self.gemeente}.{self.deel}"

    def bevat(self, t: Traject) -> bool:
        """A trajectory's shard: its gemeente and, for a split gemeente, its aanbieder. An aanbieder's whole
        relation with a gemeente (its clients, 315s, 323 batches) stays in one shard."""
        return t.gemeente == self.gemeente and (self.delen == 1 or zlib.crc32(t.aanbieder.encode()) % self.delen == self.deel)


MAX_SHARDS = 9  # identifier ranges (Wereld.nummer_start)


def shards(profiel: Profiel) -> list[Shard]:
    """The shards of a run, from the profile only (never from the worker count): one per gemeente in
    profile order; a gemeente with more than a quarter of the region's inhabitants is split by aanbieder
    into ceil(4 × its share) parts, so no shard dominates (MIJOV: Apeldoorn in two, nine shards)."""
    totaal = sum(g.inwoners for g in profiel.gemeenten.values()) or 1
    uit = []
    for code, g in profiel.gemeenten.items():
        delen = max(1, math.ceil(4 * g.inwoners / totaal - 1e-9))
        uit.extend(Shard(code, d, delen) for d in range(delen))
    if len(uit) > MAX_SHARDS:
        raise ValueError(f"profile {profiel.naam} gives {len(uit)} shards; a sharded run supports at most {MAX_SHARDS}")
    return uit


def voer_uit_verdeeld(inst: RunInstellingen, workers: int = 1) -> Samenvatting:
    """Run ``inst`` as gemeente shards on ``workers`` processes and merge into ``inst.uit/ledger.jsonl``."""
    return _verdeeld(inst, workers, False)[0]


def voer_uit_en_controleer(inst: RunInstellingen, workers: int = 1) -> tuple[Samenvatting, Uitslag]:
    """As :func:`voer_uit_verdeeld`, and every shard's worker checks its own ledger (XSD and every rule)
    right after simulating it; the shard results are closed with the merged ledger's last date and
    added up into the result ``ketensim check`` gives for the merged ledger (tests/test_shard.py)."""
    s, u = _verdeeld(inst, workers, True)
    assert u is not None
    return s, u


def _verdeeld(inst: RunInstellingen, workers: int, controleer: bool) -> tuple[Samenvatting, Uitslag | None]:
    t0 = _time.perf_counter()
    registry = SchemaRegistry.load(inst.schemas)
    profiel = inst.profiel if isinstance(inst.profiel, Profiel) else laad_profiel(inst.profiel)
    _controleer(inst, profiel)
    inst.uit.mkdir(parents=True, exist_ok=True)
    map_ = inst.uit / SHARD_MAP
    map_.mkdir(exist_ok=True)

    # the population, drawn once as an unsharded run draws it (its world is thrown away)
    t_pop = _time.perf_counter()
    trajecten = _populatie(inst, profiel, registry, map_)
    codes = shards(profiel)
    per_shard = {sh: [t for t in trajecten if sh.bevat(t)] for sh in codes}
    assert sum(map(len, per_shard.values())) == len(trajecten)
    _TAKEN.update(inst=inst, profiel=profiel, registry=registry, controleer=controleer,
                  trajecten={g: pickle.dumps(ts, pickle.HIGHEST_PROTOCOL) for g, ts in per_shard.items()})
    volgorde = sorted(range(len(codes)), key=lambda i: -len(per_shard[codes[i]]))  # biggest first
    meting = Meting(workers=workers, populatie=_time.perf_counter() - t_pop)
    t_shards = _time.perf_counter()
    uitkomsten: dict[int, ShardUitkomst] = {}
    pad = inst.uit / LEDGER_NAAM
    kop = _kop(inst, profiel, registry)
    paden = [_shard_pad(map_, i, sh) for i, sh in enumerate(codes)]
    try:
        if workers <= 1 or len(codes) == 1:
            for i in volgorde:
                uitkomsten[i] = _draai_shard(i)
        else:
            with multiprocessing.get_context("fork").Pool(min(workers, len(codes)), _stil_bij_ctrl_c) as pool:
                for i, u in zip(volgorde, pool.imap(_draai_shard, volgorde)):
                    uitkomsten[i] = u
    except KeyboardInterrupt:
        # Ctrl-C: the shards stopped at different dates. The merged ledger (no einde: an interrupted
        # run) holds every shard's records up to the date the least advanced shard reached, so a
        # partial check sees one consistent horizon; the shard ledgers stay whole in DIR/shards/.
        _voeg_samen(paden, pad, kop, compleet=False, tot=_horizon(paden))
        raise
    finally:
        _TAKEN.clear()
    meting.shards = _time.perf_counter() - t_shards
    t_samen = _time.perf_counter()
    _, sha = _voeg_samen(paden, pad, kop)
    shutil.rmtree(map_)
    delen = [uitkomsten[i] for i in range(len(codes))]
    s = _samenvatting(pad, [d.samenvatting for d in delen])
    s.trajecten = len(trajecten)
    s.routes = Counter(t.route for t in trajecten)
    uitslag = _uitslag(delen, profiel, registry, pad, kop, sha) if controleer else None
    meting.samenvoegen = _time.perf_counter() - t_samen
    meting.shard_cpu = [d.cpu for d in delen]
    s.seconden = meting.totaal = _time.perf_counter() - t0
    LAATSTE_METING[0] = meting
    return s, uitslag


@dataclass
class ShardUitkomst:
    """What a shard's worker sends back: the summary of its ledger and, when checked, its open state."""

    samenvatting: Samenvatting
    uitslag: Uitslag | None = None  # counts and judgements so far (not closed)
    open: list[Verwachting] = field(default_factory=list)  # expectations still open at its end
    laatste_datum: date | None = None
    cpu: float = 0.0  # CPU seconds of the worker on this shard (simulation + check)


@dataclass
class Meting:
    """Where a sharded run's wall time went (``LAATSTE_METING[0]`` after a run; for the bench and docs)."""

    workers: int
    populatie: float = 0.0  # drawing the population (serial, in this process)
    shards: float = 0.0  # wall time of all shards on the workers
    samenvoegen: float = 0.0  # merge, summary, closing the checks, the ledger's SHA-256 (serial)
    totaal: float = 0.0
    shard_cpu: list[float] = field(default_factory=list)

    @property
    def kritiek_pad(self) -> float:
        """Serial parts + the longest shard: the wall time with enough free cores."""
        return self.populatie + self.samenvoegen + max(self.shard_cpu, default=0.0)


LAATSTE_METING: list[Meting] = [Meting(0)]


def _samenvatting(pad: Path, delen: list[Samenvatting]) -> Samenvatting:
    """The merged ledger's summary from the shards' summaries (equal to ``samenvatting(pad)``)."""
    s = Samenvatting(ledger=pad, berichten=0, trajecten=0)
    for d in delen:
        s.berichten += d.berichten
        for naam in ("per_type", "per_route", "per_gemeente", "gebeurtenissen"):
            getattr(s, naam).update(getattr(d, naam))
        if d.eerste_dag is not None:
            s.eerste_dag = min(s.eerste_dag or d.eerste_dag, d.eerste_dag)
            s.laatste_dag = max(s.laatste_dag or d.laatste_dag, d.laatste_dag)  # type: ignore[type-var]
        s.compleet = s.compleet and d.compleet
    return s


def _uitslag(delen: list[ShardUitkomst], profiel: Profiel, registry: SchemaRegistry, pad: Path, kop: dict,
             sha: str) -> Uitslag:
    """Close every shard's check with the merged ledger's last date and add the results up."""
    from reports.controleer import run_metadata
    from reports.invoer import Invoer

    laatste = max((d.laatste_datum for d in delen if d.laatste_datum is not None), default=None)
    gesloten = []
    for d in delen:
        c = Controleur(profiel, registry)
        c.uitslag = d.uitslag  # type: ignore[assignment]
        c.open = {i: v for i, v in enumerate(d.open)}
        gesloten.append(c.sluit(einde=laatste))
    samen = Uitslag({}, gesloten[0].regels)
    for u in gesloten:
        for k, c in u.tellingen.items():
            samen.tellingen.setdefault(k, Counter()).update(c)
        for k, routes in u.per_route.items():
            for rt, c in routes.items():
                samen.per_route.setdefault(k, {}).setdefault(rt, Counter()).update(c)
        samen.oordelen.extend(u.oordelen)
        samen.berichten += u.berichten
        samen.ongeldig += u.ongeldig
        samen.derived.extend(t for t in u.derived if t not in samen.derived)
    samen.derived.sort()
    samen.oordelen.sort(key=lambda o: (o.datum, o.regel, o.berichten))
    # what controleer() of the merged ledger says about it, without reading its bytes twice more
    samen.run = run_metadata(Invoer(f"ledger {pad}", None, None, dict(kop), True, True, []), profiel, samen)
    samen.run["ledger"] = {"pad": str(pad), "sha256": sha}
    return samen


def _populatie(inst: RunInstellingen, profiel: Profiel, registry: SchemaRegistry, map_: Path) -> list[Traject]:
    """The run's trajectories, drawn exactly as an unsharded run draws them (in a world thrown away)."""
    ledger = LedgerWriter(map_ / "populatie.jsonl", {})  # the world's bus needs one; nothing is sent
    try:
        wereld, _, populatie = bouw(inst, profiel, registry, ledger)
        return populatie.trajecten(inst.clients, wereld.sim.klok.start, inst.dagen, inst.scenario)
    finally:
        ledger.sluit()
        ledger.pad.unlink()


def _stil_bij_ctrl_c() -> None:
    """Workers ignore Ctrl-C: the parent stops them and keeps what they wrote (each line is flushed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _controleer(inst: RunInstellingen, profiel: Profiel) -> None:
    from actors.fouten import FOUTEN

    if getattr(inst, "sut", None) is not None:
        raise ValueError("--workers shards a run of reference actors; a run with --sut is not sharded")
    onbekend = sorted(set(inst.fouten) - set(FOUTEN))
    if onbekend:
        raise ValueError(f"unknown fault(s) {', '.join(onbekend)}; known: {', '.join(sorted(FOUTEN))}")
    if inst.scenario != "mix" and inst.scenario not in profiel.routes:
        raise ValueError(f"unknown scenario {inst.scenario!r}; choose 'mix' or one of: {', '.join(profiel.routes)}")


def _kop(inst: RunInstellingen, profiel: Profiel, registry: SchemaRegistry) -> dict:
    """The merged ledger's run header: an unsharded run's header (scenarios/run.py) + the sharding."""
    return {
        "soort": "run", "profiel": profiel.naam, "seed": inst.seed, "scenario": inst.scenario, "clients": inst.clients,
        "dagen": inst.dagen, "start": inst.start.isoformat(), "schemas": str(registry.root),
        "fouten": sorted(inst.fouten),
        "release": "iJw 3.2 / iWmo 3.2", "derived": sorted(t for t in registry.berichttypen if registry.is_derived(t)),
        **({"meervoudig": inst.meervoudig} if inst.meervoudig else {}),
        "verdeling": "gemeente",
    }


def _shard_pad(map_: Path, index: int, shard: Shard) -> Path:
    return map_ / f"{index:02d}-{shard.naam}.jsonl"


def _draai_shard(index: int) -> "ShardUitkomst":
    """Simulate one shard into its own ledger file (and check it when asked)."""
    cpu0 = _time.process_time()
    inst: RunInstellingen = _TAKEN["inst"]  # type: ignore[assignment]
    profiel: Profiel = _TAKEN["profiel"]  # type: ignore[assignment]
    registry: SchemaRegistry = _TAKEN["registry"]  # type: ignore[assignment]
    shard = shards(profiel)[index]
    ledger = LedgerWriter(_shard_pad(inst.uit / SHARD_MAP, index, shard), {"shard": index, "gemeente": shard.naam})
    _simuleer(inst, profiel, registry, index, pickle.loads(_TAKEN["trajecten"][shard]), ledger)  # type: ignore[index]
    uit = ShardUitkomst(samenvatting(ledger.pad))
    if _TAKEN["controleer"]:
        c = Controleur(profiel, registry)
        for rec in Ledger(ledger.pad, {}, None, []).records():
            c.verwerk(rec)
        uit.uitslag, uit.open, uit.laatste_datum = c.uitslag, list(c.open.values()), c.laatste_datum
    uit.cpu = _time.process_time() - cpu0
    return uit


def _simuleer(inst: RunInstellingen, profiel: Profiel, registry: SchemaRegistry, index: int,
              trajecten: list[Traject], ledger: LedgerWriter) -> None:
    """Play shard ``index``'s trajectories in a world of its own; closes the ledger (with einde when done)."""
    shard = shards(profiel)[index]
    compleet = False
    try:
        wereld, rollen, _ = bouw(inst, profiel, registry, ledger)
        # the first part of a gemeente numbers under its own code from 1, every other numbering in a range
        # of this shard (Wereld.nummer_start)
        wereld.shard = (index, frozenset({shard.gemeente}) if shard.deel == 0 else frozenset())
        for t in trajecten:
            wereld.registreer(t)
            wereld.sim.plan_op(t.aanmelding, begin, rollen, t)
        werkdagen = wereld.sim.klok.index(inst.start + timedelta(days=inst.dagen))
        wereld.sim.draai(werkdagen, None, berichten=lambda: ledger.aantal_berichten)
        compleet = True
    finally:
        ledger.sluit({"berichten": ledger.aantal_berichten} if compleet else None)


def voer_shard_uit(inst: RunInstellingen, index: int) -> Samenvatting:
    """Only shard ``index`` of the run, as a ledger of its own in ``inst.uit`` (the pytest plugin's
    gemeente shards: one xdist item group per shard). Its records are the ones the same shard adds to
    the merged ledger of ``ketensim run --workers``; the header says which shard it is."""
    t0 = _time.perf_counter()
    registry = SchemaRegistry.load(inst.schemas)
    profiel = inst.profiel if isinstance(inst.profiel, Profiel) else laad_profiel(inst.profiel)
    _controleer(inst, profiel)
    alle = shards(profiel)
    shard = alle[index]
    inst.uit.mkdir(parents=True, exist_ok=True)
    trajecten = [t for t in _populatie(inst, profiel, registry, inst.uit) if shard.bevat(t)]
    kop = _kop(inst, profiel, registry)
    kop.pop("soort")
    kop["shard"] = {"index": index, "naam": shard.naam, "aantal": len(alle)}
    ledger = LedgerWriter(inst.uit / LEDGER_NAAM, kop)
    _simuleer(inst, profiel, registry, index, trajecten, ledger)
    s = samenvatting(ledger.pad)
    s.trajecten = len(trajecten)
    s.routes = Counter(t.route for t in trajecten)
    s.seconden = _time.perf_counter() - t0
    return s


def _records(pad: Path, index: int, compleet: bool = True) -> Iterator[tuple[bytes, int, int, bytes]]:
    """(datum, shard, seq, line) of a shard ledger's bericht and gebeurtenis lines, in file order.
    ``compleet=False`` (an interrupted run): a missing shard file or ``einde`` line is no error, and
    a line torn by the interruption (no newline) is left out."""
    if not compleet and not pad.exists():
        return
    with open(pad, "rb") as fh:
        for line in fh:
            m = _KOP.match(line)
            if m is None:  # run / einde lines of the shard
                if line.startswith(b'{"soort":"einde"'):
                    return
                continue
            if compleet or line.endswith(b"\n"):
                yield m.group(2), index, int(m.group(1)), line
    if compleet:
        raise RuntimeError(f"{pad}: shard ledger has no 'einde' line (the shard did not finish)")


def _horizon(paden: list[Path]) -> bytes | None:
    """The last date every shard that recorded anything has reached (interrupted runs)."""
    laatste = []
    for i, p in enumerate(paden):
        d = None
        for d, *_ in _records(p, i, compleet=False):
            pass
        if d is not None:
            laatste.append(d)
    return min(laatste, default=None)


def _voeg_samen(paden: list[Path], doel: Path, kop: dict, compleet: bool = True,
                tot: bytes | None = None) -> tuple[int, str]:
    """Merge shard ledgers by (datum, shard, seq) into one ledger, numbering seq again; returns the
    number of messages and the merged ledger's SHA-256. ``compleet=False``: what interrupted shards
    recorded, without an ``einde`` line (the ledger then reads as an interrupted run); ``tot``: only
    records dated up to that day (ISO bytes)."""
    h = hashlib.sha256()
    nieuw = [array("q", [0]) for _ in paden]  # per shard: its seq → the merged seq
    seq = berichten = 0
    with open(doel, "wb") as uit:
        uit.write(regel := _dump(kop))
        h.update(regel)
        for datum, index, oud, line in heapq.merge(*(_records(p, i, compleet) for i, p in enumerate(paden))):
            if tot is not None and datum > tot:
                break
            seq += 1
            kaart = nieuw[index]
            kaart.extend([0] * (oud + 1 - len(kaart)))
            kaart[oud] = seq
            if line.count(b'"seq":') > 1:  # an event naming a message by its seq
                rec = json.loads(line)
                rec["seq"] = seq
                g = rec.get("gegevens")
                if isinstance(g, dict) and isinstance(g.get("seq"), int):
                    g["seq"] = kaart[g["seq"]]
                line = _dump(rec)
            else:
                kop_lengte = len(b'"seq":') + line.index(b'"seq":')
                einde = line.index(b",", kop_lengte)
                line = line[:kop_lengte] + str(seq).encode() + line[einde:]
            if line.startswith(b'{"soort":"bericht"'):
                berichten += 1
            uit.write(line)
            h.update(line)
        if compleet:
            uit.write(regel := _dump({"soort": "einde", "berichten": berichten}))
            h.update(regel)
    return berichten, h.hexdigest()
