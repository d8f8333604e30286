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
    "start_305_sggz", "stop_307", "declaratie_323", "declaratie_sggz", "antwoord_325",
    "correctie_afgekeurd", "correctie_goedgekeurd", "toewijzing_vervalt",
)
ROUTES = ("toegang", "extern", "sggz", "dyslexie", "crisis", "zonder_bsn")
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
    sleutel: str
    waarde: Any
    bron: str


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
        return self.kalender.deadline(vanaf, self.termijnen[sleutel].termijn)

    def regel(self, sleutel: str) -> Any:
        return self.regels[sleutel].waarde

    def kans(self, gebeurtenis: str) -> float:
        return float(self.gebeurtenissen.get(gebeurtenis, 0.0))


def beschikbare_profielen() -> list[str]:
    """Names of the profiles shipped with ketensim."""
    folder = resources.files("scenarios") / "profiles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def laad_profiel(naam_of_pad: str | Path) -> Profiel:
    """Load a shipped profile by name (``mijov-2024``) or any profile file by path."""
    pad = Path(naam_of_pad)
    if pad.suffix != ".toml":
        shipped = resources.files("scenarios") / "profiles" / f"{naam_of_pad}.toml"
        if not shipped.is_file():
            raise ProfielFout(f"unknown profile {naam_of_pad!r}; shipped profiles: {', '.join(beschikbare_profielen())}; "
                              "or give a path to a .toml file")
        pad = Path(str(shipped))
    if not pad.is_file():
        raise ProfielFout(f"profile file {pad} does not exist")
    try:
        data = tomllib.loads(pad.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfielFout(f"{pad}: not valid TOML: {exc}") from None
    return _bouw(data, pad)


def _eis(d: Mapping[str, Any], key: str, pad: Path, waar: str, soort: type | tuple[type, ...] = object) -> Any:
    if key not in d:
        raise ProfielFout(f"{pad}: [{waar}] misses '{key}'")
    v = d[key]
    if not isinstance(v, soort):
        raise ProfielFout(f"{pad}: [{waar}] '{key}' has the wrong type ({type(v).__name__})")
    return v


def _bouw(data: Mapping[str, Any], pad: Path) -> Profiel:
    meta = _eis(data, "profiel", pad, "top level", dict)

    kal = data.get("kalender", {})
    feestdagen = tuple(kal.get("feestdagen", DEFAULT_FEESTDAGEN))
    try:
        extra = frozenset(date.fromisoformat(s) for s in kal.get("extra_vrije_dagen", []))
        kalender = Werkdagkalender(extra_vrije_dagen=extra, feestdagen=feestdagen)
        kalender.feestdagen_in(2026)  # surfaces unknown feestdag names now, not mid-run
    except (ValueError, TypeError, KeyError) as exc:
        raise ProfielFout(f"{pad}: [kalender] {exc}") from None

    termijnen: dict[str, Deadline] = {}
    for key, spec in _eis(data, "termijnen", pad, "top level", dict).items():
        waar = f"termijnen.{key}"
        try:
            t = Termijn.parse(_eis(spec, "termijn", pad, waar, str))
        except ValueError as exc:
            raise ProfielFout(f"{pad}: [{waar}] {exc}") from None
        termijnen[key] = Deadline(key, t, _eis(spec, "na", pad, waar, str), _eis(spec, "bron", pad, waar, str))
    missing = [k for k in VERPLICHTE_TERMIJNEN if k not in termijnen]
    if missing:
        raise ProfielFout(f"{pad}: [termijnen] misses {', '.join(missing)}")

    regels = {}
    for key, spec in data.get("regels", {}).items():
        waarde = spec.get("waarde", spec.get("termijn"))
        if waarde is None:
            raise ProfielFout(f"{pad}: [regels.{key}] needs 'waarde' or 'termijn'")
        regels[key] = Regel(key, waarde, _eis(spec, "bron", pad, f"regels.{key}", str))

    routes = {}
    for key, spec in _eis(data, "routes", pad, "top level", dict).items():
        if key not in ROUTES:
            raise ProfielFout(f"{pad}: [routes.{key}] unknown route; known: {', '.join(ROUTES)}")
        opties = {k: v for k, v in spec.items() if k not in ("bijlage", "titel", "gewicht", "domeinen")}
        gewicht = _eis(spec, "gewicht", pad, f"routes.{key}", (int, float))
        if gewicht < 0:
            raise ProfielFout(f"{pad}: [routes.{key}] gewicht must be ≥ 0")
        routes[key] = Route(key, str(spec.get("bijlage", "")), str(spec.get("titel", key)), float(gewicht),
                            tuple(_eis(spec, "domeinen", pad, f"routes.{key}", list)), opties)

    gemeenten = {}
    for code, spec in _eis(data, "gemeenten", pad, "top level", dict).items():
        variant = spec.get("dyslexie", "aanbieder_vot")
        if variant not in DYSLEXIE_VARIANTEN:
            raise ProfielFout(f"{pad}: [gemeenten.{code}] dyslexie must be one of {', '.join(DYSLEXIE_VARIANTEN)}")
        gemeenten[code] = GemeenteInstelling(code, _eis(spec, "naam", pad, f"gemeenten.{code}", str), variant,
                                             int(spec.get("inwoners", 10000)))

    gebeurtenissen = {}
    for key, kans in data.get("gebeurtenissen", {}).items():
        if not isinstance(kans, (int, float)) or not 0 <= kans <= 1:
            raise ProfielFout(f"{pad}: [gebeurtenissen] '{key}' must be a chance between 0 and 1")
        gebeurtenissen[key] = float(kans)

    return Profiel(
        naam=_eis(meta, "naam", pad, "profiel", str),
        titel=str(meta.get("titel", "")),
        versie=str(meta.get("versie", "")),
        bron=str(meta.get("bron", "")),
        pad=pad,
        toewijzen={k: v for k, v in meta.get("toewijzen", {}).items() if k != "bron"},
        kalender=kalender,
        termijnen=termijnen,
        regels=regels,
        routes=routes,
        gemeenten=gemeenten,
        gebeurtenissen=gebeurtenissen,
        populatie=dict(data.get("populatie", {})),
        ruw=data,
    )
