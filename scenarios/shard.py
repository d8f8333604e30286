"""Scale-out: one run sharded by gemeente over worker processes, merged into one ledger.

``voer_uit_verdeeld(inst, workers)`` is ``ketensim run --workers N``. The design
(docs/performance.md, "Scale-out"):

* **The shards are fixed by the profile, not by N**: one shard per gemeente of the profile, in
  profile order. ``--workers N`` only says how many processes run them; ``--workers 1`` runs the
  same shards one after another in this process. So the merged ledger cannot depend on N.
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

import heapq
import json
import multiprocessing
import pickle
import re
import shutil
import time as _time
from array import array
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from simulator.ledger import LEDGER_NAAM, LedgerWriter, _dump
from simulator.profiel import Profiel, laad_profiel
from simulator.schemas import SchemaRegistry

from .run import RunInstellingen, Samenvatting, _start, bouw, samenvatting

SHARD_MAP = "shards"  # inside the --out folder while the shards run; removed after the merge
_KOP = re.compile(rb'^\{"soort":"(?:bericht|gebeurtenis)","seq":(\d+),"datum":"([0-9-]+)"')

# set before the workers fork: the run and each shard's pickled trajectories (read by _draai_shard)
_TAKEN: dict[str, object] = {}


def shards(profiel: Profiel) -> list[str]:
    """The shards of a run: one per gemeente, in profile order (independent of the worker count)."""
    return list(profiel.gemeenten)


def voer_uit_verdeeld(inst: RunInstellingen, workers: int = 1) -> Samenvatting:
    """Run ``inst`` as gemeente shards on ``workers`` processes and merge into ``inst.uit/ledger.jsonl``."""
    t0 = _time.perf_counter()
    registry = SchemaRegistry.load(inst.schemas)
    profiel = inst.profiel if isinstance(inst.profiel, Profiel) else laad_profiel(inst.profiel)
    _controleer(inst, profiel)
    inst.uit.mkdir(parents=True, exist_ok=True)
    map_ = inst.uit / SHARD_MAP
    map_.mkdir(exist_ok=True)

    # the population, drawn once as an unsharded run draws it (its world is thrown away)
    wereld, _, populatie = bouw(inst, profiel, registry, LedgerWriter(map_ / "populatie.jsonl", {}))
    trajecten = populatie.trajecten(inst.clients, wereld.sim.klok.start, inst.dagen, inst.scenario)
    codes = shards(profiel)
    per_shard = {g: [t for t in trajecten if t.gemeente == g] for g in codes}
    _TAKEN.update(inst=inst, profiel=profiel, registry=registry,
                  trajecten={g: pickle.dumps(ts, pickle.HIGHEST_PROTOCOL) for g, ts in per_shard.items()})
    volgorde = sorted(range(len(codes)), key=lambda i: -len(per_shard[codes[i]]))  # biggest first
    try:
        if workers <= 1 or len(codes) == 1:
            for i in volgorde:
                _draai_shard(i)
        else:
            with multiprocessing.get_context("fork").Pool(min(workers, len(codes))) as pool:
                for _ in pool.imap_unordered(_draai_shard, volgorde):
                    pass
    finally:
        _TAKEN.clear()
    pad = inst.uit / LEDGER_NAAM
    _voeg_samen([_shard_pad(map_, i, g) for i, g in enumerate(codes)], pad, _kop(inst, profiel, registry))
    shutil.rmtree(map_)
    s = samenvatting(pad)
    s.trajecten = len(trajecten)
    s.routes = Counter(t.route for t in trajecten)
    s.seconden = _time.perf_counter() - t0
    return s


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


def _shard_pad(map_: Path, index: int, gemeente: str) -> Path:
    return map_ / f"{index:02d}-{gemeente}.jsonl"


def _draai_shard(index: int) -> int:
    """Simulate one shard into its own ledger file; returns its number of messages."""
    inst: RunInstellingen = _TAKEN["inst"]  # type: ignore[assignment]
    profiel: Profiel = _TAKEN["profiel"]  # type: ignore[assignment]
    registry: SchemaRegistry = _TAKEN["registry"]  # type: ignore[assignment]
    gemeente = shards(profiel)[index]
    ledger = LedgerWriter(_shard_pad(inst.uit / SHARD_MAP, index, gemeente), {"shard": index, "gemeente": gemeente})
    compleet = False
    try:
        wereld, rollen, _ = bouw(inst, profiel, registry, ledger)
        wereld.shard = (index, frozenset({gemeente}))
        for t in pickle.loads(_TAKEN["trajecten"][gemeente]):  # type: ignore[index]
            wereld.registreer(t)
            wereld.sim.env.process(_start(wereld, rollen, t))
        werkdagen = wereld.sim.klok.index(inst.start + timedelta(days=inst.dagen))
        wereld.sim.draai(werkdagen, None, berichten=lambda: ledger.aantal_berichten)
        compleet = True
    finally:
        ledger.sluit({"berichten": ledger.aantal_berichten} if compleet else None)
    return ledger.aantal_berichten


def _records(pad: Path, index: int) -> Iterator[tuple[bytes, int, int, bytes]]:
    """(datum, shard, seq, line) of a shard ledger's bericht and gebeurtenis lines, in file order."""
    with open(pad, "rb") as fh:
        for line in fh:
            m = _KOP.match(line)
            if m is None:  # run / einde lines of the shard
                if line.startswith(b'{"soort":"einde"'):
                    return
                continue
            yield m.group(2), index, int(m.group(1)), line
    raise RuntimeError(f"{pad}: shard ledger has no 'einde' line (the shard did not finish)")


def _voeg_samen(paden: list[Path], doel: Path, kop: dict) -> int:
    """Merge shard ledgers by (datum, shard, seq) into one ledger, numbering seq again."""
    nieuw = [array("q", [0]) for _ in paden]  # per shard: its seq → the merged seq
    seq = berichten = 0
    with open(doel, "wb") as uit:
        uit.write(_dump(kop))
        for _, index, oud, line in heapq.merge(*(_records(p, i) for i, p in enumerate(paden))):
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
        uit.write(_dump({"soort": "einde", "berichten": berichten}))
    return berichten
