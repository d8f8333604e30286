"""``ketensim bench``: the seeded region-year (or a smaller size) run in full and timed per stage.

Wiring only; the workload, the timers and the floor measurement live in :mod:`scenarios.bench`.
``--sizes`` runs each size in its own process (so each peak RSS is that size's own) ``--repeat``
times and prints medians and the cost per message per size (linear growth: a flat µs/message).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from .cli_typen import niet_negatief_geheel, positief_geheel

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def voeg_toe(sub) -> None:
    from scenarios.bench import (BENCH_SEED, REGIO_JAAR_AANBIEDERS, REGIO_JAAR_MEERVOUDIG,
                                 REGIO_JAAR_TRAJECTEN)

    p = sub.add_parser(
        "bench", help="benchmark: the seeded region-year run + check in full, timed per stage",
        description="Run the fixed, seeded region-year workload in full — population, actors, bus, every message "
                    "rendered and written to the ledger on disk, then the check: every message parsed and "
                    "XSD-validated, every conformance rule judged — and print messages/s, trajectories/s, wall "
                    "time, peak RSS, the time per stage and the ratio of the cost per message to the lxml "
                    "parse+validate floor measured in the same run. Smaller sizes with --clients/--days; "
                    "several sizes (each in its own process, medians of --repeat runs) with --sizes.")
    p.add_argument("--clients", type=positief_geheel, default=REGIO_JAAR_TRAJECTEN, metavar="N",
                   help=f"client trajectories (default {REGIO_JAAR_TRAJECTEN:,}: the region-year)")
    p.add_argument("--days", type=positief_geheel, default=365, metavar="D", help="calendar days (default 365)")
    p.add_argument("--seed", type=int, default=BENCH_SEED, metavar="S", help=f"random seed (default {BENCH_SEED})")
    p.add_argument("--meervoudig", type=float, default=REGIO_JAAR_MEERVOUDIG, metavar="F",
                   help="share of trajectories that are a further trajectory of an earlier client "
                        f"(default {REGIO_JAAR_MEERVOUDIG}; the BSN test range holds 9,091 people)")
    p.add_argument("--aanbieders", type=positief_geheel, default=REGIO_JAAR_AANBIEDERS, metavar="A",
                   help=f"aanbieders (default {REGIO_JAAR_AANBIEDERS})")
    p.add_argument("--workers", type=niet_negatief_geheel, default=0, metavar="N",
                   help="run sharded by gemeente on N worker processes, each checking its own shard (as "
                        "'run --workers N'); default 0: one process, timed per stage")
    p.add_argument("--sizes", metavar="N,N,…",
                   help="several trajectory counts, each in its own process; prints medians and µs/message per size")
    p.add_argument("--repeat", type=positief_geheel, default=1, metavar="R", help="runs per size for --sizes (medians; default 1)")
    p.add_argument("--out", metavar="DIR", help="keep the run's ledger in DIR (default: a temporary folder, removed)")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON ('-' for standard output only)")
    p.add_argument("--schemas", metavar="DIR", help="iStandaarden release folder (as for 'ketensim run')")
    p.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    from scenarios.bench import BenchInstellingen, draai, schrijf

    def fout(tekst: str) -> int:
        print(f"ketensim bench: {tekst}", file=sys.stderr)
        return EXIT_USAGE

    if not 0 <= args.meervoudig < 1:
        return fout("--meervoudig must be at least 0 and below 1")
    if args.sizes:
        try:
            sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        except ValueError:
            return fout(f"--sizes {args.sizes!r} is not a comma-separated list of numbers")
        if not sizes or min(sizes) < 1:
            return fout("--sizes needs at least one positive number")
        return _sizes(args, sizes)
    inst = BenchInstellingen(clients=args.clients, dagen=args.days, seed=args.seed, meervoudig=args.meervoudig,
                             aanbieders=args.aanbieders, schemas=args.schemas, workers=args.workers,
                             uit=Path(args.out) if args.out else None)
    try:
        u = draai(inst)
    except Exception as exc:  # a missing schema folder, an unwritable --out: a clear message, no traceback
        from simulator.schemas import SchemaFolderError

        if isinstance(exc, (SchemaFolderError, OSError, ValueError)):
            return fout(str(exc))
        raise
    if args.json == "-":
        json.dump(u.als_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    schrijf(u, sys.stdout)
    if args.json:
        Path(args.json).write_text(json.dumps(u.als_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def _sizes(args: argparse.Namespace, sizes: list[int]) -> int:
    """Each size ``--repeat`` times in a fresh process; a table of medians."""
    rijen = []
    for n in sizes:
        metingen = []
        for _ in range(args.repeat):
            cmd = [sys.executable, "-m", "simulator.cli", "bench", "--clients", str(n), "--days", str(args.days),
                   "--seed", str(args.seed), "--meervoudig", str(args.meervoudig), "--aanbieders",
                   str(args.aanbieders), "--workers", str(args.workers), "--json", "-"]
            if args.schemas:
                cmd += ["--schemas", args.schemas]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                print(p.stderr, file=sys.stderr)
                return EXIT_FAIL
            metingen.append(json.loads(p.stdout.strip().splitlines()[-1]))
            print(f"  size {n}: run {len(metingen)}/{args.repeat}: {metingen[-1]['wall_s']:.1f} s", file=sys.stderr)
        rijen.append(_mediaan(metingen))
    w = sys.stdout.write
    w(f"bench sizes ({args.days} days, seed {args.seed}, medians of {args.repeat} run(s), each size in its own process"
      f"{f', {args.workers} workers' if args.workers else ''})\n")
    w(f"{'trajectories':>12} {'messages':>10} {'wall s':>8} {'msg/s':>8} {'µs/msg':>8} {'floor µs':>8} "
      f"{'ratio':>6} {'own µs':>7} {'ratio':>6} {'peak MB':>8} {'deviations':>10}\n")
    for r in rijen:
        w(f"{r['trajecten']:>12,} {r['berichten']:>10,} {r['wall_s']:>8.1f} {r['berichten_per_s']:>8,.0f} "
          f"{r['us_per_bericht']:>8.1f} {r['floor_us']:>8.1f} {r['ratio_floor']:>6.1f} {r['floor_eigen_us']:>7.1f} "
          f"{r['ratio_floor_eigen']:>6.1f} {r['piek_rss_mb']:>8.0f} "
          f"{r['afwijkingen']:>10}\n")
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(rijen, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def _mediaan(metingen: list[dict]) -> dict:
    uit = dict(metingen[0])
    for k in ("wall_s", "simulatie_s", "check_s", "piek_rss_mb", "floor_us", "berichten_per_s", "trajecten_per_s",
              "us_per_bericht", "ratio_floor", "floor_eigen_us", "ratio_floor_eigen"):
        uit[k] = statistics.median(m[k] for m in metingen)
    uit["stadia_s"] = {k: statistics.median(m["stadia_s"][k] for m in metingen) for k in metingen[0]["stadia_s"]}
    uit["alle_wall_s"] = [m["wall_s"] for m in metingen]
    uit["runs"] = len(metingen)
    return uit
