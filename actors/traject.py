"""A client trajectory: the ground truth the population draws and the routes play out.

A trajectory is *what the world is*, not what any actor did: which route the client takes, at
which gemeente and aanbieder, what care is needed, for how long, and which special events will
happen.  Reference actors read it as a real gemeente reads its toegang's file and a real
aanbieder its client record; a system under test never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from simulator.synthetisch import Client, Product


@dataclass
class Zorgvraag:
    """One product a trajectory needs: what, how much, from when, for how long."""

    product: Product
    volume: int  # in the product's eenheid, per its frequentie
    ingangsdatum: date
    einddatum: date
    budget: int | None = None  # whole cents, for an aspecifieke toewijzing with budget (profile [toewijzing])


@dataclass(frozen=True)
class Onderaanneming:
    """§11: an onderaannemer the hoofdaannemer engages for part of the care (ground truth).

    The care of the toewijzing runs from the first start at either party to the last end at either
    party; the hoofdaannemer reports exactly that with its 305 and 307 (§11.2) and declares it
    (§11.3).  The onderaannemer never sends a message."""

    agb: str
    gecontracteerd: bool  # contracted by the trajectory's gemeente for its domein; if not: afstemming met de toegang
    begint: str  # "hoofdaannemer" | "onderaannemer": who gives the first care
    alleen_onderaannemer: bool  # the hoofdaannemer gives no care itself (the onderaannemer does it all)
    start_verschil: int  # days after the first start the other party starts
    stopt_eerst: str  # "hoofdaannemer" | "onderaannemer": who stops first
    einde_verschil: int  # days before the end of care the party that stops first stops


@dataclass
class Traject:
    id: str
    route: str  # toegang | extern | sggz | dyslexie | crisis | zonder_bsn
    client: Client
    gemeente: str  # responsible gemeente (woonplaatsbeginsel)
    aanbieder: str  # AGB of the hoofdaannemer
    aanmelding: date  # the day the client presents (at toegang, verwijzer or aanbieder)
    zorg: list[Zorgvraag]
    verwijzer: str = "gemeente"  # codes key suffix: gemeente, huisarts, jeugdarts, medisch_specialist, gi, …
    variant: str | None = None  # dyslexie: aanbieder_vot | toegang_toewijzing; sggz: diagnostiek | behandelgroep
    onderaanneming: Onderaanneming | None = None  # §11: an onderaannemer delivers part of the care
    gebeurtenissen: frozenset[str] = field(default_factory=frozenset)
    #: special-event parameters drawn with the trajectory (dates, outcomes), by event name
    details: dict[str, object] = field(default_factory=dict)
    wachttijd: int = 0  # werkdagen from ingangsdatum to the real start of care

    @property
    def bsn(self) -> str | None:
        return self.client.persoon.bsn

    @property
    def onderaannemer(self) -> str | None:
        """AGB of the onderaannemer (§11), if any."""
        return self.onderaanneming.agb if self.onderaanneming is not None else None

    @property
    def domein(self) -> str:
        return self.client.domein

    def heeft(self, gebeurtenis: str) -> bool:
        return gebeurtenis in self.gebeurtenissen
