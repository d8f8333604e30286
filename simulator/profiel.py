"""Protocol profiles: the regional protocol as data (``scenarios/profiles/*.toml``).

A profile holds every deadline, route, rejection rule, per-gemeente variant and calendar setting
the reference actors follow and the conformance checks expect, each with the annex section it
comes from.  It is validated on load; an error names the file, the key and what is wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

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
    ruw: Mapping[str, Any] = field(repr=False, default_factory=dict)

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

    return Profiel(
        naam=_eis(meta, "naam", pad, "profiel", str),
        titel=str(meta.get("titel", "")),
        versie=str(meta.get("versie", "")),
        bron=str(meta.get("bron", "")),
        pad=pad,
        toewijzen={k: v for k, v in _tabel(meta.get("toewijzen", {}), pad, "profiel.toewijzen").items()
                   if k != "bron"},
        kalender=kalender,
        termijnen=termijnen,
        regels=regels,
        routes=routes,
        gemeenten=gemeenten,
        gebeurtenissen=gebeurtenissen,
        populatie=dict(_sectie(data, "populatie", pad)),
        ruw=data,
    )


def _termijn(tekst: str, pad: Path, waar: str) -> Termijn:
    try:
        return Termijn.parse(tekst)
    except ValueError as exc:
        raise ProfielFout(f"{pad}: [{waar}] {exc}") from None
