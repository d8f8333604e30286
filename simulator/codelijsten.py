"""Code lists of the schema folder (CSV), read at run time — never literals in code.

Two sources per standard, both in ``<release>/<standaard>/codelijsten/``:

* ``<ID>.csv`` — one list per file (``code,omschrijving,…``), e.g. ``JZ020`` (productcategorie),
  ``WJ001`` (retourcodes), ``COD467`` (status aanlevering);
* ``xsd-enumeraties.csv`` — every ``xs:enumeration`` of ``basisschema.xsd`` by datatype
  (``LDT_RetourCode`` …).  Where the two disagree, the XSD list is authoritative (PROVENANCE §5.1:
  ``9355`` is only in the XSD).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .schemas import IJW, IWMO, SchemaRegistry, Standaard, lees_csv


@dataclass(frozen=True)
class Code:
    code: str
    omschrijving: str
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, kolom: str, default: str = "") -> str:
        return dict(self.extra).get(kolom, default)


class Codelijsten:
    """Lazy, cached access to the code lists of one registry."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self._cache: dict[tuple[str, str], dict[str, Code]] = {}

    def lijst(self, standaard: Standaard, naam: str) -> dict[str, Code]:
        """All codes of list ``naam`` (e.g. ``"JZ020"``) of a standard, in file order."""
        key = (standaard.naam, naam)
        if key not in self._cache:
            self._cache[key] = _read_csv(self.registry.codelijst_pad(standaard, naam))
        return self._cache[key]

    def codes(self, standaard: Standaard, naam: str) -> list[str]:
        return list(self.lijst(standaard, naam))

    def omschrijving(self, standaard: Standaard, naam: str, code: str) -> str:
        c = self.lijst(standaard, naam).get(code)
        return c.omschrijving if c else ""

    def enumeratie(self, standaard: Standaard, datatype: str) -> dict[str, str]:
        """``xs:enumeration`` values of a basisschema datatype, e.g. ``LDT_RetourCode``."""
        return self._enumeraties(standaard).get(datatype, {})

    def _enumeraties(self, standaard: Standaard) -> dict[str, dict[str, str]]:
        return self._enum_ijw if standaard is IJW else self._enum_iwmo

    @cached_property
    def _enum_ijw(self) -> dict[str, dict[str, str]]:
        return _read_enumeraties(self.registry.codelijst_pad(IJW, "xsd-enumeraties"))

    @cached_property
    def _enum_iwmo(self) -> dict[str, dict[str, str]]:
        return _read_enumeraties(self.registry.codelijst_pad(IWMO, "xsd-enumeraties"))

    # Frequently used, named for what they are.
    def productcategorieen(self, standaard: Standaard) -> dict[str, Code]:
        return self.lijst(standaard, "JZ020" if standaard is IJW else "WMO020")

    def retourcodes(self, standaard: Standaard) -> dict[str, str]:
        return self.enumeratie(standaard, "LDT_RetourCode")


def _read_csv(path: Path) -> dict[str, Code]:
    out: dict[str, Code] = {}
    for row in lees_csv(path, ("code",)):
        code = (row.pop("code") or "").strip()
        if not code:
            continue
        oms = (row.pop("omschrijving", "") or "").strip()
        extra = tuple((k, (v or "").strip()) for k, v in row.items() if k)
        out[code] = Code(code, oms, extra)
    return out


def _read_enumeraties(path: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in lees_csv(path, ("datatype", "code", "omschrijving")):
        out.setdefault(row["datatype"], {})[row["code"]] = row["omschrijving"]
    return out
