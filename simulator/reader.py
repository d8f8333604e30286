"""iJw/iWmo 3.2 XML → message objects (:mod:`simulator.berichten`): the inverse of :mod:`simulator.render`.

``lees(data, registry)`` accepts bytes (parsed safely by :func:`simulator.codec.parse`) or an
lxml element.  The message type comes from the root element's namespace; an unknown root or
namespace, a missing required element or an unparseable value raises :class:`LeesFout` with the
element path.  The reader does not validate (use :func:`simulator.codec.validate` for that) and
uses lxml only, so it is cheap enough for every message of a run.

Values are kept as the XML spells them (codes keep leading zeros); integers, dates and times
are converted, Bedrag + DebetCredit become signed cents (credit negative) and COD260 ja/nee
becomes a bool.
"""

from __future__ import annotations

import functools
from datetime import date, time
from typing import Any, Callable, TypeVar

from lxml import etree

from . import berichten as b
from .codec import parse
from .codes import Codes
from .render import codes_van
from .schemas import RETOUR_HEEN, SchemaRegistry, Standaard, parse_berichttype

T = TypeVar("T")


class LeesFout(Exception):
    """The document is no readable iJw/iWmo 3.2 message; the text says where and why."""


class _Tags(dict):
    """Local name → ``{namespace}name`` for one namespace, made once: the reader asks ~40 children per
    message by name, and a tag string kept here has its hash cached."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.namespace = namespace

    def __missing__(self, naam: str) -> str:
        tag = self[naam] = f"{{{self.namespace}}}{naam}"
        return tag


@functools.cache
def _tags(namespace: str) -> _Tags:
    """The one tag cache of ``namespace``."""
    return _Tags(namespace)


class _Lezer:
    """Element access for one message: names are looked up in the message namespace, or with ``basis=True``
    in the basisschema namespace."""

    def __init__(self, standaard: Standaard, nummer: str, codes: Codes) -> None:
        self.standaard = standaard
        self.nummer = nummer
        self.prefix = f"{standaard.prefix}{nummer}"
        self._m_tags = _tags(standaard.namespace(self.prefix))
        self._b_tags = _tags(standaard.basis_namespace)
        self.codes = codes
        self._kinderen: dict[etree._Element, dict[Any, etree._Element]] = {}  # element → tag → first child

    # -- locating ----------------------------------------------------------------------------
    def _pad(self, el: etree._Element, naam: str = "") -> str:
        delen = []
        node: etree._Element | None = el
        while node is not None:
            delen.append(etree.QName(node).localname)
            node = node.getparent()
        pad = "/".join(reversed(delen))
        return f"{pad}/{naam}" if naam else pad

    def kind(self, el: etree._Element, naam: str, *, basis: bool = False) -> etree._Element | None:
        # each element's children are mapped by tag once (first one wins, as el.find): the reader asks
        # ~40 children per message and el.find (ElementPath) cost more than the rest of reading
        kinderen = self._kinderen.get(el)
        if kinderen is None:
            kinderen = self._kinderen[el] = {}
            for k in el:
                kinderen.setdefault(k.tag, k)
        return kinderen.get((self._b_tags if basis else self._m_tags)[naam])

    def moet(self, el: etree._Element, naam: str, *, basis: bool = False) -> etree._Element:
        kind = self.kind(el, naam, basis=basis)
        if kind is None:
            raise LeesFout(f"{self.standaard.type_prefix}{self.nummer}: required element {self._pad(el, naam)} is missing")
        return kind

    def alle(self, el: etree._Element, lijst: str, item: str, *, verplicht: bool = False) -> list[etree._Element]:
        """Items of a list wrapper (``Relaties/Relatie``); [] when an optional wrapper is absent."""
        wrapper = self.moet(el, lijst) if verplicht else self.kind(el, lijst)
        return [] if wrapper is None else wrapper.findall(self._m_tags[item])

    # -- values ------------------------------------------------------------------------------
    def tekst(self, el: etree._Element, naam: str, *, basis: bool = False) -> str:
        return self.moet(el, naam, basis=basis).text or ""

    def opt(self, el: etree._Element, naam: str, *, basis: bool = False) -> str | None:
        kind = self.kind(el, naam, basis=basis)
        return None if kind is None else (kind.text or "")

    def _omzetten(self, el: etree._Element, naam: str, tekst: str | None, f: Callable[[str], T]) -> T | None:
        if tekst is None:
            return None
        try:
            return f(tekst.strip())
        except ValueError:
            raise LeesFout(f"{self._pad(el, naam)}: cannot read {tekst!r}") from None

    def getal(self, el: etree._Element, naam: str, *, basis: bool = False) -> int:
        return self._omzetten(el, naam, self.tekst(el, naam, basis=basis), int)  # type: ignore[return-value]

    def opt_getal(self, el: etree._Element, naam: str, *, basis: bool = False) -> int | None:
        return self._omzetten(el, naam, self.opt(el, naam, basis=basis), int)

    def datum(self, el: etree._Element, naam: str, *, basis: bool = False) -> date:
        return self._omzetten(el, naam, self.tekst(el, naam, basis=basis), date.fromisoformat)  # type: ignore[return-value]

    def opt_datum(self, el: etree._Element, naam: str, *, basis: bool = False) -> date | None:
        return self._omzetten(el, naam, self.opt(el, naam, basis=basis), date.fromisoformat)

    def tijd(self, el: etree._Element, naam: str) -> time:
        return self._omzetten(el, naam, self.tekst(el, naam), time.fromisoformat)  # type: ignore[return-value]

    def janee(self, el: etree._Element, naam: str) -> bool | None:
        waarde = self.opt(el, naam)
        if waarde is None:
            return None
        if waarde == self.codes["janee.ja"]:
            return True
        if waarde == self.codes["janee.nee"]:
            return False
        raise LeesFout(f"{self._pad(el, naam)}: {waarde!r} is no COD260 ja/nee code")

    def bedrag(self, el: etree._Element, naam: str, *, totaal: bool = False) -> int:
        """Bedrag/TotaalBedrag + DebetCredit → signed cents."""
        blok = self.moet(el, naam)
        cent = self.getal(blok, "TotaalBedrag" if totaal else "Bedrag", basis=True)
        dc = self.tekst(blok, "DebetCredit", basis=True)
        if dc == self.codes["dc.credit"]:
            return -cent
        if dc == self.codes["dc.debet"]:
            return cent
        raise LeesFout(f"{self._pad(blok, 'DebetCredit')}: {dc!r} is no COD043 debet/credit code")

    def retourcodes(self, el: etree._Element) -> tuple[str, ...]:
        blok = self.kind(el, "RetourCodes")
        return () if blok is None else tuple(c.text or "" for c in blok.findall(self._m_tags["RetourCode"]))


# =============================================================================================
# Shared blocks
# =============================================================================================


def _xsd_versie(lz: _Lezer, el: etree._Element) -> b.XsdVersie:
    return b.XsdVersie(lz.tekst(el, "BasisschemaXsdVersie", basis=True), lz.tekst(el, "BerichtXsdVersie", basis=True))


def _header(lz: _Lezer, el: etree._Element) -> b.Header:
    ident = lz.moet(el, "BerichtIdentificatie")
    return b.Header(
        berichtcode=lz.tekst(el, "BerichtCode"),
        afzender=lz.tekst(el, "Afzender"),
        ontvanger=lz.tekst(el, "Ontvanger"),
        identificatie=lz.tekst(ident, "Identificatie", basis=True),
        dagtekening=lz.datum(ident, "Dagtekening", basis=True),
        xsd_versie=_xsd_versie(lz, lz.moet(el, "XsdVersie")),
    )


def _retour_header(lz: _Lezer, el: etree._Element) -> b.RetourHeader:
    return b.RetourHeader(
        identificatie=lz.tekst(el, "IdentificatieRetour"),
        dagtekening=lz.datum(el, "DagtekeningRetour"),
        xsd_versie=_xsd_versie(lz, lz.moet(el, "XsdVersieRetour")),
        xslt_versie=lz.opt(el, "XsltVersie"),
        retourcodes=lz.retourcodes(el),
    )


def _geboortedatum(lz: _Lezer, el: etree._Element | None) -> b.Geboortedatum | None:
    if el is None:
        return None
    return b.Geboortedatum(lz.datum(el, "Datum", basis=True), lz.opt(el, "DatumGebruik", basis=True))


def _naam(lz: _Lezer, el: etree._Element) -> b.Naam:
    geslachtsnaam = lz.moet(el, "Geslachtsnaam", basis=True)
    partner = lz.kind(el, "Partnernaam", basis=True)
    return b.Naam(
        geslachtsnaam=lz.tekst(geslachtsnaam, "Achternaam", basis=True),
        voorvoegsel=lz.opt(geslachtsnaam, "Voorvoegsel", basis=True),
        voornamen=lz.opt(el, "Voornamen", basis=True),
        voorletters=lz.opt(el, "Voorletters", basis=True),
        partnernaam=None if partner is None else lz.tekst(partner, "Achternaam", basis=True),
        partnervoorvoegsel=None if partner is None else lz.opt(partner, "Voorvoegsel", basis=True),
        naamgebruik=lz.opt(el, "NaamGebruik", basis=True),
    )


def _adres(lz: _Lezer, el: etree._Element | None) -> b.Adres | None:
    if el is None:
        return None
    huis = lz.kind(el, "Huis", basis=True)
    return b.Adres(
        huisnummer=None if huis is None else lz.getal(huis, "Huisnummer", basis=True),
        huisletter=None if huis is None else lz.opt(huis, "Huisletter", basis=True),
        toevoeging=None if huis is None else lz.opt(huis, "HuisnummerToevoeging", basis=True),
        aanduiding_woonadres=None if huis is None else lz.opt(huis, "AanduidingWoonadres", basis=True),
        postcode=lz.opt(el, "Postcode", basis=True),
        straatnaam=lz.opt(el, "Straatnaam", basis=True),
        plaatsnaam=lz.opt(el, "Plaatsnaam", basis=True),
        landcode=lz.opt(el, "LandCode", basis=True),
    )


def _telefoon(lz: _Lezer, el: etree._Element | None) -> tuple[b.Telefoon, ...]:
    if el is None:
        return ()
    nummers = []
    for naam in ("Telefoon01", "Telefoon02"):
        t = lz.kind(el, naam, basis=True)
        if t is not None:
            nummers.append(b.Telefoon(lz.tekst(t, "Telefoonnummer", basis=True), lz.tekst(t, "Landnummer", basis=True)))
    return tuple(nummers)


def _contact(lz: _Lezer, el: etree._Element) -> b.Contact:
    periode = lz.kind(el, "Periode")
    return b.Contact(
        soort=lz.tekst(el, "Soort"),
        adres=_adres(lz, lz.kind(el, "Adres")),
        organisatie=lz.opt(el, "Organisatie"),
        telefoon=_telefoon(lz, lz.kind(el, "Telefoon")),
        email=lz.opt(el, "Emailadres"),
        begindatum=None if periode is None else lz.opt_datum(periode, "Begindatum", basis=True),
        einddatum=None if periode is None else lz.opt_datum(periode, "Einddatum", basis=True),
        retourcodes=lz.retourcodes(el),
    )


def _communicatie(lz: _Lezer, el: etree._Element | None) -> b.Communicatie | None:
    if el is None:
        return None
    return b.Communicatie(lz.tekst(el, "Vorm", basis=True), lz.opt(el, "Taal", basis=True))


def _relatie(lz: _Lezer, el: etree._Element) -> b.Relatie:
    return b.Relatie(
        nummer=lz.tekst(el, "Nummer"),
        soort=lz.tekst(el, "Soort"),
        naam=_naam(lz, lz.moet(el, "Naam")),
        contact=_contact(lz, lz.moet(el, "Contact")),
        volgorde=lz.opt_getal(el, "Volgorde"),
        geboortedatum=_geboortedatum(lz, lz.kind(el, "Geboortedatum")),
        geslacht=lz.opt(el, "Geslacht"),
        retourcodes=lz.retourcodes(el),
    )


def _product(lz: _Lezer, el: etree._Element | None) -> b.Product | None:
    if el is None:
        return None
    return b.Product(lz.tekst(el, "Categorie", basis=True), lz.opt(el, "Code", basis=True))


def _omvang(lz: _Lezer, el: etree._Element | None) -> b.Omvang | None:
    if el is None:
        return None
    return b.Omvang(lz.getal(el, "Volume", basis=True), lz.tekst(el, "Eenheid", basis=True),
                    lz.tekst(el, "Frequentie", basis=True))


def _periode(lz: _Lezer, el: etree._Element) -> b.Periode:
    return b.Periode(lz.datum(el, "Begindatum", basis=True), lz.datum(el, "Einddatum", basis=True))


# =============================================================================================
# Per message pair
# =============================================================================================


def _toewijzing_client(lz: _Lezer, el: etree._Element) -> b.ToewijzingClient:
    producten = tuple(
        b.ToegewezenProduct(
            toewijzingnummer=lz.tekst(p, "ToewijzingNummer"),
            toewijzingsdatum=lz.datum(p, "Toewijzingsdatum"),
            toewijzingstijd=lz.tijd(p, "Toewijzingstijd"),
            ingangsdatum=lz.datum(p, "Ingangsdatum"),
            product=_product(lz, lz.kind(p, "Product")),
            einddatum=lz.opt_datum(p, "Einddatum"),
            referentie_aanbieder=lz.opt(p, "ReferentieAanbieder"),
            reden_wijziging=lz.opt(p, "RedenWijziging"),
            omvang=_omvang(lz, lz.kind(p, "Omvang")),
            budget=lz.opt_getal(p, "Budget"),
            commentaar=lz.opt(p, "Commentaar"),
            retourcodes=lz.retourcodes(p),
        )
        for p in lz.alle(el, "ToegewezenProducten", "ToegewezenProduct", verplicht=True)
    )
    return b.ToewijzingClient(
        bsn=lz.tekst(el, "Bsn"),
        geboortedatum=_geboortedatum(lz, lz.moet(el, "Geboortedatum")),  # type: ignore[arg-type]
        geslacht=lz.tekst(el, "Geslacht"),
        naam=_naam(lz, lz.moet(el, "Naam")),
        contactgegevens=tuple(_contact(lz, c) for c in lz.alle(el, "Contactgegevens", "Contact", verplicht=True)),
        producten=producten,
        communicatie=_communicatie(lz, lz.kind(el, "Communicatie")),
        juridische_status=lz.opt(el, "JuridischeStatus"),
        wettelijke_vertegenwoordiging=lz.opt(el, "WettelijkeVertegenwoordiging"),
        commentaar=lz.opt(el, "Commentaar"),
        relaties=tuple(_relatie(lz, r) for r in lz.alle(el, "Relaties", "Relatie")),
        retourcodes=lz.retourcodes(el),
    )


def _persoon(lz: _Lezer, el: etree._Element) -> dict[str, object]:
    return {
        "bsn": lz.tekst(el, "Bsn"),
        "geboortedatum": _geboortedatum(lz, lz.moet(el, "Geboortedatum")),
        "geslacht": lz.tekst(el, "Geslacht"),
        "naam": _naam(lz, lz.moet(el, "Naam")),
    }


def _start_client(lz: _Lezer, el: etree._Element) -> b.StartClient:
    producten = tuple(
        b.StartProduct(
            begindatum=lz.datum(p, "Begindatum"),
            status_aanlevering=lz.tekst(p, "StatusAanlevering"),
            toewijzingnummer=lz.opt(p, "ToewijzingNummer"),
            product=_product(lz, lz.kind(p, "Product")),
            toewijzing_ingangsdatum=lz.opt_datum(p, "ToewijzingIngangsdatum"),
            retourcodes=lz.retourcodes(p),
        )
        for p in lz.alle(el, "StartProducten", "StartProduct", verplicht=True)
    )
    return b.StartClient(**_persoon(lz, el), producten=producten, retourcodes=lz.retourcodes(el))  # type: ignore[arg-type]


def _stop_client(lz: _Lezer, el: etree._Element) -> b.StopClient:
    producten = tuple(
        b.StopProduct(
            begindatum=lz.datum(p, "Begindatum"),
            reden_beeindiging=lz.tekst(p, "RedenBeeindiging"),
            einddatum=lz.datum(p, "Einddatum"),
            status_aanlevering=lz.tekst(p, "StatusAanlevering"),
            toewijzingnummer=lz.opt(p, "ToewijzingNummer"),
            product=_product(lz, lz.kind(p, "Product")),
            toewijzing_ingangsdatum=lz.opt_datum(p, "ToewijzingIngangsdatum"),
            retourcodes=lz.retourcodes(p),
        )
        for p in lz.alle(el, "StopProducten", "StopProduct", verplicht=True)
    )
    return b.StopClient(**_persoon(lz, el), producten=producten, retourcodes=lz.retourcodes(el))  # type: ignore[arg-type]


def _verwijzer(lz: _Lezer, el: etree._Element) -> b.Verwijzer:
    return b.Verwijzer(lz.tekst(el, "Type", basis=True), lz.opt(el, "Naam", basis=True),
                       lz.opt(el, "ZorgverlenerCode", basis=True))


def _verzoek_toewijzing_client(lz: _Lezer, el: etree._Element) -> b.VerzoekToewijzingClient:
    producten = tuple(
        b.AangevraagdProduct(
            referentie_aanbieder=lz.tekst(p, "ReferentieAanbieder"),
            toewijzing_ingangsdatum=lz.datum(p, "ToewijzingIngangsdatum"),
            verwijzer=_verwijzer(lz, lz.moet(p, "Verwijzer")),
            product=_product(lz, lz.kind(p, "Product")),
            beschikkingnummer=lz.opt(p, "BeschikkingNummer"),
            beschikking_ingangsdatum=lz.opt_datum(p, "BeschikkingIngangsdatum"),
            toewijzing_einddatum=lz.opt_datum(p, "ToewijzingEinddatum"),
            omvang=_omvang(lz, lz.kind(p, "Omvang")),
            budget=lz.opt_getal(p, "Budget"),
            raamcontract=lz.janee(p, "Raamcontract"),
            commentaar=lz.opt(p, "Commentaar"),
            retourcodes=lz.retourcodes(p),
        )
        for p in lz.alle(el, "AangevraagdeProducten", "AangevraagdProduct", verplicht=True)
    )
    return b.VerzoekToewijzingClient(
        **_persoon(lz, el),  # type: ignore[arg-type]
        producten=producten,
        gezagsdrager_bekend=lz.janee(el, "GezagsdragerBekend"),
        commentaar=lz.opt(el, "Commentaar"),
        retourcodes=lz.retourcodes(el),
    )


def _verzoek_wijziging_client(lz: _Lezer, el: etree._Element) -> b.VerzoekWijzigingClient:
    v = lz.moet(el, "Verzoek")
    verzoek = b.Verzoek(
        referentie_aanbieder=lz.tekst(v, "ReferentieAanbieder"),
        reden=lz.tekst(v, "RedenVerzoek"),
        ongewijzigd=tuple(
            b.OngewijzigdProduct(lz.tekst(p, "ToewijzingNummer"), lz.retourcodes(p))
            for p in lz.alle(v, "OngewijzigdeProducten", "OngewijzigdProduct")
        ),
        te_wijzigen=tuple(
            b.TeWijzigenProduct(
                toewijzingnummer=lz.tekst(p, "ToewijzingNummer"),
                gewenste_ingangsdatum=lz.datum(p, "GewensteIngangsdatum"),
                einddatum=lz.opt_datum(p, "Einddatum"),
                omvang=_omvang(lz, lz.kind(p, "Omvang")),
                budget=lz.opt_getal(p, "Budget"),
                retourcodes=lz.retourcodes(p),
            )
            for p in lz.alle(v, "TeWijzigenProducten", "TeWijzigenProduct")
        ),
        nieuw=tuple(
            b.NieuwProduct(
                gewenste_ingangsdatum=lz.datum(p, "GewensteIngangsdatum"),
                product=_product(lz, lz.kind(p, "Product")),
                einddatum=lz.opt_datum(p, "Einddatum"),
                omvang=_omvang(lz, lz.kind(p, "Omvang")),
                budget=lz.opt_getal(p, "Budget"),
                retourcodes=lz.retourcodes(p),
            )
            for p in lz.alle(v, "NieuweProducten", "NieuwProduct")
        ),
        retourcodes=lz.retourcodes(v),
    )
    return b.VerzoekWijzigingClient(lz.tekst(el, "Bsn"), verzoek, lz.retourcodes(el))


def _antwoord(lz: _Lezer, el: etree._Element) -> b.AntwoordInhoud:
    wpb = lz.kind(el, "Woonplaatsbeginsel")
    return b.AntwoordInhoud(
        referentie_aanbieder=lz.tekst(el, "ReferentieAanbieder"),
        verzoek_antwoord=lz.tekst(el, "VerzoekAntwoord"),
        reden_afwijzing=lz.opt(el, "RedenAfwijzingVerzoek"),
        woonplaatsbeginsel=None if wpb is None else b.Woonplaatsbeginsel(lz.tekst(wpb, "Gemeente"), lz.retourcodes(wpb)),
        retourcodes=lz.retourcodes(el),
    )


def _prestatie(lz: _Lezer, el: etree._Element) -> b.Prestatie:
    ref = lz.moet(el, "ProductReferentie")
    return b.Prestatie(
        referentie=b.Referentie(lz.tekst(ref, "ReferentieNummer", basis=True),
                                lz.opt(ref, "VorigReferentieNummer", basis=True)),
        toewijzingnummer=lz.tekst(el, "ToewijzingNummer"),
        product=b.Product(lz.tekst(el, "ProductCategorie"), lz.tekst(el, "ProductCode")),
        periode=_periode(lz, lz.moet(el, "ProductPeriode")),
        volume=lz.getal(el, "GeleverdVolume"),
        eenheid=lz.tekst(el, "Eenheid"),
        bedrag_cent=lz.bedrag(el, "IngediendBedrag"),
        tarief_cent=lz.opt_getal(el, "ProductTarief"),
        retourcodes=lz.retourcodes(el),
    )


def _declaratie_clienten(lz: _Lezer, el: etree._Element, *, verplicht: bool) -> tuple[b.DeclaratieClient, ...]:
    clienten = []
    for c in lz.alle(el, "Clienten", "Client", verplicht=verplicht):
        prestaties = tuple(_prestatie(lz, p) for p in lz.alle(c, "Prestaties", "Prestatie", verplicht=True))
        clienten.append(b.DeclaratieClient(lz.tekst(c, "Bsn"), prestaties, lz.retourcodes(c)))
    return tuple(clienten)


# =============================================================================================
# Entry point
# =============================================================================================


def _lees_bericht(lz: _Lezer, root: etree._Element) -> b.Bericht:
    std, nummer = lz.standaard, lz.nummer
    h = lz.moet(root, "Header")
    header = _header(lz, h)
    klasse = b.KLASSEN[nummer]

    if nummer == "323":
        d = lz.moet(root, "Declaratie")
        inhoud = b.DeclaratieInhoud(
            nummer=lz.tekst(d, "DeclaratieNummer"),
            periode=_periode(lz, lz.moet(d, "DeclaratiePeriode")),
            dagtekening=lz.datum(d, "DeclaratieDagtekening"),
            totaal_cent=lz.bedrag(d, "TotaalIngediendBedrag", totaal=True),
            clienten=_declaratie_clienten(lz, d, verplicht=True),
        )
        return b.Declaratie(std, header, inhoud)
    if nummer == "325":
        ident = lz.moet(h, "DeclaratieIdentificatie")
        a = lz.kind(root, "DeclaratieAntwoord")
        antwoord = None if a is None else b.DeclaratieAntwoordInhoud(
            declaratienummer=lz.tekst(a, "DeclaratieNummer"),
            totaal_ingediend_cent=lz.bedrag(a, "TotaalIngediendBedrag", totaal=True),
            totaal_toegekend_cent=lz.bedrag(a, "TotaalToegekendBedrag", totaal=True),
            clienten=_declaratie_clienten(lz, a, verplicht=False),
            retourcodes=lz.retourcodes(a),
        )
        return b.DeclaratieAntwoord(
            standaard=std,
            header=header,
            declaratie_identificatie=lz.tekst(ident, "Identificatie", basis=True),
            declaratie_dagtekening=lz.datum(ident, "Dagtekening", basis=True),
            xsd_versie_declaratie=_xsd_versie(lz, lz.moet(h, "XsdVersieDeclaratie")),
            xslt_versie=lz.opt(h, "XsltVersie"),
            retourcodes=lz.retourcodes(h),
            antwoord=antwoord,
        )

    heen = RETOUR_HEEN.get(nummer)
    basis = heen or nummer
    body_naam = "Antwoord" if basis == "319" else "Client"
    lees_body = {
        "301": _toewijzing_client,
        "305": _start_client,
        "307": _stop_client,
        "315": _verzoek_toewijzing_client,
        "317": _verzoek_wijziging_client,
        "319": _antwoord,
    }[basis]
    if heen is None:
        return klasse(std, header, lees_body(lz, lz.moet(root, body_naam)))
    body_el = lz.kind(root, body_naam)
    body = None if body_el is None else lees_body(lz, body_el)
    return klasse(std, header, _retour_header(lz, h), body)


def lees(data: bytes | etree._Element, registry: SchemaRegistry) -> b.Bericht:
    """Read one iJw/iWmo 3.2 message (bytes or a parsed root element) into its data class."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        ontleding = parse(bytes(data))
        if ontleding.document is None:
            raise LeesFout("; ".join(f.melding for f in ontleding.fouten) or "not parseable")
        root = ontleding.document
    elif isinstance(data, etree._ElementTree):
        root = data.getroot()
    elif isinstance(data, etree._Element):
        root = data
    else:
        raise TypeError(f"lees() takes bytes or an lxml element, not {type(data).__name__}")
    qn = etree.QName(root)
    berichttype_ = registry.type_for_namespace(qn.namespace or "") if qn.localname == "Bericht" else None
    if berichttype_ is None:
        raise LeesFout(f"root element {{{qn.namespace}}}{qn.localname} is no iJw/iWmo 3.2 message "
                       "(expected Bericht in a http://www.istandaarden.nl/ijw|iwmo/3_2/…/schema namespace)")
    std, nummer = parse_berichttype(berichttype_)
    return _lees_bericht(_Lezer(std, nummer, codes_van(registry, std)), root)
