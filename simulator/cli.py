"""The ``ketensim`` command line. Wiring only: each command's work lives in its own module."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from .cli_typen import niet_negatief_geheel, positief_geheel, positief_getal, sut_opties
from .schemas import ENV_VAR, SchemaFolderError, SchemaRegistry

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
ketensim — simulation and conformance harness for iJw 3.2 / iWmo 3.2 message traffic
(Regionaal Administratieprotocol Zorgregio Midden-IJssel/Oost-Veluwe).

The iStandaarden schema folder is taken from --schemas DIR, else $KETENSIM_SCHEMAS,
else ../shared/istandaarden beside the project."""


def _add_schemas(p: argparse.ArgumentParser) -> None:
    p.add_argument("--schemas", metavar="DIR",
                   help=f"iStandaarden release folder (default: ${ENV_VAR}, else ../shared/istandaarden)")


def _registry(args: argparse.Namespace, *, require_complete: bool = True) -> SchemaRegistry:
    return SchemaRegistry.load(args.schemas, require_complete=require_complete)


# -- commands -------------------------------------------------------------------------------

def cmd_validate(args: argparse.Namespace) -> int:
    from . import valideren

    registry = _registry(args)
    try:
        paden = valideren.bestanden(args.paths)
    except valideren.InvoerFout as exc:
        print(f"ketensim validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    uitslagen = valideren.valideer_bestanden(paden, registry, max_bytes=args.max_bytes, detail=not args.fast)
    (valideren.schrijf_json if args.format == "json" else valideren.schrijf_tekst)(uitslagen, sys.stdout)
    return EXIT_FINDINGS if any(not u.validatie.geldig for u in uitslagen) else EXIT_OK


def cmd_schemas(args: argparse.Namespace) -> int:
    registry = _registry(args, require_complete=False)
    s = registry.summary(compileer=True)
    if args.format == "json":
        print(json.dumps(s, indent=2))
    else:
        print(f"schema folder: {s['folder']}  (from {s['from']})")
        for naam, d in s["standards"].items():  # type: ignore[union-attr]
            print(f"{naam}: release {d['release'] or '? (no release in basisschema.xsd appinfo)'}, "
                  f"basisschema.xsd version {d['basisschema_versie'] or '?'}")
            print(f"  official ({len(d['official'])}): {' '.join(d['official']) or '-'}")
            print(f"  derived, unofficial ({len(d['derived'])}): {' '.join(d['derived']) or '-'}")
            per_versie: dict[str, list[str]] = {}
            for t, v in d["versions"].items():
                per_versie.setdefault(v or "? (no BerichtXsdVersie in appinfo)", []).append(t)
            for v, types in per_versie.items():
                print(f"  XSD version {v}: {' '.join(types)}")
        for kop, regels in (("does not compile", s["not_compiling"]), ("missing", s["missing"])):
            print(f"{kop}: " + ("none" if not regels else ""))
            for m in regels:  # type: ignore[union-attr]
                print(f"  - {m}")
    return EXIT_FINDINGS if registry.missing or s["not_compiling"] else EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from .genereer import genereer
    from .render import render
    from .schemas import parse_berichttype

    try:
        std, nummer = parse_berichttype(args.type)
    except ValueError as exc:
        print(f"ketensim generate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    registry = _registry(args)
    berichttype = f"{std.type_prefix}{nummer}"
    bericht = genereer(berichttype, args.seed, registry)
    sys.stdout.buffer.write(render(bericht, registry))
    sys.stdout.flush()
    if registry.is_derived(berichttype):  # on stderr: stdout stays exactly the message
        print(f"ketensim generate: {berichttype} follows a derived schema — unofficial "
              f"({registry.schema(berichttype).pad.name} is listed in {std.map}/xsd/DERIVED.txt), "
              "not an official iStandaarden XSD", file=sys.stderr)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from scenarios.run import RunInstellingen, schrijf_samenvatting, voer_uit

    from .voortgang import Voortgang

    from simulator.sut import SutFout, parse_sut_spec

    try:
        sut = parse_sut_spec(args.sut) if getattr(args, "sut", None) else None
    except SutFout as exc:
        print(f"ketensim {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    inst = RunInstellingen(uit=Path(args.out), scenario=args.scenario, clients=args.clients, dagen=args.days,
                           seed=args.seed, profiel=args.profile, schemas=args.schemas, sut=sut,
                           sut_timeout=getattr(args, "sut_timeout", 30.0),
                           sut_timeout_dag=getattr(args, "sut_timeout_dag", None), sut_token=getattr(args, "sut_token", None))
    balk = Voortgang(0, "simulating")

    def voortgang(v) -> None:
        balk.totaal = max(1, v.totaal)
        balk.stap(v.werkdag, f"werkdag {v.werkdag}/{v.totaal}, {v.berichten} messages")

    try:
        if getattr(args, "workers", None) is not None:
            from scenarios.shard import voer_uit_verdeeld

            s = voer_uit_verdeeld(inst, args.workers)
        else:
            s = voer_uit(inst, voortgang)
    except ValueError as exc:  # a ProfielFout (a ValueError too), an unknown fault or scenario, a --sut that fails
        print(f"ketensim {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        balk.klaar()
        print(f"ketensim {args.command}: interrupted; the ledger so far is in {inst.uit}", file=sys.stderr)
        _gedeeltelijk_rapport(inst.uit, args)
        return 130
    balk.klaar()
    schrijf_samenvatting(s, sys.stdout)
    if inst.sut is not None:
        g = s.gebeurtenissen
        print(f"\nsystem under test {inst.sut.rol} {inst.sut.code} at {inst.sut.metadata()['adres']}: "
              f"{g['sut_dag_onbeantwoord']} unanswered day(s), {g['sut_fout']} failed call(s)"
              + (", GIVEN UP during the run (see the ledger's sut_opgegeven event)" if g["sut_opgegeven"] else ""))
    with open(inst.uit / "samenvatting.txt", "w", encoding="utf-8") as fh:
        schrijf_samenvatting(s, fh)
    return EXIT_OK


def _gedeeltelijk_rapport(uit, args: argparse.Namespace) -> None:
    """After Ctrl-C: the summary and the verdicts of what the ledger holds (an interrupted run)."""
    from reports.controleer import controleer
    from reports.invoer import open_invoer
    from scenarios.run import samenvatting, schrijf_samenvatting
    from simulator.ledger import LedgerFout
    from simulator.profiel import laad_profiel

    try:
        s = samenvatting(uit / "ledger.jsonl")
        with open(uit / "samenvatting.txt", "w", encoding="utf-8") as fh:
            schrijf_samenvatting(s, fh)
        invoer = open_invoer(uit, _registry(args))
        uitslag = controleer(invoer, laad_profiel(args.profile), _registry(args))
        uitslag.schrijf(uit / "uitslag.json")
        print(f"partial report: {uit / 'samenvatting.txt'}, {uit / 'uitslag.json'} "
              f"({s.berichten} messages; {len(uitslag.afwijkingen)} deviation(s) so far)", file=sys.stderr)
    except (LedgerFout, OSError, KeyboardInterrupt) as exc:
        print(f"ketensim {args.command}: no partial report ({type(exc).__name__}: {exc})", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    """The README's main job: a small mixed run, its conformance check and the HTML report."""
    from pathlib import Path

    from reports.controleer import controleer
    from reports.html import schrijf_html
    from reports.invoer import open_invoer
    from reports.tekst import schrijf_uitslag
    from simulator.profiel import laad_profiel

    args.scenario = "mix"
    code = cmd_run(args)
    if code != EXIT_OK:
        return code
    uit = Path(args.out)
    registry = _registry(args)
    invoer = open_invoer(uit, registry)
    print(f"\nchecking {uit / 'ledger.jsonl'} against every rule of {args.profile} …")
    uitslag = controleer(invoer, laad_profiel(args.profile), registry)
    schrijf_uitslag(uitslag, invoer.beschrijving, sys.stdout, 10)
    uitslag.schrijf(uit / "uitslag.json")
    rapport = schrijf_html(uitslag, invoer.ledger_pad, uit / "rapport.html")
    print(f"\ndemo output in {uit}/: ledger.jsonl (every message and event), samenvatting.txt, "
          f"uitslag.json (the verdicts), {rapport.name} (open it in a browser)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reports.controle import Controleur
    from reports.controleer import run_metadata
    from reports.invoer import open_invoer
    from reports.tekst import schrijf_uitslag
    from simulator.ledger import LedgerFout
    from simulator.profiel import ProfielFout, laad_profiel

    from .voortgang import Voortgang

    registry = _registry(args)
    try:
        if getattr(args, "follow", False):
            from reports.volgen import volg_invoer

            invoer = volg_invoer(args.input, args.timeout)
        else:
            invoer = open_invoer(args.input, registry)
        profielnaam = args.profile or invoer.run.get("profiel") or "mijov-2024"
        profiel = laad_profiel(profielnaam)
        controleur = Controleur(profiel, registry, historie_compleet=invoer.historie_compleet)  # catalogue vs code lists
    except (LedgerFout, ProfielFout) as exc:
        print(f"ketensim check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for w in invoer.waarschuwingen:
        print(f"warning: {w}", file=sys.stderr)
    balk = Voortgang(max(1, invoer.run.get("dagen", 1)), "checking")
    try:
        eerste = None
        for rec in invoer.stroom():
            controleur.verwerk(rec)
            eerste = eerste or rec.datum
            balk.stap((rec.datum - eerste).days, f"{controleur.uitslag.berichten} messages")
    except KeyboardInterrupt:
        balk.klaar()
        print("ketensim check: interrupted; partial result below", file=sys.stderr)
    balk.klaar()
    uitslag = controleur.sluit(compleet=invoer.compleet)
    uitslag.run = run_metadata(invoer, profiel, uitslag)
    doel = Path(args.out) if args.out else (invoer.ledger_pad.parent if invoer.ledger_pad else None)
    if args.format == "json":
        json.dump(uitslag.as_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        schrijf_uitslag(uitslag, invoer.beschrijving, sys.stdout, args.max)
    if doel is not None:
        doel.mkdir(parents=True, exist_ok=True)
        uitslag.schrijf(doel / "uitslag.json")
        if args.format != "json":
            print(f"\nresult: {doel / 'uitslag.json'}")
    fouten = [o for o in uitslag.afwijkingen if uitslag.regels.get(o.regel) is None
              or uitslag.regels[o.regel].ernst == "fout"]
    return EXIT_FINDINGS if fouten else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from reports.regels import catalogus
    from reports.tekst import schrijf_regels
    from simulator.profiel import ProfielFout, laad_profiel

    registry = _registry(args)
    try:
        profiel = laad_profiel(args.profile)
    except ProfielFout as exc:
        print(f"ketensim rules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    dekking = None
    if args.coverage:
        from actors.fouten import dekking as bereken

        dekking = bereken()
    schrijf_regels(list(catalogus(profiel, registry).values()), args.format, sys.stdout, dekking)
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ketensim", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check iJw/iWmo XML files against the codec rules and the XSDs",
                       description="Check XML files (or every *.xml below a folder) for technical rejections "
                                   "(BOM, encoding, DTD, well-formedness, size) and validate them against their "
                                   "iJw/iWmo 3.2 XSD. Exit status 1 if anything is invalid.")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR",
                   help="XML files, or folders whose *.xml files (recursively) are all checked")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: one VALID/INVALID line per file with its findings (default); json: the same "
                        "for tools (docs/messages.md)")
    p.add_argument("--max-bytes", type=positief_geheel, default=2 * 1024 * 1024, metavar="N",
                   help="reject messages larger than N bytes (default 2 MiB)")
    p.add_argument("--fast", action="store_true",
                   help="skip xmlschema's extra reason text for invalid files (lxml only)")
    _add_schemas(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schemas", help="show the schema release in use: official, derived, missing",
                       description="Show which iStandaarden schema folder is used, which message schemas are "
                                   "official and which derived (unofficial, from DERIVED.txt), and what is missing.")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json")
    _add_schemas(p)
    p.set_defaults(func=cmd_schemas)

    p = sub.add_parser("generate", help="print one schema-valid example message of a type",
                       description="Generate one synthetic, schema-valid message (seeded, deterministic) and "
                                   "print it. TYPE is JW301…JW325 or WMO301…WMO325.")
    p.add_argument("type", metavar="TYPE", help="message type, e.g. JW301 or wmo315 (case does not matter)")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="random seed (default 1); the same seed gives the same message, byte for byte")
    _add_schemas(p)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="simulate a population over working days and record every message",
                       description="Run the reference actors over simulated werkdagen for one route or the mix "
                                   "of all Annex 4 routes, write every message and event to DIR/ledger.jsonl "
                                   "and print a summary (messages per type, route, gemeente).")
    p.add_argument("--scenario", default="mix", metavar="ROUTE|mix",
                   help="toegang, extern, sggz, dyslexie, crisis, zonder_bsn, or mix (default)")
    p.add_argument("--clients", type=positief_geheel, default=200, metavar="N", help="client trajectories (default 200)")
    p.add_argument("--days", type=positief_geheel, default=365, metavar="D", help="calendar days to simulate (default 365)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed; same seed, same ledger")
    p.add_argument("--workers", type=positief_geheel, default=None, metavar="N",
                   help="shard the run by gemeente over N processes and merge the ledgers (scenarios/shard.py); "
                        "the merged ledger is the same for every N (docs/performance.md, Scale-out)")
    p.add_argument("--out", default="ketensim-run", metavar="DIR", help="output folder (default ./ketensim-run)")
    p.add_argument("--profile", default="mijov-2024", metavar="NAME|FILE.toml",
                   help="protocol profile: a shipped name or a .toml file (default mijov-2024)")
    p.add_argument("--sut", metavar="ROL:CODE=ADRES",
                   help="a system under test takes this role, in lock-step per werkdag (docs/sut.md): "
                        "gemeente:0200=http://127.0.0.1:8080, aanbieder:12345678=mailbox:DIR, "
                        "…=inproces:module:attribuut, gemeente:0200=referentie (the reference gemeente itself, "
                        "in process: the baseline); an aanbieder takes the place of the run's aanbieder with that "
                        "AGB code or joins, contracted by every gemeente; every other role stays a reference actor")
    sut_opties(p)
    _add_schemas(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="run a small mixed scenario, check it and write its HTML report",
                       description="A small mixed run of every route over a few months, checked against every "
                                   "rule, with the HTML report (the README's main job).")
    p.add_argument("--clients", type=positief_geheel, default=150, metavar="N", help="client trajectories (default 150)")
    p.add_argument("--days", type=positief_geheel, default=180, metavar="D", help="calendar days to simulate (default 180)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed; same seed, same ledger (default 1)")
    p.add_argument("--out", default="ketensim-demo", metavar="DIR",
                   help="output folder for ledger.jsonl, samenvatting.txt, uitslag.json and rapport.html "
                        "(default ./ketensim-demo)")
    p.add_argument("--profile", default="mijov-2024", metavar="NAME|FILE.toml",
                   help="protocol profile: a shipped name or a .toml file (default mijov-2024)")
    _add_schemas(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help="judge a ledger (or a folder of XML traffic) against every rule",
                       description="Read a run's ledger (its --out folder or ledger.jsonl) or a folder of XML "
                                   "messages and judge every rule of the catalogue: pass, fail (a deviation, "
                                   "with rule, source, actor, client, messages, expected vs observed) or "
                                   "inconclusive. Writes uitslag.json next to the ledger (or into --out). "
                                   "Exit status 1 when there are deviations.")
    p.add_argument("input", metavar="LEDGER|DIR",
                   help="a run's ledger.jsonl, its --out folder, or a folder of XML messages")
    p.add_argument("--profile", metavar="NAME|FILE.toml",
                   help="protocol profile (default: the one the run used, else mijov-2024)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: summary and deviations (default); json: the whole result as uitslag.json has it")
    p.add_argument("--out", metavar="DIR", help="where to write uitslag.json (default: beside the ledger)")
    p.add_argument("--max", type=niet_negatief_geheel, default=25, metavar="N", help="deviations to print in full (default 25)")
    p.add_argument("--follow", action="store_true",
                   help="read the ledger while a run is still writing it; stop at its 'einde' line or after "
                        "--timeout seconds without new records (reports/volgen.py)")
    p.add_argument("--timeout", type=positief_getal, default=30.0, metavar="S",
                   help="with --follow: seconds without growth before judging what was read (default 30)")
    _add_schemas(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("rules", help="print the rule catalogue (the page a vendor reads)",
                       description="Every rule the checker judges: id, statement, source (annex section or "
                                   "iStandaarden id), messages, role, severity, retourcode.")
    p.add_argument("--profile", default="mijov-2024", metavar="NAME|FILE.toml",
                   help="protocol profile whose deadlines and sources the catalogue shows (default mijov-2024)")
    p.add_argument("--format", choices=("md", "json"), default="md", help="md: a Markdown table (default); json")
    p.add_argument("--coverage", action="store_true", help="add which fault-injection test proves each rule")
    _add_schemas(p)
    p.set_defaults(func=cmd_rules)

    from . import cli_report; cli_report.voeg_toe(sub)  # noqa: E702  (ketensim report)
    from . import cli_compare; cli_compare.voeg_toe(sub)  # noqa: E702  (ketensim compare)
    from . import cli_bench; cli_bench.voeg_toe(sub)  # noqa: E702  (ketensim bench)
    from . import cli_sutcheck; cli_sutcheck.voeg_toe(sub)  # noqa: E702  (ketensim sut-check)
    from . import cli_load; cli_load.voeg_toe(sub)  # noqa: E702  (ketensim load)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return func(args)
    except SchemaFolderError as exc:
        print(f"ketensim {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"ketensim {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `ketensim generate JW301 | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
