"""Protocol profiles: the regional protocol as data (``scenarios/profiles/*.toml``).

A profile holds every deadline, route, rejection rule, per-gemeente variant and calendar setting
the reference actors follow and the conformance checks expect, each with the annex section it
comes from.  It is validated on load; an error names the file, the key and what is wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from .synthetisch import Product, Productcatalogus
from .werkdagen import DEFAULT_FEESTDAGEN, Termijn, Werkdagkalender

#: Deadline keys every profile must define (actors and checks look them up by these names).
VERPLICHTE_TERMIJNEN = (
    "retour_302", "retour_306", "retour_308", "retour_316", "retour_318", "retour_320",
    "besluit_vot", "besluit_vow", "onderzoek", "woonplaatsbeginsel", "toewijzing_toegang",
    "vot_na_intake", "vot_sggz", "vot_crisis", "start_305", "start_305_terugwerkend",
    "start_305_sggz", "stop_307", "stop_307_tijdelijk", "declaratie_323", "declaratie_sggz", "antwoord_325",
    "correctie_afgekeurd", "correctie_goedgekeurd", "toewijzing_vervalt",
)
ROUTES = ("toegang", "extern", "sggz", "dyslexie", "crisis", "zonder_bsn")
DOMEINEN = ("jeugd", "wmo")
DYSLEXIE_VARIANTEN = ("aanbieder_vot", "toegang_toewijzing")
TOEWIJZINGSWIJZEN = ("specifiek", "aspecifiek")
#: frequentie names a ``[toewijzing.<domein>]`` may prescribe (simulator.codes ``frequentie.<naam>``)
FREQUENTIES = ("dag", "week", "maand", "totaal")
FREQUENTIE_CODES = {"dag": "1", "week": "2", "maand": "4", "totaal": "6"}  # WMO757, the same in iJw and iWmo
#: keys of one product of ``[catalogus] producten``
PRODUCT_SLEUTELS = ("domein", "categorie", "code", "omschrijving", "eenheid", "frequentie", "tarief_cent", "tags",
                    "toewijzing")


class ProfielFout(ValueError):
    """A profile file is missing, malformed or inconsistent. The message says where."""


@dataclass(frozen=True)
class Deadline:
    """One deadline of the protocol: how long, from what, and where the annex says so."""

    sleutel: str
    termijn: Termijn
    na: str
    bron: str

    def beschrijving(self) -> str:
        return f"{self.termijn.beschrijving()} na {self.na}"


@dataclass(frozen=True)
class Regel:
    """A rule of the protocol.  ``waarde`` is the value as written (for a rule given as
    ``termijn = "12 maanden"`` that text); ``termijn`` is then the parsed :class:`Termijn`."""

    sleutel: str
    waarde: Any
    bron: str
    termijn: Termijn | None = None
    reden: str | None = None  # for a rejection rule: the named RedenAfwijzingVerzoek (simulator.codes)


@dataclass(frozen=True)
class Route:
    naam: str
    bijlage: str
    titel: str
    gewicht: float
    domeinen: tuple[str, ...]
    opties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Toewijzingswijze:
    """How a gemeente assigns care in one domein (the fields of a ToegewezenProduct it fills).

    * ``specifiek``: categorie, code and Omvang (eenheid, volume, frequentie); no Budget.
      ``frequentie`` (a ``FREQUENTIES`` name) when the protocol prescribes one for every product.
    * ``aspecifiek``: categorie only, no code and no Omvang; ``budget`` says whether a Budget
      (whole cents) is filled; ``einddatum`` the fixed validity from the verzoek om toewijzing.
    ``vow_bij_budget`` (0–1): the aanbieder asks a budget change (317) once that share of the
    budget is declared.  ``bron`` names the protocol section.
    """

    domein: str
    wijze: str
    bron: str
    budget: bool = False
    frequentie: str | None = None
    einddatum: Termijn | None = None
    einddatum_na: str = ""
    vow_bij_budget: float | None = None

    @property
    def specifiek(self) -> bool:
        return self.wijze == "specifiek"


@dataclass(frozen=True)
class GemeenteInstelling:
    code: str
    naam: str
    dyslexie: str
    inwoners: int


@dataclass(frozen=True)
class Profiel:
    naam: str
    titel: str
    versie: str
    bron: str
    pad: Path
    toewijzen: Mapping[str, str]
    kalender: Werkdagkalender
    termijnen: Mapping[str, Deadline]
    regels: Mapping[str, Regel]
    routes: Mapping[str, Route]
    gemeenten: Mapping[str, GemeenteInstelling]
    gebeurtenissen: Mapping[str, float]
    populatie: Mapping[str, Any]
    toewijzing: Mapping[str, Toewijzingswijze] = field(default_factory=dict)
    producten: tuple[Product, ...] = ()
    catalogus_bron: str = ""
    ruw: Mapping[str, Any] = field(repr=False, default_factory=dict)

    def wijze(self, domein: str, product: Product | None = None) -> Toewijzingswijze:
        """How care in ``domein`` is assigned; a catalogue product may override its domein's way."""
        basis = self.toewijzing.get(domein) or Toewijzingswijze(domein, "specifiek", "")
        if product is not None and product.toewijzing and product.toewijzing != basis.wijze:
            return replace(basis, wijze=product.toewijzing)
        return basis

    def toewijzing_einddatum(self, domein: str, verzoek: date) -> date | None:
        """The einddatum an aspecifieke toewijzing gets from its verzoek om toewijzing (None: not fixed)."""
        w = self.wijze(domein)
        if w.specifiek or w.einddatum is None:
            return None
        return self.kalender.deadline(verzoek, w.einddatum, verlengen=False)

    def catalogus(self, codelijsten=None) -> Productcatalogus:
        """The profile's product catalogue (checked against the code lists when given)."""
        return Productcatalogus(self.producten, codelijsten=codelijsten)

    def termijn(self, sleutel: str) -> Termijn:
        return self.termijnen[sleutel].termijn

    def deadline(self, sleutel: str, vanaf: date) -> date:
        """Last allowed date of deadline ``sleutel`` counted from ``vanaf``."""
        if sleutel not in self.termijnen:
            raise KeyError(f"profile {self.naam} ({self.pad}) has no termijn {sleutel!r}")
        return self.kalender.deadline(vanaf, self.termijnen[sleutel].termijn)

    def regel(self, sleutel: str) -> Any:
        return self.regels[sleutel].waarde

    def reden(self, sleutel: str) -> str:
        """The RedenAfwijzingVerzoek (a ``simulator.codes`` name) a rejection rule prescribes."""
        r = self.regels[sleutel].reden
        if r is None:
            raise ProfielFout(f"{self.pad}: [regels.{sleutel}] has no 'reden' (which RedenAfwijzingVerzoek to use)")
        return r

    def kans(self, gebeurtenis: str) -> float:
        return float(self.gebeurtenissen.get(gebeurtenis, 0.0))

    def verlenging_verwijzers(self) -> frozenset[str] | None:
        """The kinds of verwijzer (``verwijzer.*`` code names without the prefix) whose client's aanbieder
        may ask a verlenging with a 315 (rule ``verlenging_via_315_verwijzers``); None: any verwijzer."""
        r = self.regels.get("verlenging_via_315_verwijzers")
        return None if r is None else frozenset(str(v) for v in r.waarde)


def beschikbare_profielen() -> list[str]:
    """Names of the profiles shipped with ketensim."""
    folder = resources.files("scenarios") / "profiles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def laad_profiel(naam_of_pad: str | Path) -> Profiel:
    """Load a shipped profile by name (``mijov-2024``) or any profile file by path (a ``.toml``
    path, or any existing file)."""
    pad = Path(naam_of_pad)
    if pad.suffix != ".toml" and not pad.is_file():
        shipped = resources.files("scenarios") / "profiles" / f"{naam_of_pad}.toml"
        if not shipped.is_file():
            raise ProfielFout(f"unknown profile {naam_of_pad!r}; shipped profiles: {', '.join(beschikbare_profielen())}; "
                              "or give a path to a .toml file")
        pad = Path(str(shipped))
    if not pad.is_file():
        raise ProfielFout(f"profile file {pad} does not exist")
    try:
        # utf-8-sig: an editor that saves "UTF-8 with BOM" (Windows Notepad) is fine too
        data = tomllib.loads(pad.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ProfielFout(f"{pad}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfielFout(f"{pad}: not valid TOML: {exc}") from None
    return _bouw(data, pad)


def _eis(d: Mapping[str, Any], key: str, pad: Path, waar: str, soort: type | tuple[type, ...] = object) -> Any:
    if key not in d:
        raise ProfielFout(f"{pad}: [{waar}] misses '{key}'")
    v = d[key]
    soorten = soort if isinstance(soort, tuple) else (soort,)
    getal = isinstance(v, bool) and (int in soorten or float in soorten)  # true is not a number
    if not isinstance(v, soort) or getal:
        raise ProfielFout(f"{pad}: [{waar}] '{key}' has the wrong type ({type(v).__name__})")
    return v


def _tabel(v: Any, pad: Path, waar: str) -> Mapping[str, Any]:
    """``v`` must be a TOML table (``{ ... }`` or a ``[section]``)."""
    if not isinstance(v, dict):
        raise ProfielFout(f"{pad}: [{waar}] must be a table ({{ key = value, ... }}), not {type(v).__name__} {v!r}")
    return v


def _sectie(data: Mapping[str, Any], key: str, pad: Path, verplicht: bool = False) -> Mapping[str, Any]:
    if verplicht:
        _eis(data, key, pad, "top level")
    return _tabel(data.get(key, {}), pad, key)


def _datum(v: Any, pad: Path, waar: str) -> date:
    """A date written as TOML date (2026-05-15) or as ISO text ("2026-05-15")."""
    if type(v) is date:
        return v
    try:
        return date.fromisoformat(v)
    except (TypeError, ValueError):
        raise ProfielFout(f"{pad}: [{waar}] {v!r} is not a date (write 2026-05-15 or \"2026-05-15\")") from None


def _bouw(data: Mapping[str, Any], pad: Path) -> Profiel:
    meta = _eis(data, "profiel", pad, "top level", dict)

    kal = _sectie(data, "kalender", pad)
    feestdagen = kal.get("feestdagen", DEFAULT_FEESTDAGEN)
    if not isinstance(feestdagen, (list, tuple)) or not all(isinstance(n, str) for n in feestdagen):
        raise ProfielFout(f"{pad}: [kalender] 'feestdagen' must be a list of names")
    extra_lijst = kal.get("extra_vrije_dagen", [])
    if not isinstance(extra_lijst, list):
        raise ProfielFout(f"{pad}: [kalender] 'extra_vrije_dagen' must be a list of dates")
    extra = frozenset(_datum(v, pad, "kalender.extra_vrije_dagen") for v in extra_lijst)
    try:
        kalender = Werkdagkalender(extra_vrije_dagen=extra, feestdagen=tuple(feestdagen))
    except (ValueError, TypeError) as exc:
        raise ProfielFout(f"{pad}: [kalender] {exc}") from None

    termijnen: dict[str, Deadline] = {}
    for key, spec in _sectie(data, "termijnen", pad, verplicht=True).items():
        waar = f"termijnen.{key}"
        spec = _tabel(spec, pad, waar)
        termijnen[key] = Deadline(key, _termijn(_eis(spec, "termijn", pad, waar, str), pad, waar),
                                  _eis(spec, "na", pad, waar, str), _eis(spec, "bron", pad, waar, str))
    missing = [k for k in VERPLICHTE_TERMIJNEN if k not in termijnen]
    if missing:
        raise ProfielFout(f"{pad}: [termijnen] misses {', '.join(missing)}")

    regels = {}
    for key, spec in _sectie(data, "regels", pad).items():
        waar = f"regels.{key}"
        spec = _tabel(spec, pad, waar)
        if "waarde" not in spec and "termijn" not in spec:
            raise ProfielFout(f"{pad}: [{waar}] needs 'waarde' or 'termijn'")
        termijn = None
        if "termijn" in spec:
            termijn = _termijn(_eis(spec, "termijn", pad, waar, str), pad, waar)
        reden = spec.get("reden")
        if reden is not None and (not isinstance(reden, str) or not reden.startswith("afwijzing.")):
            raise ProfielFout(f"{pad}: [{waar}] reden must name a RedenAfwijzingVerzoek such as "
                              f"'afwijzing.contract' (see docs/profiles.md), not {reden!r}")
        regels[key] = Regel(key, spec.get("waarde", spec.get("termijn")), _eis(spec, "bron", pad, waar, str), termijn,
                            reden)

    routes = {}
    for key, spec in _sectie(data, "routes", pad, verplicht=True).items():
        waar = f"routes.{key}"
        if key not in ROUTES:
            raise ProfielFout(f"{pad}: [{waar}] unknown route; known: {', '.join(ROUTES)}")
        spec = _tabel(spec, pad, waar)
        opties = {k: v for k, v in spec.items() if k not in ("bijlage", "titel", "gewicht", "domeinen")}
        gewicht = _eis(spec, "gewicht", pad, waar, (int, float))
        if gewicht < 0:
            raise ProfielFout(f"{pad}: [{waar}] gewicht must be ≥ 0")
        domeinen = _eis(spec, "domeinen", pad, waar, list)
        if not domeinen or any(d not in DOMEINEN for d in domeinen):
            raise ProfielFout(f"{pad}: [{waar}] domeinen must be a non-empty list of {', '.join(DOMEINEN)}; "
                              f"got {domeinen!r}")
        routes[key] = Route(key, str(spec.get("bijlage", "")), str(spec.get("titel", key)), float(gewicht),
                            tuple(domeinen), opties)

    gemeenten = {}
    for code, spec in _sectie(data, "gemeenten", pad, verplicht=True).items():
        waar = f"gemeenten.{code}"
        spec = _tabel(spec, pad, waar)
        variant = spec.get("dyslexie", "aanbieder_vot")
        if variant not in DYSLEXIE_VARIANTEN:
            raise ProfielFout(f"{pad}: [{waar}] dyslexie must be one of {', '.join(DYSLEXIE_VARIANTEN)}; "
                              f"got {variant!r}")
        inwoners = spec.get("inwoners", 10000)
        if type(inwoners) is not int or inwoners <= 0:
            raise ProfielFout(f"{pad}: [{waar}] inwoners must be a whole number > 0 (no dots); got {inwoners!r}")
        gemeenten[code] = GemeenteInstelling(code, _eis(spec, "naam", pad, waar, str), variant, inwoners)

    gebeurtenissen = {}
    for key, kans in _sectie(data, "gebeurtenissen", pad).items():
        if isinstance(kans, bool) or not isinstance(kans, (int, float)) or not 0 <= kans <= 1:
            raise ProfielFout(f"{pad}: [gebeurtenissen] '{key}' must be a chance between 0 and 1; got {kans!r}")
        gebeurtenissen[key] = float(kans)

    toewijzing = _toewijzing(data, meta, pad)
    catalogus_sectie = _sectie(data, "catalogus", pad, verplicht=True)
    producten = _producten(catalogus_sectie, pad)
    for w in toewijzing.values():
        code = FREQUENTIE_CODES.get(w.frequentie or "")
        for prod in producten:
            if code and prod.domein == w.domein and prod.frequentie != code:
                raise ProfielFout(f"{pad}: [catalogus] product {prod.code}: [toewijzing.{w.domein}] prescribes frequentie "
                                  f"{w.frequentie} ({code}), the product has {prod.frequentie}")
    for key, route in routes.items():
        for domein in route.domeinen:
            if not any(p.domein == domein for p in producten):
                raise ProfielFout(f"{pad}: [routes.{key}] serves {domein} but [catalogus] has no {domein} product")

    return Profiel(
        naam=_eis(meta, "naam", pad, "profiel", str),
        titel=str(meta.get("titel", "")),
        versie=str(meta.get("versie", "")),
        bron=str(meta.get("bron", "")),
        pad=pad,
        toewijzen={d: w.wijze for d, w in toewijzing.items()},
        kalender=kalender,
        termijnen=termijnen,
        regels=regels,
        routes=routes,
        gemeenten=gemeenten,
        gebeurtenissen=gebeurtenissen,
        populatie=dict(_sectie(data, "populatie", pad)),
        toewijzing=toewijzing,
        producten=producten,
        catalogus_bron=str(catalogus_sectie.get("bron", "")),
        ruw=data,
    )


def _toewijzing(data: Mapping[str, Any], meta: Mapping[str, Any], pad: Path) -> dict[str, Toewijzingswijze]:
    """``[toewijzing.<domein>]`` tables; the older short form ``[profiel] toewijzen = { jeugd = ... }``
    is still read.  A domein without either is assigned specifiek."""
    kort = _tabel(meta.get("toewijzen", {}), pad, "profiel.toewijzen")
    sectie = _sectie(data, "toewijzing", pad)
    uit: dict[str, Toewijzingswijze] = {}
    for domein in DOMEINEN:
        waar = f"toewijzing.{domein}"
        if domein in sectie:
            spec = _tabel(sectie[domein], pad, waar)
        elif domein in kort:
            spec = {"wijze": kort[domein], "bron": kort.get("bron", "")}
        else:
            spec = {"wijze": "specifiek", "bron": ""}
        onbekend = sorted(set(spec) - {"wijze", "bron", "budget", "frequentie", "einddatum", "vow_bij_budget"})
        if onbekend:
            raise ProfielFout(f"{pad}: [{waar}] unknown key(s) {', '.join(onbekend)}; known: wijze, bron, budget, "
                              "frequentie, einddatum, vow_bij_budget")
        wijze = spec.get("wijze")
        if wijze not in TOEWIJZINGSWIJZEN:
            raise ProfielFout(f"{pad}: [{waar}] wijze must be one of {', '.join(TOEWIJZINGSWIJZEN)}; got {wijze!r}")
        budget = spec.get("budget", False)
        if not isinstance(budget, bool):
            raise ProfielFout(f"{pad}: [{waar}] budget must be true or false; got {budget!r}")
        frequentie = spec.get("frequentie")
        if frequentie is not None and frequentie not in FREQUENTIES:
            raise ProfielFout(f"{pad}: [{waar}] frequentie must be one of {', '.join(FREQUENTIES)}; got {frequentie!r}")
        einddatum, na = None, ""
        if "einddatum" in spec:
            e = _tabel(spec["einddatum"], pad, f"{waar}.einddatum")
            einddatum = _termijn(_eis(e, "termijn", pad, f"{waar}.einddatum", str), pad, f"{waar}.einddatum")
            na = str(e.get("na", ""))
        drempel = spec.get("vow_bij_budget")
        if drempel is not None and (isinstance(drempel, bool) or not isinstance(drempel, (int, float))
                                    or not 0 < drempel <= 1):
            raise ProfielFout(f"{pad}: [{waar}] vow_bij_budget must be a share between 0 and 1 (0.8 = 80 %); "
                              f"got {drempel!r}")
        if wijze == "specifiek" and (budget or einddatum is not None or drempel is not None):
            raise ProfielFout(f"{pad}: [{waar}] budget, einddatum and vow_bij_budget belong to wijze = \"aspecifiek\"")
        if wijze == "aspecifiek" and frequentie is not None:
            raise ProfielFout(f"{pad}: [{waar}] an aspecifieke toewijzing has no Omvang, so no frequentie")
        if drempel is not None and not budget:
            raise ProfielFout(f"{pad}: [{waar}] vow_bij_budget needs budget = true")
        uit[domein] = Toewijzingswijze(domein, wijze, str(spec.get("bron", "")), budget, frequentie, einddatum, na,
                                       None if drempel is None else float(drempel))
    return uit


def _producten(sectie: Mapping[str, Any], pad: Path) -> tuple[Product, ...]:
    """``[catalogus] producten = [ { domein, categorie, code, ... }, ... ]``, checked for structure
    (the code lists are checked when a run or check loads the catalogue with its release)."""
    lijst = _eis(sectie, "producten", pad, "catalogus", list)
    if not lijst:
        raise ProfielFout(f"{pad}: [catalogus] producten is empty")
    uit: list[Product] = []
    for i, spec in enumerate(lijst, 1):
        waar = f"catalogus.producten #{i}"
        spec = _tabel(spec, pad, waar)
        onbekend = sorted(set(spec) - set(PRODUCT_SLEUTELS))
        if onbekend:
            raise ProfielFout(f"{pad}: [{waar}] unknown key(s) {', '.join(onbekend)}; known: {', '.join(PRODUCT_SLEUTELS)}")
        waar = f"catalogus.producten #{i} ({spec.get('code', '?')})"
        domein = _eis(spec, "domein", pad, waar, str)
        if domein not in DOMEINEN:
            raise ProfielFout(f"{pad}: [{waar}] domein must be one of {', '.join(DOMEINEN)}; got {domein!r}")
        tarief = _eis(spec, "tarief_cent", pad, waar, int)
        if tarief <= 0:
            raise ProfielFout(f"{pad}: [{waar}] tarief_cent must be > 0 (whole cents)")
        tags = spec.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ProfielFout(f"{pad}: [{waar}] tags must be a list of names")
        wijze = spec.get("toewijzing")
        if wijze is not None and wijze not in TOEWIJZINGSWIJZEN:
            raise ProfielFout(f"{pad}: [{waar}] toewijzing must be one of {', '.join(TOEWIJZINGSWIJZEN)}; got {wijze!r}")
        eenheid = _eis(spec, "eenheid", pad, waar, str)
        if eenheid == "04" and tarief % 60:
            raise ProfielFout(f"{pad}: [{waar}] an hourly tarief_cent must be a multiple of 60 so that the "
                              f"per-minute tariff is exact; got {tarief}")
        uit.append(Product(_eis(spec, "categorie", pad, waar, str), _eis(spec, "code", pad, waar, str),
                           str(spec.get("omschrijving", "")), eenheid, _eis(spec, "frequentie", pad, waar, str),
                           tarief, domein, frozenset(tags), wijze))
    try:
        Productcatalogus(uit)
    except ValueError as exc:
        raise ProfielFout(f"{pad}: [catalogus] {exc}") from None
    return tuple(uit)


def _termijn(tekst: str, pad: Path, waar: str) -> Termijn:
    try:
        return Termijn.parse(tekst)
    except ValueError as exc:
        raise ProfielFout(f"{pad}: [{waar}] {exc}") from None
