"""iJw/iWmo 3.2 XML for this aanbieder: reading what gemeenten send, building what it sends.

Reading is defensive: a size limit, no byte-order mark, no DOCTYPE/ENTITY declarations, and an
lxml parser that resolves no entities, loads no DTD and never touches the network.  Building uses
lxml element trees in the order the XSDs prescribe; with a schema folder every outgoing message is
validated against its XSD, which catches this system's own bugs (logged; the message still goes).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

MAX_BYTES = 2 * 1024 * 1024
PREFIX = {"ijw": "jw", "iwmo": "wmo"}
MAP = {"ijw": "ijw-3.2", "iwmo": "iwmo-3.2"}
VERSIE = {"ijw": "0.1.0", "iwmo": "1.0.0"}  # BerichtXsdVersie / BasisschemaXsdVersie of release 3.2
BERICHTCODE = {
    "ijw": {"302": "437", "305": "438", "307": "440", "315": "446", "320": "489", "323": "490"},
    "iwmo": {"302": "415", "305": "418", "307": "420", "315": "444", "320": "483", "323": "484"},
}
RETOUR = {"301": "302", "319": "320"}
_NS = re.compile(r"http://www\.istandaarden\.nl/(ijw|iwmo)/3_2/(jw|wmo)(\d{3})/schema")


class BerichtFout(Exception):
    """Bytes this aanbieder refuses to read."""


def ns_bericht(std: str, nummer: str) -> str:
    return f"http://www.istandaarden.nl/{std}/3_2/{PREFIX[std]}{nummer}/schema"


def ns_basis(std: str) -> str:
    return f"http://www.istandaarden.nl/{std}/3_2/basisschema/schema"


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------
@dataclass
class Ontvangen:
    std: str  # "ijw" | "iwmo"
    nummer: str  # "301" …
    root: etree._Element

    def tekst(self, *pad: str) -> str | None:
        return tekst(self.root, *pad)


def lees(data: bytes) -> Ontvangen:
    if len(data) > MAX_BYTES:
        raise BerichtFout(f"bericht groter dan {MAX_BYTES} bytes")
    if data[:3] == b"\xef\xbb\xbf" or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise BerichtFout("byte-order mark niet toegestaan")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise BerichtFout("DOCTYPE/ENTITY-declaraties niet toegestaan")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_blank_text=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise BerichtFout(f"geen welgevormde XML: {exc}") from None
    m = _NS.fullmatch(etree.QName(root).namespace or "")
    if m is None or etree.QName(root).localname != "Bericht" or PREFIX[m.group(1)] != m.group(2):
        raise BerichtFout("geen iJw/iWmo 3.2-bericht")
    return Ontvangen(m.group(1), m.group(3), root)


def kinderen(el: etree._Element | None, naam: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == naam]


def kind(el: etree._Element | None, *pad: str) -> etree._Element | None:
    for naam in pad:
        gevonden = kinderen(el, naam)
        el = gevonden[0] if gevonden else None
    return el


def tekst(el: etree._Element | None, *pad: str) -> str | None:
    k = kind(el, *pad)
    return k.text.strip() if k is not None and k.text is not None else None


# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------
class Bouw:
    """One outgoing message: ``el`` adds an element of the message namespace, ``be`` one of the basisschema."""

    def __init__(self, std: str, nummer: str) -> None:
        self.std, self.nummer = std, nummer
        self.m, self.b = ns_bericht(std, nummer), ns_basis(std)
        self.root = etree.Element(f"{{{self.m}}}Bericht", nsmap={f"{PREFIX[std]}{nummer}": self.m, std: self.b})

    def el(self, ouder: etree._Element, naam: str, waarde: object = None) -> etree._Element:
        e = etree.SubElement(ouder, f"{{{self.m}}}{naam}")
        if waarde is not None:
            e.text = waarde.isoformat() if isinstance(waarde, date) else str(waarde)
        return e

    def opt(self, ouder: etree._Element, naam: str, waarde: object) -> None:
        if waarde is not None and waarde != "":
            self.el(ouder, naam, waarde)

    def be(self, ouder: etree._Element, naam: str, waarde: object = None) -> etree._Element | None:
        if waarde is None or waarde == "":
            return None
        e = etree.SubElement(ouder, f"{{{self.b}}}{naam}")
        e.text = waarde.isoformat() if isinstance(waarde, date) else str(waarde)
        return e

    def groep(self, ouder: etree._Element, naam: str) -> etree._Element:
        return etree.SubElement(ouder, f"{{{self.b}}}{naam}")

    def xsd_versie(self, ouder: etree._Element, naam: str) -> None:
        v = self.el(ouder, naam)
        self.be(v, "BasisschemaXsdVersie", VERSIE[self.std])
        self.be(v, "BerichtXsdVersie", VERSIE[self.std])

    def header(self, afzender: str, ontvanger: str, ident: str, dagtekening: date) -> etree._Element:
        h = self.el(self.root, "Header")
        self.el(h, "BerichtCode", BERICHTCODE[self.std][self.nummer])
        self.el(h, "BerichtVersie", "3")
        self.el(h, "BerichtSubversie", "2")
        self.el(h, "Afzender", afzender)
        self.el(h, "Ontvanger", ontvanger)
        bi = self.el(h, "BerichtIdentificatie")
        self.be(bi, "Identificatie", ident)
        self.be(bi, "Dagtekening", dagtekening)
        self.xsd_versie(h, "XsdVersie")
        return h

    def client(self, ouder: etree._Element, c: dict) -> etree._Element:
        """Bsn, Geboortedatum, Geslacht, Naam (the order of every aanbieder message's Client)."""
        el = self.el(ouder, "Client")
        self.el(el, "Bsn", c["bsn"])
        g = self.el(el, "Geboortedatum")
        self.be(g, "Datum", c["geboortedatum"])
        self.el(el, "Geslacht", c["geslacht"])
        n = self.el(el, "Naam")
        gn = self.groep(n, "Geslachtsnaam")
        self.be(gn, "Achternaam", c["geslachtsnaam"])
        self.be(gn, "Voorvoegsel", c.get("voorvoegsel"))
        self.be(n, "Voorletters", c.get("voorletters"))
        return el

    def product(self, ouder: etree._Element, categorie: str | None, code: str | None) -> None:
        if categorie:
            p = self.el(ouder, "Product")
            self.be(p, "Categorie", categorie)
            self.be(p, "Code", code)

    def bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def retour(heen: Ontvangen, ident: str, dagtekening: date) -> bytes:
    """IV028 retour (302 on a 301, 320 on a 319): the heenbericht's header, the retour fields, no
    retourcodes (this aanbieder accepts every message it reads)."""
    b = Bouw(heen.std, RETOUR[heen.nummer])
    h = b.header(heen.tekst("Header", "Afzender") or "", heen.tekst("Header", "Ontvanger") or "",
                 heen.tekst("Header", "BerichtIdentificatie", "Identificatie") or "",
                 date.fromisoformat(heen.tekst("Header", "BerichtIdentificatie", "Dagtekening") or "1900-01-01"))
    oud = kind(heen.root, "Header", "XsdVersie")
    xv = kind(h, "XsdVersie")
    for veld in ("BasisschemaXsdVersie", "BerichtXsdVersie"):
        if tekst(oud, veld):
            kind(xv, veld).text = tekst(oud, veld)
    b.el(h, "IdentificatieRetour", ident)
    b.el(h, "DagtekeningRetour", dagtekening)
    b.xsd_versie(h, "XsdVersieRetour")
    return b.bytes()


# ---------------------------------------------------------------------------------------------
# validating our own output
# ---------------------------------------------------------------------------------------------
class Schemas:
    """XSDs of the release folder, compiled on first use; absent folder → no validation."""

    def __init__(self, map_: Path | None) -> None:
        self.map = map_ if map_ is not None and map_.is_dir() else None
        self._cache: dict[str, etree.XMLSchema | None] = {}

    def _schema(self, std: str, nummer: str) -> etree.XMLSchema | None:
        sleutel = f"{std}{nummer}"
        if sleutel not in self._cache:
            pad = self.map / MAP[std] / "xsd" / f"{PREFIX[std]}{nummer}.xsd" if self.map else None
            if pad is None or not pad.is_file():
                self._cache[sleutel] = None
            else:
                parser = etree.XMLParser(resolve_entities=False, no_network=True)
                self._cache[sleutel] = etree.XMLSchema(etree.parse(str(pad), parser))
        return self._cache[sleutel]

    def controleer(self, xml: bytes) -> str | None:
        """None when valid (or nothing to validate against), else the first error."""
        doc = lees(xml)
        schema = self._schema(doc.std, doc.nummer)
        if schema is None or schema.validate(doc.root):
            return None
        return str(schema.error_log.last_error)


def meld(tekst_: str) -> None:
    print(tekst_, file=sys.stderr, flush=True)
