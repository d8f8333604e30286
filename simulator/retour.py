"""Retour messages built from their heenbericht: 302/306/308/316/318/320 (IV028) and 325 (IV087).

``maak_retour`` — IV028:

* the Header is the heenbericht's header with the retour BerichtCode; IdentificatieRetour,
  DagtekeningRetour and XsdVersieRetour (from the retour XSD's ``xs:appinfo``) are added;
* nothing rejected → **only the Header, without retourcodes** (the header RetourCodes is
  optional in every retour XSD);
* ``header_codes`` only (e.g. 0001 after an XSLT check, or the code of a header rule) → only the
  Header, with those codes;
* one or more berichtklassen rejected → the whole client (for the 320: the Antwoord) again, every
  berichtklasse with a retourcode: the rule's code where ``codes_per_klasse`` gives one, 0200
  ("geen opmerking") elsewhere; the Header gets ``header_codes`` or 0200.  0233 ("niet
  beoordeeld") is a code like any other: give it through ``codes_per_klasse``.

``codes_per_klasse`` says which berichtklassen are rejected.  It is either a mapping or a
callable, keyed by the berichtklasse *object of the heenbericht* (the ``ToegewezenProduct``,
``Relatie``, ``Contact``, ``StartProduct`` … instance, or the client/antwoord itself)::

    p = toewijzing.client.producten[0]
    maak_retour(toewijzing, ..., codes_per_klasse={p: ("9332",)})
    maak_retour(start, ..., codes_per_klasse=lambda k: ("9063",) if isinstance(k, StartProduct) else ())

A berichtklasse is every object in the message body that has a ``retourcodes`` field.  The
objects are frozen dataclasses and compare by value, so two identical products share a key.

``maak_declaratie_antwoord`` — IV087: TotaalIngediendBedrag is copied from the 323; the
header gets 0200; fully approved → DeclaratieAntwoord with 8001 and TotaalToegekendBedrag =
TotaalIngediendBedrag; otherwise DeclaratieAntwoord 0200, TotaalToegekendBedrag = ingediend
minus the rejected prestaties, and only the clients with rejected prestaties, each with 0200 and
only its rejected prestaties (approved prestaties are not repeated).  ``declaratie_codes``
rejects the Declaratie class as a whole (e.g. 9333 declaratienummer niet uniek): no clients,
TotaalToegekendBedrag 0; ``header_codes`` (e.g. 0001) give a 325 with only the Header.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Union

from . import berichten as b
from .codes import Codes
from .render import codes_van, xsd_versie
from .schemas import HEEN_RETOUR, SchemaRegistry

RetourCodes = tuple[str, ...]
CodesPerKlasse = Union[Mapping[Any, RetourCodes], Callable[[Any], RetourCodes | None]]

#: the retour class of each heenbericht class (325 has its own builder)
RETOUR_KLASSE: dict[type, type] = {
    b.Toewijzing: b.ToewijzingRetour,
    b.Start: b.StartRetour,
    b.Stop: b.StopRetour,
    b.VerzoekToewijzing: b.VerzoekToewijzingRetour,
    b.VerzoekWijziging: b.VerzoekWijzigingRetour,
    b.Antwoord: b.AntwoordRetour,
}


def _opzoeker(codes_per_klasse: CodesPerKlasse | None) -> Callable[[Any], RetourCodes]:
    if codes_per_klasse is None:
        return lambda klasse: ()
    if callable(codes_per_klasse) and not isinstance(codes_per_klasse, Mapping):
        return lambda klasse: tuple(codes_per_klasse(klasse) or ())  # type: ignore[operator]
    return lambda klasse: tuple(codes_per_klasse.get(klasse, ()))  # type: ignore[union-attr]


_VELDEN: dict[type, tuple[tuple[str, ...], bool] | None] = {}


def _velden(cls: type) -> tuple[tuple[str, ...], bool] | None:
    """(field names, is a berichtklasse) of a dataclass type, None for any other type; cached per type
    (``dataclasses.fields`` on every object of every retour was a tenth of a run's time)."""
    try:
        return _VELDEN[cls]
    except KeyError:
        v = ((tuple(f.name for f in dataclasses.fields(cls)), hasattr(cls, "retourcodes"))
             if dataclasses.is_dataclass(cls) else None)
        _VELDEN[cls] = v
        return v


def _is_klasse(waarde: object) -> bool:
    return dataclasses.is_dataclass(waarde) and hasattr(waarde, "retourcodes")


def berichtklassen(obj: object) -> list[object]:
    """Every berichtklasse (object with ``retourcodes``) below and including ``obj``, depth first."""
    gevonden: list[object] = []
    _verzamel(obj, gevonden)
    return gevonden


def _verzamel(obj: object, gevonden: list[object]) -> None:
    v = _velden(type(obj))
    if v is None:
        return
    namen, klasse = v
    if klasse:
        gevonden.append(obj)
    for naam in namen:
        waarde = getattr(obj, naam)
        if isinstance(waarde, tuple):
            for item in waarde:
                _verzamel(item, gevonden)
        else:
            _verzamel(waarde, gevonden)


def _met_codes(obj: Any, opzoeken: Callable[[Any], RetourCodes], standaard: RetourCodes) -> Any:
    """A copy of ``obj`` with ``retourcodes`` on every berichtklasse: its codes, else ``standaard``."""
    if not dataclasses.is_dataclass(obj):
        return obj
    wijzigingen: dict[str, object] = {}
    for f in dataclasses.fields(obj):
        waarde = getattr(obj, f.name)
        if isinstance(waarde, tuple) and any(dataclasses.is_dataclass(i) for i in waarde):
            wijzigingen[f.name] = tuple(_met_codes(i, opzoeken, standaard) for i in waarde)
        elif dataclasses.is_dataclass(waarde):
            wijzigingen[f.name] = _met_codes(waarde, opzoeken, standaard)
    if _is_klasse(obj):
        wijzigingen["retourcodes"] = opzoeken(obj) or standaard
    return dataclasses.replace(obj, **wijzigingen)


def _body_veld(heen: b.Heenbericht) -> str:
    return "antwoord" if isinstance(heen, b.Antwoord) else "client"


def maak_retour(heen: b.Heenbericht, *, identificatie: str, dagtekening: date, registry: SchemaRegistry,
                codes_per_klasse: CodesPerKlasse | None = None, header_codes: RetourCodes = (),
                xslt_versie: str | None = None) -> b.Retourbericht:
    """The retour (302/306/308/316/318/320) of ``heen`` per IV028; see the module doc for the codes."""
    if isinstance(heen, b.Declaratie):
        raise TypeError("a 323 is answered with a 325: use maak_declaratie_antwoord()")
    klasse = RETOUR_KLASSE.get(type(heen))
    if klasse is None:
        raise TypeError(f"{type(heen).__name__} is no heenbericht")
    std = heen.standaard
    retour_type = f"{std.type_prefix}{HEEN_RETOUR[heen.nummer]}"
    c = codes_van(registry, std)
    geen_opmerking: RetourCodes = (c["retour.geen_opmerking"],)

    body = getattr(heen, _body_veld(heen))
    opzoeken = _opzoeker(codes_per_klasse)
    if codes_per_klasse is None or (isinstance(codes_per_klasse, Mapping) and not codes_per_klasse):
        afgekeurd = False  # nothing rejected (the common case): no need to walk the body's berichtklassen
    else:
        klassen = berichtklassen(body)
        if isinstance(codes_per_klasse, Mapping):
            vreemd = [k for k in codes_per_klasse if k not in klassen]
            if vreemd:
                raise ValueError(f"codes_per_klasse names {len(vreemd)} object(s) that are no berichtklasse of "
                                 f"this {heen.nummer}: {', '.join(type(k).__name__ for k in vreemd)}")
        afgekeurd = any(opzoeken(k) for k in klassen)
    header_rc = tuple(header_codes) or (geen_opmerking if afgekeurd else ())

    header = dataclasses.replace(heen.header, berichtcode=registry.berichtcode(retour_type))
    retour_header = b.RetourHeader(
        identificatie=identificatie,
        dagtekening=dagtekening,
        xsd_versie=xsd_versie(registry, retour_type),
        xslt_versie=xslt_versie,
        retourcodes=header_rc,
    )
    retour_body = _met_codes(body, opzoeken, geen_opmerking) if afgekeurd else None
    return klasse(std, header, retour_header, retour_body)


# =============================================================================================
# 325
# =============================================================================================


def _afgekeurde_clienten(declaratie: b.DeclaratieInhoud, afgekeurd: Mapping[str, RetourCodes],
                         geen_opmerking: RetourCodes,
                         client_codes: Mapping[str, RetourCodes] | None = None) -> tuple[b.DeclaratieClient, ...]:
    clienten = []
    for client in declaratie.clienten:
        prestaties = tuple(
            dataclasses.replace(p, retourcodes=tuple(afgekeurd[p.referentie.nummer]))
            for p in client.prestaties
            if p.referentie.nummer in afgekeurd
        )
        if prestaties:
            codes = tuple((client_codes or {}).get(client.bsn, ())) or geen_opmerking
            clienten.append(dataclasses.replace(client, prestaties=prestaties, retourcodes=codes))
    return tuple(clienten)


def _controleer_afgekeurd(declaratie: b.DeclaratieInhoud, afgekeurd: Mapping[str, RetourCodes]) -> None:
    bekend = {p.referentie.nummer for c in declaratie.clienten for p in c.prestaties}
    onbekend = sorted(set(afgekeurd) - bekend)
    if onbekend:
        raise ValueError(f"afgekeurd names prestaties that are not in declaratie {declaratie.nummer}: {', '.join(onbekend)}")
    zonder_code = sorted(ref for ref, rc in afgekeurd.items() if not rc)
    if zonder_code:
        raise ValueError(f"a rejected prestatie needs at least one retourcode: {', '.join(zonder_code)}")


def maak_declaratie_antwoord(declaratie: b.Declaratie, *, identificatie: str, dagtekening: date,
                             registry: SchemaRegistry, afgekeurd: Mapping[str, RetourCodes] | None = None,
                             declaratie_codes: RetourCodes = (), header_codes: RetourCodes = (),
                             xslt_versie: str | None = None,
                             client_codes: Mapping[str, RetourCodes] | None = None) -> b.DeclaratieAntwoord:
    """The 325 answering ``declaratie`` per IV087.

    ``afgekeurd`` maps the ReferentieNummer of each rejected prestatie to its retourcodes;
    ``declaratie_codes`` rejects the whole Declaratie class (TotaalToegekendBedrag 0);
    ``header_codes`` rejects the header (e.g. 0001): only the Header is sent, with those codes;
    ``client_codes`` maps a BSN to the codes of its Client class (e.g. 8187, TR304), else 0200.
    """
    afgekeurd = dict(afgekeurd or {})
    inhoud = declaratie.declaratie
    _controleer_afgekeurd(inhoud, afgekeurd)
    std = declaratie.standaard
    antwoord_type = f"{std.type_prefix}325"
    c: Codes = codes_van(registry, std)
    geen_opmerking: RetourCodes = (c["retour.geen_opmerking"],)

    if declaratie_codes:
        clienten: tuple[b.DeclaratieClient, ...] = ()
        toegekend = 0
        antwoord_codes = tuple(declaratie_codes)
    elif afgekeurd:
        clienten = _afgekeurde_clienten(inhoud, afgekeurd, geen_opmerking, client_codes)
        afgekeurd_cent = sum(p.bedrag_cent for cl in clienten for p in cl.prestaties)
        toegekend = inhoud.totaal_cent - afgekeurd_cent
        antwoord_codes = geen_opmerking
    else:
        clienten = ()
        toegekend = inhoud.totaal_cent
        antwoord_codes = (c["retour.declaratie_toegewezen"],)

    header = b.Header(
        berichtcode=registry.berichtcode(antwoord_type),
        afzender=declaratie.header.ontvanger,  # gemeente → aanbieder
        ontvanger=declaratie.header.afzender,
        identificatie=identificatie,
        dagtekening=dagtekening,
        xsd_versie=xsd_versie(registry, antwoord_type),
    )
    return b.DeclaratieAntwoord(
        standaard=std,
        header=header,
        declaratie_identificatie=declaratie.header.identificatie,
        declaratie_dagtekening=declaratie.header.dagtekening,
        xsd_versie_declaratie=declaratie.header.xsd_versie,
        xslt_versie=xslt_versie,
        retourcodes=tuple(header_codes) or geen_opmerking,
        antwoord=None if header_codes else b.DeclaratieAntwoordInhoud(
            declaratienummer=inhoud.nummer,
            totaal_ingediend_cent=inhoud.totaal_cent,
            totaal_toegekend_cent=toegekend,
            clienten=clienten,
            retourcodes=antwoord_codes,
        ),
    )
