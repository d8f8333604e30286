"""How the reference gemeente judges a 323: each prestatie approved or rejected 100 % (§7.1).

A rejection names the broken rule's retourcode, looked up in the retourcode list by rule id
(``retourcode_voor_regel``), so the codes follow the schema release.  The rules a gemeente applies
to a line, in order (the first broken one decides):

TR338 the toewijzing exists for this client and aanbieder; TR384 it was not removed;
TR339/TR340 categorie and code equal the toewijzing's; TR341 the unit fits (minutes for hours);
TR307/TR308 the ProductPeriode lies within the toewijzing; TR314 the ReferentieNummer is new;
TR323 a credit refers to an approved debit; TR418 the tariff is the contract tariff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.berichten import Declaratie, Prestatie
from simulator.codes import retourcode_voor_regel

if TYPE_CHECKING:
    from .gemeente import Gemeente


def beoordeel_declaratie(g: "Gemeente", b: Declaratie, agb: str) -> dict[str, tuple[str, ...]]:
    """ReferentieNummer → retourcodes of every rejected prestatie (approved ones are absent)."""
    staat = g.beoordeeld.setdefault(agb, {"referenties": set(), "toegekend": {}})
    afgekeurd: dict[str, tuple[str, ...]] = {}
    for c in b.declaratie.clienten:
        d = g.dossiers.get((c.bsn, agb, b.standaard.naam))
        for p in c.prestaties:
            regel = _gebroken_regel(g, d, p, staat)
            staat["referenties"].add(p.referentie.nummer)
            if regel is None:
                if p.bedrag_cent >= 0:
                    staat["toegekend"][p.referentie.nummer] = p
            else:
                afgekeurd[p.referentie.nummer] = (retourcode_voor_regel(g.w.codelijsten, b.standaard, regel),)
    return afgekeurd


def _gebroken_regel(g: "Gemeente", d, p: Prestatie, staat: dict) -> str | None:
    std = d.standaard if d is not None else None
    tp = d.toewijzingen.get(p.toewijzingnummer) if d is not None else None
    if tp is None:
        return "TR338"
    if tp.reden_wijziging and tp.reden_wijziging == g.w.code(std, "wijziging.verwijderd"):
        return "TR384"
    if tp.product is not None and p.product.categorie != tp.product.categorie:
        return "TR339"
    if tp.product is not None and tp.product.code and p.product.code != tp.product.code:
        return "TR340"
    if tp.omvang is not None and not _eenheid_past(g, std, tp.omvang.eenheid, p.eenheid):
        return "TR341"
    if p.periode.begindatum < tp.ingangsdatum:
        return "TR307"
    if tp.einddatum is not None and p.periode.einddatum > tp.einddatum:
        return "TR308"
    if p.referentie.nummer in staat["referenties"]:
        return "TR314"
    if p.bedrag_cent < 0 and (p.referentie.vorig is None or p.referentie.vorig not in staat["toegekend"]):
        return "TR323"
    if p.bedrag_cent >= 0 and p.tarief_cent is not None:
        product = g.w.catalogus.per_code(p.product.code) if p.product.code else None
        uren_in_minuten = bool(g.w.profiel.regel("declareren_uren_in_minuten"))
        if product is not None and p.tarief_cent != product.declaratietarief_cent(uren_in_minuten):
            return "TR418"
    return None


def _eenheid_past(g: "Gemeente", std, toegewezen: str, gedeclareerd: str) -> bool:
    codes = g.w.codes(std)
    if toegewezen == codes["eenheid.uur"] and g.w.profiel.regel("declareren_uren_in_minuten"):
        return gedeclareerd == codes["eenheid.minuut"]  # §7 note 13: assigned in hours, declared in minutes
    return toegewezen == gedeclareerd
