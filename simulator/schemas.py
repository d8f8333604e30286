"""Schema registry: one iStandaarden release folder, compiled once.

A release folder is laid out like ``../shared/istandaarden``::

    ijw-3.2/xsd/basisschema.xsd, jw301.xsd … jw325.xsd
    ijw-3.2/codelijsten/COD002.csv …
    iwmo-3.2/xsd/basisschema.xsd, wmo301.xsd … wmo325.xsd, DERIVED.txt
    iwmo-3.2/codelijsten/COD002.csv …

The folder is found from ``--schemas DIR``, else ``$KETENSIM_SCHEMAS``, else
``../shared/istandaarden`` relative to the project root.  The reference data is
never copied into the project; it is read here, at run time.

Every message schema is compiled with lxml at most once per registry (lazily, on
first use).  Schemas listed in a standard's ``DERIVED.txt`` are unofficial
derivations; every result that used one says so (:attr:`Berichtschema.derived`).
"""

from __future__ import annotations

import csv
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

ENV_VAR = "KETENSIM_SCHEMAS"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Standaard:
    """One of the two iStandaarden the harness speaks."""

    naam: str  # "ijw" | "iwmo"
    map: str  # folder name inside the release: "ijw-3.2"
    prefix: str  # message prefix in file names: "jw" | "wmo"
    type_prefix: str  # message type prefix: "JW" | "WMO"
    release: str = "3.2"

    @property
    def basis_namespace(self) -> str:
        return f"http://www.istandaarden.nl/{self.naam}/3_2/basisschema/schema"

    def namespace(self, bericht: str) -> str:
        """Namespace of one message, e.g. ``namespace("jw301")``."""
        return f"http://www.istandaarden.nl/{self.naam}/3_2/{bericht}/schema"


IJW = Standaard("ijw", "ijw-3.2", "jw", "JW")
IWMO = Standaard("iwmo", "iwmo-3.2", "wmo", "WMO")
STANDAARDEN = (IJW, IWMO)

#: The seven message numbers of each standard, heen and retour.
BERICHTNUMMERS = ("301", "302", "305", "306", "307", "308", "315", "316", "317", "318", "319", "320", "323", "325")
HEEN_RETOUR = {"301": "302", "305": "306", "307": "308", "315": "316", "317": "318", "319": "320", "323": "325"}
RETOUR_HEEN = {v: k for k, v in HEEN_RETOUR.items()}

_TYPE_RE = re.compile(r"^(JW|WMO)(\d{3})$")


def parse_berichttype(text: str) -> tuple[Standaard, str]:
    """``"JW301"`` / ``"wmo325"`` → (standaard, "301"); ValueError otherwise."""
    m = _TYPE_RE.match(text.strip().upper())
    if not m or m.group(2) not in BERICHTNUMMERS:
        known = ", ".join(f"JW{n}" for n in BERICHTNUMMERS)
        raise ValueError(f"unknown message type {text!r}; expected one of {known} or the WMO equivalents")
    return (IJW if m.group(1) == "JW" else IWMO), m.group(2)


ALLE_BERICHTTYPEN: tuple[str, ...] = tuple(f"{s.type_prefix}{n}" for s in STANDAARDEN for n in BERICHTNUMMERS)


class SchemaFolderError(Exception):
    """The schema folder is missing, incomplete or unusable; the message says what."""


@dataclass
class Berichtschema:
    """One compiled message schema."""

    berichttype: str  # "JW301"
    berichtcode: str  # "436" (COD002)
    standaard: Standaard
    pad: Path
    derived: bool
    _schema: etree.XMLSchema | None = field(default=None, repr=False)

    @property
    def namespace(self) -> str:
        return self.standaard.namespace(self.berichttype.lower())

    @property
    def bericht(self) -> str:
        return self.berichttype.lower()


def default_schema_dir() -> Path:
    return (PROJECT_ROOT / ".." / "shared" / "istandaarden").resolve()


def resolve_schema_dir(cli_value: str | os.PathLike[str] | None = None) -> tuple[Path, str]:
    """The folder to use and where that choice came from (for messages)."""
    if cli_value:
        return Path(cli_value).expanduser().resolve(), "--schemas"
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve(), f"${ENV_VAR}"
    return default_schema_dir(), "default (../shared/istandaarden beside the project)"


# Schemas are trusted local files, but they are still read without network access
# or entity expansion.
_XSD_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class SchemaRegistry:
    """BerichtCode ↔ message type, compiled XSDs and code lists of one release folder."""

    def __init__(self, root: Path, herkomst: str = "") -> None:
        self.root = root
        self.herkomst = herkomst
        self._schemas: dict[str, Berichtschema] = {}
        self._by_code: dict[str, str] = {}
        self._by_namespace: dict[str, str] = {}
        self.missing: list[str] = []
        self._lock = threading.Lock()
        self._scan()

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def load(cls, schemas: str | os.PathLike[str] | None = None, *, require_complete: bool = True) -> "SchemaRegistry":
        """Find and scan the release folder; raise :class:`SchemaFolderError` naming what is missing."""
        root, herkomst = resolve_schema_dir(schemas)
        if not root.is_dir():
            raise SchemaFolderError(
                f"schema folder {root} (from {herkomst}) does not exist.\n"
                f"Point ketensim at an iStandaarden release folder with --schemas DIR or ${ENV_VAR}; "
                "it must hold ijw-3.2/xsd and iwmo-3.2/xsd."
            )
        reg = cls(root, herkomst)
        if require_complete and reg.missing:
            raise SchemaFolderError(
                f"schema folder {root} (from {herkomst}) is incomplete; missing:\n  - "
                + "\n  - ".join(reg.missing)
            )
        return reg

    def _scan(self) -> None:
        for std in STANDAARDEN:
            base = self.root / std.map
            xsd_dir = base / "xsd"
            if not xsd_dir.is_dir():
                self.missing.append(f"{std.map}/xsd/ (the {std.naam.upper()} {std.release} schemas)")
                continue
            if not (xsd_dir / "basisschema.xsd").is_file():
                self.missing.append(f"{std.map}/xsd/basisschema.xsd")
            derived = _read_derived(xsd_dir / "DERIVED.txt")
            codes = _read_cod002(base / "codelijsten" / "COD002.csv")
            if codes is None:
                self.missing.append(f"{std.map}/codelijsten/COD002.csv (BerichtCode list)")
                codes = {}
            for nummer in BERICHTNUMMERS:
                berichttype = f"{std.type_prefix}{nummer}"
                pad = xsd_dir / f"{std.prefix}{nummer}.xsd"
                if not pad.is_file():
                    self.missing.append(f"{std.map}/xsd/{pad.name} ({berichttype})")
                    continue
                code = codes.get(berichttype)
                if code is None:
                    self.missing.append(f"{std.map}/codelijsten/COD002.csv has no BerichtCode for {berichttype}")
                    continue
                schema = Berichtschema(berichttype, code, std, pad, pad.name in derived)
                self._schemas[berichttype] = schema
                self._by_code[code] = berichttype
                self._by_namespace[schema.namespace] = berichttype

    # -- look-ups --------------------------------------------------------------------------
    @property
    def berichttypen(self) -> list[str]:
        return [t for t in ALLE_BERICHTTYPEN if t in self._schemas]

    def schema(self, berichttype: str) -> Berichtschema:
        try:
            return self._schemas[berichttype.upper()]
        except KeyError:
            raise SchemaFolderError(f"no schema for {berichttype} in {self.root}") from None

    def berichtcode(self, berichttype: str) -> str:
        return self.schema(berichttype).berichtcode

    def type_for_code(self, berichtcode: str) -> str | None:
        return self._by_code.get(berichtcode)

    def type_for_namespace(self, namespace: str) -> str | None:
        return self._by_namespace.get(namespace)

    def is_derived(self, berichttype: str) -> bool:
        return self.schema(berichttype).derived

    def compiled(self, berichttype: str) -> etree.XMLSchema:
        """The lxml schema, compiled on first use and kept."""
        s = self.schema(berichttype)
        if s._schema is None:
            with self._lock:
                if s._schema is None:
                    try:
                        doc = etree.parse(str(s.pad), _XSD_PARSER)
                        s._schema = etree.XMLSchema(doc)
                    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
                        raise SchemaFolderError(f"schema {s.pad} does not compile: {exc}") from None
        return s._schema

    def codelijst_pad(self, standaard: Standaard, lijst: str) -> Path:
        return self.root / standaard.map / "codelijsten" / f"{lijst}.csv"

    def summary(self) -> dict[str, object]:
        """What ``ketensim schemas`` prints: release, official vs derived, missing."""
        per_std = {}
        for std in STANDAARDEN:
            types = [t for t in self.berichttypen if self._schemas[t].standaard is std]
            per_std[std.map] = {
                "official": [t for t in types if not self._schemas[t].derived],
                "derived": [t for t in types if self._schemas[t].derived],
            }
        return {"folder": str(self.root), "from": self.herkomst, "standards": per_std, "missing": list(self.missing)}


def _read_derived(path: Path) -> frozenset[str]:
    if not path.is_file():
        return frozenset()
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(Path(line).name)
    return frozenset(names)


def _read_cod002(path: Path) -> dict[str, str] | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["omschrijving"].strip().upper(): row["code"].strip() for row in csv.DictReader(fh)}
