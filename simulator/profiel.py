"""Protocol profiles: the regional protocol as data (``scenarios/profiles/*.toml``).

A profile holds every deadline, route, rejection rule, per-gemeente variant and calendar setting
the reference actors follow and the conformance checks expect, each with the annex section it
comes from.  It is validated on load; an error names the file, the key and what is wrong.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from .synthetisch import GEMEENTEN, Product, Productcatalogus
from .werkdagen import DEFAULT_FEESTDAGEN, Termijn, Werkdagkalender, add_maanden

#: Deadline keys every profile must define, and the only ones it may (actors and checks look
#: deadlines up by these names; another key would be read by nothing, so it is an error).
VERPLICHTE_TERMIJNEN = (
    "retour_302", "retour_306", "retour_308", "retour_316", "retour_318", "retour_320",
    "besluit_vot", "besluit_vow", "onderzoek", "woonplaatsbeginsel", "toewijzing_toegang",
    "vot_na_intake", "vot_sggz", "vot_crisis", "start_305", "start_305_terugwerkend",
    "start_305_sggz", "stop_307", "stop_307_tijdelijk", "declaratie_323", "declaratie_sggz", "antwoord_325",
    "correctie_afgekeurd", "correctie_goedgekeurd", "toewijzing_vervalt", "afhandeling_zonder_bsn",
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
#: the top-level sections of a profile, in the order of the shipped files
SECTIES = ("profiel", "toewijzing", "kalender", "termijnen", "regels", "routes", "dyslexie", "gemeenten", "catalogus",
           "gebeurtenissen", "populatie")
#: ``[regels] declaratie_batch``: how the aanbieder groups its monthly 323s (Annex 4 §7; OP281: a 323
#: holds prestaties of one or more clients)
PER_GEMEENTE, PER_CLIENT = "per maand per gemeente", "per maand per cliënt"
DECLARATIE_BATCHES = (PER_GEMEENTE, PER_CLIENT)


@dataclass(frozen=True)
class RegelSoort:
    """What one key of ``[regels]`` holds.  ``soort``: ``ja_nee`` (true/false), ``aantal`` (a whole
    number ≥ ``minimum``), ``tags`` (a list of catalogue tags), ``verwijzers`` (a list of verwijzer
    kinds, the ``verwijzer.*`` code names), ``keuze`` (one of ``keuzes``), ``termijn`` (a length in the termijn forms, written ``termijn = "…"``)
    or ``termijn_terug`` (such a length counted back from the date ``terug_vanaf``: not "einde volgende
    maand", :meth:`Profiel.voor`).  ``reden``: the rule makes the gemeente reject a verzoek, so it names
    the RedenAfwijzingVerzoek to use."""

    soort: str
    uitleg: str
    reden: bool = False
    minimum: int = 0
    keuzes: tuple[str, ...] = ()
    terug_vanaf: str = ""  # termijn_terug: the date the length is counted back from


#: Every rule key a profile must define under ``[regels]`` (docs/profiles.md, "[regels]").
REGELS: dict[str, RegelSoort] = {
    "wmo315_afwijzen": RegelSoort("ja_nee", "the gemeente rejects a WMO315", reden=True),
    "wmo317_afwijzen": RegelSoort("ja_nee", "the gemeente rejects a WMO317", reden=True),
    "gi_bepaling_315_afwijzen": RegelSoort("ja_nee", "the gemeente rejects a 315 for a GI bepaling", reden=True),
    "onderaannemer_315_afwijzen": RegelSoort("ja_nee", "the gemeente rejects a 315 of an onderaannemer", reden=True),
    "contract_315_afwijzen": RegelSoort("ja_nee", "the gemeente rejects a 315 of an aanbieder without a contract for "
                                                  "the domein", reden=True),
    "stapeling_315_afwijzen": RegelSoort("ja_nee", "the gemeente rejects a 315 for a product the client has at that "
                                                   "aanbieder in an overlapping period", reden=True),
    "naw_controle": RegelSoort("ja_nee", "the gemeente compares a 315's client data with its register and "
                                         "consults the aanbieder outside the traffic on a difference"),
    "samenloop_afstemmen": RegelSoort("ja_nee", "the gemeente coordinates care at another aanbieder outside the "
                                                "traffic (no rejection)"),
    "vow_terugwerkend_toewijzen": RegelSoort("ja_nee", "the gemeente may assign retroactively on a 317"),
    "vow_alleen_geheel": RegelSoort("ja_nee", "one 301 or 319 answers a whole 317"),
    "max_verlengingen_via_315": RegelSoort("aantal", "verlengingen an aanbieder may ask with a 315", reden=True),
    "geen_verlenging_voor": RegelSoort("tags", "catalogue tags (or tag prefixes) that get no verlenging", reden=True),
    "verlenging_via_315_verwijzers": RegelSoort("verwijzers", "the kinds of verwijzer whose client's aanbieder may "
                                                              "ask a verlenging with a 315 (§8.2)", reden=True),
    "vervallen_alleen_zonder_declaratie": RegelSoort("ja_nee", "a toewijzing lapses only when nothing was declared"),
    "declareren_uren_in_minuten": RegelSoort("ja_nee", "care assigned in hours is declared in minutes"),
    "declaratie_batch": RegelSoort("keuze", "how the monthly 323s are grouped", keuzes=DECLARATIE_BATCHES),
    "maximale_toewijzingsduur": RegelSoort("termijn", "the longest a toewijzing may run"),
    "tijdelijk_stoppen_na": RegelSoort("aantal", "full calendar months without care before a temporary stop",
                                       minimum=1),
    "overgang_18_contact": RegelSoort("termijn_terug", "how long before the end of the Jw toewijzing the toegang "
                                                       "arranges the Wmo care (§12)",
                                      terug_vanaf="the end of the Jw toewijzing"),
}
#: special events ``[gebeurtenissen]`` may give a chance (actors/populatie.py EVENT_ROUTES)
GEBEURTENISSEN = (
    "vow", "vot_onderzoek", "woonplaatsbeginsel", "geen_start", "tijdelijk_stoppen", "stop_corrigeren", "correctie",
    "afkeuring", "inkorten", "verlengen", "vervallen", "verhuizing", "verlenging_via_315", "overgang_18", "wmo315",
    "wmo317", "gi_bepaling_315", "verwijderen", "onderaannemer", "onderaannemer_315", "geen_contract_315",
    "stapeling_315", "naw_afwijkend_315",
)
#: route options per route (``[routes.<route>]`` keys besides bijlage, titel, gewicht, domeinen) and their kind
ROUTE_OPTIES: dict[str, dict[str, str]] = {
    "toegang": {"kans_gi_bepaling": "kans"},
    "extern": {"verwijzers": "verwijzers"},
    "sggz": {"kans_alleen_diagnostiek": "kans", "behandelgroepen": "tags"},
    "dyslexie": {"verwijzer": "verwijzer"},
    "crisis": {"verwijzer": "verwijzer"},
    "zonder_bsn": {},
}
#: ``[populatie]`` ranges and the smallest ``min`` each allows
POPULATIE: dict[str, int] = {"duur_maanden": 1, "wachttijd_start_werkdagen": 0, "uren_per_week": 1,
                             "start_diagnostiek_werkdagen": 1}


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

    @property
    def toewijzen(self) -> Mapping[str, str]:
        """The way of assigning per domein (``{"jeugd": "specifiek", …}``), from ``toewijzing``."""
        return {d: w.wijze for d, w in self.toewijzing.items()}

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
        """The profile's product catalogue (checked against the code lists when given: a categorie, eenheid
        or frequentie the release does not know is a :class:`ProfielFout` naming the file)."""
        try:
            return Productcatalogus(self.producten, codelijsten=codelijsten)
        except ValueError as exc:
            raise ProfielFout(f"{self.pad}: [catalogus] {exc}") from None

    def termijn(self, sleutel: str) -> Termijn:
        return self.termijnen[sleutel].termijn

    def deadline(self, sleutel: str, vanaf: date) -> date:
        """Last allowed date of deadline ``sleutel`` counted from ``vanaf``."""
        if sleutel not in self.termijnen:
            raise KeyError(f"profile {self.naam} ({self.pad}) has no termijn {sleutel!r}")
        return self.kalender.deadline(vanaf, self.termijnen[sleutel].termijn)

    def regel(self, sleutel: str) -> Any:
        return self.regels[sleutel].waarde

    def regel_termijn(self, sleutel: str) -> Termijn:
        """The length a ``termijn`` rule of ``[regels]`` holds (maximale_toewijzingsduur, overgang_18_contact)."""
        t = self.regels[sleutel].termijn
        if t is None:
            raise ProfielFout(f"{self.pad}: [regels.{sleutel}] has no 'termijn'")
        return t

    def maximale_einddatum(self, ingang: date) -> date:
        """The last day a toewijzing starting on ``ingang`` may run ([regels] maximale_toewijzingsduur, §4.1)."""
        return self.kalender.deadline(ingang, self.regel_termijn("maximale_toewijzingsduur"), verlengen=False) \
            - timedelta(days=1)

    def voor(self, sleutel: str, datum: date) -> date:
        """``datum`` minus the length of ``termijn`` rule ``sleutel`` (e.g. overgang_18_contact "3 maanden"
        before the end of the Jw toewijzing); werkdagen count back over the calendar."""
        t = self.regel_termijn(sleutel)
        if t.soort == "werkdagen":
            return self.kalender.add_werkdagen(datum, -t.aantal)
        if t.soort == "dagen":
            return datum - timedelta(days=t.aantal)
        if t.soort == "weken":
            return datum - timedelta(weeks=t.aantal)
        if t.soort == "maanden":
            return add_maanden(datum, -t.aantal)
        if t.soort == "maanden_plus_werkdagen":
            return self.kalender.add_werkdagen(add_maanden(datum, -t.aantal), -t.werkdagen)
        raise ProfielFout(f"{self.pad}: [regels.{sleutel}] {t.beschrijving()!r} cannot be counted back from a date")

    def reden(self, sleutel: str) -> str:
        """The RedenAfwijzingVerzoek (a ``simulator.codes`` name) a rejection rule prescribes."""
        r = self.regels[sleutel].reden
        if r is None:
            raise ProfielFout(f"{self.pad}: [regels.{sleutel}] has no 'reden' (which RedenAfwijzingVerzoek to use)")
        return r

    def kans(self, gebeurtenis: str) -> float:
        return float(self.gebeurtenissen.get(gebeurtenis, 0.0))

    def verlenging_verwijzers(self) -> frozenset[str]:
        """The kinds of verwijzer (``verwijzer.*`` code names without the prefix) whose client's aanbieder
        may ask a verlenging with a 315 (rule ``verlenging_via_315_verwijzers``)."""
        return frozenset(str(v) for v in self.regel("verlenging_via_315_verwijzers"))


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


_SOORTNAAM = {str: "text", int: "a whole number", float: "a number", bool: "true or false", list: "a list",
              dict: "a table ({ key = value, ... })"}


def _soortnaam(soort: type | tuple[type, ...]) -> str:
    soorten = soort if isinstance(soort, tuple) else (soort,)
    if set(soorten) == {int, float}:
        return "a number"
    return " or ".join(_SOORTNAAM.get(s, s.__name__) for s in soorten)


def _eis(d: Mapping[str, Any], key: str, pad: Path, waar: str, soort: type | tuple[type, ...] = object) -> Any:
    if key not in d:
        raise ProfielFout(f"{pad}: [{waar}] misses '{key}'")
    v = d[key]
    soorten = soort if isinstance(soort, tuple) else (soort,)
    getal = isinstance(v, bool) and (int in soorten or float in soorten)  # true is not a number
    if not isinstance(v, soort) or getal:
        raise ProfielFout(f"{pad}: [{waar}] '{key}' has the wrong type ({type(v).__name__}); "
                          f"expected {_soortnaam(soort)}")
    return v


def _tabel(v: Any, pad: Path, waar: str) -> Mapping[str, Any]:
    """``v`` must be a TOML table (``{ ... }`` or a ``[section]``)."""
    if not isinstance(v, dict):
        raise ProfielFout(f"{pad}: [{waar}] must be a table ({{ key = value, ... }}), not {type(v).__name__} {v!r}")
    return v


def _sectie(data: Mapping[str, Any], key: str, pad: Path) -> Mapping[str, Any]:
    return _tabel(data.get(key, {}), pad, key)


def _hint(naam: str, bekend) -> str:
    """"; did you mean 'x'?" when ``naam`` looks like one of ``bekend`` (a typing error), else ""."""
    gelijk = difflib.get_close_matches(naam, list(bekend), n=1, cutoff=0.6)
    return f"; did you mean '{gelijk[0]}'?" if gelijk else ""


def _alleen(d: Mapping[str, Any], bekend, pad: Path, waar: str, wat: str = "key") -> None:
    """Every key of ``d`` is one of ``bekend``: a misspelt key would otherwise be silently ignored."""
    for k in d:
        if k not in bekend:
            raise ProfielFout(f"{pad}: [{waar}] unknown {wat} '{k}'{_hint(k, bekend)} (known: {', '.join(bekend)})")


def _geheel(v: Any, pad: Path, waar: str, minimum: int = 0) -> int:
    if type(v) is not int or v < minimum:
        raise ProfielFout(f"{pad}: [{waar}] must be a whole number ≥ {minimum} (no dots, no quotes); got {v!r}")
    return v


def _kans(v: Any, pad: Path, waar: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ProfielFout(f"{pad}: [{waar}] must be a chance between 0 and 1 (0.08 = 8 %); got {v!r}")
    return float(v)


def _namen(v: Any, pad: Path, waar: str, bekend, wat: str) -> list[str]:
    """A list of names, each one of ``bekend``."""
    if not isinstance(v, list) or not all(isinstance(n, str) for n in v):
        raise ProfielFout(f"{pad}: [{waar}] must be a list of {wat} names in quotes; got {v!r}")
    for n in v:
        if n not in bekend:
            raise ProfielFout(f"{pad}: [{waar}] unknown {wat} '{n}'{_hint(n, bekend)} (known: {', '.join(bekend)})")
    return v


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
    for verplicht in ("termijnen", "regels", "routes", "gemeenten", "catalogus"):
        _eis(data, verplicht, pad, "top level", dict)
    _alleen(data, SECTIES, pad, "top level", "section")
    _alleen(meta, ("naam", "titel", "versie", "bron", "toewijzen"), pad, "profiel")
    for key in ("titel", "versie", "bron"):
        if key in meta:
            _eis(meta, key, pad, "profiel", str)

    kalender = _kalender(_sectie(data, "kalender", pad), pad)
    termijnen = _termijnen(_sectie(data, "termijnen", pad), pad)
    toewijzing = _toewijzing(data, meta, pad)
    catalogus_sectie = _sectie(data, "catalogus", pad)
    _alleen(catalogus_sectie, ("bron", "producten"), pad, "catalogus")
    producten = _producten(catalogus_sectie, pad)
    tags = sorted({t for p in producten for t in p.tags})
    regels = _regels(_sectie(data, "regels", pad), pad, tags)
    routes = _routes(_sectie(data, "routes", pad), pad, tags)
    gemeenten = _gemeenten(_sectie(data, "gemeenten", pad), pad)
    _dyslexie(_sectie(data, "dyslexie", pad), pad)

    gebeurtenissen = {}
    sectie = _sectie(data, "gebeurtenissen", pad)
    _alleen(sectie, GEBEURTENISSEN, pad, "gebeurtenissen", "event")
    for key, kans in sectie.items():
        if isinstance(kans, bool) or not isinstance(kans, (int, float)) or not 0 <= kans <= 1:
            raise ProfielFout(f"{pad}: [gebeurtenissen] '{key}' must be a chance between 0 and 1; got {kans!r}")
        gebeurtenissen[key] = float(kans)

    populatie = _sectie(data, "populatie", pad)
    _alleen(populatie, tuple(POPULATIE), pad, "populatie")
    for key, spec in populatie.items():
        waar = f"populatie.{key}"
        spec = _tabel(spec, pad, waar)
        _alleen(spec, ("min", "max"), pad, waar)
        laag = _geheel(_eis(spec, "min", pad, waar), pad, f"{waar}.min", POPULATIE[key])
        hoog = _geheel(_eis(spec, "max", pad, waar), pad, f"{waar}.max", POPULATIE[key])
        if hoog < laag:
            raise ProfielFout(f"{pad}: [{waar}] max must be ≥ min; got min = {laag}, max = {hoog}")

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
        kalender=kalender,
        termijnen=termijnen,
        regels=regels,
        routes=routes,
        gemeenten=gemeenten,
        gebeurtenissen=gebeurtenissen,
        populatie=dict(populatie),
        toewijzing=toewijzing,
        producten=producten,
        catalogus_bron=str(catalogus_sectie.get("bron", "")),
        ruw=data,
    )


def _kalender(kal: Mapping[str, Any], pad: Path) -> Werkdagkalender:
    _alleen(kal, ("feestdagen", "extra_vrije_dagen"), pad, "kalender")
    feestdagen = kal.get("feestdagen", DEFAULT_FEESTDAGEN)
    if not isinstance(feestdagen, (list, tuple)) or not all(isinstance(n, str) for n in feestdagen):
        raise ProfielFout(f"{pad}: [kalender] 'feestdagen' must be a list of names")
    extra_lijst = kal.get("extra_vrije_dagen", [])
    if not isinstance(extra_lijst, list):
        raise ProfielFout(f"{pad}: [kalender] 'extra_vrije_dagen' must be a list of dates")
    extra = frozenset(_datum(v, pad, "kalender.extra_vrije_dagen") for v in extra_lijst)
    try:
        return Werkdagkalender(extra_vrije_dagen=extra, feestdagen=tuple(feestdagen))
    except (ValueError, TypeError) as exc:
        raise ProfielFout(f"{pad}: [kalender] {exc}") from None


def _termijnen(sectie: Mapping[str, Any], pad: Path) -> dict[str, Deadline]:
    termijnen: dict[str, Deadline] = {}
    for key, spec in sectie.items():
        waar = f"termijnen.{key}"
        if key not in VERPLICHTE_TERMIJNEN:
            raise ProfielFout(f"{pad}: [termijnen] unknown deadline '{key}'{_hint(key, VERPLICHTE_TERMIJNEN)} "
                              "(no actor or check reads it; the keys are listed in docs/profiles.md)")
        spec = _tabel(spec, pad, waar)
        _alleen(spec, ("termijn", "na", "bron"), pad, waar)
        termijnen[key] = Deadline(key, _termijn(_eis(spec, "termijn", pad, waar, str), pad, waar),
                                  _eis(spec, "na", pad, waar, str), _eis(spec, "bron", pad, waar, str))
    missing = [k for k in VERPLICHTE_TERMIJNEN if k not in termijnen]
    if missing:
        raise ProfielFout(f"{pad}: [termijnen] misses {', '.join(missing)}")
    return termijnen


def _regels(sectie: Mapping[str, Any], pad: Path, tags: list[str]) -> dict[str, Regel]:
    from .codes import _BETEKENIS  # the named codes; RedenAfwijzingVerzoek names start with "afwijzing."

    redenen = sorted(n for n in _BETEKENIS if n.startswith("afwijzing."))
    regels: dict[str, Regel] = {}
    for key, spec in sectie.items():
        waar = f"regels.{key}"
        soort = REGELS.get(key)
        if soort is None:
            raise ProfielFout(f"{pad}: [regels] unknown rule '{key}'{_hint(key, REGELS)} "
                              "(no actor or check reads it; the rules are listed in docs/profiles.md)")
        spec = _tabel(spec, pad, waar)
        _alleen(spec, ("waarde", "termijn", "na", "bron", "reden"), pad, waar)
        if "reden" in spec and not soort.reden:
            raise ProfielFout(f"{pad}: [{waar}] takes no 'reden' (it rejects nothing)")
        bron = _eis(spec, "bron", pad, waar, str)
        termijn = None
        if soort.soort in ("termijn", "termijn_terug"):
            if "waarde" in spec:
                raise ProfielFout(f"{pad}: [{waar}] is a length: write termijn = \"12 maanden\", not waarde")
            waarde = _eis(spec, "termijn", pad, waar, str)
            termijn = _termijn(waarde, pad, waar)
            if soort.soort == "termijn_terug" and termijn.soort == "einde_volgende_maand":
                raise ProfielFout(f"{pad}: [{waar}] counts back from {soort.terug_vanaf}: write werkdagen, "
                                  f"dagen, weken or maanden, not {waarde!r}")
        else:
            if "termijn" in spec or "na" in spec:
                raise ProfielFout(f"{pad}: [{waar}] takes a 'waarde' ({soort.uitleg}), not a termijn")
            waarde = _eis(spec, "waarde", pad, waar)
            waarde = _regelwaarde(soort, waarde, pad, waar, tags)
        reden = None
        if soort.reden:
            reden = _eis(spec, "reden", pad, waar)
            if reden not in redenen:
                raise ProfielFout(f"{pad}: [{waar}] reden must name a RedenAfwijzingVerzoek such as "
                                  f"'afwijzing.contract' (known: {', '.join(redenen)}), not {reden!r}")
        regels[key] = Regel(key, waarde, bron, termijn, reden)
    missing = [k for k in REGELS if k not in regels]
    if missing:
        raise ProfielFout(f"{pad}: [regels] misses {', '.join(missing)} (every rule is read by the actors or checks)")
    return regels


def _regelwaarde(soort: RegelSoort, v: Any, pad: Path, waar: str, tags: list[str]) -> Any:
    if soort.soort == "ja_nee":
        if not isinstance(v, bool):
            raise ProfielFout(f"{pad}: [{waar}] waarde must be true or false (without quotes); got {v!r}")
        return v
    if soort.soort == "aantal":
        if type(v) is not int or v < soort.minimum:
            raise ProfielFout(f"{pad}: [{waar}] waarde must be a whole number ≥ {soort.minimum} ({soort.uitleg}); "
                              f"got {v!r}")
        return v
    if soort.soort == "keuze":
        if v not in soort.keuzes:
            hint = _hint(v, soort.keuzes) if isinstance(v, str) else ""
            raise ProfielFout(f"{pad}: [{waar}] waarde must be one of {', '.join(repr(k) for k in soort.keuzes)}; "
                              f"got {v!r}{hint}")
        return v
    if soort.soort == "verwijzers":
        bekend = _verwijzers()
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ProfielFout(f"{pad}: [{waar}] waarde must be a list of verwijzer kinds in quotes; got {v!r}")
        for x in v:
            if x not in bekend:
                raise ProfielFout(f"{pad}: [{waar}] unknown verwijzer '{x}'{_hint(x, bekend)} (known: {', '.join(bekend)})")
        return v
    # tags: each must be (the start of) a tag of some product of [catalogus]
    if not isinstance(v, list) or not all(isinstance(t, str) for t in v):
        raise ProfielFout(f"{pad}: [{waar}] waarde must be a list of catalogue tags in quotes; got {v!r}")
    for t in v:
        if not any(x.startswith(t) for x in tags):
            raise ProfielFout(f"{pad}: [{waar}] no product of [catalogus] has a tag '{t}'{_hint(t, tags)} "
                              f"(tags: {', '.join(tags)})")
    return v


def _verwijzers() -> list[str]:
    """The kinds of verwijzer a profile may name: the ``verwijzer.*`` code names without the prefix."""
    from .codes import _BETEKENIS

    return sorted(n.split(".", 1)[1] for n in _BETEKENIS if n.startswith("verwijzer."))


def _routes(sectie: Mapping[str, Any], pad: Path, tags: list[str]) -> dict[str, Route]:
    verwijzers = _verwijzers()
    routes = {}
    for key, spec in sectie.items():
        waar = f"routes.{key}"
        if key not in ROUTES:
            raise ProfielFout(f"{pad}: [{waar}] unknown route{_hint(key, ROUTES)} (known: {', '.join(ROUTES)})")
        spec = _tabel(spec, pad, waar)
        soorten = ROUTE_OPTIES[key]
        _alleen(spec, ("bijlage", "titel", "gewicht", "domeinen", *soorten), pad, waar)
        for k in ("bijlage", "titel"):
            if k in spec:
                _eis(spec, k, pad, waar, str)
        opties: dict[str, Any] = {}
        for k, soort in soorten.items():
            if k not in spec:
                continue
            if soort == "kans":
                opties[k] = _kans(spec[k], pad, f"{waar}.{k}")
            elif soort == "verwijzers":
                opties[k] = _namen(spec[k], pad, f"{waar}.{k}", verwijzers, "verwijzer")
                if not opties[k]:
                    raise ProfielFout(f"{pad}: [{waar}] {k} must name at least one verwijzer")
            elif soort == "verwijzer":
                opties[k] = _namen([spec[k]], pad, f"{waar}.{k}", verwijzers, "verwijzer")[0]
            else:  # tags of the catalogue
                opties[k] = _namen(spec[k], pad, f"{waar}.{k}", tags, "catalogue tag")
                if not opties[k]:
                    raise ProfielFout(f"{pad}: [{waar}] {k} must name at least one tag")
        gewicht = _eis(spec, "gewicht", pad, waar, (int, float))
        if gewicht < 0:
            raise ProfielFout(f"{pad}: [{waar}] gewicht must be ≥ 0")
        domeinen = _eis(spec, "domeinen", pad, waar, list)
        if not domeinen or any(d not in DOMEINEN for d in domeinen):
            raise ProfielFout(f"{pad}: [{waar}] domeinen must be a non-empty list of {', '.join(DOMEINEN)}; "
                              f"got {domeinen!r}")
        routes[key] = Route(key, str(spec.get("bijlage", "")), str(spec.get("titel", key)), float(gewicht),
                            tuple(domeinen), opties)
    if not routes:
        raise ProfielFout(f"{pad}: [routes] defines no route; known: {', '.join(ROUTES)}")
    return routes


def _gemeenten(sectie: Mapping[str, Any], pad: Path) -> dict[str, GemeenteInstelling]:
    bekend = {g.code: g.naam for g in GEMEENTEN}
    gemeenten = {}
    for code, spec in sectie.items():
        waar = f"gemeenten.{code}"
        if code not in bekend:
            raise ProfielFout(f"{pad}: [gemeenten] '{code}' is not a gemeente ketensim has synthetic addresses for "
                              f"(known: {', '.join(f'{c} {n}' for c, n in bekend.items())})")
        spec = _tabel(spec, pad, waar)
        _alleen(spec, ("naam", "dyslexie", "inwoners"), pad, waar)
        variant = spec.get("dyslexie", "aanbieder_vot")
        if variant not in DYSLEXIE_VARIANTEN:
            raise ProfielFout(f"{pad}: [{waar}] dyslexie must be one of {', '.join(DYSLEXIE_VARIANTEN)}; "
                              f"got {variant!r}")
        inwoners = spec.get("inwoners", 10000)
        if type(inwoners) is not int or inwoners <= 0:
            raise ProfielFout(f"{pad}: [{waar}] inwoners must be a whole number > 0 (no dots); got {inwoners!r}")
        gemeenten[code] = GemeenteInstelling(code, _eis(spec, "naam", pad, waar, str), variant, inwoners)
    if not gemeenten:
        raise ProfielFout(f"{pad}: [gemeenten] defines no gemeente")
    return gemeenten


def _dyslexie(sectie: Mapping[str, Any], pad: Path) -> None:
    """``[dyslexie]`` only documents the two variants; it is checked so a typing error shows."""
    _alleen(sectie, ("bron", "varianten"), pad, "dyslexie")
    if "bron" in sectie:
        _eis(sectie, "bron", pad, "dyslexie", str)
    varianten = _tabel(sectie.get("varianten", {}), pad, "dyslexie.varianten")
    _alleen(varianten, DYSLEXIE_VARIANTEN, pad, "dyslexie.varianten", "variant")
    for k in varianten:
        _eis(varianten, k, pad, "dyslexie.varianten", str)


def _toewijzing(data: Mapping[str, Any], meta: Mapping[str, Any], pad: Path) -> dict[str, Toewijzingswijze]:
    """``[toewijzing.<domein>]`` tables; the older short form ``[profiel] toewijzen = { jeugd = ... }``
    is still read.  A domein without either is assigned specifiek."""
    kort = _tabel(meta.get("toewijzen", {}), pad, "profiel.toewijzen")
    _alleen(kort, (*DOMEINEN, "bron"), pad, "profiel.toewijzen")
    sectie = _sectie(data, "toewijzing", pad)
    _alleen(sectie, DOMEINEN, pad, "toewijzing", "domein")
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
            _alleen(e, ("termijn", "na"), pad, f"{waar}.einddatum")
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
        t = Termijn.parse(tekst)
    except ValueError as exc:
        raise ProfielFout(f"{pad}: [{waar}] {exc}") from None
    if t.soort != "einde_volgende_maand" and t.aantal < 1:
        raise ProfielFout(f"{pad}: [{waar}] termijn {tekst!r}: the amount must be 1 or more (a deadline of 0 "
                          f"leaves no time{'; write the werkdagen alone' if t.soort == 'maanden_plus_werkdagen' else ''})")
    return t
