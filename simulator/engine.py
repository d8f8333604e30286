"""The simulation engine: a SimPy environment whose clock counts werkdagen from a start date.

``env.now == n`` means the n-th werkdag (0-based) on or after the start date of the profile's
calendar. Every message is sent on a werkdag, so every Dagtekening is a werkdag; a wait of
"k werkdagen" is ``yield env.timeout(k)``. Calendar periods (weeks, months) are converted with
the calendar (:meth:`Klok.index`). Within one werkdag, reference actors act at integer times;
a system under test steps at ``n + 0.5`` (see docs/architecture.md, "The SUT").

Determinism: all randomness comes from :meth:`Simulatie.rng` streams seeded from the run seed
and a stable name, and SimPy runs events at equal times in scheduling order, so the same seed,
profile and inputs give a byte-identical ledger.
"""

from __future__ import annotations

import bisect
import gc
import math
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Generator, Iterator

import simpy
from simpy.events import Timeout

from .werkdagen import Werkdagkalender


class Klok:
    """Werkdag index ↔ date.  The werkdagen of ``jaren`` years from the start are precomputed;
    before and beyond that span the calendar's arithmetic gives the same answers."""

    def __init__(self, start: date, kalender: Werkdagkalender, jaren: int = 12) -> None:
        self.kalender = kalender
        dagen: list[date] = []
        d, einde = start, start + timedelta(days=366 * jaren)
        while d <= einde:
            if kalender.is_werkdag(d):
                dagen.append(d)
            d += timedelta(days=1)
        self._dagen = dagen
        self.start = dagen[0]

    def datum(self, t: float) -> date:
        """The date of werkdag ``t`` (fractional times fall on the same werkdag: ``t = 3.5``
        is werkdag 3, ``t = -0.5`` werkdag -1)."""
        i = math.floor(t)
        if i < 0:
            return self.kalender.add_werkdagen(self.start, i)
        if i >= len(self._dagen):
            laatste = len(self._dagen) - 1
            return self.kalender.add_werkdagen(self._dagen[laatste], i - laatste)
        return self._dagen[i]

    def index(self, d: date) -> int:
        """Index of the first werkdag on or after ``d`` (negative before the start)."""
        if d < self.start:
            # minus the number of werkdagen in [d, start)
            return -self.kalender.werkdagen_between(d - timedelta(days=1), self.start - timedelta(days=1))
        if d > self._dagen[-1]:
            # all werkdagen of the span, plus those in (last, d)
            return len(self._dagen) + self.kalender.werkdagen_between(self._dagen[-1], d - timedelta(days=1))
        return bisect.bisect_left(self._dagen, d)


@dataclass
class Voortgang:
    """Progress callback data: werkdag done / total, messages so far."""

    werkdag: int
    totaal: int
    berichten: int


Proces = Generator[simpy.Event, Any, None]


class Omgeving(simpy.Environment):
    """SimPy's environment with a cheaper way to act later (:meth:`Simulatie.plan`, :meth:`Simulatie.start`).

    A SimPy process costs a ``Process`` object, an ``Initialize`` event, the generator and an end
    event; most of ours only wait for a day and then act once (about 2.5 per message).  Here an
    action is a timeout with a callback, and a generator is driven without a ``Process``.

    The order of events stays exactly SimPy's: a process made while an event is handled starts
    (its ``Initialize`` event is *urgent*) right after that event, in the order the processes were
    made, and its first step only creates the timeout it waits for.  So the requests made while an
    event is handled are queued and turned into their timeouts, in order, before the next event is
    taken — the same timeouts with the same event ids relative to each other, so the same ledger.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gepland: list[tuple[float, Callable[..., Any], tuple, dict] | Proces] = []

    def step(self) -> None:
        if self.gepland:
            self._plan_in()
        super().step()

    def _plan_in(self) -> None:
        gepland, self.gepland = self.gepland, []
        for item in gepland:
            if type(item) is tuple:
                werkdag, actie, args, kwargs = item
                ev = Timeout(self, max(0.0, werkdag - self._now))
                ev.callbacks.append(lambda _ev, a=actie, x=args, k=kwargs: a(*x, **k))
            else:
                self._stap(item, None)

    def _stap(self, proces: Proces, waarde: Any) -> None:
        try:
            ev = proces.send(waarde)
        except StopIteration:
            return
        ev.callbacks.append(lambda e, p=proces: self._stap(p, e._value))


class Simulatie:
    """One run: environment, clock and seeded randomness. Actors and bus are attached by the builder."""

    def __init__(self, start: date, kalender: Werkdagkalender, seed: int) -> None:
        self.env = Omgeving()
        self.klok = Klok(start, kalender)
        self.kalender = kalender
        self.seed = seed

    @property
    def vandaag(self) -> date:
        return self.klok.datum(self.env.now)

    @property
    def werkdag(self) -> int:
        return int(self.env.now)

    def rng(self, naam: str) -> random.Random:
        """An independent, reproducible random stream for one named purpose."""
        return random.Random(f"{self.seed}:{naam}")

    def wacht_tot(self, werkdag: int) -> simpy.Event:
        """A timeout that fires at the start of werkdag ``werkdag`` (now if it is today or past)."""
        return self.env.timeout(max(0.0, werkdag - self.env.now))

    def wacht_tot_datum(self, d: date) -> simpy.Event:
        return self.wacht_tot(self.klok.index(d))

    def plan(self, werkdag: float, actie: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Do ``actie(*args, **kwargs)`` at the start of werkdag ``werkdag`` (at once when it is
        today or past), in the order SimPy would run a process that waits for it."""
        self.env.gepland.append((werkdag, actie, args, kwargs))

    def plan_op(self, d: date, actie: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """:meth:`plan` on date ``d`` (the next werkdag if ``d`` is not one)."""
        self.env.gepland.append((self.klok.index(d), actie, args, kwargs))

    def start(self, proces: Proces) -> None:
        """Run a generator as a process (it yields the events it waits for), without SimPy's
        ``Process`` object; its first step runs where the process would have started."""
        self.env.gepland.append(proces)

    def draai(self, werkdagen: int, voortgang: Callable[[Voortgang], None] | None = None,
              berichten: Callable[[], int] = lambda: 0) -> None:
        """Run for ``werkdagen`` more werkdagen, reporting progress once per werkdag.  Events at
        the werkdag the run stops at are left for the next call."""
        begin = self.env.now
        with zuinige_gc():
            for dag in range(1, werkdagen + 1):
                self.env.run(until=begin + dag)
                if voortgang is not None:
                    voortgang(Voortgang(dag, werkdagen, berichten()))


#: generation-0 threshold while the clock runs (CPython's default is 700)
GC_DREMPEL = 20_000


@contextmanager
def zuinige_gc() -> Iterator[None]:
    """Fewer passes of the cyclic garbage collector while the simulation runs.

    The actors keep the population, dossiers and deliveries alive for the whole run, and every
    message allocates dozens of short-lived containers; with CPython's default thresholds the
    collector walks that growing heap again and again (an 8,000-trajectory year spent ~25 % of its
    CPU in it; docs/performance.md).  What exists before the clock starts (schemas, profile,
    population, world) is frozen out of the collector's view, and young collections run every
    20,000 net allocations instead of 700.  Cycles are still collected, so memory stays bounded
    (the same peak RSS was measured); the previous settings return afterwards.
    """
    oud = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_DREMPEL, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*oud)
        gc.unfreeze()
