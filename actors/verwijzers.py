"""Verwijzers: where a client's way into care begins.  None of them sends iJw/iWmo messages; what
they do is recorded in the ledger as events (the ground truth the deadline checks run from).

* :class:`Toegang` — the gemeentelijke toegang / wijkteam of one gemeente: assesses the client,
  writes the ondersteuningsplan with them (§10) and has the gemeente assign the care (Bijlage 1.1);
  also assesses a school's dyslexie reading file in the 1.4.2 municipalities and handles a GI's
  "bepaling jeugdhulp".
* :class:`Verwijzer` — huisarts, jeugdarts, medisch specialist, GI: refers the client to an
  aanbieder (Bijlage 1.2, 1.3), who then does the intake and asks for a toewijzing.
* :class:`School` — hands the reading file (leesdossier) to the parents for dyslexie care (1.4).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .traject import Traject
from .wereld import Wereld

if TYPE_CHECKING:
    from .aanbieder import Aanbieder
    from .gemeente import Gemeente


class Toegang:
    def __init__(self, wereld: Wereld, gemeente: "Gemeente") -> None:
        self.w = wereld
        self.gemeente = gemeente
        self.naam = f"toegang {gemeente.naam}"

    def meld(self, t: Traject, aanbieder: "Aanbieder", verwijzing: date, wat: str = "aanmelding_toegang") -> None:
        """The client presents; on ``verwijzing`` the plan is ready and the toegang refers."""
        self.w.gebeurtenis(wat, actor=self.naam, traject=t)
        self.gemeente.op(verwijzing, self._verwijs, t, aanbieder)

    def _verwijs(self, t: Traject, aanbieder: "Aanbieder") -> None:
        self.w.gebeurtenis("verwijzing", actor=self.naam, traject=t, aanbieder=aanbieder.adres,
                           verwijzer="toegang", producten=[z.product.code for z in t.zorg], gemeente=self.gemeente.adres)
        aanbieder.verwacht(t)
        self.gemeente.toewijzen(t, t.zorg, self.w.vandaag)


class Verwijzer:
    """A wettelijke verwijzer outside the gemeente (huisarts, jeugdarts, medisch specialist, GI)."""

    def __init__(self, wereld: Wereld, soort: str) -> None:
        self.w = wereld
        self.soort = soort

    def verwijs(self, t: Traject, aanbieder: "Aanbieder", intake: date) -> None:
        self.w.gebeurtenis("verwijzing", actor=self.soort, traject=t, aanbieder=aanbieder.adres,
                           verwijzer=self.soort, intake=intake.isoformat())
        aanbieder.verwijzing(t, intake)


class School:
    def __init__(self, wereld: Wereld) -> None:
        self.w = wereld

    def leesdossier(self, t: Traject) -> None:
        self.w.gebeurtenis("leesdossier_school", actor="school", traject=t)
