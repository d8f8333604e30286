"""Seeded, schema-valid, plausible example messages of all 28 iJw/iWmo 3.2 types.

``genereer("JW301", seed, registry)`` builds a :class:`~simulator.berichten.Toewijzing` from
:class:`~simulator.synthetisch.Synthetisch` data; the same (type, seed) always gives the same
message.  A retour type is built from the heenbericht of the same seed with
:func:`~simulator.retour.maak_retour` / :func:`~simulator.retour.maak_declaratie_antwoord`
(so ``genereer("JW302", s)`` answers ``genereer("JW301", s)``); by seed it is approved, rejected
in the header only, or rejected on one or more berichtklassen.

Every optional element is left out or filled depending on the seed, so a handful of seeds
covers all of them (relaties, communicatie, telefoon/e-mail, omvang vs budget, aspecifieke
producten, credit prestaties, Woonplaatsbeginsel …).  Values respect the XSD facets (lengths,
patterns, LDT_Nummer ≤ 9 digits, voorletters letters only) and every code comes from the code
lists: named codes through :mod:`simulator.codes`, the rest drawn at random from the XSD
enumeration (``Codelijsten.enumeratie``).
Retourcodes of rejections are drawn from WJ001: the codes of a technical rule (``tr_regel``)
that the code list assigns to the heenbericht's type.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, time, timedelta

from . import berichten as b
from .codelijsten import Codelijsten
from .codes import Codes, codes
from .render import codelijsten_van, xsd_versie
from .retour import berichtklassen, maak_declaratie_antwoord, maak_retour
from .schemas import IJW, RETOUR_HEEN, SchemaRegistry, Standaard, parse_berichttype
from .synthetisch import GEMEENTEN, Persoon, Product as CatalogusProduct, Synthetisch, leeftijd

#: LDT_Landnummer of the Netherlands (international dialling prefix; not a code list).
LANDNUMMER_NL = "0031"
#: AGB type prefix of huisartsen (first two digits of a zorgverlener's AGB code).
AGB_PREFIX_HUISARTS = "01"
#: Reserved domain (RFC 2606 style) for synthetic e-mail addresses.
EMAIL_DOMEIN = "example.nl"

TALEN = ("Arabisch", "Turks", "Pools", "Tigrinya", "Engels", "Oekraiens", "Nederlandse Gebarentaal")
COMMENTAREN = (
    "Graag contact opnemen met de consulent voor de intake.",
    "Zorg afstemmen met school en huisarts.",
    "Client heeft voorkeur voor begeleiding op woensdag.",
    "Toewijzing na keukentafelgesprek.",
    "Spoed: start zo snel mogelijk.",
    "Zie ook eerdere toewijzing.\nAfspraken in het ondersteuningsplan.",
    "Tarief volgens regionale productcatalogus & contract 2025.",
)


def _stabiel_getal(*delen: object) -> int:
    """A seed-derived integer that does not depend on PYTHONHASHSEED."""
    return random.Random(":".join(map(str, delen))).getrandbits(48)


class _Generator:
    """One message's worth of random choices (``rng``) and synthetic data (``syn``)."""

    def __init__(self, std: Standaard, rng: random.Random, syn: Synthetisch, registry: SchemaRegistry,
                 cl: Codelijsten) -> None:
        self.std = std
        self.rng = rng
        self.syn = syn
        self.registry = registry
        self.cl = cl
        self.codes: Codes = codes(cl, std)
        self.domein = "jeugd" if std is IJW else "wmo"
        self.peildatum = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
        self.gemeente = rng.choice(GEMEENTEN).code
        self.aanbieder = syn.aanbieder(self.domein)
        self.catalogus = [p for p in syn.catalogus if p.domein == self.domein]

    # -- small helpers ----------------------------------------------------------------------
    def kans(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def enum(self, datatype: str, *, behalve: tuple[str, ...] = ()) -> str:
        codes = [c for c in self.cl.enumeratie(self.std, datatype) if c not in behalve]
        return self.rng.choice(codes)

    def nummer(self) -> str:
        """LDT_Nummer: an integer of at most 9 digits."""
        return str(self.rng.randint(1, 999_999_999))

    def identificatie(self, prefix: str = "") -> str:
        """LDT_IdentificatieBericht (≤ 12) / LDT_IdentificatieDeclaratie (alphanumeric)."""
        return f"{prefix}{self.rng.randint(0, 10**8 - 1):08d}"

    def referentie(self) -> str:
        """LDT_Referentie (≤ 36): the aanbieder's own reference."""
        return f"{self.aanbieder.agb[-4:]}-{self.rng.randint(1, 10**9):09d}"

    def commentaar(self, p: float = 0.25) -> str | None:
        return self.rng.choice(COMMENTAREN) if self.kans(p) else None

    def datum_na(self, d: date, min_dagen: int, max_dagen: int) -> date:
        return d + timedelta(days=self.rng.randint(min_dagen, max_dagen))

    def product_uit_catalogus(self) -> CatalogusProduct:
        return self.rng.choice(self.catalogus)

    # -- header -----------------------------------------------------------------------------
    def header(self, nummer: str, *, van_gemeente: bool) -> b.Header:
        btype = f"{self.std.type_prefix}{nummer}"
        gemeente, agb = self.gemeente, self.aanbieder.agb
        return b.Header(
            berichtcode=self.registry.berichtcode(btype),
            afzender=gemeente if van_gemeente else agb,
            ontvanger=agb if van_gemeente else gemeente,
            identificatie=self.identificatie(),
            dagtekening=self.peildatum,
            xsd_versie=xsd_versie(self.registry, btype),
        )

    # -- people -----------------------------------------------------------------------------
    def client(self) -> tuple[Persoon, tuple]:
        c = self.syn.client(self.domein, self.gemeente, peildatum=self.peildatum)  # type: ignore[arg-type]
        return c.persoon, c.gezagsdragers

    def geboortedatum(self, persoon: Persoon) -> b.Geboortedatum:
        gebruik = self.enum("LDT_DatumGebruik") if self.kans(0.1) else None
        return b.Geboortedatum(persoon.geboortedatum, gebruik)

    def naam(self, persoon: Persoon, *, volledig: bool) -> b.Naam:
        voornamen = persoon.voornamen if self.kans(0.75) else None
        voorletters = persoon.voorletters if voornamen is None or self.kans(0.7) else None
        if not volledig:
            return b.Naam(persoon.achternaam, persoon.voorvoegsel, voornamen, voorletters)
        partner = partnervoorvoegsel = None
        naamgebruik = self.codes["naamgebruik.eigen"]
        if leeftijd(persoon.geboortedatum, self.peildatum) >= 18 and self.kans(0.3):
            anders = self.syn.persoon(peildatum=self.peildatum, heeft_bsn=False)
            partner, partnervoorvoegsel = anders.achternaam, anders.voorvoegsel
            naamgebruik = self.enum("LDT_NaamGebruik")
        return b.Naam(persoon.achternaam, persoon.voorvoegsel, voornamen, voorletters,
                      partner, partnervoorvoegsel, naamgebruik)

    def adres(self, persoon: Persoon) -> b.Adres:
        a = persoon.adres
        assert a is not None
        huisletter, toevoeging = a.huisletter, a.toevoeging
        if huisletter is None and toevoeging is None and self.kans(0.1):
            huisletter = self.rng.choice("ABC")
        return b.Adres(
            huisnummer=a.huisnummer,
            huisletter=huisletter,
            toevoeging=toevoeging,
            aanduiding_woonadres=self.enum("LDT_AanduidingWoonadres") if self.kans(0.05) else None,
            postcode=a.postcode,
            straatnaam=a.straatnaam,
            plaatsnaam=a.plaatsnaam,
            landcode=self.codes["land.nederland"] if self.kans(0.6) else None,
        )

    def telefoon(self) -> tuple[b.Telefoon, ...]:
        aantal = self.rng.choices((0, 1, 2), weights=(35, 45, 20))[0]
        nummers = []
        for _ in range(aantal):
            nummer = f"06{self.rng.randint(0, 10**8 - 1):08d}" if self.kans() else f"055{self.rng.randint(0, 10**7 - 1):07d}"
            nummers.append(b.Telefoon(nummer, LANDNUMMER_NL))
        return tuple(nummers)

    def email(self, persoon: Persoon) -> str:
        def ascii_(s: str) -> str:
            s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
            return "".join(ch for ch in s.lower() if ch.isalnum())
        voornaam = ascii_(persoon.voornamen.split()[0]) or "info"
        return f"{voornaam}.{ascii_(persoon.achternaam)}{self.rng.randint(1, 99)}@{EMAIL_DOMEIN}"[:80]

    def contact_brp(self, persoon: Persoon) -> b.Contact:
        return b.Contact(
            soort=self.codes["adressoort.brp"],
            adres=self.adres(persoon),
            telefoon=self.telefoon(),
            email=self.email(persoon) if self.kans(0.5) else None,
        )

    def contact_tijdelijk(self, persoon: Persoon) -> b.Contact:
        """A second address: correspondence or temporary stay, with organisation and period."""
        begindatum = self.datum_na(self.peildatum, -60, 10) if self.kans(0.7) else None
        einddatum = self.datum_na(self.peildatum, 30, 200) if self.kans(0.5) else None
        verblijf = self.syn.persoon(peildatum=self.peildatum, heeft_bsn=False)
        return b.Contact(
            soort=self.enum("LDT_AdresSoort", behalve=(self.codes["adressoort.brp"],)),
            adres=self.adres(verblijf) if self.kans(0.8) else None,
            organisatie=self.syn.aanbieder(self.domein).naam if self.kans(0.6) else None,
            telefoon=self.telefoon(),
            email=self.email(persoon) if self.kans(0.3) else None,
            begindatum=begindatum,
            einddatum=einddatum,
        )

    def relatie(self, persoon: Persoon, soort: str, nummer: str, volgorde: int) -> b.Relatie:
        return b.Relatie(
            nummer=nummer,
            soort=soort,
            naam=self.naam(persoon, volledig=True),
            contact=self.contact_brp(persoon) if self.kans(0.8) else self.contact_tijdelijk(persoon),
            volgorde=volgorde if self.kans(0.7) else None,
            geboortedatum=self.geboortedatum(persoon) if self.kans(0.6) else None,
            geslacht=persoon.geslacht if self.kans(0.6) else None,
        )

    def relaties(self, gezagsdragers: tuple) -> tuple[b.Relatie, ...]:
        if gezagsdragers:
            if self.kans(0.15):
                return ()
            ouder = self.codes["relatie.ouder"]
            return tuple(self.relatie(g.persoon, ouder, g.nummer, g.volgorde) for g in gezagsdragers)
        if not self.kans(0.5):
            return ()
        naaste = self.syn.persoon(peildatum=self.peildatum, heeft_bsn=False)
        soort = self.enum("LDT_SoortRelatie", behalve=(self.codes["relatie.ouder"], self.codes["relatie.voogd"]))
        return (self.relatie(naaste, soort, f"N{self.rng.randint(1, 10**8):08d}", 1),)

    # -- product blocks ---------------------------------------------------------------------
    def product(self, p: CatalogusProduct, *, aspecifiek: bool = True) -> b.Product | None:
        """Specific (categorie + code), categorie only, or (``aspecifiek``) no product at all."""
        r = self.rng.random()
        if r < 0.6:
            return b.Product(p.categorie, p.code)
        if r < 0.85 or not aspecifiek:
            return b.Product(p.categorie)
        return None

    def omvang_of_budget(self, p: CatalogusProduct, product: b.Product | None) -> tuple[b.Omvang | None, int | None]:
        """Output/inspanning: an Omvang; aspecifiek or categorie-only: often a budget instead."""
        specifiek = product is not None and product.code is not None
        r = self.rng.random()
        if r < (0.8 if specifiek else 0.35):
            return b.Omvang(self.rng.randint(1, 40), p.eenheid, p.frequentie), None
        if r < 0.92:
            return None, self.rng.randint(100, 25_000) * 100
        return None, None

    # -- 301 --------------------------------------------------------------------------------
    def toegewezen_product(self) -> b.ToegewezenProduct:
        p = self.product_uit_catalogus()
        product = self.product(p)
        omvang, budget = self.omvang_of_budget(p, product)
        ingangsdatum = self.datum_na(self.peildatum, 0, 30)
        return b.ToegewezenProduct(
            toewijzingnummer=self.nummer(),
            toewijzingsdatum=self.peildatum,
            toewijzingstijd=time(self.rng.randint(7, 18), self.rng.randint(0, 59), self.rng.randint(0, 59)),
            ingangsdatum=ingangsdatum,
            product=product,
            einddatum=self.datum_na(ingangsdatum, 60, 365) if self.kans(0.7) else None,
            referentie_aanbieder=self.referentie() if self.kans(0.4) else None,
            reden_wijziging=self.enum("LDT_RedenWijziging") if self.kans(0.2) else None,
            omvang=omvang,
            budget=budget,
            commentaar=self.commentaar(),
        )

    def toewijzing(self) -> b.Toewijzing:
        persoon, gezagsdragers = self.client()
        contacten = [self.contact_brp(persoon)]
        if self.kans(0.3):
            contacten.append(self.contact_tijdelijk(persoon))
        communicatie = None
        if self.kans(0.15):
            communicatie = b.Communicatie(self.enum("LDT_Communicatievorm"),
                                          self.rng.choice(TALEN) if self.kans(0.6) else None)
        client = b.ToewijzingClient(
            bsn=persoon.bsn or "",
            geboortedatum=self.geboortedatum(persoon),
            geslacht=persoon.geslacht,
            naam=self.naam(persoon, volledig=True),
            contactgegevens=tuple(contacten),
            producten=tuple(self.toegewezen_product() for _ in range(self.rng.randint(1, 3))),
            communicatie=communicatie,
            juridische_status=self.enum("LDT_JuridischeStatus") if self.kans(0.2) else None,
            wettelijke_vertegenwoordiging=self.enum("LDT_WettelijkeVertegenwoordiging") if self.kans(0.15) else None,
            commentaar=self.commentaar(),
            relaties=self.relaties(gezagsdragers),
        )
        return b.Toewijzing(self.std, self.header("301", van_gemeente=True), client)

    # -- 305 / 307 --------------------------------------------------------------------------
    def _start_gegevens(self) -> dict[str, object]:
        p = self.product_uit_catalogus()
        ingangsdatum = self.datum_na(self.peildatum, -120, -10)
        status = self.codes["status.eerste"] if self.kans(0.75) else self.rng.choice(
            (self.codes["status.gewijzigd"], self.codes["status.verwijderen"]))
        return {
            "begindatum": self.datum_na(ingangsdatum, 0, 14),
            "status_aanlevering": status,
            "toewijzingnummer": self.nummer() if self.kans(0.85) else None,
            "product": self.product(p, aspecifiek=True) if self.kans(0.7) else None,
            "toewijzing_ingangsdatum": ingangsdatum if self.kans(0.6) else None,
        }

    def _verkorte_client(self) -> dict[str, object]:
        persoon, _ = self.client()
        return {
            "bsn": persoon.bsn or "",
            "geboortedatum": self.geboortedatum(persoon),
            "geslacht": persoon.geslacht,
            "naam": self.naam(persoon, volledig=False),
        }

    def start(self) -> b.Start:
        producten = tuple(b.StartProduct(**self._start_gegevens()) for _ in range(self.rng.randint(1, 3)))  # type: ignore[arg-type]
        client = b.StartClient(**self._verkorte_client(), producten=producten)  # type: ignore[arg-type]
        return b.Start(self.std, self.header("305", van_gemeente=False), client)

    def stop_product(self) -> b.StopProduct:
        g = self._start_gegevens()
        einddatum = self.datum_na(g["begindatum"], 1, 200)  # type: ignore[arg-type]
        return b.StopProduct(reden_beeindiging=self.enum("LDT_RedenBeeindiging"), einddatum=einddatum, **g)  # type: ignore[arg-type]

    def stop(self) -> b.Stop:
        producten = tuple(self.stop_product() for _ in range(self.rng.randint(1, 3)))
        client = b.StopClient(**self._verkorte_client(), producten=producten)  # type: ignore[arg-type]
        return b.Stop(self.std, self.header("307", van_gemeente=False), client)

    # -- 315 --------------------------------------------------------------------------------
    def verwijzer(self) -> b.Verwijzer:
        arts = self.syn.persoon(peildatum=self.peildatum, leeftijd=self.rng.randint(30, 64), heeft_bsn=False)
        naam = f"{arts.voorletters} {arts.voorvoegsel + ' ' if arts.voorvoegsel else ''}{arts.achternaam}"
        return b.Verwijzer(
            type=self.enum("LDT_TypeVerwijzer"),
            naam=naam[:64] if self.kans(0.6) else None,
            zorgverlenercode=f"{AGB_PREFIX_HUISARTS}{self.rng.randint(0, 999_999):06d}" if self.kans(0.5) else None,
        )

    def aangevraagd_product(self) -> b.AangevraagdProduct:
        p = self.product_uit_catalogus()
        product = self.product(p)
        omvang, budget = self.omvang_of_budget(p, product)
        ingangsdatum = self.datum_na(self.peildatum, 7, 45)
        beschikt = self.kans(0.4)
        return b.AangevraagdProduct(
            referentie_aanbieder=self.referentie(),
            toewijzing_ingangsdatum=ingangsdatum,
            verwijzer=self.verwijzer(),
            product=product,
            beschikkingnummer=self.nummer() if beschikt else None,
            beschikking_ingangsdatum=self.datum_na(ingangsdatum, -30, 0) if beschikt and self.kans(0.8) else None,
            toewijzing_einddatum=self.datum_na(ingangsdatum, 60, 365) if self.kans(0.6) else None,
            omvang=omvang,
            budget=budget,
            raamcontract=self.kans() if self.kans(0.4) else None,
            commentaar=self.commentaar(),
        )

    def verzoek_toewijzing(self) -> b.VerzoekToewijzing:
        client = b.VerzoekToewijzingClient(
            **self._verkorte_client(),  # type: ignore[arg-type]
            producten=tuple(self.aangevraagd_product() for _ in range(self.rng.randint(1, 3))),
            gezagsdrager_bekend=(self.kans(0.8) if self.kans(0.6) else None) if self.std is IJW else None,
            commentaar=self.commentaar(),
        )
        return b.VerzoekToewijzing(self.std, self.header("315", van_gemeente=False), client)

    # -- 317 --------------------------------------------------------------------------------
    def te_wijzigen_product(self) -> b.TeWijzigenProduct:
        p = self.product_uit_catalogus()
        omvang, budget = self.omvang_of_budget(p, b.Product(p.categorie, p.code) if self.kans(0.7) else None)
        ingangsdatum = self.datum_na(self.peildatum, 1, 30)
        return b.TeWijzigenProduct(
            toewijzingnummer=self.nummer(),
            gewenste_ingangsdatum=ingangsdatum,
            einddatum=self.datum_na(ingangsdatum, 30, 365) if self.kans(0.6) else None,
            omvang=omvang,
            budget=budget,
        )

    def nieuw_product(self) -> b.NieuwProduct:
        p = self.product_uit_catalogus()
        product = self.product(p)
        omvang, budget = self.omvang_of_budget(p, product)
        ingangsdatum = self.datum_na(self.peildatum, 1, 30)
        return b.NieuwProduct(
            gewenste_ingangsdatum=ingangsdatum,
            product=product,
            einddatum=self.datum_na(ingangsdatum, 30, 365) if self.kans(0.6) else None,
            omvang=omvang,
            budget=budget,
        )

    def verzoek_wijziging(self) -> b.VerzoekWijziging:
        persoon, _ = self.client()
        te_wijzigen = tuple(self.te_wijzigen_product() for _ in range(self.rng.randint(0, 2)))
        nieuw = tuple(self.nieuw_product() for _ in range(self.rng.randint(0 if te_wijzigen else 1, 2)))
        ongewijzigd = tuple(b.OngewijzigdProduct(self.nummer()) for _ in range(self.rng.randint(0, 2)))
        verzoek = b.Verzoek(
            referentie_aanbieder=self.referentie(),
            reden=self.enum("LDT_RedenVerzoek"),
            ongewijzigd=ongewijzigd,
            te_wijzigen=te_wijzigen,
            nieuw=nieuw,
        )
        client = b.VerzoekWijzigingClient(persoon.bsn or "", verzoek)
        return b.VerzoekWijziging(self.std, self.header("317", van_gemeente=False), client)

    # -- 319 --------------------------------------------------------------------------------
    def antwoord(self) -> b.Antwoord:
        reden = woonplaatsbeginsel = None
        if self.kans(0.65):
            verzoek_antwoord = self.codes["antwoord.afgewezen"]
            wpb = self.codes["afwijzing.woonplaatsbeginsel"]
            if self.std is IJW and self.kans(0.4):
                reden = wpb
                andere = [c for c in self.cl.lijst(IJW, "CBS_Gemeentecodes") if c != self.gemeente]
                woonplaatsbeginsel = b.Woonplaatsbeginsel(self.rng.choice(andere))
            elif self.kans(0.85):
                reden = self.enum("LDT_RedenAfwijzingVerzoek", behalve=(wpb,))
        else:
            verzoek_antwoord = self.codes["antwoord.in_onderzoek"]
        inhoud = b.AntwoordInhoud(self.referentie(), verzoek_antwoord, reden, woonplaatsbeginsel)
        return b.Antwoord(self.std, self.header("319", van_gemeente=True), inhoud)

    # -- 323 --------------------------------------------------------------------------------
    def prestatie(self, referentienummer: str, maand: b.Periode) -> b.Prestatie:
        p = self.product_uit_catalogus()
        eenheid, tarief = p.declaratie_eenheid(), p.declaratietarief_cent()
        volume = self.rng.randint(30, 1200) if eenheid != p.eenheid else self.rng.randint(1, 20)
        begindatum = maand.begindatum if self.kans(0.8) else self.datum_na(maand.begindatum, 1, 20)
        credit = self.kans(0.25)
        vorig = f"{referentienummer[:-4]}V{self.rng.randint(0, 999):03d}" if credit or self.kans(0.15) else None
        return b.Prestatie(
            referentie=b.Referentie(referentienummer, vorig),
            toewijzingnummer=self.nummer(),
            product=b.Product(p.categorie, p.code),
            periode=b.Periode(begindatum, maand.einddatum),
            volume=volume,
            eenheid=eenheid,
            bedrag_cent=-(volume * tarief) if credit else volume * tarief,
            tarief_cent=tarief if self.kans(0.7) else None,
        )

    def declaratie(self) -> b.Declaratie:
        eerste = (self.peildatum.replace(day=1) - timedelta(days=1)).replace(day=1)
        maand = b.Periode(eerste, self.peildatum.replace(day=1) - timedelta(days=1))
        nummer = self.identificatie("D")
        clienten = []
        volgnummer = 0
        for _ in range(self.rng.randint(1, 3)):
            persoon, _ = self.client()
            prestaties = []
            for _ in range(self.rng.randint(1, 3)):
                volgnummer += 1
                prestaties.append(self.prestatie(f"{nummer}{volgnummer:04d}", maand))
            clienten.append(b.DeclaratieClient(persoon.bsn or "", tuple(prestaties)))
        totaal = sum(p.bedrag_cent for c in clienten for p in c.prestaties)
        inhoud = b.DeclaratieInhoud(nummer, maand, self.peildatum, totaal, tuple(clienten))
        return b.Declaratie(self.std, self.header("323", van_gemeente=False), inhoud)

    # -- retour -----------------------------------------------------------------------------
    def regelcodes(self, heen_type: str) -> list[str]:
        """WJ001 codes of technical rules that apply to ``heen_type`` (and exist in the XSD)."""
        xsd = self.cl.enumeratie(self.std, "LDT_RetourCode")
        gevonden = []
        for code, c in self.cl.lijst(self.std, "WJ001").items():
            typen = {t.strip().upper() for t in c.get("berichttypen").split(",")}
            if c.get("tr_regel") and heen_type in typen and code in xsd:
                gevonden.append(code)
        return gevonden

    def retour_kenmerken(self, heen: b.Heenbericht) -> dict[str, object]:
        return {
            "identificatie": self.identificatie("R"),
            "dagtekening": self.datum_na(heen.header.dagtekening, 0, 3),
            "registry": self.registry,
            "xslt_versie": f"1.{self.rng.randint(0, 3)}.{self.rng.randint(0, 9)}" if self.kans(0.3) else None,
        }

    def retour(self, heen: b.Heenbericht) -> b.Retourbericht:
        heen_type = f"{self.std.type_prefix}{heen.nummer}"
        regels = self.regelcodes(heen_type) or [self.codes["retour.technisch_afgekeurd"]]
        kenmerken = self.retour_kenmerken(heen)
        if isinstance(heen, b.Declaratie):
            return self.declaratie_antwoord(heen, regels, kenmerken)
        r = self.rng.random()
        if r < 0.35:  # fully approved: only the header
            return maak_retour(heen, **kenmerken)  # type: ignore[arg-type]
        if r < 0.5:  # rejected as a whole (XSLT or header rule): only the header, with the code
            header_codes = (self.codes["retour.technisch_afgekeurd"],) if self.kans() else (self.rng.choice(regels),)
            return maak_retour(heen, header_codes=header_codes, **kenmerken)  # type: ignore[arg-type]
        klassen = berichtklassen(heen.antwoord if isinstance(heen, b.Antwoord) else heen.client)
        afgekeurd = self.rng.sample(klassen, self.rng.randint(1, min(2, len(klassen))))
        per_klasse: dict[object, tuple[str, ...]] = {
            k: tuple(self.rng.sample(regels, self.rng.randint(1, min(2, len(regels))))) for k in afgekeurd
        }
        for k in klassen:
            if k not in per_klasse and self.kans(0.15):
                per_klasse[k] = (self.codes["retour.niet_beoordeeld"],)
        return maak_retour(heen, codes_per_klasse=per_klasse, **kenmerken)  # type: ignore[arg-type]

    def declaratie_antwoord(self, heen: b.Declaratie, regels: list[str], kenmerken: dict[str, object]) -> b.DeclaratieAntwoord:
        r = self.rng.random()
        if r < 0.35:
            return maak_declaratie_antwoord(heen, **kenmerken)  # type: ignore[arg-type]
        if r < 0.42:
            return maak_declaratie_antwoord(heen, header_codes=(self.codes["retour.technisch_afgekeurd"],),
                                            **kenmerken)  # type: ignore[arg-type]
        if r < 0.5:
            return maak_declaratie_antwoord(heen, declaratie_codes=(self.rng.choice(regels),), **kenmerken)  # type: ignore[arg-type]
        prestaties = [p for c in heen.declaratie.clienten for p in c.prestaties]
        gekozen = self.rng.sample(prestaties, self.rng.randint(1, len(prestaties)))
        afgekeurd = {p.referentie.nummer: tuple(self.rng.sample(regels, self.rng.randint(1, 2))) for p in gekozen}
        return maak_declaratie_antwoord(heen, afgekeurd=afgekeurd, **kenmerken)  # type: ignore[arg-type]


_HEEN = {
    "301": _Generator.toewijzing,
    "305": _Generator.start,
    "307": _Generator.stop,
    "315": _Generator.verzoek_toewijzing,
    "317": _Generator.verzoek_wijziging,
    "319": _Generator.antwoord,
    "323": _Generator.declaratie,
}


def genereer(berichttype: str, seed: int, registry: SchemaRegistry, *,
             codelijsten: Codelijsten | None = None) -> b.Bericht:
    """One schema-valid message of ``berichttype`` ("JW301" … "WMO325"), fully determined by ``seed``."""
    std, nummer = parse_berichttype(berichttype)
    cl = codelijsten if codelijsten is not None else codelijsten_van(registry)
    heen_nummer = RETOUR_HEEN.get(nummer, nummer)
    heen_type = f"{std.type_prefix}{heen_nummer}"
    syn = Synthetisch(_stabiel_getal(heen_type, seed), codelijsten=cl)
    gen = _Generator(std, random.Random(_stabiel_getal(heen_type, seed, "heen")), syn, registry, cl)
    heen = _HEEN[heen_nummer](gen)
    if heen_nummer == nummer:
        return heen
    gen.rng = random.Random(_stabiel_getal(std.type_prefix, nummer, seed, "retour"))
    return gen.retour(heen)
