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

The scan also checks that the code lists and rule index the harness reads exist and have
the columns it reads (:data:`BENODIGD`), so an incomplete folder is reported once, up front,
instead of one file at a time deep inside a run.  ``ketensim schemas`` additionally compiles
every XSD (:meth:`SchemaRegistry.compileer_alle`).
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


@dataclass(frozen=True)
class Benodigd:
    """A file of a standard's folder that the harness reads, with the columns it reads."""

    pad: str  # relative to the standard's folder, e.g. "codelijsten/JZ020.csv"
    kolommen: tuple[str, ...]
    waarvoor: str  # what it is used for, for the message when it is missing


#: Per standard (``Standaard.naam``): the files besides the XSDs and COD002 that the harness reads.
BENODIGD: dict[str, tuple[Benodigd, ...]] = {
    "ijw": (
        Benodigd("codelijsten/xsd-enumeraties.csv", ("datatype", "code", "omschrijving"), "code values of the basisschema"),
        Benodigd("codelijsten/WJ001.csv", ("code", "omschrijving", "tr_regel"), "retourcode per technische regel"),
        Benodigd("codelijsten/JZ020.csv", ("code", "omschrijving"), "productcategorie list"),
        Benodigd("codelijsten/CBS_Gemeentecodes.csv", ("code", "omschrijving"), "gemeentecodes"),
        Benodigd("regels/regels.csv", ("id", "titel"), "titles of the technische regels"),
    ),
    "iwmo": (
        Benodigd("codelijsten/xsd-enumeraties.csv", ("datatype", "code", "omschrijving"), "code values of the basisschema"),
        Benodigd("codelijsten/WJ001.csv", ("code", "omschrijving", "tr_regel"), "retourcode per technische regel"),
        Benodigd("codelijsten/WMO020.csv", ("code", "omschrijving"), "productcategorie list"),
    ),
}

_COD002_KOLOMMEN = ("code", "omschrijving")


def lees_csv(path: Path, kolommen: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV of the schema folder; SchemaFolderError naming the file and the columns
    when it is missing, unreadable or lacks one of ``kolommen``."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            _eis_kolommen(path, reader.fieldnames, kolommen)
            return list(reader)
    except FileNotFoundError:
        raise SchemaFolderError(f"{path} is missing from the schema folder") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SchemaFolderError(f"{path} cannot be read: {exc}") from None


def _eis_kolommen(path: Path, gevonden: "list[str] | tuple[str, ...] | None", kolommen: tuple[str, ...]) -> None:
    ontbreekt = [k for k in kolommen if k not in (gevonden or ())]
    if ontbreekt:
        raise SchemaFolderError(
            f"{path} lacks column(s) {', '.join(ontbreekt)}; expected a header row with {', '.join(kolommen)}"
            f" (found: {', '.join(gevonden) if gevonden else 'no header'})")


def _controleer_kop(path: Path, kolommen: tuple[str, ...]) -> None:
    """Read only the header row: cheap enough for every registry load."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            kop = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SchemaFolderError(f"{path} cannot be read: {exc}") from None
    _eis_kolommen(path, [k.strip() for k in kop] if kop else None, kolommen)


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
            codes: dict[str, str] | None
            try:
                codes = _read_cod002(base / "codelijsten" / "COD002.csv")
            except SchemaFolderError as exc:
                self.missing.append(self._relatief(str(exc)))
                codes = None
            else:
                if codes is None:
                    self.missing.append(f"{std.map}/codelijsten/COD002.csv (BerichtCode list)")
            for b in BENODIGD[std.naam]:
                pad = base / b.pad
                if not pad.is_file():
                    self.missing.append(f"{std.map}/{b.pad} ({b.waarvoor})")
                    continue
                try:
                    _controleer_kop(pad, b.kolommen)
                except SchemaFolderError as exc:
                    self.missing.append(self._relatief(str(exc)))
            for nummer in BERICHTNUMMERS:
                berichttype = f"{std.type_prefix}{nummer}"
                pad = xsd_dir / f"{std.prefix}{nummer}.xsd"
                if not pad.is_file():
                    self.missing.append(f"{std.map}/xsd/{pad.name} ({berichttype})")
                    continue
                if codes is None:  # already reported once: COD002 itself is missing or unusable
                    continue
                code = codes.get(berichttype)
                if code is None:
                    self.missing.append(f"{std.map}/codelijsten/COD002.csv has no BerichtCode for {berichttype}")
                    continue
                schema = Berichtschema(berichttype, code, std, pad, pad.name in derived)
                self._schemas[berichttype] = schema
                self._by_code[code] = berichttype
                self._by_namespace[schema.namespace] = berichttype

    def _relatief(self, tekst: str) -> str:
        """A message about a file of the folder, with the folder itself left out (as in ``missing``)."""
        return tekst.replace(f"{self.root}{os.sep}", "")

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

    def compileer_alle(self) -> list[str]:
        """Compile every message XSD now; one line per schema that does not compile."""
        fouten = []
        for berichttype in self.berichttypen:
            try:
                self.compiled(berichttype)
            except SchemaFolderError as exc:
                fouten.append(self._relatief(str(exc)))
        return fouten

    def summary(self, *, compileer: bool = False) -> dict[str, object]:
        """What ``ketensim schemas`` prints: release and XSD versions, official vs derived, missing,
        and with ``compileer`` the schemas that do not compile."""
        per_std: dict[str, object] = {}
        for std in STANDAARDEN:
            types = [t for t in self.berichttypen if self._schemas[t].standaard is std]
            basis = lees_appinfo(self.root / std.map / "xsd" / "basisschema.xsd")
            per_std[std.map] = {
                "release": basis.get("release"),
                "basisschema_versie": basis.get("BasisschemaXsdVersie"),
                "official": [t for t in types if not self._schemas[t].derived],
                "derived": [t for t in types if self._schemas[t].derived],
                "versions": {t: lees_appinfo(self._schemas[t].pad).get("BerichtXsdVersie") for t in types},
            }
        s: dict[str, object] = {"folder": str(self.root), "from": self.herkomst, "standards": per_std,
                                "missing": list(self.missing)}
        if compileer:
            s["not_compiling"] = self.compileer_alle()
        return s


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
    return {(row["omschrijving"] or "").strip().upper(): (row["code"] or "").strip()
            for row in lees_csv(path, _COD002_KOLOMMEN)}


def appinfo(doc: etree._ElementTree) -> dict[str, str]:
    """The ``xs:annotation/xs:appinfo`` children of a parsed schema (``release``, ``BerichtXsdVersie`` …)
    by local name, each with its text (the first of a name; children without text are left out)."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    uit: dict[str, str] = {}
    for el in doc.getroot().iterfind(f"{xs}annotation/{xs}appinfo/*"):
        if isinstance(el.tag, str) and el.text and el.text.strip():
            uit.setdefault(etree.QName(el).localname, el.text.strip())
    return uit


def lees_appinfo(pad: Path) -> dict[str, str]:
    """:func:`appinfo` of the schema file ``pad``; empty when the schema has none or cannot be read."""
    try:
        doc = etree.parse(str(pad), _XSD_PARSER)
    except (etree.XMLSyntaxError, OSError):
        return {}
    return appinfo(doc)
