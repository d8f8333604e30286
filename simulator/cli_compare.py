"""``ketensim compare --profile A --profile B``: the same seeded run under two profiles, side by side.

Wiring only; the measuring and the report live in :mod:`scenarios.vergelijk`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from .cli_typen import positief_geheel

EXIT_OK, EXIT_USAGE = 0, 2


def voeg_toe(sub) -> None:
    p = sub.add_parser(
        "compare", help="what-if: the same seeded run under two profiles, and what differs",
        description="Run the reference actors with the same seed, clients, days and start date under two "
                    "profiles and report the differences: lead time from first contact to start of care per "
                    "route (median, p90), deadline pressure (werkdagen of slack per message against each "
                    "profile's deadline), message volume per route, rejections, the checker's verdict of each "
                    "run, and which rules differ between the profiles (deadlines, rules, toewijzingswijze, "
                    "routes, calendar, catalogue). Text on standard output, all figures in DIR/vergelijking.json.")
    p.add_argument("--profile", action="append", required=True, metavar="NAME|FILE.toml",
                   help="a shipped profile name or a .toml file; give it exactly twice (A, then B)")
    p.add_argument("--clients", type=positief_geheel, default=300, metavar="N", help="client trajectories per run (default 300)")
    p.add_argument("--days", type=positief_geheel, default=365, metavar="D", help="calendar days to simulate (default 365)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed shared by both runs (default 1)")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first simulated day (default 2026-01-01)")
    p.add_argument("--out", default="ketensim-compare", metavar="DIR",
                   help="output folder: A/ and B/ run folders (ledgers) and vergelijking.json (default ./ketensim-compare)")
    p.add_argument("--no-check", action="store_true", help="skip the conformance check of the two runs")
    p.add_argument("--schemas", metavar="DIR", help="iStandaarden release folder (as for 'ketensim run')")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from reports.controle import Controleur
    from scenarios import vergelijk
    from scenarios.run import STANDAARD_START, RunInstellingen, voer_uit
    from simulator.codelijsten import Codelijsten
    from simulator.ledger import open_ledger
    from simulator.profiel import ProfielFout, laad_profiel
    from simulator.schemas import SchemaRegistry

    def fout(tekst: str) -> int:
        print(f"ketensim compare: {tekst}", file=sys.stderr)
        return EXIT_USAGE

    if len(args.profile) != 2:
        return fout(f"give --profile exactly twice (A and B), not {len(args.profile)} time(s)")
    try:
        start = date.fromisoformat(args.start) if args.start else STANDAARD_START
    except ValueError:
        return fout(f"--start {args.start!r} is not a date (YYYY-MM-DD)")
    try:
        profielen = [laad_profiel(p) for p in args.profile]
    except ProfielFout as exc:
        return fout(str(exc))
    uit = Path(args.out)
    if uit.exists() and not uit.is_dir():
        return fout(f"--out {uit} exists and is not a folder")
    registry = SchemaRegistry.load(args.schemas)
    codelijsten = Codelijsten(registry)
    try:  # both catalogues against the release's code lists before anything runs
        for p in profielen:
            p.catalogus(codelijsten)
    except ProfielFout as exc:
        return fout(str(exc))
    metingen = []
    for letter, profiel in zip("AB", profielen):
        map_ = uit / letter
        print(f"running {letter}: {profiel.naam} ({args.clients} clients, {args.days} days, seed {args.seed}) …",
              file=sys.stderr)
        voer_uit(RunInstellingen(uit=map_, clients=args.clients, dagen=args.days, seed=args.seed, profiel=profiel,
                                 schemas=args.schemas, start=start))
        meting = vergelijk.meet(map_, profiel, registry)
        if not args.no_check:
            c = Controleur(profiel, registry)
            for r in open_ledger(map_).records():
                c.verwerk(r)
            u = c.sluit()
            meting.afwijkingen = len(u.afwijkingen)
            per: dict[str, int] = {}
            for o in u.afwijkingen:
                per[o.regel] = per.get(o.regel, 0) + 1
            meting.afwijkingen_per_regel = per
        metingen.append(meting)
    instellingen = {"clients": args.clients, "dagen": args.days, "seed": args.seed, "start": start.isoformat(),
                    "profielen": [str(p.pad) for p in profielen]}
    a, b = metingen
    sys.stdout.write(vergelijk.tekst(a, b, profielen[0], profielen[1], instellingen))
    data = vergelijk.vergelijking(a, b, profielen[0], profielen[1], instellingen)
    (uit / "vergelijking.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n",
                                           encoding="utf-8")
    print(f"\nresult: {uit / 'vergelijking.json'} (ledgers: {uit / 'A'}, {uit / 'B'})")
    return EXIT_OK
