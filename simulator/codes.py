"""Named code values, looked up in the schema folder's code lists at run time.

The harness needs a few dozen specific codes ("reden beëindiging: volgens plan", "retourcode 0200",
"VerzoekAntwoord: in onderzoek").  Instead of scattering literals, each is declared here once by
its *meaning*: the basisschema datatype and a fragment of its description in the code list.  The
value is resolved against ``xsd-enumeraties.csv`` of the loaded release; when a release renames or
drops one, loading fails with a message naming it instead of producing invalid messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from .codelijsten import Codelijsten
from .schemas import IJW, IWMO, SchemaFolderError, Standaard

#: name → (datatype, {standaard.naam: description fragment}); one fragment serves both if equal.
_BETEKENIS: dict[str, tuple[str, dict[str, str]]] = {
    # COD046 geslacht
    "geslacht.onbekend": ("LDT_Geslacht", {"*": "Onbekend"}),
    "geslacht.man": ("LDT_Geslacht", {"*": "Mannelijk"}),
    "geslacht.vrouw": ("LDT_Geslacht", {"*": "Vrouwelijk"}),
    # COD700 naamgebruik
    "naamgebruik.eigen": ("LDT_NaamGebruik", {"*": "=Eigen naam"}),
    # COD757 adressoort
    "adressoort.brp": ("LDT_AdresSoort", {"*": "BRP-adres"}),
    "adressoort.correspondentie": ("LDT_AdresSoort", {"*": "Correspondentie-adres"}),
    # COD260 ja/nee
    "janee.ja": ("LDT_JaNee", {"*": "Ja"}),
    "janee.nee": ("LDT_JaNee", {"*": "Nee"}),
    # COD043 debet/credit
    "dc.debet": ("LDT_DebetCredit", {"*": "Debet"}),
    "dc.credit": ("LDT_DebetCredit", {"*": "Credit"}),
    # COD467 status aanlevering
    "status.eerste": ("LDT_StatusAanlevering", {"*": "Eerste aanlevering"}),
    "status.gewijzigd": ("LDT_StatusAanlevering", {"*": "Gewijzigde aanlevering"}),
    "status.verwijderen": ("LDT_StatusAanlevering", {"*": "Verwijderen aanlevering"}),
    # WJ756 eenheid
    "eenheid.minuut": ("LDT_Eenheid", {"*": "Minuut"}),
    "eenheid.uur": ("LDT_Eenheid", {"*": "=Uur"}),
    "eenheid.etmaal": ("LDT_Eenheid", {"*": "Etmaal"}),
    "eenheid.dagdeel": ("LDT_Eenheid", {"*": "Dagdeel"}),
    "eenheid.stuks_output": ("LDT_Eenheid", {"*": "Stuks (output)"}),
    "eenheid.euro": ("LDT_Eenheid", {"*": "Euro"}),
    # WMO757 frequentie
    "frequentie.dag": ("LDT_Frequentie", {"*": "Per dag"}),
    "frequentie.week": ("LDT_Frequentie", {"*": "Per week"}),
    "frequentie.maand": ("LDT_Frequentie", {"*": "Per maand"}),
    "frequentie.totaal": ("LDT_Frequentie", {"*": "Totaal binnen geldigheidsduur"}),
    # COD327 type verwijzer
    "verwijzer.gemeente": ("LDT_TypeVerwijzer", {"*": "Gemeente"}),
    "verwijzer.huisarts": ("LDT_TypeVerwijzer", {"*": "Huisarts"}),
    "verwijzer.jeugdarts": ("LDT_TypeVerwijzer", {"*": "Jeugdarts"}),
    "verwijzer.gi": ("LDT_TypeVerwijzer", {"*": "Gecertificeerde instelling"}),
    "verwijzer.medisch_specialist": ("LDT_TypeVerwijzer", {"*": "Medisch specialist"}),
    "verwijzer.geen": ("LDT_TypeVerwijzer", {"*": "Zelfverwijzer"}),
    "verwijzer.rechter": ("LDT_TypeVerwijzer", {"*": "Rechter"}),
    # JZ588 / WMO588 reden beëindiging
    "beeindiging.overlijden": ("LDT_RedenBeeindiging", {"*": "Overlijden"}),
    "beeindiging.volgens_plan": ("LDT_RedenBeeindiging", {"ijw": "Levering is volgens plan", "iwmo": "Levering volgens plan"}),
    "beeindiging.tijdelijk": ("LDT_RedenBeeindiging", {"*": "tijdelijk beeindigd"}),
    "beeindiging.door_client": ("LDT_RedenBeeindiging", {"ijw": "eenzijdig door de client", "iwmo": "eenzijdig door client"}),
    "beeindiging.in_overeenstemming": ("LDT_RedenBeeindiging", {"*": "in overeenstemming"}),
    "beeindiging.gemeente": ("LDT_RedenBeeindiging", {"*": "Geinitieerd door de gemeente"}),
    "beeindiging.wijzigingsverzoek": ("LDT_RedenBeeindiging", {"*": "In verband met wijzigingsverzoek"}),
    "beeindiging.andere_aanbieder": ("LDT_RedenBeeindiging", {"*": "Overstap naar andere aanbieder"}),
    "beeindiging.ander_domein": ("LDT_RedenBeeindiging", {"*": "Uitstroom naar ander domein"}),
    # JZ002 / WMO002 reden wijziging
    "wijziging.vervallen": ("LDT_RedenWijziging", {"*": "Administratieve correctie (vervallen)"}),
    "wijziging.overleden": ("LDT_RedenWijziging", {"*": "Client overleden"}),
    "wijziging.verlenging": ("LDT_RedenWijziging", {"*": "verlenging toewijzing"}),
    "wijziging.verkorting": ("LDT_RedenWijziging", {"*": "verkorting toewijzing"}),
    "wijziging.ander_domein": ("LDT_RedenWijziging", {"*": "Uitstroom naar ander domein"}),
    "wijziging.verhuizing": ("LDT_RedenWijziging", {"*": "Verhuizing naar een andere gemeente"}),
    "wijziging.andere_aanbieder": ("LDT_RedenWijziging", {"*": "Overstap naar andere aanbieder"}),
    "wijziging.aanbieder": ("LDT_RedenWijziging", {"*": "Geinitieerd door de aanbieder"}),
    "wijziging.verwijderd": ("LDT_RedenWijziging", {"*": "Verwijderd"}),
    "wijziging.correctie": ("LDT_RedenWijziging", {"*": "=Administratieve correctie"}),
    # WJ758 reden verzoek
    "verzoek.clientsituatie": ("LDT_RedenVerzoek", {"*": "Verandering clientsituatie"}),
    "verzoek.zorgplan": ("LDT_RedenVerzoek", {"*": "Wijziging zorgplan"}),
    # WJ760 verzoek-antwoord
    "antwoord.afgewezen": ("LDT_VerzoekAntwoord", {"*": "Verzoek afgewezen"}),
    "antwoord.in_onderzoek": ("LDT_VerzoekAntwoord", {"*": "Aanvraag in onderzoek"}),
    # WJ759 reden afwijzing verzoek
    "afwijzing.nieuwe_aanvraag": ("LDT_RedenAfwijzingVerzoek", {"*": "Geen wijziging, maar nieuwe aanvraag"}),
    "afwijzing.budget": ("LDT_RedenAfwijzingVerzoek", {"*": "Past niet binnen budget"}),
    "afwijzing.geen_contract": ("LDT_RedenAfwijzingVerzoek", {"*": "Geen contract"}),
    "afwijzing.contract": ("LDT_RedenAfwijzingVerzoek", {"*": "Past niet binnen contract"}),
    "afwijzing.andere_gemeente": ("LDT_RedenAfwijzingVerzoek", {"*": "Andere gemeente"}),
    "afwijzing.stapeling": ("LDT_RedenAfwijzingVerzoek", {"*": "Stapeling"}),
    "afwijzing.zorginhoudelijk": ("LDT_RedenAfwijzingVerzoek", {"*": "Zorginhoudelijke afkeur"}),
    "afwijzing.woonplaatsbeginsel": ("LDT_RedenAfwijzingVerzoek", {"*": "Woonplaatsbeginsel"}),
    "afwijzing.leeftijd": ("LDT_RedenAfwijzingVerzoek", {"*": "Leeftijdsgrens"}),
    # COD472 soort relatie
    "relatie.ouder": ("LDT_SoortRelatie", {"*": "=Ouder"}),
    "relatie.voogd": ("LDT_SoortRelatie", {"*": "Voogd"}),
    # COD032 landcode
    "land.nederland": ("LDT_LandCode", {"*": "=NEDERLAND"}),
    # WJ001 / WMO001 retourcodes
    "retour.technisch_afgekeurd": ("LDT_RetourCode", {"*": "afgekeurd om technische redenen"}),
    "retour.geen_opmerking": ("LDT_RetourCode", {"*": "Geen opmerking over deze berichtklasse"}),
    "retour.niet_beoordeeld": ("LDT_RetourCode", {"*": "niet beoordeeld"}),
    "retour.declaratie_toegewezen": ("LDT_RetourCode", {"*": "Declaratie is volledig toegewezen"}),
    # TR355's code 9355: in the XSD enumeration but not in WJ001 (no tr_regel to find it by)
    "retour.referentie_onbekend": ("LDT_RetourCode", {"*": "ReferentieAanbieder in het antwoordbericht komt niet voor"}),
}


@dataclass(frozen=True)
class Codes:
    """Resolved named codes of one standard: ``codes["beeindiging.volgens_plan"]`` → ``"31"``."""

    standaard: Standaard
    waarden: dict[str, str]

    def __getitem__(self, naam: str) -> str:
        try:
            return self.waarden[naam]
        except KeyError:
            raise KeyError(f"no named code {naam!r}; known: {', '.join(sorted(self.waarden))}") from None

    def omschrijving(self, codelijsten: Codelijsten, datatype: str, code: str) -> str:
        return codelijsten.enumeratie(self.standaard, datatype).get(code, "?")


def _zoek(enumeratie: dict[str, str], fragment: str) -> list[str]:
    if fragment.startswith("="):  # exact description, for fragments that prefix another one
        return [c for c, o in enumeratie.items() if o.strip().rstrip(".").casefold() == fragment[1:].casefold()]
    f = fragment.casefold()
    return [c for c, o in enumeratie.items() if f in o.casefold()]


def los_op(codelijsten: Codelijsten, standaard: Standaard) -> Codes:
    """Resolve every named code for ``standaard``; SchemaFolderError names what is missing or ambiguous."""
    waarden: dict[str, str] = {}
    problemen: list[str] = []
    for naam, (datatype, fragmenten) in _BETEKENIS.items():
        fragment = fragmenten.get(standaard.naam, fragmenten.get("*"))
        if fragment is None:
            continue
        enumeratie = codelijsten.enumeratie(standaard, datatype)
        gevonden = _zoek(enumeratie, fragment)
        if len(gevonden) == 1:
            waarden[naam] = gevonden[0]
        else:
            wat = "not found" if not gevonden else f"ambiguous ({', '.join(gevonden)})"
            problemen.append(f"{naam}: {datatype} '{fragment}' {wat}")
    if problemen:
        raise SchemaFolderError(
            f"code lists of {standaard.map} lack values the harness needs:\n  " + "\n  ".join(problemen))
    return Codes(standaard, waarden)


@cache
def _cached(codelijsten: Codelijsten, standaard: Standaard) -> Codes:
    return los_op(codelijsten, standaard)


def codes(codelijsten: Codelijsten, standaard: Standaard) -> Codes:
    """Cached ``los_op``: one resolution per (code lists, standard)."""
    return _cached(codelijsten, standaard)


def beide(codelijsten: Codelijsten) -> dict[Standaard, Codes]:
    return {IJW: codes(codelijsten, IJW), IWMO: codes(codelijsten, IWMO)}


@cache
def _retourcodes_per_regel(codelijsten: Codelijsten, standaard: Standaard) -> dict[str, str]:
    """Rule id → the first retourcode of the WJ001 list naming it in column ``tr_regel`` (read once)."""
    per_regel: dict[str, str] = {}
    for code, c in codelijsten.lijst(standaard, "WJ001").items():
        for r in c.get("tr_regel").split(","):
            per_regel.setdefault(r.strip(), code)
    return per_regel


def retourcode_voor_regel(codelijsten: Codelijsten, standaard: Standaard, regel: str) -> str:
    """The retourcode a receiver uses when rule ``regel`` (e.g. ``"TR338"``) is broken, from the
    retourcode list (WJ001, column ``tr_regel``).  KeyError names the rule when the list has none."""
    code = _retourcodes_per_regel(codelijsten, standaard).get(regel)
    if code is None:
        raise KeyError(f"the retourcode list WJ001 of {standaard.map} has no code for rule {regel}")
    return code


def verwijzer_codes(c: Codes, namen: Iterable[str]) -> frozenset[str]:
    """The VerwijzerType codes of kinds of verwijzer named without the ``verwijzer.`` prefix (``huisarts``);
    the profile names only ``verwijzer.*`` codes (checked when it is loaded)."""
    return frozenset(c[f"verwijzer.{n}"] for n in namen)
