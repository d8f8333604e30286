"""The care an aanbieder SUT gives, as the world decides it — told to the SUT as care events.

A real aanbieder learns outside the message traffic when care really starts, pauses and ends, and
how much care was given each month; the 305, 307 and 323 it must send follow from that.  The
reference aanbieder (actors/aanbieder.py) keeps that in its own records.  A system under test in
the aanbieder role (``--sut aanbieder:AGB=…``) cannot know it from the messages, so the harness
decides it, by the reference aanbieder's rules, and tells the SUT (``POST …/zorg``,
docs/sut-api.yaml).  What the SUT is told is recorded in the ledger (event ``sut_zorg``) and is
the ground truth the checker judges the SUT's 305/307/323 against (reports/controle.py).

| soort        | when it is told                                              | the SUT sends     |
|--------------|--------------------------------------------------------------|-------------------|
| start_zorg   | on the day care starts: after the 301, the werkdag after it  | a 305             |
|              | plus the trajectory's wachttijd; on the ingangsdatum when it |                   |
|              | continues an earlier toewijzing (Jw → Wmo at 18, a wijziging);|                   |
|              | on receipt of a retroactive 301 (crisis, sGGZ: care began    |                   |
|              | before); again when care resumes after a pause               |                   |
| onderbreking | the first werkdag after the full calendar month(s) without   | a 307 'tijdelijk' |
|              | care ([regels] tijdelijk_stoppen_na)                         |                   |
| einde_zorg   | on the last day of care (the toewijzing's einddatum, or the  | a 307             |
|              | new one a 301 sets — at once when that lies in the past); a  |                   |
|              | pause that turns out definitive: 2 werkdagen after it        |                   |
| levering     | the first step after a ProductPeriode (a calendar month cut  | a 323 line        |
|              | to the toewijzing) ended: the care given in it               |                   |

A toewijzing of a trajectory with event ``geen_start`` never starts (the gemeente lets it lapse);
a vervallen toewijzing ends nothing.  The intake, crisis and sGGZ events come from the routes
(actors/sut_aanbieder.py).

The rules are the reference aanbieder's own functions: ``start_niet``, ``eerste_zorgdag``,
``zorg_einde``, ``pauze_zonder_zorg``, ``reden_einde_plan`` and ``reden_nieuw_einde``
(actors/aanbieder.py), ``productperiode`` and ``geleverd_volume`` (actors/declareren.py).  What is
kept here differs in what it stands on: the reference aanbieder knows which toewijzing had its 305
(``_voorganger``), this the start it planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from simulator.berichten import ToegewezenProduct, Toewijzing
from simulator.regieregels import vervallen as _vervallen
from simulator.schemas import Standaard

from .aanbieder import (
    _zorg_in_categorie, eerste_zorgdag, pauze_zonder_zorg, reden_einde_plan, reden_nieuw_einde, start_niet, zorg_einde,
)
from .declareren import Maand, _maand, _volgende, _zorgdagen, geleverd_volume, productperiode
from .traject import Traject, Zorgvraag

if TYPE_CHECKING:
    from .sut_aanbieder import SutAanbieder

OPEN_EINDE = date(9999, 12, 31)  # a toewijzing without einddatum: care goes on


@dataclass
class Zorgtoewijzing:
    """One toewijzing of the SUT as the world lives it: when care really starts, pauses and ends."""

    gemeente: str
    standaard: Standaard
    traject: Traject
    tp: ToegewezenProduct
    ontvangen: date
    zorg: Zorgvraag | None = None  # aspecifiek: the care the aanbieder plans in the categorie
    start: date | None = None  # the (planned) first day of care
    eind: date | None = None  # the (planned) last day of care
    perioden: list[list[date]] = field(default_factory=list)  # care periods [begin, eind]
    gestart: bool = False  # start_zorg was told
    geeindigd: bool = False  # einde_zorg was told
    vervallen: bool = False
    start_versie: int = 0  # bumped when a planned start no longer holds
    eind_versie: int = 0  # bumped when the planned end changes
    pauze: tuple[date, date] | None = None  # (last day of care, day care resumes) of a planned pause
    volgende_maand: Maand | None = None  # the first month whose levering is still to be told

    @property
    def nummer(self) -> str:
        return self.tp.toewijzingnummer


class Zorgverloop:
    def __init__(self, sut: "SutAanbieder") -> None:
        self.sut = sut
        self.w = sut.w
        self.toewijzingen: dict[tuple[str, str], Zorgtoewijzing] = {}  # (gemeente, toewijzingnummer)
        self._per_traject: dict[str, list[Zorgtoewijzing]] = {}
        self.voorlopig: dict[str, date] = {}  # traject id → start of care before any toewijzing (crisis, sGGZ)
        self._pauze: set[str] = set()  # trajecten whose pause is planned

    # ------------------------------------------------------------------------------------------
    def bij_301(self, b: Toewijzing, ontvangen: date) -> None:
        """A 301 reached the SUT: new toewijzingen get their real start, changed ones a new end."""
        t = self.w.traject_bij(b.client.bsn, self.sut.adres) if b.client.bsn else None
        if t is None:
            return
        gemeente = b.header.afzender
        bekend = [tp for tp in b.client.producten if (gemeente, tp.toewijzingnummer) in self.toewijzingen]
        nieuw = [tp for tp in b.client.producten if (gemeente, tp.toewijzingnummer) not in self.toewijzingen]
        for tp in bekend:  # first the changes: a new toewijzing may continue one that now ends
            self._gewijzigd(self.toewijzingen[(gemeente, tp.toewijzingnummer)], tp, ontvangen)
        for tp in nieuw:
            self._nieuw(t, b.standaard, gemeente, tp, ontvangen)

    def _nieuw(self, t: Traject, std: Standaard, gemeente: str, tp: ToegewezenProduct, ontvangen: date) -> None:
        if _vervallen(tp):
            return
        zt = Zorgtoewijzing(gemeente, std, t, tp, ontvangen)
        if tp.product is not None and tp.omvang is None:  # aspecifiek: the aanbieder chooses the products
            zt.zorg = _zorg_in_categorie(t, tp)
        zt.eind = zorg_einde(tp, zt.zorg)
        self.toewijzingen[(gemeente, tp.toewijzingnummer)] = zt
        self._per_traject.setdefault(t.id, []).append(zt)
        if start_niet(t, zt.nummer):
            # the client never comes: no care, the gemeente lets the toewijzing lapse
            self.w.gebeurtenis("zorg_start_niet", actor=self.sut.adres, traject=t, toewijzing=zt.nummer)
            return
        start, _ = eerste_zorgdag(self.w.kalender, t, tp, ontvangen, voortgezet=self._voorganger(zt) is not None,
                                  eerder=self.voorlopig.get(t.id))
        if zt.eind is not None and start > zt.eind:
            return
        zt.start = start
        zt.perioden = [[start, zt.eind or OPEN_EINDE]]
        self.sut.op(start, self._start, zt, zt.start_versie, start)
        if zt.eind is not None:
            self.sut.op(zt.eind, self._einde, zt, zt.eind_versie, reden_einde_plan(t, zt.eind))
            self._plan_pauze(zt)

    def _voorganger(self, zt: Zorgtoewijzing) -> Zorgtoewijzing | None:
        """The toewijzing of the same trajectory this one directly continues (einddatum + 1 = ingangsdatum)."""
        for z in self._per_traject.get(zt.traject.id, ()):
            eind = z.tp.einddatum
            if z is not zt and z.start is not None and eind is not None and eind + timedelta(days=1) == zt.tp.ingangsdatum:
                return z
        return None

    def _gewijzigd(self, zt: Zorgtoewijzing, tp: ToegewezenProduct, ontvangen: date) -> None:
        oud, zt.tp = zt.tp, tp
        if tp == oud or zt.vervallen:
            return
        if _vervallen(tp):
            zt.vervallen = True
            zt.start_versie += 1
            zt.eind_versie += 1
            return
        nieuw = zorg_einde(tp, zt.zorg)
        if nieuw == zt.eind or zt.geeindigd or zt.start is None:
            return
        if nieuw is not None and nieuw < zt.start:
            zt.start_versie += 1  # ends before it started: no care at all
            zt.eind_versie += 1
            return
        gepland, zt.eind = zt.eind, nieuw
        zt.eind_versie += 1
        if zt.pauze is not None and nieuw is not None and nieuw < zt.pauze[1]:
            zt.pauze = None  # the toewijzing ends before care would resume: no pause, care runs to the end
            zt.perioden = [[zt.start, nieuw]]
        elif zt.perioden:
            zt.perioden[-1][1] = nieuw or OPEN_EINDE
        if nieuw is not None:
            reden = reden_nieuw_einde(self.w.codes(zt.standaard), tp, gepland, nieuw)
            self.sut.op(max(nieuw, self.w.vandaag), self._einde, zt, zt.eind_versie, reden)

    # -- a full calendar month without care (§6.4) --------------------------------------------
    def _plan_pauze(self, zt: Zorgtoewijzing) -> None:
        t = zt.traject
        if not t.heeft("tijdelijk_stoppen") or t.id in self._pauze or zt.eind is None or zt.start is None:
            return
        if (zt.eind - zt.start).days <= 120:
            return
        pauze = pauze_zonder_zorg(zt.start, zt.eind, int(self.w.profiel.regel("tijdelijk_stoppen_na")))
        if pauze is None:
            return
        laatste, hervat = pauze[0] - timedelta(days=1), pauze[1] + timedelta(days=1)
        self._pauze.add(t.id)
        definitief = t.heeft("stop_corrigeren")  # the pause turns out to be the end of care
        zt.pauze = (laatste, hervat)
        zt.perioden = [[zt.start, laatste]] if definitief else [[zt.start, laatste], [hervat, zt.eind]]
        self.sut.op(hervat, self._onderbreking, zt, definitief)

    def _onderbreking(self, zt: Zorgtoewijzing, definitief: bool) -> None:
        if zt.pauze is None or not zt.gestart or zt.geeindigd or zt.vervallen:
            return
        laatste, hervat = zt.pauze
        self._vertel(zt, "onderbreking", datum=laatste.isoformat())
        if definitief:
            zt.eind_versie += 1  # the planned end is replaced
            zt.eind = laatste
            self.sut.op(self.w.kalender.add_werkdagen(self.w.vandaag, 2), self._einde, zt, zt.eind_versie,
                        "beeindiging.door_client")
        else:
            self._vertel(zt, "start_zorg", datum=hervat.isoformat())

    # -- what is told ---------------------------------------------------------------------------
    def _start(self, zt: Zorgtoewijzing, versie: int, start: date) -> None:
        if versie != zt.start_versie or zt.vervallen or zt.gestart:
            return
        zt.gestart = True
        zt.volgende_maand = _maand(start)
        self._vertel(zt, "start_zorg", datum=start.isoformat())

    def _einde(self, zt: Zorgtoewijzing, versie: int, reden: str) -> None:
        if versie != zt.eind_versie or not zt.gestart or zt.geeindigd or zt.vervallen or zt.eind is None:
            return
        zt.geeindigd = True
        self._vertel(zt, "einde_zorg", datum=zt.eind.isoformat(), reden=self.w.code(zt.standaard, reden))

    def leveringen(self, dag: date) -> None:
        """Tell the care given in every ProductPeriode that ended before ``dag`` and was not told yet."""
        uren_in_minuten = bool(self.w.profiel.regel("declareren_uren_in_minuten"))
        for zt in self.toewijzingen.values():
            if not zt.gestart or zt.vervallen or zt.volgende_maand is None or zt.ontvangen >= dag:
                continue  # (declaring comes after the day the 301 was received, Annex 4 §5)
            while True:
                m = zt.volgende_maand
                begin, eind = productperiode(zt.tp, m)
                if eind >= dag or (zt.eind is not None and begin > zt.eind):
                    break
                zt.volgende_maand = _volgende(m)
                self._levering(zt, m, begin, eind, uren_in_minuten)

    def _levering(self, zt: Zorgtoewijzing, m: Maand, begin: date, eind: date, uren_in_minuten: bool) -> None:
        zorgdagen = _zorgdagen(zt.perioden, begin, eind)
        if zorgdagen <= 0 or eind < begin:
            return
        product = zt.zorg.product if zt.zorg is not None else self._product(zt.tp)
        if product is None:
            return
        # the care periods cut to the planned end of care (the last one runs to OPEN_EINDE here)
        volume = geleverd_volume(zt.tp, zt.zorg, product, zorgdagen, m,
                                 [[b, min(e, zt.eind or e)] for b, e in zt.perioden], self.w.codes(zt.standaard),
                                 uren_in_minuten)
        if volume <= 0:
            return
        self._vertel(zt, "levering", datum=eind.isoformat(), product={"categorie": product.categorie, "code": product.code},
                     periode={"begindatum": begin.isoformat(), "einddatum": eind.isoformat()},
                     volume=volume, eenheid=product.declaratie_eenheid(uren_in_minuten))

    def _product(self, tp: ToegewezenProduct):
        """The catalogue product of a toewijzing; None when the gemeente assigned something the
        catalogue does not know (a toewijzing made on an odd request of the SUT): no levering then."""
        if tp.product is None or not tp.product.code:
            return None
        try:
            return self.w.catalogus.per_code(tp.product.code)
        except KeyError:
            return None

    def _vertel(self, zt: Zorgtoewijzing, soort: str, **velden: Any) -> None:
        self.sut.vertel({"soort": soort, "gemeente": zt.gemeente, "bsn": zt.traject.bsn,
                         "toewijzingnummer": zt.nummer, **velden}, zt.traject)
