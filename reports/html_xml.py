"""The message viewer of the HTML report: a message's XML, indented and escaped, with the element a
deviation is about highlighted.

The XML is parsed only through simulator/codec.py (no entities, no DTD, size limit).  Bytes that
do not parse (garbage from a system under test) are shown as text, escaped, without highlights.
Which element is "the offending one": the element path of an XSD finding when the checker has
one; else the element(s) the rule is about (``ELEMENTEN``), narrowed to those whose value is the
observed one; for a deadline rule the message's Dagtekening."""

from __future__ import annotations

import re

from lxml import etree
from markupsafe import Markup, escape

from simulator.codec import parse

from .uitslag import Oordeel

#: rule id (or prefix) → local names of the elements the rule is about
ELEMENTEN: dict[str, tuple[str, ...]] = {
    "TERMIJN.": ("Dagtekening",),
    "TR056": ("BerichtIdentificatie",),
    "TR314": ("ReferentieNummer",),
    "TR338": ("ToewijzingNummer",),
    "TR339": ("Categorie",),
    "TR340": ("Code",),
    "TR341": ("Eenheid",),
    "PROT.eenheid_minuten": ("Eenheid",),
    "TR307": ("Begindatum",),
    "TR308": ("Einddatum",),
    "TR387": ("Begindatum",),
    "TR388": ("Einddatum",),
    "TR319": ("Begindatum", "Einddatum"),
    "TR418": ("ProductTarief",),
    "TR366": ("ReferentieNummer",),
    "TR367": ("IngediendBedrag",),
    "PROT.325_volledig": ("TotaalIngediendBedrag", "TotaalToegekendBedrag"),
    "RETOUR.": ("RetourCode",),
    "PROT.305_na_toewijzing": ("ToewijzingNummer",),
    "TR019": ("ToewijzingNummer",),
    "PROT.declaratie_met_toewijzing": ("ToewijzingNummer",),
    "PROT.vow_ingang_toekomst": ("GewensteIngangsdatum", "Ingangsdatum"),
    "PROT.een_actuele_305": ("Begindatum",),
    "TR326": ("Begindatum",),
    "PROT.geen_307_zonder_305": ("Begindatum",),
}


def elementnamen(regel: str) -> tuple[str, ...]:
    if regel in ELEMENTEN:
        return ELEMENTEN[regel]
    for k, v in ELEMENTEN.items():
        if k.endswith(".") and regel.startswith(k):
            return v
    return ()


def _lokaal(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def te_markeren(root: etree._Element, oordelen: list[Oordeel]) -> set[etree._Element]:
    """The elements the given judgements (about this message) point at."""
    uit: set[etree._Element] = set()
    for o in oordelen:
        if o.element:
            uit |= _via_pad(root, o.element)
            continue
        namen = elementnamen(o.regel)
        if not namen:
            continue
        kandidaten = [el for el in root.iter() if _lokaal(el) in namen]
        if o.regel.startswith("TERMIJN."):
            kandidaten = kandidaten[:1]  # the header's Dagtekening
        waarden = set(re.findall(r"[\w-]+", o.waargenomen))
        precies = [el for el in kandidaten if (el.text or "").strip() in waarden]
        uit |= set(precies or kandidaten)
    return uit


def _via_pad(root: etree._Element, pad: str) -> set[etree._Element]:
    ns = {k: v for k, v in root.nsmap.items() if k}
    try:
        gevonden = root.getroottree().xpath(pad, namespaces=ns)
        if isinstance(gevonden, list):
            els = {e for e in gevonden if isinstance(e, etree._Element)}
            if els:
                return els
    except (etree.XPathError, ValueError, TypeError):
        pass
    laatste = re.sub(r"\[.*?\]", "", pad.rstrip("/").rsplit("/", 1)[-1]).split(":")[-1].lstrip("@")
    return {el for el in root.iter() if _lokaal(el) == laatste}


def _naam(el: etree._Element) -> str:
    q = etree.QName(el)
    return f"{el.prefix}:{q.localname}" if el.prefix else q.localname


def weergave(xml: bytes, oordelen: list[Oordeel]) -> tuple[Markup, int]:
    """(HTML of the indented, escaped XML with highlighted elements, number highlighted)."""
    ontleding = parse(xml)
    if ontleding.document is None:
        tekst = xml.decode("utf-8", errors="replace")
        reden = "; ".join(f.melding for f in ontleding.fouten)
        return Markup(f'<span class="onleesbaar">niet als XML te lezen: {escape(reden)}</span>\n{escape(tekst)}'), 0
    root = ontleding.document
    markeer = te_markeren(root, oordelen)
    regels: list[str] = []
    _schrijf(root, 0, markeer, regels, root_ns=True)
    return Markup("\n".join(regels)), len(markeer)


def _schrijf(el: etree._Element, diepte: int, markeer: set, regels: list[str], root_ns: bool = False) -> None:
    inspring = "  " * diepte
    if not isinstance(el.tag, str):  # comment / processing instruction
        regels.append(f"{inspring}{escape(etree.tostring(el, encoding='unicode', with_tail=False))}")
        return
    naam = _naam(el)
    attrs = ""
    if root_ns:
        attrs += "".join(f' xmlns{":" + k if k else ""}="{v}"' for k, v in el.nsmap.items())
    attrs += "".join(f' {etree.QName(k).localname}="{v}"' for k, v in el.attrib.items())
    kinderen = [k for k in el]
    tekst = (el.text or "").strip()
    if not kinderen:
        regel = f"<{naam}{attrs}>{tekst}</{naam}>" if tekst else f"<{naam}{attrs}/>"
        html = f"{inspring}{escape(regel)}"
        if el in markeer:
            html = f'{inspring}<mark class="fout">{escape(regel)}</mark>'
        regels.append(html)
        return
    open_ = f"{inspring}{escape(f'<{naam}{attrs}>')}"
    if el in markeer:
        open_ = f'{inspring}<mark class="fout">{escape(f"<{naam}{attrs}>")}</mark>'
    regels.append(open_)
    if tekst:
        regels.append(f"{inspring}  {escape(tekst)}")
    for k in kinderen:
        _schrijf(k, diepte + 1, markeer, regels)
    regels.append(f"{inspring}{escape(f'</{naam}>')}")
