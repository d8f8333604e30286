"""The message bus: routes messages by address and records each one in the ledger.

Addresses are what the message header says: a gemeentecode (4 digits) or an AGB code (8 digits).
The bus fills in nothing an actor should fill (BerichtIdentificatie and Dagtekening are the
sender's); it only records, and delivers to whoever registered the receiver's address.
A message to an unknown address is still recorded (no traffic is lost) and reported as an
event, so the checker can flag it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Protocol

from .ledger import Boeking, Gebeurtenis, LedgerWriter


@dataclass(frozen=True, slots=True)
class Verzending:
    """A message handed to the bus, with the metadata the sender knows (no re-parsing needed)."""

    afzender: str
    ontvanger: str
    berichttype: str
    identificatie: str
    xml: bytes
    bericht: Any = None  # the message object, for in-process receivers; never written to the ledger
    heen: str | None = None
    bsn: str | None = None
    toewijzingnummers: tuple[str, ...] = ()
    route: str | None = None
    scenario: str | None = None
    traject: str | None = None
    rol: str = "reference"


@dataclass(frozen=True, slots=True)
class Aflevering:
    """What a receiver gets: the message and the date it arrived (same simulated day it was sent)."""

    verzending: Verzending
    ontvangen: date
    seq: int


class Ontvanger(Protocol):
    def ontvang(self, aflevering: Aflevering) -> None: ...


class Bus:
    def __init__(self, ledger: LedgerWriter, vandaag: Callable[[], date]) -> None:
        self.ledger = ledger
        self._vandaag = vandaag
        self._ontvangers: dict[str, Ontvanger] = {}
        self.per_type: dict[str, int] = {}

    def registreer(self, adres: str, ontvanger: Ontvanger) -> None:
        if adres in self._ontvangers:
            raise ValueError(f"address {adres} is already registered")
        self._ontvangers[adres] = ontvanger

    def kent(self, adres: str) -> bool:
        """Whether someone receives at ``adres``."""
        return adres in self._ontvangers

    def verstuur(self, v: Verzending) -> int:
        """Record and deliver. Returns the ledger sequence number."""
        datum = self._vandaag()
        seq = self.ledger.volgnummer()
        self.ledger.bericht(Boeking(
            seq=seq, datum=datum, afzender=v.afzender, ontvanger=v.ontvanger, berichttype=v.berichttype,
            identificatie=v.identificatie, xml=v.xml, heen=v.heen, bsn=v.bsn,
            toewijzingnummers=v.toewijzingnummers, route=v.route, scenario=v.scenario, traject=v.traject, rol=v.rol,
        ))
        self.per_type[v.berichttype] = self.per_type.get(v.berichttype, 0) + 1
        ontvanger = self._ontvangers.get(v.ontvanger)
        if ontvanger is None:
            self.gebeurtenis("onbestelbaar", actor=v.afzender, bsn=v.bsn, traject=v.traject, route=v.route,
                             gegevens={"ontvanger": v.ontvanger, "berichttype": v.berichttype, "seq": seq})
            return seq
        ontvanger.ontvang(Aflevering(v, datum, seq))
        return seq

    def gebeurtenis(self, wat: str, **kw: Any) -> None:
        self.ledger.gebeurtenis(Gebeurtenis(self.ledger.volgnummer(), self._vandaag(), wat, **kw))
