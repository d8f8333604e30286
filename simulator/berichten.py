"""Typed data classes for the 28 iJw 3.2 / iWmo 3.2 messages.

One class per message number serves both standards: the ``standaard`` field says which one
(iJw or iWmo).  The two standards share every element except two that only iJw has:
``GezagsdragerBekend`` in the 315 and ``Woonplaatsbeginsel`` in the 319/320; for an iWmo message
those fields must be ``None`` (``controleer_standaard`` says so).

A retour message (302, 306, 308, 316, 318, 320) holds its heenbericht's header (berichtcode
replaced, IV028), the retour header fields (``RetourHeader``) and — only when something was
rejected — the client's content again with ``retourcodes`` filled on every berichtklasse.  The 325
answers a 323 (IV087).  Amounts are whole cents; a negative amount is a credit (DebetCredit "C").

Values are plain strings as the XSD spells them (codes keep their leading zeros).  Code lists
themselves live in the schema folder; see ``simulator.codes`` for the named values the harness uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import ClassVar, Union

from .schemas import IJW, Standaard

RetourCodes = tuple[str, ...]


# =============================================================================================
# Shared building blocks (basisschema CDT_…)
# =============================================================================================


@dataclass(frozen=True, slots=True)
class XsdVersie:
    basisschema: str
    bericht: str


@dataclass(frozen=True, slots=True)
class Header:
    """Header of every message (for a retour: the heenbericht's header, berichtcode replaced)."""

    berichtcode: str
    afzender: str  # gemeentecode (4) or AGB code (8)
    ontvanger: str
    identificatie: str  # LDT_IdentificatieBericht, ≤ 12
    dagtekening: date
    xsd_versie: XsdVersie


@dataclass(frozen=True, slots=True)
class RetourHeader:
    """The fields a retour adds to the heenbericht's header (IV028)."""

    identificatie: str  # IdentificatieRetour
    dagtekening: date  # DagtekeningRetour
    xsd_versie: XsdVersie  # XsdVersieRetour
    xslt_versie: str | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Naam:
    """CDT_VolledigeNaam (301 family) or CDT_VerkorteNaam (other messages: no partner, no naamgebruik)."""

    geslachtsnaam: str
    voorvoegsel: str | None = None
    voornamen: str | None = None
    voorletters: str | None = None
    partnernaam: str | None = None
    partnervoorvoegsel: str | None = None
    naamgebruik: str | None = None  # COD700; required in a volledige naam


@dataclass(frozen=True, slots=True)
class Geboortedatum:
    datum: date
    gebruik: str | None = None  # COD170 DatumGebruik


@dataclass(frozen=True, slots=True)
class Adres:
    huisnummer: int | None = None
    huisletter: str | None = None
    toevoeging: str | None = None
    aanduiding_woonadres: str | None = None
    postcode: str | None = None
    straatnaam: str | None = None
    plaatsnaam: str | None = None
    landcode: str | None = None


@dataclass(frozen=True, slots=True)
class Telefoon:
    nummer: str
    landnummer: str = "0031"


@dataclass(frozen=True, slots=True)
class Contact:
    soort: str  # COD757 AdresSoort
    adres: Adres | None = None
    organisatie: str | None = None
    telefoon: tuple[Telefoon, ...] = ()  # 0, 1 or 2
    email: str | None = None
    begindatum: date | None = None  # CDT_OpenPeriode
    einddatum: date | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Communicatie:
    vorm: str  # COD747
    taal: str | None = None


@dataclass(frozen=True, slots=True)
class Relatie:
    nummer: str  # LDT_Persoonsid
    soort: str  # COD472
    naam: Naam
    contact: Contact
    volgorde: int | None = None
    geboortedatum: Geboortedatum | None = None
    geslacht: str | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Product:
    categorie: str  # JZ020 / WMO020
    code: str | None = None  # LDT_ProductCode; None = aspecifiek (category only)


@dataclass(frozen=True, slots=True)
class Omvang:
    volume: int
    eenheid: str  # WJ756
    frequentie: str  # WMO757


@dataclass(frozen=True, slots=True)
class Verwijzer:
    type: str  # COD327
    naam: str | None = None
    zorgverlenercode: str | None = None  # AGB


@dataclass(frozen=True, slots=True)
class Periode:
    begindatum: date
    einddatum: date


@dataclass(frozen=True, slots=True)
class Referentie:
    nummer: str
    vorig: str | None = None  # VorigReferentieNummer: the prestatie this one corrects


# =============================================================================================
# 301 / 302  Toewijzing
# =============================================================================================


@dataclass(frozen=True, slots=True)
class ToegewezenProduct:
    toewijzingnummer: str  # LDT_Nummer: digits only, ≤ 9
    toewijzingsdatum: date
    toewijzingstijd: time
    ingangsdatum: date
    product: Product | None = None
    einddatum: date | None = None
    referentie_aanbieder: str | None = None
    reden_wijziging: str | None = None  # WJ232
    omvang: Omvang | None = None
    budget: int | None = None  # LDT_Budget, whole cents
    commentaar: str | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class ToewijzingClient:
    bsn: str
    geboortedatum: Geboortedatum
    geslacht: str  # COD046
    naam: Naam  # volledige naam
    contactgegevens: tuple[Contact, ...]
    producten: tuple[ToegewezenProduct, ...]
    communicatie: Communicatie | None = None
    juridische_status: str | None = None  # WJ232
    wettelijke_vertegenwoordiging: str | None = None  # WJ003
    commentaar: str | None = None
    relaties: tuple[Relatie, ...] = ()
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Toewijzing:
    nummer: ClassVar[str] = "301"
    standaard: Standaard
    header: Header
    client: ToewijzingClient


@dataclass(frozen=True, slots=True)
class ToewijzingRetour:
    nummer: ClassVar[str] = "302"
    standaard: Standaard
    header: Header
    retour: RetourHeader
    client: ToewijzingClient | None = None


# =============================================================================================
# 305 / 306  Start zorg;  307 / 308  Stop zorg
# =============================================================================================


@dataclass(frozen=True, slots=True)
class StartProduct:
    begindatum: date
    status_aanlevering: str  # COD467: 1 eerste, 2 gewijzigd, 3 verwijderen
    toewijzingnummer: str | None = None
    product: Product | None = None
    toewijzing_ingangsdatum: date | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class StopProduct:
    begindatum: date
    reden_beeindiging: str  # JZ588 / WMO588
    einddatum: date
    status_aanlevering: str
    toewijzingnummer: str | None = None
    product: Product | None = None
    toewijzing_ingangsdatum: date | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class StartClient:
    bsn: str
    geboortedatum: Geboortedatum
    geslacht: str
    naam: Naam  # verkorte naam
    producten: tuple[StartProduct, ...]
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class StopClient:
    bsn: str
    geboortedatum: Geboortedatum
    geslacht: str
    naam: Naam
    producten: tuple[StopProduct, ...]
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Start:
    nummer: ClassVar[str] = "305"
    standaard: Standaard
    header: Header
    client: StartClient


@dataclass(frozen=True, slots=True)
class StartRetour:
    nummer: ClassVar[str] = "306"
    standaard: Standaard
    header: Header
    retour: RetourHeader
    client: StartClient | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    nummer: ClassVar[str] = "307"
    standaard: Standaard
    header: Header
    client: StopClient


@dataclass(frozen=True, slots=True)
class StopRetour:
    nummer: ClassVar[str] = "308"
    standaard: Standaard
    header: Header
    retour: RetourHeader
    client: StopClient | None = None


# =============================================================================================
# 315 / 316  Verzoek om toewijzing
# =============================================================================================


@dataclass(frozen=True, slots=True)
class AangevraagdProduct:
    referentie_aanbieder: str
    toewijzing_ingangsdatum: date
    verwijzer: Verwijzer
    product: Product | None = None
    beschikkingnummer: str | None = None
    beschikking_ingangsdatum: date | None = None
    toewijzing_einddatum: date | None = None
    omvang: Omvang | None = None
    budget: int | None = None
    raamcontract: bool | None = None
    commentaar: str | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class VerzoekToewijzingClient:
    bsn: str
    geboortedatum: Geboortedatum
    geslacht: str
    naam: Naam
    producten: tuple[AangevraagdProduct, ...]
    gezagsdrager_bekend: bool | None = None  # iJw only
    commentaar: str | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class VerzoekToewijzing:
    nummer: ClassVar[str] = "315"
    standaard: Standaard
    header: Header
    client: VerzoekToewijzingClient


@dataclass(frozen=True, slots=True)
class VerzoekToewijzingRetour:
    nummer: ClassVar[str] = "316"
    standaard: Standaard
    header: Header
    retour: RetourHeader
    client: VerzoekToewijzingClient | None = None


# =============================================================================================
# 317 / 318  Verzoek om wijziging
# =============================================================================================


@dataclass(frozen=True, slots=True)
class OngewijzigdProduct:
    toewijzingnummer: str
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class TeWijzigenProduct:
    toewijzingnummer: str
    gewenste_ingangsdatum: date
    einddatum: date | None = None
    omvang: Omvang | None = None
    budget: int | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class NieuwProduct:
    gewenste_ingangsdatum: date
    product: Product | None = None
    einddatum: date | None = None
    omvang: Omvang | None = None
    budget: int | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Verzoek:
    referentie_aanbieder: str
    reden: str  # RedenVerzoek
    ongewijzigd: tuple[OngewijzigdProduct, ...] = ()
    te_wijzigen: tuple[TeWijzigenProduct, ...] = ()
    nieuw: tuple[NieuwProduct, ...] = ()
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class VerzoekWijzigingClient:
    bsn: str
    verzoek: Verzoek
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class VerzoekWijziging:
    nummer: ClassVar[str] = "317"
    standaard: Standaard
    header: Header
    client: VerzoekWijzigingClient


@dataclass(frozen=True, slots=True)
class VerzoekWijzigingRetour:
    nummer: ClassVar[str] = "318"
    standaard: Standaard
    header: Header
    retour: RetourHeader
    client: VerzoekWijzigingClient | None = None


# =============================================================================================
# 319 / 320  Antwoord op een verzoek
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Woonplaatsbeginsel:
    gemeente: str  # iJw only
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class AntwoordInhoud:
    referentie_aanbieder: str
    verzoek_antwoord: str  # WJ760: 1 verzoek afgewezen, 2 aanvraag in onderzoek (approval is a 301)
    reden_afwijzing: str | None = None  # RedenAfwijzingVerzoek
    woonplaatsbeginsel: Woonplaatsbeginsel | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class Antwoord:
    nummer: ClassVar[str] = "319"
    standaard: Standaard
    header: Header
    antwoord: AntwoordInhoud


@dataclass(frozen=True, slots=True)
class AntwoordRetour:
    nummer: ClassVar[str] = "320"
    standaard: Standaard
    header: Header
    retour: RetourHeader
    antwoord: AntwoordInhoud | None = None


# =============================================================================================
# 323 Declaratie / 325 Declaratie-antwoord
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Prestatie:
    referentie: Referentie
    toewijzingnummer: str
    product: Product  # categorie and code both required here
    periode: Periode
    volume: int
    eenheid: str
    bedrag_cent: int  # IngediendBedrag; negative = credit
    tarief_cent: int | None = None
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class DeclaratieClient:
    bsn: str
    prestaties: tuple[Prestatie, ...]
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class DeclaratieInhoud:
    nummer: str  # DeclaratieNummer (LDT_IdentificatieDeclaratie)
    periode: Periode
    dagtekening: date
    totaal_cent: int  # TotaalIngediendBedrag as sent (a faulty sender may get it wrong)
    clienten: tuple[DeclaratieClient, ...]


@dataclass(frozen=True, slots=True)
class Declaratie:
    nummer: ClassVar[str] = "323"
    standaard: Standaard
    header: Header
    declaratie: DeclaratieInhoud


@dataclass(frozen=True, slots=True)
class DeclaratieAntwoordInhoud:
    declaratienummer: str
    totaal_ingediend_cent: int
    totaal_toegekend_cent: int
    clienten: tuple[DeclaratieClient, ...] = ()  # only the clients with rejected prestaties
    retourcodes: RetourCodes = ()


@dataclass(frozen=True, slots=True)
class DeclaratieAntwoord:
    """325: its own header (gemeente → aanbieder) plus a reference to the 323 it answers (IV087)."""

    nummer: ClassVar[str] = "325"
    standaard: Standaard
    header: Header
    declaratie_identificatie: str
    declaratie_dagtekening: date
    xsd_versie_declaratie: XsdVersie
    xslt_versie: str | None = None
    retourcodes: RetourCodes = ()
    antwoord: DeclaratieAntwoordInhoud | None = None


Heenbericht = Union[Toewijzing, Start, Stop, VerzoekToewijzing, VerzoekWijziging, Antwoord, Declaratie]
Retourbericht = Union[ToewijzingRetour, StartRetour, StopRetour, VerzoekToewijzingRetour,
                      VerzoekWijzigingRetour, AntwoordRetour, DeclaratieAntwoord]
Bericht = Union[Heenbericht, Retourbericht]

#: message number → class
KLASSEN: dict[str, type] = {
    k.nummer: k
    for k in (Toewijzing, ToewijzingRetour, Start, StartRetour, Stop, StopRetour, VerzoekToewijzing,
              VerzoekToewijzingRetour, VerzoekWijziging, VerzoekWijzigingRetour, Antwoord, AntwoordRetour,
              Declaratie, DeclaratieAntwoord)
}


def berichttype(bericht: Bericht) -> str:
    """``"JW301"`` / ``"WMO325"`` for a message object."""
    return f"{bericht.standaard.type_prefix}{bericht.nummer}"


def controleer_standaard(bericht: Bericht) -> list[str]:
    """Fields set that the message's standard does not have (iJw-only elements in an iWmo message)."""
    if bericht.standaard == IJW:
        return []
    fouten = []
    client = getattr(bericht, "client", None)
    if isinstance(client, VerzoekToewijzingClient) and client.gezagsdrager_bekend is not None:
        fouten.append("GezagsdragerBekend bestaat alleen in iJw")
    antwoord = getattr(bericht, "antwoord", None)
    if isinstance(antwoord, AntwoordInhoud) and antwoord.woonplaatsbeginsel is not None:
        fouten.append("Woonplaatsbeginsel bestaat alleen in iJw")
    return fouten
