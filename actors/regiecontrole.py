"""What the reference gemeente checks in a 305, 307 or 317 before it answers with a 306, 308 or 318.

Each function returns the berichtklassen it rejects — keyed by the heenbericht's own object, as
``simulator.retour.maak_retour`` takes them — with the retourcode of every rule broken, looked up
by rule id in the retourcode list (``retourcode_voor_regel``), so the codes follow the schema
release.  They are the rules the checker (``reports/controle.py``) judges, judged the same way:

* 305, StartProduct: TR019 no toewijzing; TR074 a key (ToewijzingNummer, Product, Begindatum)
  received before; TR326 a start while another is current.  Status 3 (verwijderen): TR071 the
  start was stopped already.
* 307, StopProduct: TR019; TR074 the key (…, RedenBeeindiging, Einddatum) received before;
  TR069 no start with this Begindatum; TR382 the start's Product is not copied; and for a stop on a
  start that was stopped before: TR415 after a definitive stop, TR413 a temporary stop after a
  temporary one, TR414 an Einddatum before the previous stop's.
* 317: per TeWijzigenProduct TR357 (a GewensteIngangsdatum not after the dagtekening is the
  toewijzing's ingangsdatum), TR373 (a changed budget or total runs from that ingangsdatum),
  TR375/TR412 (no Omvang on a toewijzing without Product / ProductCode), TR411 (an Omvang on a
  toewijzing with a ProductCode); TR361 on each product that overlaps an earlier one of the same
  product.

A start or stop that is accepted is recorded in the dossier (``starts``, ``stops``, ``gestart``);
a rejected one changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from simulator.berichten import Product, Start, Stop, VerzoekWijziging
from simulator.codes import retourcode_voor_regel
from simulator.regieregels import TR375_GRENS, StopSleutel, zelfde_product

if TYPE_CHECKING:
    from .gemeente import Dossier, Gemeente

#: rules whose retourcode WJ001 lists under another rule: 9069 is TR069's there, and TR382's in regels.csv
_CODE_VAN = {"TR382": "TR069"}


def _codes(g: "Gemeente", std, regels: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(retourcode_voor_regel(g.w.codelijsten, std, _CODE_VAN.get(r, r)) for r in regels))


def controleer_305(g: "Gemeente", d: "Dossier", b: Start) -> dict[Any, tuple[str, ...]]:
    c = g.w.codes(b.standaard)
    uit: dict[Any, tuple[str, ...]] = {}
    for sp in b.client.producten:
        nr = sp.toewijzingnummer or ""
        sleutel = (sp.begindatum, sp.product)
        starts = d.starts.setdefault(nr, set())
        regel = None
        if nr not in d.toewijzingen:
            regel = "TR019"
        elif sp.status_aanlevering == c["status.eerste"]:
            if sleutel in starts:
                regel = "TR074"
            elif nr in d.gestart:
                regel = "TR326"
            else:
                d.gestart[nr] = sp.begindatum
                d.ooit_gestart.add(nr)
                starts.add(sleutel)
        elif sp.status_aanlevering == c["status.verwijderen"] and sleutel in starts:
            if any(s.begindatum == sp.begindatum for s in d.stops.get(nr, ())):
                regel = "TR071"  # the care on this start was stopped: the start can no longer be withdrawn
            else:
                starts.discard(sleutel)
                if d.gestart.get(nr) == sp.begindatum:
                    del d.gestart[nr]
        if regel:
            uit[sp] = _codes(g, b.standaard, [regel])
    return uit


def controleer_307(g: "Gemeente", d: "Dossier", b: Stop) -> dict[Any, tuple[str, ...]]:
    c = g.w.codes(b.standaard)
    uit: dict[Any, tuple[str, ...]] = {}
    for sp in b.client.producten:
        nr = sp.toewijzingnummer or ""
        stops = d.stops.setdefault(nr, [])
        if nr not in d.toewijzingen:
            regels = ["TR019"]
        elif sp.status_aanlevering == c["status.eerste"]:
            stop = StopSleutel(sp.begindatum, sp.reden_beeindiging, sp.einddatum, sp.product)
            regels = _stop_regels(d, nr, stop, c["beeindiging.tijdelijk"])
            if not regels:
                stops.append(stop)
                if d.gestart.get(nr) == sp.begindatum:
                    del d.gestart[nr]
        else:
            regels = []
            eerder = [s for s in stops if s.begindatum == sp.begindatum]
            if sp.status_aanlevering == c["status.verwijderen"] and eerder:
                stops.remove(eerder[-1])  # the stop is withdrawn: the start is current again
                d.gestart[nr] = sp.begindatum
        if regels:
            uit[sp] = _codes(g, b.standaard, regels)
    return uit


def _stop_regels(d: "Dossier", nr: str, stop: StopSleutel, tijdelijk: str) -> list[str]:
    stops = d.stops.get(nr, [])
    if stop in stops:
        return ["TR074"]
    producten = {p for b_, p in d.starts.get(nr, ()) if b_ == stop.begindatum}
    if not producten:
        return ["TR069"]  # no start with this Begindatum
    if stop.product not in producten:
        return ["TR382"]
    eerder = [s for s in stops if s.begindatum == stop.begindatum]
    regels = []
    if any(s.reden != tijdelijk for s in eerder):
        regels.append("TR415")
    if stop.reden == tijdelijk and any(s.reden == tijdelijk for s in eerder):
        regels.append("TR413")
    if eerder and stop.einddatum < eerder[-1].einddatum:
        regels.append("TR414")
    return regels


def controleer_317(g: "Gemeente", d: "Dossier", b: VerzoekWijziging) -> dict[Any, tuple[str, ...]]:
    c = g.w.codes(b.standaard)
    v = b.client.verzoek
    regels: dict[Any, list[str]] = {}
    for p in v.te_wijzigen:
        tp = d.toewijzingen.get(p.toewijzingnummer)
        if tp is None:
            continue
        r = regels.setdefault(p, [])
        if p.gewenste_ingangsdatum <= b.header.dagtekening and p.gewenste_ingangsdatum != tp.ingangsdatum:
            r.append("TR357")
        totaal = p.omvang is not None and p.omvang.frequentie == c["frequentie.totaal"] and p.omvang != tp.omvang
        if ((p.budget is not None and p.budget != tp.budget) or totaal) and p.gewenste_ingangsdatum != tp.ingangsdatum:
            r.append("TR373")
        loopt = tp.einddatum is None or tp.einddatum > TR375_GRENS
        if tp.product is None:
            if loopt and p.omvang is not None:
                r.append("TR375")
        elif not tp.product.code:
            if loopt and p.omvang is not None:
                r.append("TR412")
        elif p.omvang is None:
            r.append("TR411")
    perioden: list[tuple[Any, Product | None, date, date | None]] = []
    for p in v.te_wijzigen:
        tp = d.toewijzingen.get(p.toewijzingnummer)
        if tp is not None:
            perioden.append((p, tp.product, tp.ingangsdatum, p.einddatum or tp.einddatum))
    for p in v.ongewijzigd:
        tp = d.toewijzingen.get(p.toewijzingnummer)
        if tp is not None:
            perioden.append((p, tp.product, tp.ingangsdatum, tp.einddatum))
    for p in v.nieuw:
        perioden.append((p, p.product, p.gewenste_ingangsdatum, p.einddatum))
    for i, (klasse, product, begin, eind) in enumerate(perioden):
        if any(zelfde_product(product, pr) and begin <= (e_ or date.max) and b_ <= (eind or date.max)
               for _, pr, b_, e_ in perioden[:i]):
            regels.setdefault(klasse, []).append("TR361")
    return {k: _codes(g, b.standaard, r) for k, r in regels.items() if r}
