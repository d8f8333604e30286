"""The reference gemeente as a system under test: the golden behaviour through the SUT code path.

``--sut gemeente:0200=referentie`` gives gemeente 0200's place in the run to
:class:`ReferentieGemeente`, behind the in-process adapter (``simulator/sut.py``, ``InprocesAdapter``:
its worker thread and time-outs) and the lock-step loop (``actors/sut.py``, ``SutDeelnemer``), exactly
as a vendor's in-process back-office would be.  Inside is the real reference actor
(:class:`actors.gemeente.Gemeente`) of the same run; it only sees the world through the SUT API:

* ``lever(dag, berichten)`` — each XML byte string becomes a bus delivery without a message object
  (``Verzending.bericht is None``), the path a SUT's bytes take: the actor reads it with ``lees``;
* ``toegang(dag, besluit)`` — the JSON decision of its own toegang (``actors.sut.toegangsbesluit``,
  ``POST /toegang`` of docs/sut-api.yaml) becomes the actor's ``toewijzen`` call: the client's
  trajectory looked up by BSN and aanbieder, the care built from the catalogue by product code;
* ``geef_dag(dag)`` — the actor does its work of that werkdag: everything it planned for the day
  runs now (:class:`Dagwerk`), not at the start of the day on the shared SimPy clock;
* ``haal_op(dag)`` — what it sent: the bytes it rendered, captured by its view of the bus
  (:class:`Uitgaand`) instead of put on the bus, which the lock-step loop then routes and records
  (``rol: "sut"``).  Its events (``gebeurtenis``) go to the run's ledger as they happen.

The actor gets a copy of the run's :class:`Wereld` with those two views as ``sim`` and ``bus``; the
rest (profile, catalogue, trajectories, fault switches and their counters) is shared, so
``--fault laat_316`` makes this gemeente late as it makes a directly wired one.  What differs from a
directly wired reference gemeente, and why: docs/sut.md, "The reference gemeente as a SUT".
"""

from __future__ import annotations

import dataclasses
import heapq
import random
import threading
from datetime import date
from typing import Any, Callable

from simulator.bus import Aflevering, Verzending
from simulator.codec import berichttype_van, parse
from simulator.sut import RunInfo

from .gemeente import Gemeente
from .traject import Traject, Zorgvraag
from .wereld import Wereld


class Afgebroken(BaseException):
    """The harness stopped waiting for this gemeente (a call exceeded its time-out): from then on it
    touches nothing it shares with the harness.  A BaseException, so that ``Wereld.veilig`` (which
    records an actor's ``Exception`` as ``referentie_fout``) does not swallow it."""


class Dagwerk:
    """The wrapped actor's clock: what it plans (``plan``, ``plan_op``) waits in a queue of its own
    until the day is granted (:meth:`draai`); the date, werkdag and random streams are the run's.

    The order is SimPy's: by werkdag, then in the order planned; an action planned for a day that has
    passed runs on the current day, after what was already planned for it (SimPy's timeout of 0)."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.klok = sim.klok
        self._rij: list[tuple[int, int, Callable[..., Any], tuple, dict]] = []
        self._volgnummer = 0

    @property
    def vandaag(self) -> date:
        return self.sim.vandaag

    @property
    def werkdag(self) -> int:
        return self.sim.werkdag

    def rng(self, naam: str) -> random.Random:
        return self.sim.rng(naam)

    def plan(self, werkdag: float, actie: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._volgnummer += 1
        heapq.heappush(self._rij, (max(int(werkdag), self.sim.werkdag), self._volgnummer, actie, args, kwargs))

    def plan_op(self, d: date, actie: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.plan(self.klok.index(d), actie, *args, **kwargs)

    def draai(self, werkdag: int) -> int:
        """Do everything planned up to and including ``werkdag`` (and what that plans for it)."""
        n = 0
        while self._rij and self._rij[0][0] <= werkdag:
            _, _, actie, args, kwargs = heapq.heappop(self._rij)
            actie(*args, **kwargs)
            n += 1
        return n


class Uitgaand:
    """The wrapped actor's bus: a message it sends is kept (its rendered bytes) for ``haal_op``; an event
    goes to the run's bus at once.  Once cut off (:meth:`ReferentieGemeente.te_laat`) it refuses both."""

    def __init__(self, bus: Any, sluis: threading.Lock) -> None:
        self.bus = bus
        self.sluis = sluis
        self.afgebroken = False
        self.outbox: list[bytes] = []

    def verstuur(self, v: Verzending) -> int:
        with self.sluis:
            if self.afgebroken:
                raise Afgebroken("de harness wacht niet meer op deze gemeente")
            self.outbox.append(v.xml)
        return 0  # no ledger number yet: the lock-step loop records it when it collects the outbox

    def gebeurtenis(self, wat: str, **kw: Any) -> None:
        with self.sluis:
            if self.afgebroken:
                raise Afgebroken("de harness wacht niet meer op deze gemeente")
            self.bus.gebeurtenis(wat, **kw)

    def kent(self, adres: str) -> bool:
        return self.bus.kent(adres)


class ReferentieGemeente:
    """An in-process SUT (``begin``, ``lever``, ``toegang``, ``geef_dag``, ``haal_op``, ``einde``) that is
    the run's reference gemeente.  It needs the run's world, which the harness hands only to this SUT
    (``RunInfo.wereld``, for ``--sut gemeente:CODE=referentie``)."""

    def __init__(self) -> None:
        self.gemeente: Gemeente | None = None
        self.w: Wereld | None = None
        self.dagwerk: Dagwerk | None = None
        self.uit: Uitgaand | None = None
        self._sluis = threading.Lock()
        self._toegang: list[tuple[date, Traject, Zorgvraag, str]] = []
        self._volgnummer = 0  # stands in for the ledger number of a delivery, which the SUT API does not pass

    # -- the adapter's operations ----------------------------------------------------------------
    def begin(self, run: RunInfo) -> None:
        if run.rol != "gemeente":
            raise ValueError(f"de referentie-SUT speelt alleen de rol gemeente, niet {run.rol}")
        wereld = run.wereld
        if not isinstance(wereld, Wereld):
            raise ValueError("de referentie-gemeente draait alleen in de wereld van haar eigen run "
                             "(--sut gemeente:CODE=referentie)")
        if run.code not in wereld.profiel.gemeenten:
            raise ValueError(f"{run.code} is geen gemeente van profiel {wereld.profiel.naam}")
        self.dagwerk = Dagwerk(wereld.sim)
        self.uit = Uitgaand(wereld.bus, self._sluis)
        self.w = dataclasses.replace(wereld, sim=self.dagwerk, bus=self.uit)
        self.gemeente = Gemeente(self.w, run.code, wereld.profiel.gemeenten[run.code].naam)

    def toegang(self, dag: date, besluit: dict[str, Any]) -> None:
        """Its toegang decided one product for a client; the decisions of one client and aanbieder on one day
        are one ``toewijzen`` call (one 301), as the toegang makes it."""
        w = self._wereld()
        agb, bsn = besluit["aanbieder"], besluit["client"]["bsn"]
        p = besluit["product"]
        product = w.catalogus.per_code(p["code"])
        if product.categorie != p["categorie"]:
            raise ValueError(f"product {p['code']} heeft categorie {product.categorie}, niet {p['categorie']}")
        zorg = Zorgvraag(product, int(p["volume"]), date.fromisoformat(besluit["ingangsdatum"]),
                         date.fromisoformat(besluit["einddatum"]))
        t = self._traject(bsn, agb, zorg)
        if t is None:
            raise ValueError(f"client {bsn} bij aanbieder {agb} komt in deze run niet voor")
        self._toegang.append((dag, t, zorg, agb))

    def lever(self, dag: date, berichten: list[bytes]) -> None:
        """Each message as a bus delivery of its bytes: the actor reads it (and judges a 315/317 on arrival)."""
        w = self._wereld()
        self._toewijzen()
        for xml in berichten:
            root = parse(xml).document
            berichttype = (berichttype_van(root, w.registry) if root is not None else None) or "onleesbaar"
            self._volgnummer += 1
            v = Verzending(afzender="", ontvanger=self.gemeente.adres, berichttype=berichttype, identificatie="",
                           xml=xml, bericht=None, rol="sut")
            self.gemeente.ontvang(Aflevering(v, dag, -self._volgnummer))

    def geef_dag(self, dag: date) -> bool:
        self._wereld()
        self._toewijzen()
        self.dagwerk.draai(self.dagwerk.klok.index(dag))
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        self._wereld()
        with self._sluis:
            uit, self.uit.outbox = self.uit.outbox, []
        return uit

    def einde(self) -> None:
        self._toegang.clear()

    def te_laat(self) -> None:
        """Called by the in-process adapter on the harness's thread when a call did not return in time:
        from now on this gemeente writes nothing to the run (it waits for a write in progress)."""
        with self._sluis:
            if self.uit is not None:
                self.uit.afgebroken = True

    # -- helpers ---------------------------------------------------------------------------------
    def _wereld(self) -> Wereld:
        if self.w is None or self.gemeente is None:
            raise ValueError("de run is niet begonnen (begin ontbrak of faalde)")
        if self.uit.afgebroken:
            raise Afgebroken("een eerdere aanroep kwam niet op tijd terug; deze gemeente zwijgt verder")
        return self.w

    def _traject(self, bsn: str, agb: str, zorg: Zorgvraag) -> Traject | None:
        """The client's trajectory at that aanbieder that needs this care (a client may have had more than
        one); the latest one otherwise."""
        kandidaten = self.w.per_client.get((bsn, agb), [])
        for t in reversed(kandidaten):
            if any(z.product.code == zorg.product.code and z.ingangsdatum == zorg.ingangsdatum for z in t.zorg):
                return t
        return kandidaten[-1] if kandidaten else None

    def _toewijzen(self) -> None:
        """The toegang's decisions so far, grouped per day, trajectory and aanbieder in the order they came."""
        groepen: dict[tuple[date, str, str], tuple[Traject, list[Zorgvraag]]] = {}
        for dag, t, zorg, agb in self._toegang:
            groepen.setdefault((dag, t.id, agb), (t, []))[1].append(zorg)
        self._toegang.clear()
        for (dag, _, agb), (t, zorg) in groepen.items():
            self.gemeente.toewijzen(t, zorg, dag, agb=agb)
