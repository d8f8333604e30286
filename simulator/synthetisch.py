"""Seeded, deterministic synthetic data: people, addresses, aanbieders and products.

Synthetic people only.  Every BSN comes from the official *test range* (999900006 … 999999990,
numbers that pass the elfproef); names and street names come from Faker ``nl_NL``; postcodes use
the real 4-digit areas of the woonplaatsen of the eight gemeenten of Zorgregio Midden-IJssel/
Oost-Veluwe, with random letters (so the full postcode is plausible, not a checked BAG address).

One entry point, :class:`Synthetisch`::

    syn = Synthetisch(seed=7, codelijsten=Codelijsten(SchemaRegistry.load()))
    kind = syn.client("jeugd", "0200", peildatum=date(2025, 1, 1))
    aanbieders = syn.aanbieders(12)

People need the code lists (their geslacht and soort relatie are COD046/COD472 codes, looked up
by name in :mod:`simulator.codes`); BSNs, addresses and aanbieders do not.

Everything is a pure function of the seed (a private :class:`random.Random` and one Faker per
instance, seeded with ``seed_instance``; nothing touches global random state).  Output can change
with the Faker version (its word lists), never between runs with the same version.

BSN capacity: the test range holds exactly :data:`BSN_POOL_SIZE` = 9,091 valid numbers, so one
:class:`Synthetisch` (one :class:`BsnGenerator`) can hand out at most 9,091 distinct BSNs.
Gezagsdragers get no BSN (a JW301 ``Relatie`` carries a ``Nummer``, not a BSN), so that is
9,091 clients.  Runs that need more clients must be split into shards, each with its own
:class:`Synthetisch` (a different seed): BSNs are unique within a shard and may repeat across
shards.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Literal

from faker import Faker

if TYPE_CHECKING:  # only for type hints; importing the module needs no schema folder
    from .codelijsten import Codelijsten
    from .codes import Codes

Domein = Literal["jeugd", "wmo"]
DOMEINEN: tuple[Domein, ...] = ("jeugd", "wmo")

# =============================================================================================
# BSN
# =============================================================================================

_BSN_GEWICHTEN = (9, 8, 7, 6, 5, 4, 3, 2, -1)
TESTREEKS_PREFIX = "9999"


def bsn_elfproef(bsn: str) -> bool:
    """True if ``bsn`` is 9 digits, not all zero, and Σ dᵢ·wᵢ (w = 9,8,…,2,−1) is divisible by 11."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        return False
    cijfers = [int(c) for c in bsn]
    return any(cijfers) and sum(c * w for c, w in zip(cijfers, _BSN_GEWICHTEN)) % 11 == 0


@cache
def bsn_pool() -> tuple[str, ...]:
    """Every BSN of the test range 9999xxxxx that passes the elfproef, ascending.

    For each of the 10,000 eight-digit prefixes 99990000…99999999 the check digit is fixed
    (d₉ = Σ dᵢ·wᵢ mod 11 over the first eight); the prefix is unusable when that is 10.
    Result: exactly 9,091 numbers, 999900006 … 999999990.
    """
    pool = []
    for prefix in range(99990000, 100000000):
        s = str(prefix)
        controle = sum(int(c) * w for c, w in zip(s, _BSN_GEWICHTEN)) % 11
        if controle < 10:
            pool.append(f"{s}{controle}")
    return tuple(pool)


def bsn_pool_size() -> int:
    """Number of distinct test-range BSNs: 9,091 (the most one generator can hand out)."""
    return len(bsn_pool())


BSN_POOL_SIZE = 9091


class BsnPoolUitgeput(RuntimeError):
    """A :class:`BsnGenerator` has handed out every BSN of its pool."""


class BsnGenerator:
    """Unique test-range BSNs in a seeded random order (a permutation of the pool).

    ``pool`` defaults to :func:`bsn_pool` (9,091 numbers); a smaller pool is for tests.
    After the last one, :meth:`volgende` raises :class:`BsnPoolUitgeput` — it never loops.
    Separate generators are independent: the same BSN can come out of two of them (use one
    generator per run-shard).
    """

    def __init__(self, seed: int | str, pool: Sequence[str] | None = None) -> None:
        volgorde = list(bsn_pool() if pool is None else pool)
        random.Random(f"bsn:{seed}").shuffle(volgorde)
        self._volgorde = volgorde
        self._positie = 0

    @property
    def uitgegeven(self) -> int:
        return self._positie

    @property
    def resterend(self) -> int:
        return len(self._volgorde) - self._positie

    def volgende(self) -> str:
        if self._positie >= len(self._volgorde):
            raise BsnPoolUitgeput(
                f"all {len(self._volgorde)} test-range BSNs of this generator are used; the test range "
                "9999xxxxx has only 9,091 valid numbers — split the run into shards, each with its own "
                "generator (BSNs need only be unique within a shard)"
            )
        bsn = self._volgorde[self._positie]
        self._positie += 1
        return bsn

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        try:
            return self.volgende()
        except BsnPoolUitgeput:
            raise StopIteration from None


# =============================================================================================
# Region: gemeenten, woonplaatsen, postcodes
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Gemeente:
    code: str  # CBS gemeentecode (LDT_Gemeente, 4 digits)
    naam: str


@dataclass(frozen=True, slots=True)
class Woonplaats:
    naam: str
    gemeentecode: str
    postcodes: tuple[tuple[int, int], ...]  # inclusive ranges of the 4-digit part
    gewicht: int  # rough relative size, for drawing addresses

    def cijfers(self) -> tuple[int, ...]:
        return tuple(n for van, tot in self.postcodes for n in range(van, tot + 1))


GEMEENTEN: tuple[Gemeente, ...] = (
    Gemeente("0200", "Apeldoorn"),
    Gemeente("0213", "Brummen"),
    Gemeente("0232", "Epe"),
    Gemeente("0244", "Hattem"),
    Gemeente("0246", "Heerde"),
    Gemeente("0262", "Lochem"),
    Gemeente("0285", "Voorst"),
    Gemeente("0301", "Zutphen"),
)

# A few woonplaatsen per gemeente with their 4-digit postcode areas (best knowledge of the
# PostNL/BAG areas; not exhaustive).  Klarenbeek (7382) straddles Apeldoorn and Voorst; it is
# listed under Voorst only.
WOONPLAATSEN: tuple[Woonplaats, ...] = (
    Woonplaats("Apeldoorn", "0200", ((7311, 7317), (7321, 7329), (7331, 7335)), 130),
    Woonplaats("Ugchelen", "0200", ((7339, 7339),), 6),
    Woonplaats("Beekbergen", "0200", ((7361, 7361),), 6),
    Woonplaats("Loenen", "0200", ((7371, 7371),), 4),
    Woonplaats("Hoenderloo", "0200", ((7351, 7351),), 2),
    Woonplaats("Uddel", "0200", ((3888, 3888),), 2),
    Woonplaats("Brummen", "0213", ((6971, 6971),), 9),
    Woonplaats("Eerbeek", "0213", ((6961, 6961),), 9),
    Woonplaats("Epe", "0232", ((8161, 8162),), 16),
    Woonplaats("Vaassen", "0232", ((8171, 8171),), 12),
    Woonplaats("Emst", "0232", ((8166, 8166),), 4),
    Woonplaats("Hattem", "0244", ((8051, 8051),), 12),
    Woonplaats("Heerde", "0246", ((8181, 8181),), 12),
    Woonplaats("Wapenveld", "0246", ((8191, 8191),), 6),
    Woonplaats("Veessen", "0246", ((8194, 8194),), 1),
    Woonplaats("Lochem", "0262", ((7241, 7242),), 12),
    Woonplaats("Gorssel", "0262", ((7216, 7216),), 4),
    Woonplaats("Eefde", "0262", ((7211, 7211),), 4),
    Woonplaats("Laren", "0262", ((7245, 7245),), 3),
    Woonplaats("Barchem", "0262", ((7244, 7244),), 1),
    Woonplaats("Epse", "0262", ((7214, 7214),), 2),
    Woonplaats("Twello", "0285", ((7391, 7392),), 14),
    Woonplaats("Voorst", "0285", ((7383, 7383),), 2),
    Woonplaats("Klarenbeek", "0285", ((7382, 7382),), 3),
    Woonplaats("Wilp", "0285", ((7384, 7384),), 2),
    Woonplaats("Zutphen", "0301", ((7201, 7207),), 40),
    Woonplaats("Warnsveld", "0301", ((7231, 7231),), 9),
)

#: PostNL does not issue these letter combinations.
VERBODEN_POSTCODELETTERS = frozenset({"SA", "SD", "SS"})
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
POSTCODELETTERS: tuple[str, ...] = tuple(
    a + b for a in _LETTERS for b in _LETTERS if a + b not in VERBODEN_POSTCODELETTERS
)


def woonplaatsen(gemeentecode: str) -> tuple[Woonplaats, ...]:
    gevonden = tuple(w for w in WOONPLAATSEN if w.gemeentecode == gemeentecode)
    if not gevonden:
        bekend = ", ".join(g.code for g in GEMEENTEN)
        raise ValueError(f"gemeente {gemeentecode!r} is not in the region; known: {bekend}")
    return gevonden


def controleer_gemeenten(codelijsten: Codelijsten) -> None:
    """Raise ValueError unless every :data:`GEMEENTEN` entry is in CBS_Gemeentecodes with that name."""
    from .schemas import IJW

    cbs = codelijsten.lijst(IJW, "CBS_Gemeentecodes")
    for g in GEMEENTEN:
        if g.code not in cbs or cbs[g.code].omschrijving != g.naam:
            raise ValueError(f"gemeente {g.code} {g.naam} does not match CBS_Gemeentecodes")


# =============================================================================================
# People
# =============================================================================================

JEUGD_LEEFTIJD = (0, 17)
WMO_LEEFTIJD = (18, 95)

#: Voorvoegsels accepted when splitting a Faker last name ("van der Ploeg" → "van der", "Ploeg").
VOORVOEGSELS = frozenset(
    {"de", "den", "der", "het", "'t", "te", "ten", "ter", "van", "van de", "van den", "van der",
     "van het", "van 't", "in 't", "op de", "uit de"}
)


@dataclass(frozen=True, slots=True)
class Adres:
    straatnaam: str  # LDT_Straatnaam, ≤ 24
    huisnummer: int  # LDT_Huisnummer, 0…99999
    huisletter: str | None  # LDT_Huisletter, 1 char
    toevoeging: str | None  # LDT_HuisnummerToevoeging, ≤ 4
    postcode: str  # 1234AB
    plaatsnaam: str
    gemeentecode: str


@dataclass(frozen=True, slots=True)
class Persoon:
    bsn: str | None  # None: no BSN (route §9.1) or a gezagsdrager
    voornamen: str
    voorletters: str  # LDT_Voorletters: letters only, no dots, ≤ 6
    voorvoegsel: str | None
    achternaam: str
    geboortedatum: date
    geslacht: str  # COD046
    adres: Adres | None

    @property
    def heeft_bsn(self) -> bool:
        return self.bsn is not None


@dataclass(frozen=True, slots=True)
class Relatie:
    persoon: Persoon
    soort: str  # COD472 (named code "relatie.ouder")
    volgorde: int  # LDT_RelatieVolgorde, 0…99
    nummer: str  # LDT_Persoonsid (JW301 Relatie/Nummer), unique per Synthetisch


@dataclass(frozen=True, slots=True)
class Client:
    persoon: Persoon
    domein: Domein
    gezagsdragers: tuple[Relatie, ...] = ()


def leeftijd(geboortedatum: date, peildatum: date) -> int:
    """Age in whole years on ``peildatum``."""
    jaren = peildatum.year - geboortedatum.year
    return jaren - ((peildatum.month, peildatum.day) < (geboortedatum.month, geboortedatum.day))


def _jaren_terug(d: date, jaren: int) -> date:
    try:
        return d.replace(year=d.year - jaren)
    except ValueError:  # 29 February → 28 February
        return d.replace(year=d.year - jaren, day=28)


# =============================================================================================
# Aanbieders
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Aanbieder:
    agb: str  # LDT_AgbCode, 8 digits
    naam: str  # LDT_Organisatienaam, ≤ 35
    domeinen: frozenset[str]
    gemeenten: frozenset[str]  # gemeentecodes with a contract


#: Synthetic AGB codes: two-digit type prefix + six digits.  Plausible in form only.
AGB_PREFIXEN = ("73", "75")

# =============================================================================================
# Products (the catalogue itself is profile data)
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Tijdeenheden:
    """The WJ756 codes of Minuut and Uur of the loaded release (named codes ``eenheid.minuut`` and
    ``eenheid.uur``): what :meth:`Product.declaratie_eenheid` needs to declare hours in minutes."""

    minuut: str
    uur: str

    @classmethod
    def uit(cls, codes: "Codes") -> "Tijdeenheden":
        return cls(codes["eenheid.minuut"], codes["eenheid.uur"])


@dataclass(frozen=True, slots=True)
class Product:
    categorie: str  # JZ020 (jeugd) / WMO020 (wmo)
    code: str  # LDT_ProductCode, ≤ 5
    omschrijving: str
    eenheid: str  # WJ756, unit of the toewijzing
    frequentie: str  # WMO757
    tarief_cent: int  # per eenheid
    domein: Domein
    tags: frozenset[str] = field(default_factory=frozenset)
    toewijzing: str | None = None  # specifiek | aspecifiek; None: as the profile's domein says
    #: set by a :class:`Productcatalogus` checked against the code lists (not part of equality)
    tijdeenheden: Tijdeenheden | None = field(default=None, compare=False, repr=False)

    def _eenheden(self) -> Tijdeenheden:
        if self.tijdeenheden is None:
            raise ValueError(f"product {self.code}: unit codes unknown; take it from a Productcatalogus "
                             "built with the code lists (Productcatalogus(..., codelijsten))")
        return self.tijdeenheden

    def declaratie_eenheid(self, uren_in_minuten: bool = True) -> str:
        """Unit of the declaratie: the region assigns hours and declares minutes (Annex 4 §7)."""
        e = self._eenheden()
        return e.minuut if uren_in_minuten and self.eenheid == e.uur else self.eenheid

    def declaratietarief_cent(self, uren_in_minuten: bool = True) -> int:
        """Tariff per declaratie unit; hourly tariffs are multiples of 60 cent so minutes are exact."""
        e = self._eenheden()
        if self.declaratie_eenheid(uren_in_minuten) == e.minuut and self.eenheid == e.uur:
            return self.tarief_cent // 60
        return self.tarief_cent


# The product catalogue is profile data: ``[catalogus] producten`` in scenarios/profiles/*.toml
# (see docs/profiles.md).  The default catalogue is that of the default profile, mijov-2024
# (ILLUSTRATIVE: the regional Zorgproductenboek is not public).
DEFAULT_PROFIEL = "mijov-2024"


def standaard_producten() -> tuple[Product, ...]:
    """The products of the default profile's catalogue."""
    from .profiel import laad_profiel  # the profile module builds on this one

    return laad_profiel(DEFAULT_PROFIEL).producten


def __getattr__(naam: str):
    if naam == "ILLUSTRATIEVE_PRODUCTEN":  # the catalogue used to live here; it is profile data now
        return standaard_producten()
    raise AttributeError(f"module {__name__!r} has no attribute {naam!r}")


class Productcatalogus:
    """Products by code, by categorie and by route tag; checked when constructed.

    Without ``codelijsten`` only the structure is checked (unique codes, code ≤ 5 characters,
    known domein).  With it, every categorie must be in JZ020/WMO020 and every eenheid and
    frequentie in the basisschema enumeraties of its standard; ValueError otherwise.  The
    products then also carry the unit codes their declaratie methods need (:class:`Tijdeenheden`).
    """

    def __init__(self, producten: Iterable[Product] | None = None,
                 codelijsten: Codelijsten | None = None) -> None:
        self.producten: tuple[Product, ...] = tuple(standaard_producten() if producten is None else producten)
        self._per_code: dict[str, Product] = {}
        #: the code lists the products were checked against and given unit codes from (:meth:`koppel`)
        self.gekoppeld_met: Codelijsten | None = None
        for p in self.producten:
            if p.domein not in DOMEINEN:
                raise ValueError(f"product {p.code}: domein {p.domein!r} is not one of {DOMEINEN}")
            if not 1 <= len(p.code) <= 5 or p.code.strip() != p.code:
                raise ValueError(f"product {p.code!r}: a ProductCode is 1–5 characters without spaces")
            if p.code in self._per_code:
                raise ValueError(f"product code {p.code} appears twice in the catalogue")
            self._per_code[p.code] = p
        if codelijsten is not None:
            self.koppel(codelijsten)

    def koppel(self, codelijsten: Codelijsten) -> None:
        """Check the products against the code lists and give them the unit codes of the release."""
        from .codes import codes
        from .schemas import IJW, IWMO

        self._controleer(codelijsten)
        eenheden = {d: Tijdeenheden.uit(codes(codelijsten, IJW if d == "jeugd" else IWMO)) for d in DOMEINEN}
        self.producten = tuple(replace(p, tijdeenheden=eenheden[p.domein]) for p in self.producten)
        self._per_code = {p.code: p for p in self.producten}
        self.gekoppeld_met = codelijsten

    def _controleer(self, codelijsten: Codelijsten) -> None:
        from .schemas import IJW, IWMO

        for p in self.producten:
            std = IJW if p.domein == "jeugd" else IWMO
            lijst = "JZ020" if std is IJW else "WMO020"
            if p.categorie not in codelijsten.productcategorieen(std):
                raise ValueError(f"product {p.code}: categorie {p.categorie!r} is not in {lijst}")
            if p.eenheid not in codelijsten.enumeratie(std, "LDT_Eenheid"):
                raise ValueError(f"product {p.code}: eenheid {p.eenheid!r} is not in WJ756")
            if p.frequentie not in codelijsten.enumeratie(std, "LDT_Frequentie"):
                raise ValueError(f"product {p.code}: frequentie {p.frequentie!r} is not in WMO757")

    def __iter__(self) -> Iterator[Product]:
        return iter(self.producten)

    def __len__(self) -> int:
        return len(self.producten)

    def per_code(self, code: str) -> Product:
        try:
            return self._per_code[code]
        except KeyError:
            raise KeyError(f"product code {code!r} is not in the catalogue") from None

    def per_categorie(self, categorie: str, domein: Domein | None = None) -> tuple[Product, ...]:
        return tuple(p for p in self.producten if p.categorie == categorie and domein in (None, p.domein))

    def met_tag(self, tag: str) -> tuple[Product, ...]:
        return tuple(p for p in self.producten if tag in p.tags)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t for p in self.producten for t in p.tags)


# =============================================================================================
# The entry point
# =============================================================================================


class Synthetisch:
    """All synthetic data of one run (or run-shard), fully determined by ``seed``.

    ``codelijsten`` gives the COD046 geslacht and COD472 soort relatie codes of the people
    (:meth:`persoon` and :meth:`client` need it), and checks the built-in gemeenten against
    CBS_Gemeentecodes and the product catalogue against JZ020/WMO020/WJ756/WMO757 once, at
    construction.  BSNs, addresses and aanbieders need no code lists.
    """

    def __init__(self, seed: int, *, codelijsten: Codelijsten | None = None,
                 catalogus: Productcatalogus | None = None) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._faker = Faker("nl_NL")
        self._faker.seed_instance(seed)
        self._bsns = BsnGenerator(seed)
        self._agbs: set[str] = set()
        self._relatienummer = 0
        #: (man, vrouw, onbekend) COD046 and the COD472 code of an ouder, resolved once from the code lists
        self._persoonscodes: tuple[tuple[str, str, str], str] | None = None
        if catalogus is None:
            catalogus = Productcatalogus(codelijsten=codelijsten)
        elif codelijsten is not None and catalogus.gekoppeld_met is not codelijsten:
            catalogus.koppel(codelijsten)  # not yet coupled (profiel.catalogus(codelijsten) couples it already)
        self.catalogus = catalogus
        if codelijsten is not None:
            from .codes import codes
            from .schemas import IJW

            controleer_gemeenten(codelijsten)
            c = codes(codelijsten, IJW)  # COD046 and COD472 are the same list in iJw and iWmo
            self._persoonscodes = ((c["geslacht.man"], c["geslacht.vrouw"], c["geslacht.onbekend"]), c["relatie.ouder"])

    def _codes(self) -> tuple[tuple[str, str, str], str]:
        if self._persoonscodes is None:
            raise ValueError("people need the code lists (geslacht, soort relatie): "
                             "Synthetisch(seed, codelijsten=Codelijsten(registry))")
        return self._persoonscodes

    @property
    def gemeenten(self) -> tuple[Gemeente, ...]:
        return GEMEENTEN

    # -- BSN -------------------------------------------------------------------------------
    def bsn(self) -> str:
        """Next unique test-range BSN; :class:`BsnPoolUitgeput` after 9,091."""
        return self._bsns.volgende()

    @property
    def bsn_generator(self) -> BsnGenerator:
        return self._bsns

    # -- addresses -------------------------------------------------------------------------
    def adres(self, gemeentecode: str | None = None) -> Adres:
        code = gemeentecode or self._rng.choice(GEMEENTEN).code
        plaatsen = woonplaatsen(code)
        plaats = self._rng.choices(plaatsen, weights=[w.gewicht for w in plaatsen])[0]
        postcode = f"{self._rng.choice(plaats.cijfers())}{self._rng.choice(POSTCODELETTERS)}"
        straat = self._faker.street_name()
        while len(straat) > 24:
            straat = self._faker.street_name()
        huisletter = toevoeging = None
        r = self._rng.random()
        if r < 0.08:
            huisletter = self._rng.choice("ABCD")
        elif r < 0.13:
            toevoeging = self._rng.choice(("1", "2", "3", "bis", "hs", "I", "II"))
        huisnummer = self._rng.randint(1, 60) if self._rng.random() < 0.7 else self._rng.randint(61, 400)
        return Adres(straat, huisnummer, huisletter, toevoeging, postcode, plaats.naam, code)

    # -- people ----------------------------------------------------------------------------
    def persoon(self, *, peildatum: date, leeftijd: int | None = None, geslacht: str | None = None,
                adres: Adres | None = None, gemeentecode: str | None = None,
                familienaam: tuple[str | None, str] | None = None, heeft_bsn: bool = True) -> Persoon:
        """One person; ``leeftijd`` (default 18–95) is the age on ``peildatum``.

        ``adres`` None → a new address in ``gemeentecode`` (or a random gemeente).
        ``familienaam`` = (voorvoegsel, achternaam) to reuse a family's name.
        """
        if leeftijd is None:
            leeftijd = self._rng.randint(*WMO_LEEFTIJD)
        if leeftijd < 0:
            raise ValueError(f"leeftijd must be ≥ 0, not {leeftijd}")
        (man, vrouw, onbekend), _ = self._codes()
        if geslacht is None:
            # the index drawn is the same as from the former literal "12": the ledger stays byte-identical
            geslacht = onbekend if self._rng.random() < 0.005 else self._rng.choice((man, vrouw))
        voornamen = self._voornamen(geslacht, man, vrouw)
        voorvoegsel, achternaam = familienaam or self._familienaam()
        return Persoon(
            bsn=self.bsn() if heeft_bsn else None,
            voornamen=" ".join(voornamen),
            voorletters="".join(n[0] for n in voornamen),
            voorvoegsel=voorvoegsel,
            achternaam=achternaam,
            geboortedatum=self._geboortedatum(leeftijd, peildatum),
            geslacht=geslacht,
            adres=adres or self.adres(gemeentecode),
        )

    def client(self, domein: Domein, gemeentecode: str | None = None, *, peildatum: date,
               leeftijd: int | None = None, heeft_bsn: bool = True) -> Client:
        """A client: jeugd 0–17 on ``peildatum`` with 1–2 ouders at the same address, wmo 18–95.

        ``heeft_bsn=False`` gives a client without BSN (route §9.1).
        """
        if domein not in DOMEINEN:
            raise ValueError(f"domein must be one of {DOMEINEN}, not {domein!r}")
        laag, hoog = JEUGD_LEEFTIJD if domein == "jeugd" else WMO_LEEFTIJD
        if leeftijd is None:
            leeftijd = self._rng.randint(laag, hoog) if domein == "jeugd" else self._wmo_leeftijd()
        elif not laag <= leeftijd <= hoog:
            raise ValueError(f"a {domein} client is {laag}–{hoog} years old, not {leeftijd}")
        persoon = self.persoon(peildatum=peildatum, leeftijd=leeftijd, gemeentecode=gemeentecode,
                               heeft_bsn=heeft_bsn)
        if domein == "wmo":
            return Client(persoon, domein)
        return Client(persoon, domein, self._ouders(persoon, leeftijd, peildatum))

    def _ouders(self, kind: Persoon, leeftijd_kind: int, peildatum: date) -> tuple[Relatie, ...]:
        (man, vrouw, _), ouder_code = self._codes()
        aantal = 2 if self._rng.random() < 0.7 else 1
        eerste = self._rng.choice((man, vrouw))
        ouders = []
        for volgorde in range(1, aantal + 1):
            if volgorde == 1:
                geslacht, naam = eerste, (kind.voorvoegsel, kind.achternaam)
            else:
                andere = vrouw if eerste == man else man
                geslacht = andere if self._rng.random() < 0.9 else eerste
                naam = (kind.voorvoegsel, kind.achternaam) if self._rng.random() < 0.3 else None
            ouder_leeftijd = min(leeftijd_kind + self._rng.randint(18, 45), 80)
            ouder = self.persoon(peildatum=peildatum, leeftijd=ouder_leeftijd, geslacht=geslacht,
                                 adres=kind.adres, familienaam=naam, heeft_bsn=False)
            self._relatienummer += 1
            ouders.append(Relatie(ouder, ouder_code, volgorde, f"R{self._relatienummer:08d}"))
        return tuple(ouders)

    def _wmo_leeftijd(self) -> int:
        band = self._rng.choices(((18, 44), (45, 66), (67, 95)), weights=(20, 25, 55))[0]
        return self._rng.randint(*band)

    def _geboortedatum(self, jaren: int, peildatum: date) -> date:
        """A uniformly drawn birth date such that the age on ``peildatum`` is exactly ``jaren``."""
        laatste = _jaren_terug(peildatum, jaren)
        eerste = _jaren_terug(peildatum, jaren + 1) + timedelta(days=1)
        return eerste + timedelta(days=self._rng.randint(0, (laatste - eerste).days))

    def _voornamen(self, geslacht: str, man: str, vrouw: str) -> list[str]:
        kies = {man: self._faker.first_name_male, vrouw: self._faker.first_name_female}
        aantal = self._rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        namen = []
        while len(namen) < aantal:
            maker = kies.get(geslacht) or self._rng.choice((self._faker.first_name_male,
                                                            self._faker.first_name_female))
            naam = maker()
            if naam.isalpha() and naam not in namen:
                namen.append(naam)
        return namen

    def _familienaam(self) -> tuple[str | None, str]:
        """(voorvoegsel, achternaam) from a Faker last name; odd ones are drawn again."""
        while True:
            woorden = self._faker.last_name().split()
            i = 0
            while i < len(woorden) and not woorden[i][:1].isupper():
                i += 1
            voorvoegsel = " ".join(woorden[:i]) or None
            rest = woorden[i:]
            if not rest or any(not w[:1].isupper() for w in rest):
                continue
            if voorvoegsel is not None and voorvoegsel not in VOORVOEGSELS:
                continue
            achternaam = " ".join(rest)
            if len(achternaam) <= 40:
                return voorvoegsel, achternaam

    # -- aanbieders ------------------------------------------------------------------------
    def aanbieders(self, n: int, *, domein: Domein | None = None) -> tuple[Aanbieder, ...]:
        """``n`` aanbieders with unique AGB codes (unique over the whole instance)."""
        return tuple(self.aanbieder(domein) for _ in range(n))

    def aanbieder(self, domein: Domein | None = None) -> Aanbieder:
        r = self._rng.random()
        domeinen = {"jeugd"} if r < 0.45 else {"wmo"} if r < 0.8 else {"jeugd", "wmo"}
        if domein is not None:
            domeinen.add(domein)
        codes = [g.code for g in GEMEENTEN]
        if self._rng.random() < 0.6:
            gemeenten = frozenset(codes)  # regional contract
        else:
            gemeenten = frozenset(self._rng.sample(codes, self._rng.randint(1, len(codes) - 1)))
        return Aanbieder(self._agb(), self._organisatienaam(frozenset(domeinen)), frozenset(domeinen), gemeenten)

    def _agb(self) -> str:
        while True:
            agb = f"{self._rng.choice(AGB_PREFIXEN)}{self._rng.randint(0, 999_999):06d}"
            if agb not in self._agbs:
                self._agbs.add(agb)
                return agb

    def _organisatienaam(self, domeinen: frozenset[str]) -> str:
        if domeinen == {"jeugd"}:
            vormen = ("Jeugdhulp {n}", "Stichting Jeugdzorg {p}", "{n} Kind & Gezin", "Praktijk {n}")
        elif domeinen == {"wmo"}:
            vormen = ("Thuiszorg {n}", "Stichting Welzijn {p}", "{n} Begeleiding", "Dagbesteding {p}")
        else:
            vormen = ("Zorggroep {n}", "{p} Zorg & Welzijn", "Stichting {n}")
        while True:
            _, achternaam = self._familienaam()
            plaats = self._rng.choice(WOONPLAATSEN).naam
            naam = self._rng.choice(vormen).format(n=achternaam, p=plaats)
            if len(naam) <= 35:
                return naam
