"""The aanbieder's declaration administration (Annex 4 §7, §7.2; iJw IV085/IV086/IV091).

Every moment below comes from the profile's deadlines (keys in brackets), none is a fixed day count:

* Monthly, one 323 per gemeente and standard (``[regels] declaratie_batch = "per maand per
  gemeente"``; ``"per maand per cliënt"``: one per client) with every prestatie of the completed
  months not yet declared (TR319 allows earlier periods).  The batch for a month goes out in a
  window after that month: not before every start of care in it has had its 305 [start_305] (§7:
  a gemeente may pay only after the 305), not after [declaratie_323]; each aanbieder keeps its own
  place in that window (a seeded draw).  A prestatie covers one toewijzing and one calendar month:
  ProductPeriode is the month cut to the toewijzing (TR387/TR388), the volume is the care actually
  given in it, in minutes for products assigned in hours (§7 note 13), else in the assigned unit.
* Care given before a retroactive toewijzing (crisis, sGGZ) is declared in an extra batch soon
  after the 305 on the 301, within [declaratie_sggz] (sGGZ) or [declaratie_323] of receiving the
  301; it also takes this month's prestaties whose ProductPeriode already ended, and then has this
  month as DeclaratiePeriode.  A batch's DeclaratiePeriode is its last month, never before an
  earlier batch's: the periods never go back and skip only months without care to declare (TR318);
  two batches may share one.
* A rejected line is corrected with a new debit in the next batch (never credited, §7.2 note 15)
  [correctie_afgekeurd]; an approved line is corrected with a credit (new ReferentieNummer,
  VorigReferentieNummer = the original) and a new debit in the next batch [correctie_goedgekeurd].
  When the next regular batch would come after that deadline, an extra batch goes out within it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from simulator.berichten import (
    Declaratie, DeclaratieAntwoord, DeclaratieClient, DeclaratieInhoud, Omvang, Periode, Prestatie, Product,
    Referentie, ToegewezenProduct,
)
from simulator.omvang import max_loopduur, max_per_periode
from simulator.profiel import PER_CLIENT
from simulator.schemas import Standaard
from simulator.synthetisch import bsn_pool
from simulator.werkdagen import einde_maand

if TYPE_CHECKING:
    from .aanbieder import Aanbieder, Levering
    from .traject import Zorgvraag

Maand = tuple[int, int]


@dataclass
class Regel:
    """One prestatie as sent, and what became of it."""

    prestatie: Prestatie
    levering: "Levering"
    maand: Maand
    status: str = "ingediend"  # ingediend | toegekend | afgekeurd | gecrediteerd | credit
    toegekend_op: date | None = None


@dataclass
class Maandstaat:
    """Per levering and month: the debit line that counts (None: nothing declared yet)."""

    regel: Regel | None = None
    te_corrigeren: bool = False  # an approved line will be credited and declared again
    leeg: bool = False  # the month was judged in a batch with nothing to declare; it stays closed
    niet_voor: date | None = None  # fault switches: the correction waits until this day


def _afgehandeld(staat: Maandstaat) -> bool:
    """A month nothing can be declared, credited or declared again in any more: judged empty, its
    line approved without a correction to come (te_corrigeren is only set when the line is approved),
    or credited with no new line. A month whose line went out in this batch is not settled yet."""
    if staat.leeg:
        return True
    r = staat.regel
    return r is not None and (r.status == "gecrediteerd" or (r.status == "toegekend" and not staat.te_corrigeren))


def _maand(d: date) -> Maand:
    return (d.year, d.month)


def _volgende(m: Maand) -> Maand:
    return (m[0] + (m[1] == 12), m[1] % 12 + 1)


def _eerste(m: Maand) -> date:
    return date(m[0], m[1], 1)


def _laatste(m: Maand) -> date:
    return einde_maand(*m)


def _zorgdagen(perioden: list[list[date]], begin: date, eind: date) -> int:
    """Days of care within [begin, eind]; overlapping care periods (a stop withdrawn, a restart) count once."""
    dagen = 0
    tot = begin - timedelta(days=1)  # the last day already counted
    for b, e in sorted((max(b, begin), min(e, eind)) for b, e in perioden):
        b = max(b, tot + timedelta(days=1))
        if e >= b:
            dagen += (e - b).days + 1
            tot = e
    return dagen


def productperiode(tp: ToegewezenProduct, m: Maand) -> tuple[date, date]:
    """The ProductPeriode of month ``m`` on toewijzing ``tp``: the calendar month cut to the toewijzing
    (TR387/TR388); its end before its begin when the toewijzing does not reach into the month."""
    eind = min(_laatste(m), tp.einddatum) if tp.einddatum else _laatste(m)
    return max(_eerste(m), tp.ingangsdatum), eind


def geleverd_volume(tp: ToegewezenProduct, zorg: "Zorgvraag | None", product, zorgdagen: int, m: Maand,
                    perioden: list[list[date]], codes, uren_in_minuten: bool) -> int:
    """The care given in month ``m`` on ``zorgdagen`` days of care on toewijzing ``tp``, in the unit it is
    declared in (minutes for hours when ``uren_in_minuten``), never more than its Omvang allows (TR321/TR322);
    on an aspecifieke toewijzing (no Omvang) by the care the aanbieder planned in it (``zorg``, of ``product``),
    0 without either.  Shared by the reference aanbieder and the ground truth told to an aanbieder SUT
    (actors/zorgverloop.py)."""
    omvang, ingang, einde = tp.omvang, tp.ingangsdatum, tp.einddatum
    if omvang is None and zorg is not None:
        omvang = Omvang(zorg.volume, product.eenheid, product.frequentie)
        ingang, einde = zorg.ingangsdatum, zorg.einddatum
    if omvang is None:
        return 0
    factor = 60 if (product.eenheid == codes["eenheid.uur"] and uren_in_minuten) else 1
    maanddagen = (_laatste(m) - _eerste(m)).days + 1
    f = omvang.frequentie
    if f == codes["frequentie.week"]:
        v = omvang.volume * zorgdagen / 7
    elif f == codes["frequentie.maand"]:
        v = omvang.volume * zorgdagen / maanddagen
    elif f == codes["frequentie.dag"]:
        v = omvang.volume * zorgdagen
    else:  # totaal binnen de geldigheidsduur
        if product.eenheid in (codes["eenheid.stuks_output"],):
            # an output product is declared once, in the month its care ends
            laatste = max(e for _, e in perioden)
            return omvang.volume if _maand(laatste) == m else 0
        einde = einde or perioden[-1][1]
        totaal = max(1, (einde - ingang).days + 1)
        v = omvang.volume * zorgdagen / totaal
    return int(math.floor(v * factor * 0.95))


class Declaratieadministratie:
    def __init__(self, aanbieder: "Aanbieder") -> None:
        self.a = aanbieder
        self.w = aanbieder.w
        self.voorlopige_zorg: dict[str, date] = {}  # traject id → start of care before a toewijzing
        self.leveringen: dict[str, list["Levering"]] = {}  # gemeente → leveringen
        self.staat: dict[tuple[str, str, Maand], Maandstaat] = {}  # (gemeente, toewijzingnr, maand)
        self.verzonden: dict[str, list[Regel]] = {}  # 323 BerichtIdentificatie → its lines
        self.op_referentie: dict[str, Regel] = {}
        self._vorige_referentie: dict[tuple[str, str], str] = {}  # (gemeente, toewijzingnr) → last debit sent
        self._vorig_declaratienummer: dict[tuple[str, str], str] = {}  # (gemeente, standaard) → last DeclaratieNummer
        self._verwijderd: set[int] = set()  # id(levering) of removed toewijzingen seen (fault declaratie_op_verwijderde)
        self._uitgesteld: dict[int, date] = {}
        #: id(levering) → (its first month, the first month not yet settled): _regels_voor starts there
        self._afgehandeld_tot: dict[int, tuple[Maand, Maand]] = {}
        self._laatste_periode: dict[tuple[str, str], Maand] = {}  # (gemeente, standaard) → last DeclaratiePeriode  # id(levering) → fault: care before the 301 declared from this day
        self._gestart = False
        rng = self.w.sim.rng(f"{aanbieder.adres}:declaratiedag")
        # this aanbieder's place in the window of each monthly batch: werkdagen after its first day
        self._plek = rng.randint(0, 6)
        self._extra: set[tuple[str, str, date]] = set()  # (gemeente, standaard, dag) extra batches planned

    # -- when -------------------------------------------------------------------------------
    def batchdag(self, maand: Maand) -> date:
        """The werkdag the regular batch for the prestaties of ``maand`` goes out: from the werkdag after
        every start of care in that month has had its 305 [start_305] (some gemeenten pay only then, §7),
        this aanbieder's place further, never after the [declaratie_323] deadline of the month."""
        kal = self.w.kalender
        einde = _laatste(maand)
        laatst = self.w.deadline("declaratie_323", einde)
        vroegst = kal.volgende_werkdag(self.w.deadline("start_305", einde))
        ruimte = kal.werkdagen_between(vroegst, laatst)
        if ruimte < 0:  # the profile leaves no room after the 305s: the deadline wins
            return laatst
        return kal.add_werkdagen(vroegst, min(self._plek, ruimte))

    def volgende_batchdag(self, na: date) -> date:
        """The first regular batch day after ``na``."""
        m = _maand(_eerste(_maand(na)) - timedelta(days=1))
        while (dag := self.batchdag(m)) <= na:
            m = _volgende(m)
        return dag

    def inhaal_uiterlijk(self, lev: "Levering") -> date:
        """The last day to declare care given before a retroactive toewijzing: [declaratie_sggz] (sGGZ)
        or [declaratie_323] from receiving the 301 (as the checks count it)."""
        sleutel = "declaratie_sggz" if lev.traject.route == "sggz" else "declaratie_323"
        return self.w.deadline(sleutel, lev.ontvangen)

    # -- registration ------------------------------------------------------------------------
    def nieuwe_levering(self, lev: "Levering") -> None:
        self.leveringen.setdefault(lev.gemeente, []).append(lev)
        if not self._gestart:
            self._gestart = True
            self.w.sim.start(self._maandelijks())
        start = lev.traject.details.get("start_zorg")
        if start is not None and _maand(start) < _maand(lev.ontvangen) or (
                start is not None and lev.traject.route == "sggz"):
            # retroactive toewijzing: declare the past months the werkdag after the 305, within the deadline
            kal = self.w.kalender
            if lev.dag_305 is None:
                return  # no 305 planned (the care does not start): nothing becomes declarable
            uiterlijk = self.inhaal_uiterlijk(lev)
            dag = min(kal.volgende_werkdag(lev.dag_305), uiterlijk)
            if lev.traject.route == "sggz" and self.w.fout("laat_declaratie_sggz"):
                # fault: after declaratie_sggz (the deadline of inhaal_uiterlijk for sGGZ)
                dag = self._uitgesteld[id(lev)] = self.a.te_laat("declaratie_sggz", lev.ontvangen, 3)
            self._plan_batch(dag, lev.gemeente, lev.standaard, True)

    def _maandelijks(self):
        kal = self.w.kalender
        while True:
            vandaag = self.w.vandaag
            maand = _maand(_eerste(_maand(vandaag)) - timedelta(days=1))  # the month just ended
            dag = self.batchdag(maand)
            if dag < vandaag:
                maand = _volgende(maand)
                dag = self.batchdag(maand)
            yield self.w.sim.wacht_tot_datum(dag)
            yield self.w.sim.env.timeout(0)  # first the post of the day (a 301 changing an einddatum)
            if any(l.gestart for ls in self.leveringen.values() for l in ls) and self.w.fout("laat_323"):
                # fault: this month's batch waits until 3 werkdagen after its declaratie_323 deadline
                yield self.w.sim.wacht_tot_datum(self.a.te_laat("declaratie_323", _laatste(maand), 3))
            for gemeente in sorted(self.leveringen):
                for std in sorted({l.standaard for l in self.leveringen[gemeente]}, key=lambda s: s.naam):
                    self._batch(gemeente, std)
            yield self.w.sim.wacht_tot(self.w.sim.werkdag + 1)

    def _plan_batch(self, dag: date, gemeente: str, std: Standaard, inhaal: bool = False) -> None:
        """An extra batch on werkdag ``dag``, made after the aanbieder has read that day's post: a 301
        handled today may change what can be declared (an einddatum moved into the month)."""
        self.w.sim.env.process(self._batch_op(dag, gemeente, std, inhaal))

    def _batch_op(self, dag: date, gemeente: str, std: Standaard, inhaal: bool):
        yield self.w.sim.wacht_tot_datum(dag)
        yield self.w.sim.env.timeout(0)  # after the handlers already waiting for this werkdag
        self._batch(gemeente, std, inhaal)

    def _plan_correctiebatch(self, gemeente: str, std: Standaard, sleutel: str, vanaf: date) -> None:
        """A correction is due within deadline ``sleutel`` from ``vanaf`` (the 325), and is made from today
        (the 325 is handled the werkdag after it came): when the next regular batch after today comes
        later than the deadline, an extra batch goes out in time, at this aanbieder's place in the window."""
        kal = self.w.kalender
        grens = self.w.deadline(sleutel, vanaf)
        vandaag = self.w.vandaag
        if self.volgende_batchdag(vandaag) <= grens:
            return
        dag = min(kal.add_werkdagen(vandaag, min(self._plek, max(0, kal.werkdagen_between(vandaag, grens)))), grens)
        if (gemeente, std.naam, dag) not in self._extra:
            self._extra.add((gemeente, std.naam, dag))
            self._plan_batch(dag, gemeente, std)

    # -- building a batch ------------------------------------------------------------------
    def _batch(self, gemeente: str, std: Standaard, inhaal: bool = False) -> None:
        """One 323: the completed months; an ``inhaal`` batch (after a retroactive 301) also takes
        this month's prestaties whose ProductPeriode already ended (care before the toewijzing)."""
        vandaag = self.w.vandaag
        tot = _maand(vandaag) if inhaal else _maand(_eerste(_maand(vandaag)) - timedelta(days=1))
        regels: list[Regel] = []
        for lev in self.leveringen.get(gemeente, []):
            if lev.standaard != std:
                continue
            regels.extend(self._regels_voor(lev, tot))
        if not regels:
            return
        # the completed months first, then (inhaal) this month's: no DeclaratiePeriode is skipped (TR318)
        vorige_maand = _maand(_eerste(_maand(vandaag)) - timedelta(days=1))
        for groep, periode in (([r for r in regels if r.maand <= vorige_maand], vorige_maand),
                               ([r for r in regels if r.maand > vorige_maand], tot)):
            if groep:
                periode = max(periode, self._laatste_periode.get((gemeente, std.naam), periode))  # never back
                self._laatste_periode[(gemeente, std.naam)] = periode
                if self.w.profiel.regel("declaratie_batch") == PER_CLIENT:  # one 323 per client (OP281 allows it)
                    per_client: dict[str, list[Regel]] = {}
                    for r in groep:  # in one pass, clients in the order of their first line
                        per_client.setdefault(r.levering.traject.bsn, []).append(r)
                    for eigen in per_client.values():
                        self._verstuur(gemeente, std, periode, eigen)
                else:
                    self._verstuur(gemeente, std, periode, groep)

    def _stuur_apart(self, gemeente: str, std: Standaard, regels: list[Regel]) -> None:
        """A 323 with only ``regels``, for the DeclaratiePeriode of the batch before it (a second batch)."""
        periode = self._laatste_periode.get((gemeente, std.naam), regels[0].maand)
        self._verstuur(gemeente, std, periode, regels)

    def _regels_voor(self, lev: "Levering", tot: Maand) -> list[Regel]:
        tp = lev.toegewezen
        if lev.vervallen and _maand(tp.ingangsdatum) <= tot:
            fout = self._op_verwijderde(lev)
            return [fout] if fout is not None else []
        if not lev.perioden or not lev.gestart or lev.vervallen:
            return []
        uit: list[Regel] = []
        eerste = _maand(lev.perioden[0][0])
        # months settled for good (see _afgehandeld) are not walked again: every month of every delivery
        # was revisited by every batch, which grew with the square of the run's length
        cursor = self._afgehandeld_tot.get(id(lev))
        m = cursor[1] if cursor is not None and cursor[0] == eerste else eerste
        aaneengesloten = True  # every month before m is settled
        uitgesteld = self._uitgesteld.get(id(lev))
        while m <= tot:
            if uitgesteld is not None and self.w.vandaag < uitgesteld and _laatste(m) < lev.ontvangen:
                aaneengesloten = False
                m = _volgende(m)
                continue
            al = len(uit)
            staat = self.staat.setdefault((lev.gemeente, tp.toewijzingnummer, m), Maandstaat())
            r = staat.regel
            wacht = staat.niet_voor is not None and self.w.vandaag < staat.niet_voor
            if (r is None and not staat.leeg) or (r is not None and r.status == "afgekeurd" and not wacht):
                foutief = r is None and (self._wordt_afgekeurd(lev, m) or self.w.fout("verkeerd_tarief"))
                p = self._prestatie(lev, m, foutief_tarief=foutief)
                if p is not None and r is None and not foutief:
                    p, extra = self._met_fout(lev, p)
                    uit.append(Regel(p, lev, m))
                    uit.extend(Regel(x, lev, m, status="fout") for x in extra)  # never judged or declared again
                elif p is not None:
                    uit.append(Regel(p, lev, m))
                elif r is None and _laatste(m) < self.w.vandaag:
                    staat.leeg = True
            elif staat.te_corrigeren and r.status == "toegekend" and not wacht:
                staat.te_corrigeren = False
                credit = Prestatie(
                    referentie=Referentie(self._referentie(lev), vorig=r.prestatie.referentie.nummer),
                    toewijzingnummer=r.prestatie.toewijzingnummer, product=r.prestatie.product,
                    periode=r.prestatie.periode, volume=r.prestatie.volume, eenheid=r.prestatie.eenheid,
                    bedrag_cent=-r.prestatie.bedrag_cent, tarief_cent=r.prestatie.tarief_cent)
                uit.append(Regel(credit, lev, m, status="credit"))
                if self.w.fout("dubbele_credit"):  # fault: the same debit credited twice
                    uit.append(Regel(replace(credit, referentie=Referentie(self._referentie(lev), vorig=credit.referentie.vorig)),
                                     lev, m, status="fout"))
                r.status = "gecrediteerd"
                nieuw = self._prestatie(lev, m, correctie=True)
                if nieuw is not None:
                    uit.append(Regel(nieuw, lev, m))
            if aaneengesloten:
                if len(uit) == al and _afgehandeld(staat):
                    self._afgehandeld_tot[id(lev)] = (eerste, _volgende(m))
                else:
                    aaneengesloten = False
            m = _volgende(m)
        return uit

    # -- fault switches (actors/fouten.py) ---------------------------------------------------
    def _met_fout(self, lev: "Levering", p: Prestatie) -> tuple[Prestatie, list[Prestatie]]:
        """A new debit line as a faulty aanbieder sends it: the line itself broken (the gemeente
        rejects it and it is declared again, correctly) or an extra broken line beside it."""
        if not self.w.fouten:
            return p, []
        tp, f = lev.toegewezen, self.w.fout
        b_, e_ = p.periode.begindatum, p.periode.einddatum
        sleutel = (lev.gemeente, tp.toewijzingnummer)
        vorige = self._vorige_referentie.get(sleutel)
        self._vorige_referentie[sleutel] = p.referentie.nummer
        if b_ == tp.ingangsdatum and b_.day > 1 and f("periode_voor_ingang"):
            return replace(p, periode=Periode(b_.replace(day=1), e_)), []
        if tp.einddatum is not None and e_ == tp.einddatum < _laatste(_maand(e_)) and f("periode_na_einde"):
            return replace(p, periode=Periode(b_, _laatste(_maand(e_)))), []
        if b_.day == 1 and e_ > b_ and f("begindatum_niet_eerste"):
            return replace(p, periode=Periode(b_ + timedelta(days=1), e_)), []
        if e_ == _laatste(_maand(e_)) and e_ > b_ and f("einddatum_niet_laatste"):
            return replace(p, periode=Periode(b_, e_ - timedelta(days=1))), []
        domein = self.w.catalogus.per_code(p.product.code).domein
        andere = sorted({x.categorie for x in self.w.catalogus.producten if x.domein == domein} - {p.product.categorie})
        if andere and f("andere_categorie"):
            return replace(p, product=Product(andere[0], p.product.code)), []
        zelfde = [x for x in self.w.catalogus.per_categorie(p.product.categorie)
                  if x.code != p.product.code and x.eenheid == self.w.catalogus.per_code(p.product.code).eenheid]
        if zelfde and f("andere_productcode"):
            uren_in_minuten = p.eenheid != zelfde[0].eenheid
            tarief = zelfde[0].declaratietarief_cent(uren_in_minuten)
            return replace(p, product=Product(zelfde[0].categorie, zelfde[0].code), tarief_cent=tarief,
                           bedrag_cent=p.volume * tarief), []
        if tp.omvang is not None and p.tarief_cent is not None:
            codes = self.w.codes(lev.standaard)
            eenheid = codes["eenheid.minuut"] if tp.omvang.eenheid == codes["eenheid.uur"] else tp.omvang.eenheid
            totaal = tp.omvang.frequentie == codes["frequentie.totaal"]
            if not totaal and p.eenheid == eenheid and f("volume_boven_omvang"):
                volume = max_per_periode(tp.omvang, b_, e_, eenheid, codes) + 1  # fault: more than assigned (TR321)
                return replace(p, volume=volume, bedrag_cent=volume * p.tarief_cent), []
            if totaal and vorige is not None and p.eenheid == eenheid and f("som_boven_omvang"):
                # fault: this line alone takes the whole Omvang, with what was declared before it is too much (TR322)
                volume = max_loopduur(tp.omvang, tp.ingangsdatum, tp.einddatum, eenheid, codes)
                return replace(p, volume=volume, bedrag_cent=volume * p.tarief_cent), []
        if vorige is not None and f("dubbele_referentie"):
            return replace(p, referentie=Referentie(vorige)), []
        if f("declaratie_zonder_toewijzing"):
            onbekend = "9" * len(tp.toewijzingnummer)
            return p, [replace(p, referentie=Referentie(self._referentie(lev)), toewijzingnummer=onbekend)]
        if f("tweede_debet"):
            # fault: the same debit again (new ReferentieNummer), a werkdag later in a 323 of its own (TR389)
            dubbel = Regel(replace(p, referentie=Referentie(self._referentie(lev))), lev, _maand(b_), status="fout")
            self.a.op(self.w.kalender.add_werkdagen(self.w.vandaag, 1), self._stuur_apart, lev.gemeente,
                      lev.standaard, [dubbel])
            return p, []
        if f("credit_zonder_debet"):
            nooit = self._referentie(lev)  # a ReferentieNummer never sent
            return p, [replace(p, referentie=Referentie(self._referentie(lev), vorig=nooit), bedrag_cent=-p.bedrag_cent)]
        if p.tarief_cent is not None and f("afgekeurd_laat_gecorrigeerd"):
            # a wrong tariff (TR418, rejected) whose correction waits until 3 werkdagen after the latest the
            # correction could be due: correctie_afgekeurd from the latest day the 325 may come (antwoord_325)
            laatste_325 = self.w.deadline("antwoord_325", self.w.vandaag)
            self.staat[(lev.gemeente, tp.toewijzingnummer, _maand(b_))].niet_voor = self.a.te_laat(
                "correctie_afgekeurd", laatste_325, 3)
            tarief = p.tarief_cent + 1
            return replace(p, tarief_cent=tarief, bedrag_cent=p.volume * tarief), []
        return p, []

    def _op_verwijderde(self, lev: "Levering") -> Regel | None:
        """Fault switch: one day of care declared on a toewijzing the gemeente removed (TR384); its
        ProductPeriode is the one day the removed toewijzing spans, so it breaks no other rule."""
        tp = lev.toegewezen
        if id(lev) in self._verwijderd or tp.reden_wijziging != self.w.code(lev.standaard, "wijziging.verwijderd") \
                or tp.ingangsdatum >= self.w.vandaag:
            return None
        self._verwijderd.add(id(lev))
        if not self.w.fout("declaratie_op_verwijderde"):
            return None
        product = self.w.catalogus.per_code(tp.product.code)
        uren_in_minuten = bool(self.w.profiel.regel("declareren_uren_in_minuten"))
        tarief = product.declaratietarief_cent(uren_in_minuten)
        p = Prestatie(referentie=Referentie(self._referentie(lev)), toewijzingnummer=tp.toewijzingnummer,
                      product=Product(product.categorie, product.code), periode=Periode(tp.ingangsdatum, tp.ingangsdatum),
                      volume=1, eenheid=product.declaratie_eenheid(uren_in_minuten), bedrag_cent=tarief, tarief_cent=tarief)
        return Regel(p, lev, _maand(tp.ingangsdatum), status="fout")

    def _wordt_afgekeurd(self, lev: "Levering", m: Maand) -> bool:
        t = lev.traject
        if not t.heeft("afkeuring") or "afkeuring_maand" in t.details:
            return False
        t.details["afkeuring_maand"] = m
        return True

    def _prestatie(self, lev: "Levering", m: Maand, *, foutief_tarief: bool = False,
                   correctie: bool = False) -> Prestatie | None:
        tp = lev.toegewezen
        begin, eind = productperiode(tp, m)
        if eind < begin or eind >= self.w.vandaag:
            return None  # nothing in this month, or its ProductPeriode has not ended yet
        zorgdagen = _zorgdagen(lev.perioden, begin, eind)
        if zorgdagen <= 0:
            return None
        # aspecifiek: the toewijzing names only the categorie; the declaration is always specific (LTA §2.1.1)
        product = lev.zorg.product if lev.zorg is not None else self.w.catalogus.per_code(tp.product.code)
        volume = geleverd_volume(tp, lev.zorg, product, zorgdagen, m, lev.perioden, self.w.codes(lev.standaard),
                                 bool(self.w.profiel.regel("declareren_uren_in_minuten")))
        if correctie:
            volume = max(1, volume - max(1, volume // 10))
        if volume <= 0:
            return None
        uren_in_minuten = bool(self.w.profiel.regel("declareren_uren_in_minuten"))
        if uren_in_minuten and product.declaratie_eenheid(True) != product.eenheid and self.w.fout("uren_declareren"):
            uren_in_minuten, volume = False, max(1, volume // 60)  # fault: hours declared in hours
        eenheid = product.declaratie_eenheid(uren_in_minuten)
        tarief = product.declaratietarief_cent(uren_in_minuten)
        if foutief_tarief:
            tarief += 1  # not the contract tariff: the gemeente must reject the line (TR418, 0611)
        if tp.budget is not None:
            # TR369: every debit on the toewijzing together stays within its budget
            past = max(0, tp.budget - lev.gedeclareerd_cent) // tarief
            volume = min(volume, past)
            if volume > 0 and not correctie and self.w.fout("budget_overschrijden"):
                volume = past + 1  # fault: one unit more than the budget has left
            if volume <= 0:
                self.w.gebeurtenis("budget_op", actor=self.a.adres, traject=lev.traject, toewijzing=tp.toewijzingnummer,
                                   periode=f"{m[0]}-{m[1]:02d}")
                return None
        return Prestatie(
            referentie=Referentie(self._referentie(lev)), toewijzingnummer=tp.toewijzingnummer,
            product=Product(product.categorie, product.code), periode=Periode(begin, eind),
            volume=volume, eenheid=eenheid, bedrag_cent=volume * tarief, tarief_cent=tarief)

    def _referentie(self, lev: "Levering") -> str:
        return self.a.nummer("prestatie", lev.traject.gemeente, f"P{lev.traject.gemeente}", 10)

    def _verstuur(self, gemeente: str, std: Standaard, periode: Maand, regels: list[Regel]) -> None:
        per_bsn: dict[str, list[Prestatie]] = {}
        for r in regels:
            per_bsn.setdefault(r.levering.traject.bsn, []).append(r.prestatie)
            self.op_referentie[r.prestatie.referentie.nummer] = r
        debet = next((r for r in regels if r.status == "ingediend" and r.prestatie.bedrag_cent > 0), None)
        if debet is not None and not any(r.status == "credit" for r in regels) \
                and self.w.fout("debet_dubbel_in_bericht"):
            # fault: the same debit twice in this 323 (TR416); the gemeente rejects the whole 323 (a 323 with a
            # credit line is left alone: rejecting it would leave that credit out of step)
            kopie = replace(debet.prestatie, referentie=Referentie(self._referentie(debet.levering)))
            regels = regels + [Regel(kopie, debet.levering, debet.maand, status="fout")]
            per_bsn[debet.levering.traject.bsn].append(kopie)
        if debet is not None and self.w.fout("onbekende_bsn"):
            # fault: a prestatie copied to a Client that is none of this aanbieder's clients (TR304)
            bekend = {l.traject.bsn for ls in self.leveringen.values() for l in ls}
            bsn = next(b for b in reversed(bsn_pool()) if b not in bekend)
            kopie = replace(debet.prestatie, referentie=Referentie(self._referentie(debet.levering)))
            regels = regels + [Regel(kopie, debet.levering, debet.maand, status="fout")]
            per_bsn[bsn] = [kopie]
        clienten = tuple(DeclaratieClient(bsn, tuple(ps)) for bsn, ps in per_bsn.items())
        nummer = self.a.nummer("declaratie", gemeente, f"D{gemeente}", 7)
        vorig_nummer = self._vorig_declaratienummer.get((gemeente, std.naam))
        self._vorig_declaratienummer[(gemeente, std.naam)] = nummer
        if vorig_nummer is not None and self.w.fout("dubbel_declaratienummer"):
            nummer = vorig_nummer  # fault: a DeclaratieNummer used before (TR333)
        if any(r.maand == periode for r in regels) and self.w.fout("periode_na_declaratieperiode"):
            periode = (periode[0] - (periode[1] == 1), (periode[1] - 2) % 12 + 1)  # fault: a month too early (TR319)
        elif vorig_nummer is not None and any(r.maand == periode for r in regels) \
                and self.w.fout("declaratieperiode_overgeslagen"):
            periode = _volgende(periode)  # fault: the period of these prestaties is skipped (TR318)
        inhoud = DeclaratieInhoud(nummer, Periode(_eerste(periode), _laatste(periode)), self.w.vandaag,
                                  sum(r.prestatie.bedrag_cent for r in regels), clienten)
        ident = self.a.identificatie(gemeente)
        bericht = Declaratie(std, self.w.header(std, "323", self.a.adres, gemeente, ident), inhoud)
        self.verzonden[ident] = regels
        nummers = tuple(sorted({r.prestatie.toewijzingnummer for r in regels}))
        self.w.verstuur(bericht, toewijzingnummers=nummers)
        for r in regels:
            lev = r.levering
            if r.status == "ingediend":
                self.staat[(lev.gemeente, lev.toegewezen.toewijzingnummer, r.maand)].regel = r
            if r.prestatie.bedrag_cent > 0 and r.status != "fout":
                lev.gedeclareerd_cent += r.prestatie.bedrag_cent
        self._budget_bewaken({r.levering.toegewezen.toewijzingnummer: r.levering for r in regels}.values())

    def _budget_bewaken(self, leveringen) -> None:
        """LTA §3.3.2: at the profile's share of a budget declared, a verzoek om wijziging of the budget."""
        for lev in leveringen:
            tp = lev.toegewezen
            drempel = self.w.profiel.wijze(lev.traject.domein).vow_bij_budget
            if tp.budget is None or drempel is None or lev.gedeclareerd_cent < drempel * tp.budget:
                continue
            rng = self.w.sim.rng(f"{self.a.adres}:budget_vow:{tp.toewijzingnummer}:{lev.gedeclareerd_cent}")
            self.a.op(self.w.kalender.add_werkdagen(self.w.vandaag, rng.randint(1, 3)), self.a.stuur_317_budget, lev)

    def heeft_goedgekeurd(self, gemeente: str, toewijzingnummer: str) -> bool:
        """Whether an approved, not credited debit on this toewijzing stands (TR385)."""
        return any(st.regel is not None and st.regel.status == "toegekend"
                   for (g, nr, _), st in self.staat.items() if g == gemeente and nr == toewijzingnummer)

    # -- the answer --------------------------------------------------------------------------
    def verwerk_antwoord(self, b: DeclaratieAntwoord, ontvangen: date) -> None:
        regels = self.verzonden.pop(b.declaratie_identificatie, None)
        if regels is None:
            self.w.gebeurtenis("antwoord_onbekende_declaratie", actor=self.a.adres, heen=b.declaratie_identificatie)
            return
        afgekeurd: set[str] = set()
        goed = {self.w.code(b.standaard, "retour.geen_opmerking"), self.w.code(b.standaard, "retour.declaratie_toegewezen")}
        # rejected as a whole: the message (only a Header, 0001, TR416) or the Declaratie (TR333)
        geheel = b.retourcodes if b.antwoord is None else b.antwoord.retourcodes
        if set(geheel) - goed:
            afgekeurd = {r.prestatie.referentie.nummer for r in regels}
        elif b.antwoord is not None:
            for c in b.antwoord.clienten:
                for p in c.prestaties:
                    if set(p.retourcodes) - {self.w.code(b.standaard, "retour.geen_opmerking")}:
                        afgekeurd.add(p.referentie.nummer)
        for r in regels:
            if r.status != "ingediend":
                continue
            if r.prestatie.referentie.nummer in afgekeurd:
                r.status = "afgekeurd"
                if r.prestatie.bedrag_cent > 0:
                    r.levering.gedeclareerd_cent -= r.prestatie.bedrag_cent  # a rejected line uses no budget
                    self._plan_correctiebatch(r.levering.gemeente, r.levering.standaard, "correctie_afgekeurd", ontvangen)
                self.w.gebeurtenis("prestatie_afgekeurd", actor=self.a.adres, traject=r.levering.traject,
                                   referentie=r.prestatie.referentie.nummer)
            else:
                r.status = "toegekend"
                r.toegekend_op = ontvangen
                t = r.levering.traject
                if t.heeft("correctie") and "correctie_maand" not in t.details:
                    t.details["correctie_maand"] = r.maand
                    staat = self.staat[(r.levering.gemeente, r.levering.toegewezen.toewijzingnummer, r.maand)]
                    staat.te_corrigeren = True
                    if self.w.fout("goedgekeurd_laat_gecorrigeerd"):  # fault: credited after correctie_goedgekeurd
                        staat.niet_voor = self.a.te_laat("correctie_goedgekeurd", ontvangen, 3)
                    else:
                        self._plan_correctiebatch(r.levering.gemeente, r.levering.standaard, "correctie_goedgekeurd",
                                                  ontvangen)
