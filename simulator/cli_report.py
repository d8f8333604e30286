"""``ketensim report INPUT --format html|json|junit|rapport [--out FILE]``: render any report
format from a result (``uitslag.json``) without rerunning anything, or from a ledger / run folder
/ folder of XML messages, which is checked first (the same one-pass checker as ``ketensim check``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2
FORMATEN = ("html", "json", "junit", "rapport")
STANDAARD_NAAM = {"html": "rapport.html", "json": "uitslag.json", "junit": "junit.xml", "rapport": "validatierapport.xml"}


def voeg_toe(sub) -> None:
    p = sub.add_parser("report", help="render a result as HTML, JSON, JUnit XML or a per-message validation report",
                       description="Render a report from a result file (uitslag.json, as written by 'ketensim check') "
                                   "without rerunning, or from a ledger / run folder / folder of XML messages, "
                                   "which is checked first. Formats: html (one self-contained page for a person), "
                                   "json (the result model, docs/results.md), junit (JUnit XML for CI: one test case "
                                   "per rule and route), rapport (per-message validation report XML: rule code, "
                                   "retourcode, element path, details). Exit status 0 when the report was written, "
                                   "2 on unusable input; use 'ketensim check' to gate on deviations.")
    p.add_argument("input", metavar="LEDGER|RESULT", help="uitslag.json, or a ledger.jsonl / run folder / XML folder")
    p.add_argument("--format", choices=FORMATEN, required=True,
                   help="json: the result; junit: JUnit XML for CI; rapport: the per-message validation report "
                        "XML; html: one self-contained page (docs/reports.md)")
    p.add_argument("--out", metavar="FILE",
                   help="output file (default: standard output for json/junit/rapport; "
                        "rapport.html beside the input for html)")
    p.add_argument("--profile", metavar="NAME|FILE.toml",
                   help="protocol profile when checking a ledger (default: the one the run used, else mijov-2024)")
    p.add_argument("--schemas", metavar="DIR", help="iStandaarden release folder (as for 'ketensim check')")
    p.set_defaults(func=cmd_report)


def is_uitslag(pad: Path) -> bool:
    return pad.is_file() and pad.suffix.lower() == ".json"


def laad_uitslag(invoer: str, profiel_naam: str | None, schemas: str | None):
    """(result, ledger path or None) from a result file or a checked ledger; raises ValueError/LedgerFout."""
    from reports.uitslag import Uitslag

    pad = Path(invoer)
    if is_uitslag(pad):
        u = Uitslag.lees(pad)
        ledger = (u.run.get("ledger") or {}).get("pad") if isinstance(u.run.get("ledger"), dict) else None
        return u, (Path(ledger) if ledger and Path(ledger).is_file() else None)
    from reports.controleer import controleer
    from reports.invoer import open_invoer
    from simulator.profiel import laad_profiel
    from simulator.schemas import SchemaRegistry

    registry = SchemaRegistry.load(schemas)
    inv = open_invoer(pad, registry)
    for w in inv.waarschuwingen:
        print(f"warning: {w}", file=sys.stderr)
    profiel = laad_profiel(profiel_naam or inv.run.get("profiel") or "mijov-2024")
    return controleer(inv, profiel, registry), inv.ledger_pad


def schrijf(u, ledger: Path | None, formaat: str, uit: Path | None, invoer: Path) -> Path | None:
    """Write one format; returns the file written, or None when it went to standard output."""
    from reports.junit import junit_element
    from reports.rapport import rapport_element

    if formaat == "html":
        from reports import html  # noqa: F401  (raises ImportError while the HTML report is not available)

        doel = uit or ((invoer if invoer.is_dir() else invoer.parent) / STANDAARD_NAAM["html"])
        return html.schrijf_html(u, ledger, doel)
    if formaat == "json":
        data = (json.dumps(u.as_dict(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    else:
        from lxml import etree

        el = junit_element(u) if formaat == "junit" else rapport_element(u)
        data = etree.tostring(el, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if uit is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return None
    uit.parent.mkdir(parents=True, exist_ok=True)
    uit.write_bytes(data)
    return uit


def cmd_report(args: argparse.Namespace) -> int:
    from simulator.ledger import LedgerFout
    from simulator.profiel import ProfielFout

    if args.format == "html" and not html_beschikbaar():
        print("ketensim report: the HTML report is not available in this version (reports/html.py is missing); "
              "use --format json, junit or rapport", file=sys.stderr)
        return EXIT_USAGE
    try:
        u, ledger = laad_uitslag(args.input, args.profile, args.schemas)
    except (ValueError, LedgerFout, ProfielFout, OSError) as exc:
        print(f"ketensim report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    uit = Path(args.out) if args.out else None
    try:
        geschreven = schrijf(u, ledger, args.format, uit, Path(args.input))
    except OSError as exc:
        print(f"ketensim report: cannot write {uit or args.format}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:
        print(f"ketensim report: the {args.format} report is not available: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if geschreven is not None:
        print(f"{args.format} report: {geschreven}", file=sys.stderr)
    return EXIT_OK


def html_beschikbaar() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("reports.html") is not None
    except (ImportError, ValueError):
        return False
