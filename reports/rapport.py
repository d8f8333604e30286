"""Per-message validation report (``ketensim report --format rapport``): for every message with a
finding, what a receiver's validation would say about it, in the terms iStandaarden tooling uses —
the rule code (``TR###``, or ``XSD`` for controleniveau 1), the retourcode from WJ001 the receiver
must give, the element path, and the details.  Protocol rules (``TERMIJN.*``, ``PROT.*``) have no
retourcode; they are reported with their Annex 4 source.

The shape (namespace ``urn:ketensim:validatierapport:1``) is documented in docs/results.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from lxml import etree

from .regels import FOUT
from .uitslag import FAIL, Oordeel, Uitslag

NS = "urn:ketensim:validatierapport:1"
TECHNISCH_AFGEKEURD = "0001"  # WJ001: "Bericht is afgekeurd om technische redenen."
_REF = re.compile(r"^(?P<type>(?:JW|WMO)\d{3}|\?) (?P<afzender>[^/\s]+)/(?P<id>\S+)$")

#: the element a rule is about (berichtklasse/element), for rules whose deviation is one element;
#: an XSD finding carries its own path from the validator.
ELEMENT: dict[str, str] = {
    "TR056": "Header/BerichtIdentificatie/Identificatie",
    "TR019": "Client/StartProduct|StopProduct/ToewijzingNummer",
    "TR063": "Client/StartProduct|StopProduct/StatusAanlevering",
    "TR307": "Client/Prestatie/ProductPeriode/Begindatum",
    "TR308": "Client/Prestatie/ProductPeriode/Einddatum",
    "TR314": "Client/Prestatie/ReferentieNummer",
    "TR319": "Client/Prestatie/ProductPeriode",
    "TR323": "Client/Prestatie/VorigReferentieNummer",
    "TR326": "Client/StartProduct",
    "TR332": "Client/ToegewezenProduct/ToewijzingNummer",
    "TR333": "Declaratie/DeclaratieNummer",
    "TR337": "Header/DeclaratieIdentificatie",
    "TR338": "Client/Prestatie/ToewijzingNummer",
    "TR339": "Client/Prestatie/Product/Categorie",
    "TR340": "Client/Prestatie/Product/Code",
    "TR341": "Client/Prestatie/GeleverdVolume/Eenheid",
    "TR347": "Client/AangevraagdProduct|Verzoek/ReferentieAanbieder",
    "TR349": "Client/Verzoek",
    "TR350": "Client/Verzoek/OngewijzigdProduct/ToewijzingNummer",
    "TR351": "Client/Verzoek/TeWijzigenProduct/ToewijzingNummer",
    "TR355": "Antwoord/ReferentieAanbieder",
    "TR359": "Antwoord/VerzoekAntwoord",
    "TR360": "Antwoord/VerzoekAntwoord",
    "TR365": "Antwoord/VerzoekAntwoord",
    "TR366": "Client/Prestatie/ReferentieNummer",
    "TR367": "Client/Prestatie/ToegekendBedrag",
    "TR374": "Client/AangevraagdProduct|Verzoek",
    "TR384": "Client/Prestatie/ToewijzingNummer",
    "TR387": "Client/Prestatie/ProductPeriode/Begindatum",
    "TR388": "Client/Prestatie/ProductPeriode/Einddatum",
    "TR389": "Client/Prestatie",
    "TR390": "Client/Prestatie/VorigReferentieNummer",
    "TR418": "Client/Prestatie/ProductTarief",
    "TR071": "Client/StartProduct/StatusAanlevering",
    "TR074": "Client/StartProduct|StopProduct",
    "TR357": "Client/Verzoek/TeWijzigenProduct/GewensteIngangsdatum",
    "TR361": "Client/Verzoek/TeWijzigenProduct|OngewijzigdProduct|NieuwProduct",
    "TR371": "Header/XsdVersieDeclaratie",
    "TR373": "Client/Verzoek/TeWijzigenProduct/GewensteIngangsdatum",
    "TR375": "Client/Verzoek/TeWijzigenProduct/Omvang",
    "TR376": "DeclaratieAntwoord/DeclaratieNummer",
    "TR379": "Client/ToegewezenProduct/ReferentieAanbieder",
    "TR382": "Client/StopProduct/Product",
    "TR385": "Client/ToegewezenProduct/RedenWijziging",
    "TR411": "Client/Verzoek/TeWijzigenProduct/Omvang",
    "TR412": "Client/Verzoek/TeWijzigenProduct/Omvang",
    "TR413": "Client/StopProduct/RedenBeeindiging",
    "TR414": "Client/StopProduct/Einddatum",
    "TR415": "Client/StopProduct",
    "TR416": "Client/Prestatie",
    "PROT.eenheid_minuten": "Client/Prestatie/GeleverdVolume/Eenheid",
    "PROT.vow_ingang_toekomst": "Client/Verzoek/*/GewensteIngangsdatum",
    "PROT.325_volledig": "Antwoord/TotaalToegekendBedrag",
}
ZONDER_BERICHT = ("", "", "")  # a judgement about something that did not happen (a message never sent)
HEADER_DATUM = "Header/BerichtIdentificatie/Dagtekening"  # a deadline is judged on the message's date


def element_van(o: Oordeel) -> str | None:
    if o.element:
        return o.element
    if o.regel in ELEMENT:
        return ELEMENT[o.regel]
    if o.regel.startswith("TERMIJN."):
        return HEADER_DATUM
    return None


def retourcode_van(u: Uitslag, o: Oordeel) -> str | None:
    if o.uitkomst != FAIL:
        return None
    if o.regel == "XSD":
        return TECHNISCH_AFGEKEURD
    r = u.regels.get(o.regel)
    return r.retourcode if r is not None else None


def _sleutel(ref: str | None) -> tuple[str, str, str] | None:
    m = _REF.match(ref or "")
    return (m["type"], m["afzender"], m["id"]) if m else None


def per_bericht(u: Uitslag) -> dict[tuple[str, str, str, str], list[Oordeel]]:
    """Findings grouped by (scenario, type, afzender, identificatie) of the message they are about
    (``betreft``, else the first reference that names a message).  The scenario is part of the key
    because shards of a merged result number their messages independently."""
    uit: dict[tuple[str, str, str, str], list[Oordeel]] = defaultdict(list)
    for o in u.oordelen:
        sleutel = _sleutel(o.bericht) or next((k for k in map(_sleutel, o.berichten) if k), None)
        uit[(o.scenario or "",) + (sleutel or ZONDER_BERICHT)].append(o)
    return uit


def resultaat(u: Uitslag, oordelen: list[Oordeel]) -> str:
    """afgekeurd: a deviation of severity fout; opmerkingen: only warnings; niet-beoordeeld: only inconclusive."""
    fouten = [o for o in oordelen if o.uitkomst == FAIL]
    if any((u.regels.get(o.regel) is None or u.regels[o.regel].ernst == FOUT) for o in fouten):
        return "afgekeurd"
    return "opmerkingen" if fouten else "niet-beoordeeld"


def rapport_element(u: Uitslag) -> etree._Element:
    E = lambda naam: f"{{{NS}}}{naam}"  # noqa: E731
    root = etree.Element(E("Validatierapport"), nsmap={None: NS}, versie="1")
    run = etree.SubElement(root, E("Run"))
    for k in ("profiel", "scenario", "seed", "release", "ketensim_versie", "invoer"):
        if u.run.get(k) is not None:
            run.set(k, str(u.run[k]))
    if isinstance(u.run.get("ledger"), dict):
        run.set("ledger_sha256", str(u.run["ledger"].get("sha256", "")))
    groepen = per_bericht(u)
    resultaten = {k: resultaat(u, v) for k, v in groepen.items()}
    etree.SubElement(root, E("Samenvatting"), berichten=str(u.berichten), metBevindingen=str(sum(k[1:] != ZONDER_BERICHT for k in groepen)),
                     afgekeurd=str(sum(r == "afgekeurd" for r in resultaten.values())),
                     meldingen=str(sum(len(v) for v in groepen.values())),
                     ongeldigXsd=str(u.ongeldig))
    volgorde = sorted(groepen.items(), key=lambda kv: (kv[0][1:] == ZONDER_BERICHT, kv[1][0].datum, kv[0]))
    zonder = None
    for sleutel, oordelen in volgorde:
        scenario, berichttype, afzender, ident = sleutel
        if sleutel[1:] == ZONDER_BERICHT:
            zonder = zonder if zonder is not None else etree.SubElement(root, E("ZonderBericht"))
            b = zonder
            b.set("resultaat", _slechtste(b.get("resultaat"), resultaten[sleutel]))
        else:
            b = etree.SubElement(root, E("Bericht"), berichttype=berichttype, afzender=afzender, identificatie=ident,
                                 datum=min(o.datum for o in oordelen).isoformat(), resultaat=resultaten[sleutel])
            if scenario:
                b.set("scenario", scenario)
        bsn = next((o.bsn for o in oordelen if o.bsn), None)
        if bsn and b.tag == E("Bericht"):
            b.set("bsn", bsn)
        for o in oordelen:
            r = u.regels.get(o.regel)
            m = etree.SubElement(b, E("Melding"), regelcode=o.regel,
                                 uitkomst="afwijking" if o.uitkomst == FAIL else "onbeslist",
                                 ernst=r.ernst if r is not None else FOUT)
            code = retourcode_van(u, o)
            if code:
                m.set("retourcode", code)
            if o.actor:
                m.set("actor", o.actor)
            if o.scenario:
                m.set("scenario", o.scenario)
            if sleutel[1:] == ZONDER_BERICHT:
                m.set("datum", o.datum.isoformat())
                for k in ("bsn", "traject", "route"):
                    if getattr(o, k):
                        m.set(k, getattr(o, k))
            pad = element_van(o) if sleutel[1:] != ZONDER_BERICHT else None
            if pad:
                etree.SubElement(m, E("Element")).text = pad
            if r is not None:
                etree.SubElement(m, E("Omschrijving")).text = r.stelling
                etree.SubElement(m, E("Bron")).text = r.bron
            etree.SubElement(m, E("Verwacht")).text = o.verwacht
            etree.SubElement(m, E("Waargenomen")).text = o.waargenomen
            etree.SubElement(m, E("Details")).text = f"verwacht {o.verwacht}; waargenomen {o.waargenomen}"
            for ref in o.berichten:
                if _sleutel(ref) != sleutel[1:]:
                    etree.SubElement(m, E("GerelateerdBericht")).text = ref
    return root


def _slechtste(a: str | None, b: str) -> str:
    rang = ["niet-beoordeeld", "opmerkingen", "afgekeurd"]
    return b if a is None else max(a, b, key=rang.index)


def schrijf_rapport(u: Uitslag, pad: Path) -> Path:
    pad.write_bytes(etree.tostring(rapport_element(u), xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return pad

