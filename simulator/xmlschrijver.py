"""Message objects → iJw/iWmo 3.2 XML text, written directly in Python (the fast renderer).

:func:`simulator.render.render` uses this writer for every message of a run.  It writes exactly the
bytes the Jinja2 templates (``templates/berichten/*.xml.j2``, :func:`simulator.render.render_jinja`)
write — same elements, same order, same two-space indentation per nesting level, same escaping —
at a fraction of the cost: the templates spend ~1 ms per message on Markup objects, macro calls
and the ``indent`` filter; this writer appends one string per line (docs/performance.md).
``tests/test_xmlschrijver.py`` proves the two byte-identical for every message type of both
standards and for every message of a simulated run; a change to a template must be made here too
(that test fails until it is).

Layout rules shared with the templates: an element whose value is ``None`` is left out; one line
per element, indented by two spaces per level; text values are escaped like MarkupSafe does
(``& < > " '``) and line breaks become character references (``&#10;``, ``&#13;``).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any, Callable

_IND = tuple("  " * i for i in range(32))
_SPECIAAL = re.compile(r"[&<>\"'\r\n]")


def _t(v: Any) -> str:
    """A text value, escaped as the templates' ``finalize`` does (MarkupSafe + line breaks)."""
    s = v if type(v) is str else str(v)
    if _SPECIAAL.search(s) is None:
        return s
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;").replace("\r", "&#13;").replace("\n", "&#10;"))


def _d(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _tijd(t: time | None) -> str | None:
    return None if t is None else t.strftime("%H:%M:%S")


class _Schrijver:
    """Collects the lines of one message; ``d`` is the nesting level (two spaces each)."""

    __slots__ = ("r", "m", "b", "retour", "ijw", "berichtversie", "berichtsubversie", "dc", "janee")

    def __init__(self, m: str, b: str, retour: bool, ijw: bool, berichtversie: str, berichtsubversie: str,
                 dc: Callable[[int], str], janee: Callable[[bool | None], str | None]) -> None:
        self.r: list[str] = []
        self.m, self.b, self.retour, self.ijw = m, b, retour, ijw
        self.berichtversie, self.berichtsubversie = berichtversie, berichtsubversie
        self.dc, self.janee = dc, janee

    # -- leaves ---------------------------------------------------------------------------------
    def el(self, d: int, tag: str, v: Any) -> None:
        if v is not None:
            m = self.m
            self.r.append(f"{_IND[d]}<{m}:{tag}>{_t(v)}</{m}:{tag}>")

    def be(self, d: int, tag: str, v: Any) -> None:
        if v is not None:
            b = self.b
            self.r.append(f"{_IND[d]}<{b}:{tag}>{_t(v)}</{b}:{tag}>")

    def open(self, d: int, tag: str) -> None:
        self.r.append(f"{_IND[d]}<{self.m}:{tag}>")

    def sluit(self, d: int, tag: str) -> None:
        self.r.append(f"{_IND[d]}</{self.m}:{tag}>")

    def retourcodes(self, d: int, codes: Any) -> None:
        if self.retour and codes:
            self.open(d, "RetourCodes")
            for code in codes:
                self.el(d + 1, "RetourCode", code)
            self.sluit(d, "RetourCodes")

    # -- header -------------------------------------------------------------------------------
    def xsd_versie(self, d: int, tag: str, v: Any) -> None:
        self.open(d, tag)
        self.be(d + 1, "BasisschemaXsdVersie", v.basisschema)
        self.be(d + 1, "BerichtXsdVersie", v.bericht)
        self.sluit(d, tag)

    def identificatie(self, d: int, tag: str, ident: Any, dagtekening: date | None) -> None:
        self.open(d, tag)
        self.be(d + 1, "Identificatie", ident)
        self.be(d + 1, "Dagtekening", _d(dagtekening))
        self.sluit(d, tag)

    def header(self, d: int, h: Any, r: Any = None, dd: Any = None) -> None:
        e = d + 1
        self.open(d, "Header")
        self.el(e, "BerichtCode", h.berichtcode)
        self.el(e, "BerichtVersie", self.berichtversie)
        self.el(e, "BerichtSubversie", self.berichtsubversie)
        self.el(e, "Afzender", h.afzender)
        self.el(e, "Ontvanger", h.ontvanger)
        self.identificatie(e, "BerichtIdentificatie", h.identificatie, h.dagtekening)
        self.xsd_versie(e, "XsdVersie", h.xsd_versie)
        if r is not None:
            self.el(e, "IdentificatieRetour", r.identificatie)
            self.el(e, "DagtekeningRetour", _d(r.dagtekening))
            self.el(e, "XsltVersie", r.xslt_versie)
            self.xsd_versie(e, "XsdVersieRetour", r.xsd_versie)
            self.retourcodes(e, r.retourcodes)
        if dd is not None:
            self.identificatie(e, "DeclaratieIdentificatie", dd.declaratie_identificatie, dd.declaratie_dagtekening)
            self.el(e, "XsltVersie", dd.xslt_versie)
            self.xsd_versie(e, "XsdVersieDeclaratie", dd.xsd_versie_declaratie)
            self.retourcodes(e, dd.retourcodes)
        self.sluit(d, "Header")

    # -- person -------------------------------------------------------------------------------
    def geboortedatum(self, d: int, tag: str, g: Any) -> None:
        if g is not None:
            self.open(d, tag)
            self.be(d + 1, "Datum", _d(g.datum))
            self.be(d + 1, "DatumGebruik", g.gebruik)
            self.sluit(d, tag)

    def achternaam(self, d: int, tag: str, naam: Any, voorvoegsel: Any) -> None:
        if naam is not None:
            b = self.b
            self.r.append(f"{_IND[d]}<{b}:{tag}>")
            self.be(d + 1, "Achternaam", naam)
            self.be(d + 1, "Voorvoegsel", voorvoegsel)
            self.r.append(f"{_IND[d]}</{b}:{tag}>")

    def naam(self, d: int, tag: str, n: Any, volledig: bool) -> None:
        e = d + 1
        self.open(d, tag)
        self.achternaam(e, "Geslachtsnaam", n.geslachtsnaam, n.voorvoegsel)
        if volledig:
            self.achternaam(e, "Partnernaam", n.partnernaam, n.partnervoorvoegsel)
        self.be(e, "Voornamen", n.voornamen)
        self.be(e, "Voorletters", n.voorletters)
        if volledig:
            self.be(e, "NaamGebruik", n.naamgebruik)
        self.sluit(d, tag)

    def communicatie(self, d: int, tag: str, c: Any) -> None:
        if c is not None:
            self.open(d, tag)
            self.be(d + 1, "Vorm", c.vorm)
            self.be(d + 1, "Taal", c.taal)
            self.sluit(d, tag)

    def adres(self, d: int, tag: str, a: Any) -> None:
        if a is None:
            return
        e = d + 1
        self.open(d, tag)
        if a.huisnummer is not None:
            b = self.b
            self.r.append(f"{_IND[e]}<{b}:Huis>")
            self.be(e + 1, "Huisnummer", a.huisnummer)
            self.be(e + 1, "Huisletter", a.huisletter)
            self.be(e + 1, "HuisnummerToevoeging", a.toevoeging)
            self.be(e + 1, "AanduidingWoonadres", a.aanduiding_woonadres)
            self.r.append(f"{_IND[e]}</{b}:Huis>")
        self.be(e, "Postcode", a.postcode)
        self.be(e, "Straatnaam", a.straatnaam)
        self.be(e, "Plaatsnaam", a.plaatsnaam)
        self.be(e, "LandCode", a.landcode)
        self.sluit(d, tag)

    def telefoon(self, d: int, tag: str, nummers: Any) -> None:
        if not nummers:
            return
        b, e = self.b, d + 1
        self.open(d, tag)
        for i, t in enumerate(nummers, 1):
            self.r.append(f"{_IND[e]}<{b}:Telefoon{i:02d}>")
            self.be(e + 1, "Telefoonnummer", t.nummer)
            self.be(e + 1, "Landnummer", t.landnummer)
            self.r.append(f"{_IND[e]}</{b}:Telefoon{i:02d}>")
        self.sluit(d, tag)

    def contact(self, d: int, tag: str, c: Any) -> None:
        e = d + 1
        self.open(d, tag)
        self.el(e, "Soort", c.soort)
        self.adres(e, "Adres", c.adres)
        self.el(e, "Organisatie", c.organisatie)
        self.telefoon(e, "Telefoon", c.telefoon)
        self.el(e, "Emailadres", c.email)
        if c.begindatum is not None or c.einddatum is not None:
            self.periode(e, "Periode", c.begindatum, c.einddatum)
        self.retourcodes(e, c.retourcodes)
        self.sluit(d, tag)

    def relatie(self, d: int, r: Any) -> None:
        e = d + 1
        self.open(d, "Relatie")
        self.el(e, "Nummer", r.nummer)
        self.el(e, "Volgorde", r.volgorde)
        self.el(e, "Soort", r.soort)
        self.geboortedatum(e, "Geboortedatum", r.geboortedatum)
        self.el(e, "Geslacht", r.geslacht)
        self.naam(e, "Naam", r.naam, True)
        self.contact(e, "Contact", r.contact)
        self.retourcodes(e, r.retourcodes)
        self.sluit(d, "Relatie")

    def persoon(self, d: int, c: Any, volledig: bool) -> None:
        self.el(d, "Bsn", c.bsn)
        self.geboortedatum(d, "Geboortedatum", c.geboortedatum)
        self.el(d, "Geslacht", c.geslacht)
        self.naam(d, "Naam", c.naam, volledig)

    # -- product, omvang, verwijzer, periode, bedragen ------------------------------------------
    def product(self, d: int, tag: str, p: Any) -> None:
        if p is not None:
            self.open(d, tag)
            self.be(d + 1, "Categorie", p.categorie)
            self.be(d + 1, "Code", p.code)
            self.sluit(d, tag)

    def omvang(self, d: int, tag: str, o: Any) -> None:
        if o is not None:
            self.open(d, tag)
            self.be(d + 1, "Volume", o.volume)
            self.be(d + 1, "Eenheid", o.eenheid)
            self.be(d + 1, "Frequentie", o.frequentie)
            self.sluit(d, tag)

    def verwijzer(self, d: int, tag: str, v: Any) -> None:
        self.open(d, tag)
        self.be(d + 1, "Type", v.type)
        self.be(d + 1, "Naam", v.naam)
        self.be(d + 1, "ZorgverlenerCode", v.zorgverlenercode)
        self.sluit(d, tag)

    def periode(self, d: int, tag: str, begindatum: date | None, einddatum: date | None) -> None:
        self.open(d, tag)
        self.be(d + 1, "Begindatum", _d(begindatum))
        self.be(d + 1, "Einddatum", _d(einddatum))
        self.sluit(d, tag)

    def bedrag(self, d: int, tag: str, cent: int, totaal: bool = False) -> None:
        self.open(d, tag)
        self.be(d + 1, "TotaalBedrag" if totaal else "Bedrag", None if cent is None else abs(cent))
        self.be(d + 1, "DebetCredit", self.dc(cent))
        self.sluit(d, tag)

    def referentie(self, d: int, tag: str, r: Any) -> None:
        self.open(d, tag)
        self.be(d + 1, "ReferentieNummer", r.nummer)
        self.be(d + 1, "VorigReferentieNummer", r.vorig)
        self.sluit(d, tag)


# =============================================================================================
# One function per heen/retour pair (the templates 301 … 323)
# =============================================================================================


def _met_client(s: _Schrijver, bericht: Any, inhoud: Callable[[Any], None]) -> None:
    """Header, then (when there is one) the Client block: ``inhoud(client)`` and the client's RetourCodes."""
    s.header(1, bericht.header, bericht.retour if s.retour else None)
    c = bericht.client
    if c is None:
        return
    s.open(1, "Client")
    inhoud(c)
    s.retourcodes(2, c.retourcodes)
    s.sluit(1, "Client")


def _producten(s: _Schrijver, d: int, lijst: str, item: str, producten: Any,
               velden: Callable[[_Schrijver, int, Any], None]) -> None:
    """A product list: each product's ``velden`` and RetourCodes inside its ``item`` element."""
    s.open(d, lijst)
    for p in producten:
        s.open(d + 1, item)
        velden(s, d + 2, p)
        s.retourcodes(d + 2, p.retourcodes)
        s.sluit(d + 1, item)
    s.sluit(d, lijst)


def _toegewezen_product(s: _Schrijver, d: int, p: Any) -> None:
    s.el(d, "ToewijzingNummer", p.toewijzingnummer)
    s.el(d, "ReferentieAanbieder", p.referentie_aanbieder)
    s.product(d, "Product", p.product)
    s.el(d, "Toewijzingsdatum", _d(p.toewijzingsdatum))
    s.el(d, "Toewijzingstijd", _tijd(p.toewijzingstijd))
    s.el(d, "Ingangsdatum", _d(p.ingangsdatum))
    s.el(d, "Einddatum", _d(p.einddatum))
    s.el(d, "RedenWijziging", p.reden_wijziging)
    s.omvang(d, "Omvang", p.omvang)
    s.el(d, "Budget", p.budget)
    s.el(d, "Commentaar", p.commentaar)


def _start_product(s: _Schrijver, d: int, p: Any) -> None:
    s.el(d, "ToewijzingNummer", p.toewijzingnummer)
    s.product(d, "Product", p.product)
    s.el(d, "ToewijzingIngangsdatum", _d(p.toewijzing_ingangsdatum))
    s.el(d, "Begindatum", _d(p.begindatum))
    s.el(d, "StatusAanlevering", p.status_aanlevering)


def _stop_product(s: _Schrijver, d: int, p: Any) -> None:
    s.el(d, "ToewijzingNummer", p.toewijzingnummer)
    s.product(d, "Product", p.product)
    s.el(d, "ToewijzingIngangsdatum", _d(p.toewijzing_ingangsdatum))
    s.el(d, "Begindatum", _d(p.begindatum))
    s.el(d, "RedenBeeindiging", p.reden_beeindiging)
    s.el(d, "Einddatum", _d(p.einddatum))
    s.el(d, "StatusAanlevering", p.status_aanlevering)


def _aangevraagd_product(s: _Schrijver, d: int, p: Any) -> None:
    s.el(d, "ReferentieAanbieder", p.referentie_aanbieder)
    s.el(d, "BeschikkingNummer", p.beschikkingnummer)
    s.product(d, "Product", p.product)
    s.el(d, "BeschikkingIngangsdatum", _d(p.beschikking_ingangsdatum))
    s.el(d, "ToewijzingIngangsdatum", _d(p.toewijzing_ingangsdatum))
    s.el(d, "ToewijzingEinddatum", _d(p.toewijzing_einddatum))
    s.omvang(d, "Omvang", p.omvang)
    s.el(d, "Budget", p.budget)
    s.verwijzer(d, "Verwijzer", p.verwijzer)
    s.el(d, "Raamcontract", s.janee(p.raamcontract))
    s.el(d, "Commentaar", p.commentaar)


def _ongewijzigd_product(s: _Schrijver, d: int, p: Any) -> None:
    s.el(d, "ToewijzingNummer", p.toewijzingnummer)


def _te_wijzigen_product(s: _Schrijver, d: int, p: Any) -> None:
    s.el(d, "ToewijzingNummer", p.toewijzingnummer)
    s.el(d, "GewensteIngangsdatum", _d(p.gewenste_ingangsdatum))
    s.el(d, "Einddatum", _d(p.einddatum))
    s.omvang(d, "Omvang", p.omvang)
    s.el(d, "Budget", p.budget)


def _nieuw_product(s: _Schrijver, d: int, p: Any) -> None:
    s.product(d, "Product", p.product)
    s.el(d, "GewensteIngangsdatum", _d(p.gewenste_ingangsdatum))
    s.el(d, "Einddatum", _d(p.einddatum))
    s.omvang(d, "Omvang", p.omvang)
    s.el(d, "Budget", p.budget)


def _301(s: _Schrijver, bericht: Any) -> None:
    def inhoud(c: Any) -> None:
        s.persoon(2, c, True)
        s.communicatie(2, "Communicatie", c.communicatie)
        s.el(2, "JuridischeStatus", c.juridische_status)
        s.el(2, "WettelijkeVertegenwoordiging", c.wettelijke_vertegenwoordiging)
        s.el(2, "Commentaar", c.commentaar)
        if c.relaties:
            s.open(2, "Relaties")
            for r in c.relaties:
                s.relatie(3, r)
            s.sluit(2, "Relaties")
        s.open(2, "Contactgegevens")
        for contact in c.contactgegevens:
            s.contact(3, "Contact", contact)
        s.sluit(2, "Contactgegevens")
        _producten(s, 2, "ToegewezenProducten", "ToegewezenProduct", c.producten, _toegewezen_product)

    _met_client(s, bericht, inhoud)


def _305(s: _Schrijver, bericht: Any) -> None:
    def inhoud(c: Any) -> None:
        s.persoon(2, c, False)
        _producten(s, 2, "StartProducten", "StartProduct", c.producten, _start_product)

    _met_client(s, bericht, inhoud)


def _307(s: _Schrijver, bericht: Any) -> None:
    def inhoud(c: Any) -> None:
        s.persoon(2, c, False)
        _producten(s, 2, "StopProducten", "StopProduct", c.producten, _stop_product)

    _met_client(s, bericht, inhoud)


def _315(s: _Schrijver, bericht: Any) -> None:
    def inhoud(c: Any) -> None:
        s.persoon(2, c, False)
        if s.ijw:
            s.el(2, "GezagsdragerBekend", s.janee(c.gezagsdrager_bekend))
        s.el(2, "Commentaar", c.commentaar)
        _producten(s, 2, "AangevraagdeProducten", "AangevraagdProduct", c.producten, _aangevraagd_product)

    _met_client(s, bericht, inhoud)


def _317(s: _Schrijver, bericht: Any) -> None:
    def inhoud(c: Any) -> None:
        v = c.verzoek
        s.el(2, "Bsn", c.bsn)
        s.open(2, "Verzoek")
        s.el(3, "ReferentieAanbieder", v.referentie_aanbieder)
        s.el(3, "RedenVerzoek", v.reden)
        if v.ongewijzigd:
            _producten(s, 3, "OngewijzigdeProducten", "OngewijzigdProduct", v.ongewijzigd, _ongewijzigd_product)
        if v.te_wijzigen:
            _producten(s, 3, "TeWijzigenProducten", "TeWijzigenProduct", v.te_wijzigen, _te_wijzigen_product)
        if v.nieuw:
            _producten(s, 3, "NieuweProducten", "NieuwProduct", v.nieuw, _nieuw_product)
        s.retourcodes(3, v.retourcodes)
        s.sluit(2, "Verzoek")

    _met_client(s, bericht, inhoud)


def _319(s: _Schrijver, bericht: Any) -> None:
    s.header(1, bericht.header, bericht.retour if s.retour else None)
    a = bericht.antwoord
    if a is None:
        return
    s.open(1, "Antwoord")
    s.el(2, "ReferentieAanbieder", a.referentie_aanbieder)
    s.el(2, "VerzoekAntwoord", a.verzoek_antwoord)
    s.el(2, "RedenAfwijzingVerzoek", a.reden_afwijzing)
    if s.ijw and a.woonplaatsbeginsel is not None:
        s.open(2, "Woonplaatsbeginsel")
        s.el(3, "Gemeente", a.woonplaatsbeginsel.gemeente)
        s.retourcodes(3, a.woonplaatsbeginsel.retourcodes)
        s.sluit(2, "Woonplaatsbeginsel")
    s.retourcodes(2, a.retourcodes)
    s.sluit(1, "Antwoord")


def _prestaties(s: _Schrijver, d: int, client: Any) -> None:
    e = d + 2
    s.open(d, "Prestaties")
    for p in client.prestaties:
        s.open(d + 1, "Prestatie")
        s.referentie(e, "ProductReferentie", p.referentie)
        s.el(e, "ToewijzingNummer", p.toewijzingnummer)
        s.el(e, "ProductCategorie", p.product.categorie)
        s.el(e, "ProductCode", p.product.code)
        s.periode(e, "ProductPeriode", p.periode.begindatum, p.periode.einddatum)
        s.el(e, "GeleverdVolume", p.volume)
        s.el(e, "Eenheid", p.eenheid)
        s.el(e, "ProductTarief", p.tarief_cent)
        s.bedrag(e, "IngediendBedrag", p.bedrag_cent)
        s.retourcodes(e, p.retourcodes)
        s.sluit(d + 1, "Prestatie")
    s.sluit(d, "Prestaties")


def _clienten(s: _Schrijver, d: int, lijst: Any) -> None:
    s.open(d, "Clienten")
    for c in lijst:
        s.open(d + 1, "Client")
        s.el(d + 2, "Bsn", c.bsn)
        _prestaties(s, d + 2, c)
        s.retourcodes(d + 2, c.retourcodes)
        s.sluit(d + 1, "Client")
    s.sluit(d, "Clienten")


def _323(s: _Schrijver, bericht: Any) -> None:
    if not s.retour:
        d = bericht.declaratie
        s.header(1, bericht.header)
        s.open(1, "Declaratie")
        s.el(2, "DeclaratieNummer", d.nummer)
        s.periode(2, "DeclaratiePeriode", d.periode.begindatum, d.periode.einddatum)
        s.el(2, "DeclaratieDagtekening", _d(d.dagtekening))
        s.bedrag(2, "TotaalIngediendBedrag", d.totaal_cent, True)
        _clienten(s, 2, d.clienten)
        s.sluit(1, "Declaratie")
        return
    a = bericht.antwoord
    s.header(1, bericht.header, None, bericht)
    if a is None:
        return
    s.open(1, "DeclaratieAntwoord")
    s.el(2, "DeclaratieNummer", a.declaratienummer)
    s.bedrag(2, "TotaalIngediendBedrag", a.totaal_ingediend_cent, True)
    s.bedrag(2, "TotaalToegekendBedrag", a.totaal_toegekend_cent, True)
    if a.clienten:
        _clienten(s, 2, a.clienten)
    s.retourcodes(2, a.retourcodes)
    s.sluit(1, "DeclaratieAntwoord")


PAREN: dict[str, Callable[[_Schrijver, Any], None]] = {
    "301": _301, "305": _305, "307": _307, "315": _315, "317": _317, "319": _319, "323": _323,
}
"""The writer of each heen/retour pair, by the heenbericht's number (as the template names)."""


def schrijf(bericht: Any, paar: str, *, m: str, b: str, ns_m: str, ns_b: str, retour: bool, ijw: bool,
            berichtversie: str, berichtsubversie: str, dc: Callable[[int], str],
            janee: Callable[[bool | None], str | None]) -> str:
    """The message as XML text (without the XML declaration), ending in a newline."""
    s = _Schrijver(m, b, retour, ijw, berichtversie, berichtsubversie, dc, janee)
    s.r.append(f'<{m}:Bericht xmlns:{b}="{_t(ns_b)}" xmlns:{m}="{_t(ns_m)}">')
    PAREN[paar](s, bericht)
    s.r.append(f"</{m}:Bericht>\n")
    return "\n".join(s.r)
