"""Message objects (:mod:`simulator.berichten`) → iJw/iWmo 3.2 XML bytes, through Jinja2 templates.

One template per heen/retour pair (``templates/berichten/301.xml.j2`` renders 301 and 302, …,
``323.xml.j2`` renders 323 and 325) plus shared macros (``_macros.xml.j2``).  The templates are
read with :mod:`importlib.resources` from the ``templates`` package, so they work from an
installed wheel too.  The Jinja2 environment is created once and kept.

Conventions the templates rely on:

* ``m`` is the message prefix (``jw301``, ``wmo302`` …), bound to the message namespace;
  ``b`` the basisschema prefix (``ijw``/``iwmo``) for the CDT children (``elementFormDefault``
  is qualified in both schemas);
* ``retour`` says whether the message is the retour of the pair: only then are ``retourcodes``
  rendered (the heen XSDs have no RetourCodes);
* values are formatted by filters: ``datum`` (ISO date), ``tijd`` (HH:MM:SS), ``bedrag``
  (absolute cents) with ``dc`` (COD043 DebetCredit: negative = credit) and ``janee`` (COD260).
  The codes come from the code lists via :mod:`simulator.codes`, never from literals.

Line breaks inside text values are written as character references (``&#10;``), so every literal
line break in the output is markup; whitespace-only lines left by optional elements are then
dropped.  BerichtVersie/BerichtSubversie and the XsdVersie values are read from each message
XSD (the pattern of BerichtVersie, the ``xs:appinfo``) by :func:`schema_versies`.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from importlib import resources

import jinja2
from lxml import etree
from markupsafe import Markup, escape

from .berichten import Bericht, XsdVersie, berichttype
from .codelijsten import Codelijsten
from .codes import Codes, codes
from .schemas import RETOUR_HEEN, SchemaFolderError, SchemaRegistry, Standaard, appinfo
from .xmlschrijver import schrijf

XS = "http://www.w3.org/2001/XMLSchema"
XML_DECLARATIE = '<?xml version="1.0" encoding="UTF-8"?>\n'


# =============================================================================================
# Facts read from the message XSDs
# =============================================================================================


@dataclass(frozen=True, slots=True)
class SchemaVersies:
    """What a message XSD fixes about its own header: BerichtVersie/Subversie and XsdVersie."""

    berichtversie: str
    berichtsubversie: str
    xsd_versie: XsdVersie


@lru_cache(maxsize=None)
def _lees_schema_versies(pad: str) -> SchemaVersies:
    try:
        doc = etree.parse(pad, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except (etree.XMLSyntaxError, OSError) as exc:
        raise SchemaFolderError(f"schema {pad} cannot be read: {exc}") from None

    info = appinfo(doc)

    def uit_appinfo(naam: str) -> str:
        if naam not in info:
            raise SchemaFolderError(f"schema {pad}: no {naam} in the xs:appinfo")
        return info[naam]

    def vast_patroon(element: str) -> str:
        for el in doc.iter(f"{{{XS}}}element"):
            if el.get("name") == element:
                patroon = el.find(f".//{{{XS}}}pattern")
                if patroon is not None:
                    return patroon.get("value", "")
        raise SchemaFolderError(f"schema {pad}: no fixed pattern for {element}")

    return SchemaVersies(
        berichtversie=vast_patroon("BerichtVersie"),
        berichtsubversie=vast_patroon("BerichtSubversie"),
        xsd_versie=XsdVersie(basisschema=uit_appinfo("BasisschemaXsdVersie"), bericht=uit_appinfo("BerichtXsdVersie")),
    )


def schema_versies(registry: SchemaRegistry, berichttype_: str) -> SchemaVersies:
    """BerichtVersie, BerichtSubversie and XsdVersie as the XSD of ``berichttype_`` declares them."""
    return _lees_schema_versies(str(registry.schema(berichttype_).pad))


def xsd_versie(registry: SchemaRegistry, berichttype_: str) -> XsdVersie:
    """The XsdVersie (basisschema + bericht) from the ``xs:appinfo`` of the message XSD."""
    return schema_versies(registry, berichttype_).xsd_versie


# =============================================================================================
# Named codes per registry
# =============================================================================================

_CODELIJSTEN: "weakref.WeakKeyDictionary[SchemaRegistry, Codelijsten]" = weakref.WeakKeyDictionary()


def codelijsten_van(registry: SchemaRegistry) -> Codelijsten:
    """One :class:`Codelijsten` per registry (so :func:`simulator.codes.codes` caches once)."""
    cl = _CODELIJSTEN.get(registry)
    if cl is None:
        cl = _CODELIJSTEN[registry] = Codelijsten(registry)
    return cl


def codes_van(registry: SchemaRegistry, standaard: Standaard) -> Codes:
    return codes(codelijsten_van(registry), standaard)


# =============================================================================================
# Formatting helpers (also used as Jinja filters)
# =============================================================================================


def fmt_datum(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def fmt_tijd(t: time | None) -> str | None:
    return None if t is None else t.strftime("%H:%M:%S")


def fmt_bedrag(cent: int | None) -> int | None:
    """Absolute value in cents (the sign goes into DebetCredit)."""
    return None if cent is None else abs(cent)


def debet_credit(cent: int, c: Codes) -> str:
    return c["dc.credit"] if cent < 0 else c["dc.debet"]


def ja_nee(waarde: bool | None, c: Codes) -> str | None:
    if waarde is None:
        return None
    return c["janee.ja"] if waarde else c["janee.nee"]


def _finalize(waarde: object) -> object:
    """Escape text values here so line breaks become character references (see module doc)."""
    if waarde is None or isinstance(waarde, Markup):
        return waarde
    return Markup(str(escape(str(waarde))).replace("\r", "&#13;").replace("\n", "&#10;"))


# =============================================================================================
# The environment
# =============================================================================================


def _laad_template(naam: str) -> str | None:
    bron = resources.files("templates").joinpath("berichten", *naam.split("/"))
    if not bron.is_file():
        return None
    return bron.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def omgeving() -> jinja2.Environment:
    """The Jinja2 environment (created once): autoescape on, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_laad_template),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    env.filters.update(datum=fmt_datum, tijd=fmt_tijd, bedrag=fmt_bedrag)
    return env


def template_naam(nummer: str) -> str:
    """``"302"`` → ``"301.xml.j2"``: one template per heen/retour pair."""
    return f"{RETOUR_HEEN.get(nummer, nummer)}.xml.j2"


_LEGE_REGELS = re.compile(r"\n[ \t]*(?=\n)")


def render(bericht: Bericht, registry: SchemaRegistry) -> bytes:
    """The message as UTF-8 XML bytes with an XML declaration.

    Written by :mod:`simulator.xmlschrijver`, which writes exactly the bytes of the Jinja2 templates
    (:func:`render_jinja`, proven by ``tests/test_xmlschrijver.py``) about 30 times faster.
    """
    std: Standaard = bericht.standaard
    btype = berichttype(bericht)
    c = codes_van(registry, std)
    versies = schema_versies(registry, btype)
    heen = RETOUR_HEEN.get(bericht.nummer)
    m = f"{std.prefix}{bericht.nummer}"
    tekst = schrijf(
        bericht, heen or bericht.nummer, m=m, b=std.naam, ns_m=std.namespace(m), ns_b=std.basis_namespace,
        retour=heen is not None, ijw=std.naam == "ijw", berichtversie=versies.berichtversie,
        berichtsubversie=versies.berichtsubversie, dc=lambda cent: debet_credit(cent, c),
        janee=lambda waarde: ja_nee(waarde, c))
    return (XML_DECLARATIE + tekst).encode("utf-8")


def render_jinja(bericht: Bericht, registry: SchemaRegistry) -> bytes:
    """The message rendered through the Jinja2 templates: the readable reference :func:`render` matches."""
    std: Standaard = bericht.standaard
    btype = berichttype(bericht)
    c = codes_van(registry, std)
    versies = schema_versies(registry, btype)
    heen = RETOUR_HEEN.get(bericht.nummer)
    context = {
        "bericht": bericht,
        "m": f"{std.prefix}{bericht.nummer}",
        "b": std.naam,
        "ns_m": std.namespace(f"{std.prefix}{bericht.nummer}"),
        "ns_b": std.basis_namespace,
        "retour": heen is not None,
        "ijw": std.naam == "ijw",
        "berichtversie": versies.berichtversie,
        "berichtsubversie": versies.berichtsubversie,
        "dc": lambda cent: debet_credit(cent, c),
        "janee": lambda waarde: ja_nee(waarde, c),
    }
    tekst = omgeving().get_template(template_naam(bericht.nummer)).render(context)
    tekst = _LEGE_REGELS.sub("", tekst).lstrip("\n")
    return (XML_DECLARATIE + tekst).encode("utf-8")

