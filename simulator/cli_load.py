"""``ketensim load --sut ROL:CODE=URL --rate R|max --days D``: a year of traffic through a SUT.

The same lock-step co-simulation as ``ketensim run --sut``, with every call to the SUT timed
(scenarios/belasting.py).  Prints the SUT's throughput, latency percentiles per message type and
per operation, whether it kept its deadlines under that load, and where the wall time went.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli_typen import positief_geheel, sut_opties

EXIT_OK, EXIT_FOUT, EXIT_USAGE = 0, 1, 2


def voeg_toe(sub) -> None:
    p = sub.add_parser("load", help="push a year of traffic through a SUT and measure it",
                       description="Run the route mix in lock-step against a system under test with every call "
                                   "timed: the SUT's throughput, p50/p95/p99 latency per message type and per "
                                   "operation (klok, outbox, toegang), whether it kept its deadlines under the load, "
                                   "and how the wall time splits between the SUT and the harness. Writes the ledger, "
                                   "uitslag.json and belasting.json to --out. Exit 1 when the SUT missed deadlines or "
                                   "did not answer a day.")
    p.add_argument("--sut", required=True, metavar="ROL:CODE=ADRES", help="as for 'ketensim run --sut'")
    p.add_argument("--rate", default="max", metavar="R|max",
                   help="messages delivered per second at most, or max (default: as fast as the SUT takes them)")
    p.add_argument("--days", type=positief_geheel, default=365, metavar="D", help="calendar days (default 365)")
    p.add_argument("--clients", type=positief_geheel, default=1000, metavar="N", help="client trajectories (default 1000)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed; same seed, same traffic (default 1)")
    p.add_argument("--profile", default="mijov-2024", metavar="NAME|FILE.toml",
                   help="protocol profile: a shipped name or a .toml file (default mijov-2024)")
    sut_opties(p)
    p.add_argument("--out", default="ketensim-load", metavar="DIR",
                   help="output folder: ledger.jsonl, uitslag.json, belasting.json (default ./ketensim-load)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json: the figures of belasting.json")
    p.add_argument("--schemas", metavar="DIR", help="iStandaarden release folder (as for 'ketensim run')")
    p.set_defaults(func=cmd_load)


def cmd_load(args: argparse.Namespace) -> int:
    from scenarios.belasting import belast
    from scenarios.run import RunInstellingen
    from simulator.profiel import ProfielFout
    from simulator.sut import SutFout, parse_sut_spec

    try:
        rate = None if args.rate == "max" else float(args.rate)
        if rate is not None and rate <= 0:
            raise ValueError
    except ValueError:
        print(f"ketensim load: --rate must be a positive number or max, not {args.rate!r}", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec = parse_sut_spec(args.sut)
        inst = RunInstellingen(uit=Path(args.out), scenario="mix", clients=args.clients, dagen=args.days,
                               seed=args.seed, profiel=args.profile, schemas=args.schemas, sut=spec,
                               sut_timeout=args.sut_timeout, sut_timeout_dag=args.sut_timeout_dag,
                               sut_token=args.sut_token)
        print(f"load: {args.clients} clients over {args.days} days against {spec.metadata()['adres']} "
              f"(rate {args.rate}) …", file=sys.stderr)
        b = belast(inst, rate)
    except (SutFout, ProfielFout, ValueError) as exc:
        print(f"ketensim load: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"ketensim load: interrupted; the ledger so far is in {args.out}", file=sys.stderr)
        return 130
    d = b.as_dict()
    (inst.uit / "belasting.json").write_text(json.dumps(d, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(d, indent=1, ensure_ascii=False))
    else:
        _tekst(d, sys.stdout)
        print(f"\nfigures: {inst.uit / 'belasting.json'}; verdicts: {inst.uit / 'uitslag.json'}")
    gemist = sum(t["fail"] for t in d["termijnen_sut"].values())
    return EXIT_FOUT if gemist or d["sut_lockstep_fouten"] else EXIT_OK


def _tekst(d: dict, uit) -> None:
    w = uit.write
    w(f"delivered {d['berichten_geleverd']} messages, collected {d['berichten_ontvangen']}, "
      f"over {d['werkdagen']} werkdagen\n")
    if d["doorvoer_per_s"]:
        w(f"SUT throughput: {d['doorvoer_per_s']} delivered messages per second of SUT time\n")
    w(f"wall {d['wall_s']} s = SUT {d['in_sut_s']} s + harness {d['harness_s']} s + pacing {d['pacing_s']} s\n\n")
    w(f"{'latency (ms)':<14}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}\n")
    for soort, l in d["latentie_ms"].items():
        w(f"{soort:<14}{l['n']:>7}{l['p50']:>9}{l['p95']:>9}{l['p99']:>9}\n")
    if d["termijnen_sut"]:
        w("\ndeadlines of the SUT under this load (missed / inconclusive):\n")
        for regel, t in sorted(d["termijnen_sut"].items()):
            w(f"  {regel:<34}{t['fail']:>6}{t['inconclusive']:>6}\n")
    else:
        w("\nthe SUT kept every deadline under this load\n")
    w(f"({d['termijnen_gehaald_in_run']} deadline judgements passed in the whole run)\n")
    if d["sut_lockstep_fouten"]:
        w(f"\nSUT.lockstep: {d['sut_lockstep_fouten']} unanswered day(s) or failed call(s)\n")
