"""What every reference actor shares: an address on the bus, a next-werkdag inbox, scheduling
on the simulated calendar, and choosing a day within a profile deadline.

Timing model (docs/architecture.md, "Time"): a message sent on werkdag D is received on D (its
ledger date is the date of receipt for every deadline) and handled by the receiver from the next
werkdag on.  An actor acts on a day by scheduling a SimPy process for it (:meth:`Actor.op`).
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from simulator.bus import Aflevering
from simulator.reader import LeesFout, lees

from .wereld import Nummers, Wereld

if TYPE_CHECKING:
    from .traject import Traject


class Actor:
    """A party on the bus. Subclasses implement ``bij_<nummer>(bericht, aflevering)`` handlers."""

    rol = "reference"

    def __init__(self, wereld: Wereld, adres: str, naam: str) -> None:
        self.w = wereld
        self.adres = adres
        self.naam = naam
        self._nummers: dict[tuple[str, str], Nummers] = {}

    # -- identifiers: one counter per (kind, shard key) so a shard by gemeente numbers the same
    #    way as a whole-region run (docs/architecture.md, "Determinism and sharding").
    def nummer(self, soort: str, sleutel: str, prefix: str, breedte: int) -> str:
        n = self._nummers.get((soort, sleutel))
        if n is None:
            n = self._nummers[(soort, sleutel)] = Nummers(prefix, breedte)
            n.n = self.w.nummer_start(sleutel, breedte)
        return n.volgende()

    def identificatie(self, gemeente: str) -> str:
        """A BerichtIdentificatie (≤ 12 characters) unique for this sender."""
        return self.nummer("bericht", gemeente, gemeente, 8)

    # -- receiving ---------------------------------------------------------------------------
    def ontvang(self, aflevering: Aflevering) -> None:
        """Called by the bus on the day of sending; handled from the next werkdag."""
        self.w.sim.plan(self.w.sim.werkdag + 1, self._verwerk, aflevering)

    def _verwerk(self, aflevering: Aflevering) -> None:
        bericht = aflevering.verzending.bericht
        if bericht is None:  # from a system under test: only bytes
            try:
                bericht = lees(aflevering.verzending.xml, self.w.registry)
            except LeesFout as exc:
                self.w.gebeurtenis("onleesbaar_bericht", actor=self.adres, bsn=aflevering.verzending.bsn,
                                   seq=aflevering.seq, melding=str(exc))
                return
        handler = getattr(self, f"bij_{bericht.nummer}", None)
        if handler is None:
            self.w.gebeurtenis("onverwacht_bericht", actor=self.adres, seq=aflevering.seq,
                               berichttype=aflevering.verzending.berichttype)
            return
        if self.w.met_sut:  # what a SUT sent may trip a reference actor: recorded, not raised (Wereld.veilig)
            self.w.veilig(self.adres, handler, bericht, aflevering)
        else:
            handler(bericht, aflevering)

    # -- acting on a day -------------------------------------------------------------------
    def op(self, dag: date, actie: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Do ``actie(*args, **kwargs)`` on werkdag ``dag`` (the next werkdag if ``dag`` is not one; now if past)."""
        if self.w.met_sut:  # what a SUT sent may trip a reference actor: recorded, not raised (Wereld.veilig)
            self.w.sim.plan_op(dag, self.w.veilig, self.adres, actie, *args, **kwargs)
        else:
            self.w.sim.plan_op(dag, actie, *args, **kwargs)

    def kies_dag(self, rng: random.Random, vanaf: date, sleutel: str, *, vroegst: date | None = None,
                 spreiding: float = 1.0) -> date:
        """A werkdag after ``vanaf`` and within deadline ``sleutel`` of the profile (counted from
        ``vanaf``), not before ``vroegst``.  ``spreiding`` < 1 keeps to the early part of the window.
        """
        kal = self.w.kalender
        laatste = self.w.deadline(sleutel, vanaf)
        eerste = kal.volgende_werkdag(vanaf)
        if vroegst is not None and vroegst > eerste:
            eerste = vroegst if kal.is_werkdag(vroegst) else kal.volgende_werkdag(vroegst)
        if laatste <= eerste:
            return eerste
        ruimte = kal.werkdagen_between(eerste, laatste)
        return kal.add_werkdagen(eerste, rng.randint(0, int(ruimte * spreiding)))

    def te_laat(self, sleutel: str, vanaf: date, werkdagen: int) -> date:
        """Fault switches: ``werkdagen`` werkdagen after deadline ``sleutel`` of the profile counted from
        ``vanaf`` — late under any profile, however long it makes that deadline."""
        return self.w.kalender.add_werkdagen(self.w.deadline(sleutel, vanaf), werkdagen)

    def rng(self, traject: "Traject | None", doel: str) -> random.Random:
        """Randomness keyed by trajectory and purpose: independent of what else happens in the run."""
        return self.w.sim.rng(f"{traject.id if traject else self.adres}:{doel}")
