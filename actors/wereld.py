"""The shared context of one run: clock, bus, profile, schemas, codes, and the ground truth.

Every actor gets the same :class:`Wereld`.  It holds nothing an actor decides; it holds what
the world *is*: the simulated clock, the bus messages travel over, the protocol profile all
deadlines and rules come from, the code values of both standards, and the trajectories the
population created (``trajecten``: the ground truth of who needs what care, which the reference
actors consult the way a real gemeente consults its toegang and a real aanbieder its client).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from simulator.berichten import Bericht, Header, XsdVersie, berichttype
from simulator.bus import Bus, Verzending
from simulator.codelijsten import Codelijsten
from simulator.codes import Codes, codes
from simulator.engine import Simulatie
from simulator.profiel import Profiel
from simulator.schemas import IJW, IWMO, SchemaRegistry, Standaard
from simulator.synthetisch import Productcatalogus

if TYPE_CHECKING:
    from .traject import Traject


def standaard_van(domein: str) -> Standaard:
    return IJW if domein == "jeugd" else IWMO


@dataclass
class Wereld:
    sim: Simulatie
    bus: Bus
    profiel: Profiel
    registry: SchemaRegistry
    codelijsten: Codelijsten
    catalogus: Productcatalogus
    render: Callable[[Bericht, SchemaRegistry], bytes]
    xsd_versie: Callable[[SchemaRegistry, str], XsdVersie]
    scenario: str = "mix"
    #: fault switches of this run (actors/fouten.py); empty for the reference behaviour
    fouten: frozenset[str] = frozenset()
    _fout_gebruikt: dict[str, int] = field(default_factory=dict)
    trajecten: dict[str, "Traject"] = field(default_factory=dict)
    #: (bsn, aanbieder agb) → trajecten of that client at that aanbieder, oldest first
    per_client: dict[tuple[str, str], list["Traject"]] = field(default_factory=dict)
    #: bsn → the gemeente responsible under the woonplaatsbeginsel (the "BRP" of the world)
    woonplaats: dict[str, str] = field(default_factory=dict)
    #: AGB → the aanbieder's contracts (simulator.synthetisch.Aanbieder: its domeinen and the gemeenten
    #: that contracted it), for the gemeente's §4 contract check
    contracten: dict[str, Any] = field(default_factory=dict)
    #: a sharded run (scenarios/shard.py): (shard number, the gemeenten this world simulates); None = whole run
    shard: tuple[int, frozenset[str]] | None = None
    #: a system under test takes part (actors/sut.py): what it sends may drive a reference actor into a
    #: state it was not built for; such a failure is recorded (``referentie_fout``), not raised
    met_sut: bool = False

    def nummer_start(self, sleutel: str, breedte: int) -> int:
        """Where an identifier counter under ``sleutel`` (a gemeente) starts: 0, except in a shard that
        numbers under a gemeente it does not own (a 315 to and the 319 from the eerste gemeente of a
        woonplaatsbeginsel trajectory; a second part of a split gemeente): then a range of this shard's
        own, so shards never collide."""
        if self.shard is None or sleutel in self.shard[1]:
            return 0
        if self.shard[0] + 1 >= 10:
            raise ValueError("a sharded run numbers foreign identifiers in at most 9 shard ranges")
        return (self.shard[0] + 1) * 10 ** (breedte - 1)

    def veilig(self, actor: str, actie: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """Run ``actie``; with a SUT in the run, an exception becomes a ``referentie_fout`` event and the
        run goes on (a reference actor or the harness's ground truth tripped over what the SUT sent).
        Without a SUT it is raised: the reference actors alone must never fail."""
        if not self.met_sut:
            actie(*args, **kwargs)
            return
        try:
            actie(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - recorded with its reason; the run must reach a verdict
            self.bus.gebeurtenis("referentie_fout", actor=actor, gegevens={
                "actie": getattr(actie, "__name__", str(actie)), "melding": f"{type(exc).__name__}: {exc}"[:300]})

    # -- fault switches ----------------------------------------------------------------------
    def fout(self, naam: str) -> bool:
        """True when fault ``naam`` is switched on and not yet used up (its ``hoe_vaak``)."""
        if naam not in self.fouten:
            return False
        from .fouten import FOUTEN

        n = self._fout_gebruikt.get(naam, 0)
        if n >= FOUTEN[naam].hoe_vaak:
            return False
        self._fout_gebruikt[naam] = n + 1
        self.bus.gebeurtenis("fout_ingeschakeld", actor=None, gegevens={"fout": naam, "keer": n + 1})
        return True

    # -- time ------------------------------------------------------------------------------
    @property
    def vandaag(self) -> date:
        return self.sim.vandaag

    @property
    def kalender(self):
        return self.profiel.kalender

    def deadline(self, sleutel: str, vanaf: date) -> date:
        return self.profiel.deadline(sleutel, vanaf)

    # -- codes -----------------------------------------------------------------------------
    def codes(self, standaard: Standaard) -> Codes:
        return codes(self.codelijsten, standaard)

    def code(self, standaard: Standaard, naam: str) -> str:
        return codes(self.codelijsten, standaard)[naam]

    # -- messages --------------------------------------------------------------------------
    def header(self, standaard: Standaard, nummer: str, afzender: str, ontvanger: str,
               identificatie: str) -> Header:
        bt = f"{standaard.type_prefix}{nummer}"
        return Header(self.registry.berichtcode(bt), afzender, ontvanger, identificatie, self.vandaag,
                      self.xsd_versie(self.registry, bt))

    def verstuur(self, bericht: Bericht, *, heen: str | None = None, bsn: str | None = None,
                 toewijzingnummers: tuple[str, ...] = (), traject: "Traject | None" = None,
                 rol: str = "reference", nabewerking: Callable[[bytes], bytes] | None = None) -> int:
        """Render and hand to the bus; the ledger records it with today's date. ``nabewerking`` changes the
        rendered bytes (fault switches only: a message that is not schema-valid)."""
        h = bericht.header
        xml = self.render(bericht, self.registry)
        if nabewerking is not None:
            xml = nabewerking(xml)
        afzender, ontvanger = h.afzender, h.ontvanger
        if getattr(bericht, "retour", None) is not None:
            # a retour keeps the heenbericht's Afzender and Ontvanger (IV028): it travels back
            afzender, ontvanger = ontvanger, afzender
        return self.bus.verstuur(Verzending(
            afzender=afzender, ontvanger=ontvanger, berichttype=berichttype(bericht),
            identificatie=_identificatie(bericht), xml=xml, bericht=bericht, heen=heen, bsn=bsn,
            toewijzingnummers=toewijzingnummers, route=traject.route if traject else None,
            scenario=self.scenario, traject=traject.id if traject else None, rol=rol,
        ))

    def gebeurtenis(self, wat: str, *, actor: str | None = None, traject: "Traject | None" = None,
                    **gegevens: Any) -> None:
        """Record something that happened outside the message traffic (ground truth for the checks)."""
        self.bus.gebeurtenis(wat, actor=actor, bsn=traject.bsn if traject else gegevens.pop("bsn", None),
                             traject=traject.id if traject else None,
                             route=traject.route if traject else None, gegevens=gegevens)

    # -- ground truth ----------------------------------------------------------------------
    def registreer(self, traject: "Traject") -> None:
        self.trajecten[traject.id] = traject
        if traject.bsn is not None:
            self.per_client.setdefault((traject.bsn, traject.aanbieder), []).append(traject)
            self.woonplaats[traject.bsn] = traject.gemeente

    def traject_bij(self, bsn: str, agb: str) -> "Traject | None":
        """The latest trajectory of a client at an aanbieder (None: unknown client)."""
        lijst = self.per_client.get((bsn, agb))
        return lijst[-1] if lijst else None


def _identificatie(bericht: Bericht) -> str:
    retour = getattr(bericht, "retour", None)
    return retour.identificatie if retour is not None else bericht.header.identificatie


class Nummers:
    """Unique, deterministic identifiers an actor issues (BerichtIdentificatie and the like)."""

    def __init__(self, prefix: str, breedte: int) -> None:
        self.prefix = prefix
        self.breedte = breedte
        self.n = 0

    def volgende(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:0{self.breedte}d}"
