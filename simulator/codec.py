"""Safe XML codec: untrusted bytes in, a value out — never an escaping exception for bad input.
(A schema folder that cannot be used is no property of the message: that raises
:class:`~simulator.schemas.SchemaFolderError`.)

Order of checks (the common technical rejections first, cheapest first):

1. size limit (``max_bytes``, default 2 MiB: a JW323 with 1,000 prestaties is ~1 MB);
2. byte-order mark (UTF-8/UTF-16/UTF-32 BOMs are rejected), and a NUL byte among the first
   four (UTF-16/UTF-32 without a BOM);
3. encoding declared in the XML declaration must be UTF-8: looked for in the first 200 bytes
   before parsing, and checked again on the parsed document's declared encoding, so a
   declaration padded past those bytes cannot slip through;
4. no DOCTYPE / ENTITY declarations at all (blocks billion laughs and external entities);
5. well-formedness, with lxml's parser configured to resolve no entities, load no DTD and
   touch no network;
6. message type from the root element's namespace, then XSD validation with lxml (the hot
   path).  Only for an invalid document, and only when asked (``detail=True``), xmlschema is
   consulted for its richer reason text (it is ~45x slower, so never on valid traffic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .schemas import SchemaRegistry

DEFAULT_MAX_BYTES = 2 * 1024 * 1024

_BOMS = (
    (b"\xef\xbb\xbf", "UTF-8"),
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
)
_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.S)
_NS_CLARK = re.compile(r"\{http://www\.istandaarden\.nl/(?:ijw|iwmo)/3_2/(\w+)/schema\}")


@dataclass(frozen=True)
class Fout:
    """One finding of the codec. ``soort`` is a stable key, ``melding`` the human text."""

    soort: str  # te-groot | bom | encoding | dtd | niet-welgevormd | leeg | onbekend-bericht | berichtcode | xsd
    melding: str
    regel: int | None = None
    pad: str | None = None  # element path (XPath with prefixes) where known
    detail: str | None = None  # xmlschema's reason, when asked for

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Ontleding:
    """Result of :func:`parse`: a document or the reasons there is none."""

    document: etree._Element | None
    fouten: list[Fout] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.fouten


@dataclass
class Validatie:
    """Result of :func:`validate`: type, verdict, findings, and whether the schema is derived."""

    berichttype: str | None
    fouten: list[Fout]
    derived: bool = False
    document: etree._Element | None = field(default=None, repr=False)

    @property
    def geldig(self) -> bool:
        return not self.fouten

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "berichttype": self.berichttype,
            "geldig": self.geldig,
            "fouten": [f.as_dict() for f in self.fouten],
        }
        if self.derived:
            d["schema"] = "derived (unofficial)"
        return d


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


_PARSER = _make_parser()


def _is_utf8(naam: str) -> bool:
    return naam.upper().replace("_", "-") in ("UTF-8", "UTF8")


def _encoding_fout(naam: str) -> Fout:
    return Fout("encoding", f"XML declaration says encoding={naam!r}; only UTF-8 is allowed", regel=1)


def technische_controle(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Fout | None:
    """The byte-level rejections that need no parser. ``None`` when none applies."""
    if len(data) > max_bytes:
        # The caller may have read only max_bytes + 1 bytes (ketensim validate does), so the
        # real size is not known here: say "larger than", not a size that may be wrong.
        return Fout("te-groot", f"message is larger than {max_bytes:,} bytes (the limit)")
    if not data or data.isspace():  # not data.strip(): that copies every message
        return Fout("leeg", "message is empty")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Fout("bom", f"message starts with a {name} byte-order mark; iStandaarden messages are UTF-8 without BOM")
    if b"\x00" in data[:4]:
        return Fout("encoding", "message starts with NUL bytes: UTF-16 or UTF-32 without a byte-order mark; "
                                "only UTF-8 is allowed", regel=1)
    m = _DECL_ENCODING.match(data[:200])
    if m and not _is_utf8(m.group(1).decode("ascii")):
        return _encoding_fout(m.group(1).decode("ascii"))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return Fout("dtd", "DOCTYPE/ENTITY declarations are not allowed (no DTDs, no entity expansion)")
    return None


def parse(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Ontleding:
    """Parse untrusted bytes safely. Never raises for bad input."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return Ontleding(None, [Fout("leeg", f"expected bytes, got {type(data).__name__}")])
    data = bytes(data)
    fout = technische_controle(data, max_bytes)
    if fout:
        return Ontleding(None, [fout])
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        return Ontleding(None, [Fout("niet-welgevormd", f"not well-formed XML: {exc.msg}", regel=line)])
    except (ValueError, MemoryError) as exc:  # lxml raises ValueError for some encodings issues
        return Ontleding(None, [Fout("niet-welgevormd", f"not parseable: {exc}")])
    if root is None:
        return Ontleding(None, [Fout("niet-welgevormd", "no root element")])
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        return Ontleding(None, [Fout("dtd", "DOCTYPE declarations are not allowed")])
    encoding = info.encoding  # "UTF-8" when there is no declaration
    if encoding != "UTF-8" and not _is_utf8(encoding or ""):
        return Ontleding(None, [_encoding_fout(encoding or "?")])
    return Ontleding(root)


def berichttype_van(root: etree._Element, registry: SchemaRegistry) -> str | None:
    """Message type from the root element's namespace (``None`` if it is no iJw/iWmo 3.2 message)."""
    qn = etree.QName(root)
    if qn.localname != "Bericht" or not qn.namespace:
        return None
    return registry.type_for_namespace(qn.namespace)


def _short(text: str) -> str:
    """Replace Clark notation ``{ns}Name`` by ``jw301:Name`` for readable messages."""
    return _NS_CLARK.sub(lambda m: f"{m.group(1)}:", text)


def validate_document(root: etree._Element, registry: SchemaRegistry, berichttype: str | None = None) -> Validatie:
    """XSD validation of a parsed message (lxml; the hot path)."""
    found = berichttype_van(root, registry)
    if found is None:
        ns = etree.QName(root).namespace
        return Validatie(None, [Fout("onbekend-bericht", f"root element {_short(root.tag)!s} (namespace {ns!r}) is no iJw/iWmo 3.2 message", regel=root.sourceline)], document=root)
    if berichttype and berichttype.upper() != found:
        return Validatie(found, [Fout("onbekend-bericht", f"expected a {berichttype.upper()} message, got {found}", regel=root.sourceline)], document=root)
    # A schema that does not compile is a set-up error, not a finding on this message: the
    # SchemaFolderError propagates (``ketensim`` ends with exit status 2 and one message).
    schema = registry.compiled(found)
    derived = registry.is_derived(found)
    fouten: list[Fout] = []
    if not schema.validate(root):
        for e in schema.error_log:
            fouten.append(Fout("xsd", _short(e.message), regel=e.line, pad=e.path))
    else:
        code = _berichtcode(root, registry.schema(found).namespace)
        if code != registry.berichtcode(found):  # guarded by the XSD pattern as well; kept explicit
            fouten.append(Fout("berichtcode", f"BerichtCode {code} does not match {found}"))
    return Validatie(found, fouten, derived, document=root)


def _berichtcode(root: etree._Element, namespace: str) -> str | None:
    """Header/BerichtCode of a schema-valid message (a plain walk over two children: ElementPath's
    ``findtext`` cost more than the rest of this function)."""
    header, code = f"{{{namespace}}}Header", f"{{{namespace}}}BerichtCode"
    for el in root:
        if el.tag == header:
            for kind in el:
                if kind.tag == code:
                    return kind.text
            return None
    return None


def validate(data: bytes, registry: SchemaRegistry, berichttype: str | None = None, *,
             max_bytes: int = DEFAULT_MAX_BYTES, detail: bool = False) -> Validatie:
    """Codec + XSD for one message's bytes. ``detail`` adds xmlschema's reasons to XSD findings."""
    ont = parse(data, max_bytes)
    if ont.document is None:
        return Validatie(None, ont.fouten)
    v = validate_document(ont.document, registry, berichttype)
    if detail and v.fouten and v.berichttype and all(f.soort == "xsd" for f in v.fouten):
        v.fouten = _with_xmlschema_detail(v, registry)
    return v


_XMLSCHEMA_CACHE: dict[str, object] = {}


def _with_xmlschema_detail(v: Validatie, registry: SchemaRegistry) -> list[Fout]:
    """Attach xmlschema's 'reason' (e.g. 'day is out of range for month') by element path."""
    try:
        import xmlschema  # imported lazily: costly, and only used for invalid documents

        key = str(registry.schema(v.berichttype).pad)
        xs = _XMLSCHEMA_CACHE.get(key)
        if xs is None:
            xs = _XMLSCHEMA_CACHE[key] = xmlschema.XMLSchema10(key)
        reasons: dict[str, str] = {}
        for err in xs.iter_errors(etree.ElementTree(v.document)):  # type: ignore[attr-defined]
            path = (err.path or "").strip()
            if err.reason:
                reasons.setdefault(path, err.reason)
    except Exception:  # the detail is a nicety; never let it break validation
        return v.fouten
    out = []
    for f in v.fouten:
        reason = reasons.get(f.pad or "")
        if reason is None:  # xmlschema names the parent for content errors
            parent = (f.pad or "").rsplit("/", 1)[0]
            reason = reasons.get(parent)
        out.append(Fout(f.soort, f.melding, f.regel, f.pad, reason))
    return out
