"""How the reference gemeente judges a 323: each prestatie approved or rejected 100 % (§7.1).

A rejection names the retourcodes of every rule the line breaks, each looked up in the retourcode
list by rule id (``retourcode_voor_regel``), so the codes follow the schema release.  The rules a
gemeente applies to a line:

TR338 the toewijzing exists for this client and aanbieder (when not, nothing else is judged);
TR384 it was not removed; TR339/TR340 categorie and code equal the toewijzing's; TR341 the unit
fits (minutes for hours); TR307/TR308 the ProductPeriode lies within the toewijzing; TR387/TR388
it is the calendar month cut to the toewijzing; TR319 it ends within the DeclaratiePeriode;
TR314 the ReferentieNummer is new; TR323 a credit refers to an approved, not yet credited debit;
TR390 a debit is credited once; TR389 no second debit for the same toewijzing and ProductPeriode;
TR418 the tariff is the contract tariff; TR369 the approved debits stay within the budget;
TR321/TR322 the volume fits the Omvang, per ProductPeriode and together (``simulator/omvang.py``).

A DeclaratieNummer used before (TR333) rejects the whole declaration (``declaratie_afwijzing``); a
Client that is none of this aanbieder's clients gets 8187 (TR304, ``onbekende_clienten``); two debits
for one ProductPeriode within the 323 (TR416) reject the whole message with 0001 in the Header
(``dubbel_debet_in_bericht``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from simulator.berichten import Declaratie, Prestatie
from simulator.codes import retourcode_voor_regel
from simulator.omvang import max_loopduur, max_per_periode
from simulator.werkdagen import einde_maand

if TYPE_CHECKING:
    from .gemeente import Gemeente


def _staat(g: "Gemeente", agb: str) -> dict:
    return g.beoordeeld.setdefault(agb, {"referenties": set(), "toegekend": {}, "gecrediteerd": set(),
                                         "debet": {}, "budget": {}, "nummers": set(), "volume": {}, "volumes": {},
                                         "perioden": {}})


def declaratie_afwijzing(g: "Gemeente", b: Declaratie, agb: str) -> tuple[str, ...]:
    """The retourcodes rejecting the Declaratie as a whole: TR333 (DeclaratieNummer not unique) and
    TR318 (DeclaratiePeriode not the month after the previous one, or later over months with care:
    care of a skipped month declared now on a toewijzing dated before that month ended)."""
    staat = _staat(g, agb)
    std, d = b.standaard, b.declaratie
    regels = []
    sleutel = (std.naam, d.nummer)
    if sleutel in staat["nummers"]:
        regels.append("TR333")
    staat["nummers"].add(sleutel)
    q = d.periode.begindatum.replace(day=1)
    vorige = staat["perioden"].get(std.naam)
    if vorige is not None:
        overgeslagen = False
        for c in d.clienten:
            dossier = g.dossiers.get((c.bsn, agb, std.naam))
            for p in c.prestaties:
                tp = dossier.toewijzingen.get(p.toewijzingnummer) if dossier is not None else None
                overgeslagen |= (tp is not None and p.bedrag_cent >= 0 and vorige < p.periode.begindatum.replace(day=1) < q
                                 and p.periode.einddatum >= tp.toewijzingsdatum)
        if q < vorige or overgeslagen:
            regels.append("TR318")
    staat["perioden"][std.naam] = max(q, vorige or q)
    return tuple(retourcode_voor_regel(g.w.codelijsten, std, r) for r in regels)


def dubbel_debet_in_bericht(b: Declaratie) -> bool:
    """TR416 (the message's own content, retourcode 0001): two debits in this 323 for the same toewijzing,
    ProductPeriode, categorie and code.  The gemeente then rejects the 323 as a whole (only a Header with
    0001); a second debit on one sent in an earlier 323 is TR389, judged per prestatie."""
    gezien: set[tuple] = set()
    for c in b.declaratie.clienten:
        for p in c.prestaties:
            if p.bedrag_cent < 0:
                continue
            sleutel = (c.bsn, *_sleutel(p), p.product)
            if sleutel in gezien:
                return True
            gezien.add(sleutel)
    return False


def onbekende_clienten(g: "Gemeente", b: Declaratie, agb: str) -> dict[str, tuple[str, ...]]:
    """BSN → retourcodes of each Client that is not a client of this aanbieder here (TR304, 8187);
    its prestaties are rejected too (TR338: no toewijzing for it)."""
    uit: dict[str, tuple[str, ...]] = {}
    for c in b.declaratie.clienten:
        d = g.dossiers.get((c.bsn, agb, b.standaard.naam))
        if d is None or not d.toewijzingen:
            uit[c.bsn] = (retourcode_voor_regel(g.w.codelijsten, b.standaard, "TR304"),)
    return uit


def beoordeel_declaratie(g: "Gemeente", b: Declaratie, agb: str) -> dict[str, tuple[str, ...]]:
    """ReferentieNummer → retourcodes of every rejected prestatie (approved ones are absent)."""
    staat = _staat(g, agb)
    afgekeurd: dict[str, tuple[str, ...]] = {}
    for c in b.declaratie.clienten:
        d = g.dossiers.get((c.bsn, agb, b.standaard.naam))
        for p in c.prestaties:
            regels = _gebroken_regels(g, d, p, staat, b.declaratie.periode.einddatum)
            staat["referenties"].add(p.referentie.nummer)
            if regels:
                afgekeurd[p.referentie.nummer] = tuple(
                    dict.fromkeys(retourcode_voor_regel(g.w.codelijsten, b.standaard, r) for r in regels))
            elif p.bedrag_cent >= 0:
                staat["toegekend"][p.referentie.nummer] = p
                staat["debet"][_sleutel(p)] = p.referentie.nummer
                staat["budget"][p.toewijzingnummer] = staat["budget"].get(p.toewijzingnummer, 0) + p.bedrag_cent
                v = staat["volumes"][p.referentie.nummer] = _volume(g, d, p)
                staat["volume"][p.toewijzingnummer] = staat["volume"].get(p.toewijzingnummer, 0) + v
            else:
                orig = staat["toegekend"].pop(p.referentie.vorig)
                staat["gecrediteerd"].add(p.referentie.vorig)
                staat["debet"].pop(_sleutel(orig), None)
                staat["budget"][orig.toewijzingnummer] = staat["budget"].get(orig.toewijzingnummer, 0) - orig.bedrag_cent
                staat["volume"][orig.toewijzingnummer] = (staat["volume"].get(orig.toewijzingnummer, 0)
                                                          - staat["volumes"].pop(p.referentie.vorig, 0))
    return afgekeurd


def _sleutel(p: Prestatie) -> tuple[str, date, date]:
    return (p.toewijzingnummer, p.periode.begindatum, p.periode.einddatum)


def _gebroken_regels(g: "Gemeente", d, p: Prestatie, staat: dict, declaratie_einde: date) -> list[str]:
    std = d.standaard if d is not None else None
    tp = d.toewijzingen.get(p.toewijzingnummer) if d is not None else None
    if tp is None:
        return ["TR338"]
    uit: list[str] = []
    if tp.reden_wijziging and tp.reden_wijziging == g.w.code(std, "wijziging.verwijderd"):
        uit.append("TR384")
    if tp.product is not None and p.product.categorie != tp.product.categorie:
        uit.append("TR339")
    if tp.product is not None and tp.product.code and p.product.code != tp.product.code:
        uit.append("TR340")
    if tp.omvang is not None and not _eenheid_past(g, std, tp.omvang.eenheid, p.eenheid):
        uit.append("TR341")
    begin, eind = p.periode.begindatum, p.periode.einddatum
    if begin < tp.ingangsdatum:
        uit.append("TR307")
    if tp.einddatum is not None and eind > tp.einddatum:
        uit.append("TR308")
    if begin != max(date(begin.year, begin.month, 1), tp.ingangsdatum):
        uit.append("TR387")
    maand_eind = einde_maand(begin.year, begin.month)
    if eind != min(maand_eind, tp.einddatum or maand_eind):
        uit.append("TR388")
    if eind > declaratie_einde:
        uit.append("TR319")
    if p.referentie.nummer in staat["referenties"]:
        uit.append("TR314")
    if p.bedrag_cent < 0:
        if p.referentie.vorig is None or p.referentie.vorig not in staat["toegekend"]:
            uit.append("TR323")
        if p.referentie.vorig in staat["gecrediteerd"]:
            uit.append("TR390")
        return uit
    if _sleutel(p) in staat["debet"]:
        uit.append("TR389")
    if p.tarief_cent is not None:
        product = g.w.catalogus.per_code(p.product.code) if p.product.code else None
        uren_in_minuten = bool(g.w.profiel.regel("declareren_uren_in_minuten"))
        if product is not None:
            contract = product.tarief_cent if p.eenheid == product.eenheid else product.declaratietarief_cent(uren_in_minuten)
            if p.tarief_cent != contract:
                uit.append("TR418")
    if tp.budget is not None and staat["budget"].get(p.toewijzingnummer, 0) + p.bedrag_cent > tp.budget:
        uit.append("TR369")
    if tp.omvang is not None and "TR341" not in uit:
        codes = g.w.codes(std)
        eenheid = codes["eenheid.minuut"] if tp.omvang.eenheid == codes["eenheid.uur"] else tp.omvang.eenheid
        volume = _volume(g, d, p)
        if volume > max_per_periode(tp.omvang, begin, eind, eenheid, codes):
            uit.append("TR321")
        totaal = max_loopduur(tp.omvang, tp.ingangsdatum, tp.einddatum, eenheid, codes)
        if totaal is not None and staat["volume"].get(p.toewijzingnummer, 0) + volume > totaal:
            uit.append("TR322")
    return uit


def _volume(g: "Gemeente", d, p: Prestatie) -> int:
    """GeleverdVolume counted against the Omvang: minutes when hours were assigned (0 without an Omvang)."""
    tp = d.toewijzingen[p.toewijzingnummer]
    if tp.omvang is None:
        return 0
    codes = g.w.codes(d.standaard)
    return p.volume * (60 if tp.omvang.eenheid == codes["eenheid.uur"] and p.eenheid == codes["eenheid.uur"] else 1)


def _eenheid_past(g: "Gemeente", std, toegewezen: str, gedeclareerd: str) -> bool:
    codes = g.w.codes(std)
    if toegewezen == codes["eenheid.uur"] and g.w.profiel.regel("declareren_uren_in_minuten"):
        return gedeclareerd == codes["eenheid.minuut"]  # §7 note 13: assigned in hours, declared in minutes
    return toegewezen == gedeclareerd
