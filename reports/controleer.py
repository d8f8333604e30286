"""Check an input (ledger, run folder or XML folder) into a result, and the run metadata a result
carries: profile, seed, scenario, SUT, schema release with the derived schemas used, the
ketensim version and the ledger's path and SHA-256 (so a result names exactly what it judged)."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Callable

from simulator.ledger import Boeking, Gebeurtenis
from simulator.profiel import Profiel
from simulator.schemas import SchemaRegistry

from .controle import Controleur
from .invoer import Invoer
from .uitslag import Uitslag

PROJECT = Path(__file__).resolve().parent.parent


def ketensim_versie() -> str:
    """The installed package version; in a plain checkout the version in pyproject.toml."""
    try:
        return importlib_metadata.version("ketensim")
    except importlib_metadata.PackageNotFoundError:
        pass
    try:
        with (PROJECT / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def sha256(pad: Path) -> str:
    h = hashlib.sha256()
    with pad.open("rb") as fh:
        for blok in iter(lambda: fh.read(1 << 20), b""):
            h.update(blok)
    return h.hexdigest()


def run_metadata(invoer: Invoer, profiel: Profiel, uitslag: Uitslag) -> dict[str, Any]:
    """The ``run`` object of a result: the ledger's run header plus what the check used."""
    run = dict(invoer.run)
    run |= {
        "profiel": profiel.naam,
        "invoer": invoer.beschrijving,
        "ketensim_versie": ketensim_versie(),
        "sut": run.get("sut"),
        "compleet": invoer.compleet,
        "derived_gebruikt": sorted(uitslag.derived),
    }
    run.setdefault("release", "iJw 3.2 / iWmo 3.2")
    if invoer.ledger_pad is not None:
        run["ledger"] = {"pad": str(invoer.ledger_pad), "sha256": sha256(invoer.ledger_pad)}
    return run


def controleer(invoer: Invoer, profiel: Profiel, registry: SchemaRegistry,
               stap: Callable[[Boeking | Gebeurtenis, Controleur], None] | None = None) -> Uitslag:
    """One pass of the checker over the input; the result with its run metadata."""
    controleur = Controleur(profiel, registry, historie_compleet=invoer.historie_compleet)
    for rec in invoer.stroom():
        controleur.verwerk(rec)
        if stap is not None:
            stap(rec, controleur)
    uitslag = controleur.sluit(compleet=invoer.compleet)
    uitslag.run = run_metadata(invoer, profiel, uitslag)
    return uitslag
