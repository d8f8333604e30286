"""Where the checker's records come from: a ledger (a run's ``--out`` folder or ``ledger.jsonl``),
or a folder of real XML traffic, turned into ledger records ordered by Dagtekening.

An XML file that cannot be parsed still becomes a record (its bytes unchanged), so the checker
reports it (rule ``XSD``) instead of it being skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from lxml import etree

from simulator.codec import parse
from simulator.ledger import LEDGER_NAAM, Boeking, Gebeurtenis, Ledger, LedgerFout, open_ledger
from simulator.schemas import SchemaRegistry


@dataclass
class Invoer:
    beschrijving: str
    records: list[Boeking | Gebeurtenis] | None
    ledger_pad: Path | None
    run: dict
    compleet: bool
    historie_compleet: bool
    waarschuwingen: list[str]

    def stroom(self) -> Iterator[Boeking | Gebeurtenis]:
        if self.records is not None:
            return iter(self.records)
        # the header and warnings were read by open_invoer: stream the records without a second scan
        return Ledger(self.ledger_pad, self.run, None, []).records()


def open_invoer(pad: str | Path, registry: SchemaRegistry) -> Invoer:
    p = Path(pad)
    if p.is_file() and p.suffix == ".jsonl" or (p.is_dir() and (p / LEDGER_NAAM).is_file()):
        led = open_ledger(p)
        return Invoer(f"ledger {led.pad}", None, led.pad, dict(led.run), led.compleet, True, list(led.waarschuwingen))
    if p.is_dir() or (p.is_file() and p.suffix.lower() == ".xml"):
        bestanden = sorted(p.rglob("*.xml")) if p.is_dir() else [p]
        if not bestanden:
            raise LedgerFout(f"{pad}: no ledger.jsonl and no *.xml files")
        records = sorted((_uit_xml(f, registry) for f in bestanden), key=lambda b: (b.datum, b.identificatie))
        records = [_met_seq(b, i + 1) for i, b in enumerate(records)]
        return Invoer(f"{len(bestanden)} XML file(s) in {pad}", records, None,
                      {"bron": str(p), "soort": "xml-map"}, True, False, [])
    raise LedgerFout(f"{pad}: not a ledger, a run folder or a folder of XML messages")


def _met_seq(b: Boeking, seq: int) -> Boeking:
    return Boeking(seq, b.datum, b.afzender, b.ontvanger, b.berichttype, b.identificatie, b.xml, b.heen, b.bsn,
                   b.toewijzingnummers, b.route, b.scenario, b.traject, b.rol)


def _tekst(root, pad: str) -> str | None:
    el = root.find(pad)
    return el.text.strip() if el is not None and el.text else None


def _uit_xml(f: Path, registry: SchemaRegistry) -> Boeking:
    data = f.read_bytes()
    ontleding = parse(data)
    onbekend = Boeking(0, date.min, "?", "?", "?", f.name, data, scenario=f"bestand {f.name}")
    if ontleding.document is None:
        return onbekend
    root = ontleding.document.getroot() if hasattr(ontleding.document, "getroot") else ontleding.document
    ns = etree.QName(root).namespace or ""
    berichttype = registry.type_for_namespace(ns)
    if berichttype is None:
        return onbekend
    n = "{" + ns + "}"

    header = f"{n}Header"
    afzender = _tekst(root, f"{header}/{n}Afzender") or "?"
    ontvanger = _tekst(root, f"{header}/{n}Ontvanger") or "?"
    ident_el = root.find(f"{header}/{n}BerichtIdentificatie")
    ident = dag = None
    if ident_el is not None:
        for kind in ident_el:
            naam = etree.QName(kind).localname
            if naam == "Identificatie":
                ident = (kind.text or "").strip()
            elif naam == "Dagtekening":
                dag = (kind.text or "").strip()
    heen = None
    retour_id = _tekst(root, f"{header}/{n}IdentificatieRetour")
    if retour_id:  # a retour: travels back, identified by its own IdentificatieRetour
        heen, ident = ident, retour_id
        dag = _tekst(root, f"{header}/{n}DagtekeningRetour") or dag
        afzender, ontvanger = ontvanger, afzender
    bsn = _tekst(root, f"{n}Client/{n}Bsn")
    try:
        datum = date.fromisoformat(dag) if dag else date.min
    except ValueError:
        datum = date.min
    return Boeking(0, datum, afzender, ontvanger, berichttype, ident or f.name, data, heen=heen, bsn=bsn,
                   scenario=f"bestand {f.name}")
