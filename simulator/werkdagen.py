"""Dutch working-day calendar and protocol deadlines (Algemene termijnenwet, Stb. 1964, 314).

Non-working days (art. 3 Atw) are Saturday, Sunday and the *algemeen erkende feestdagen*:
Nieuwjaarsdag, tweede Paasdag, Hemelvaartsdag, tweede Pinksterdag, both Kerstdagen, the day the
King's birthday is celebrated (Koningsdag) and 5 mei — every year, not only in lustrum years — plus
Goede Vrijdag, which art. 3 lid 2 equates with them.  Art. 3 lid 3 lets further days be equated
(typically the Friday after Hemelvaart); a profile supplies those as ``extra_vrije_dagen`` and may
choose the set of feestdagen by name (:data:`FEESTDAGEN`).

Deadlines (:class:`Termijn`) are computed by :meth:`Werkdagkalender.deadline`, which returns the
*last allowed* date (inclusive):

* ``werkdagen`` — "binnen N werkdagen na X": the N-th werkdag after X (X itself does not count);
* ``dagen`` / ``weken`` / ``maanden`` / ``einde_volgende_maand`` — calendar periods.  Per art. 1
  lid 1 Atw a period that ends on a Saturday, Sunday or feestdag (or an extra vrije dag) is
  extended to the next werkdag;
* ``maanden_plus_werkdagen`` — N months, then W werkdagen (ends on a werkdag by construction).

Easter is computed with the anonymous Gregorian algorithm; there is no dependency on ``holidays``
(which lists 5 mei only in lustrum years).  Arithmetic is O(1) in the distance: full weeks count
as 5 werkdagen and the weekday feestdagen in between are counted by bisection over a per-year
sorted tuple that is computed lazily and cached per calendar instance.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, TypeVar

__all__ = [
    "DEFAULT_FEESTDAGEN", "FEESTDAGEN", "SOORTEN", "Termijn", "Werkdagkalender", "add_maanden",
    "einde_maand", "pasen",
]


def pasen(jaar: int) -> date:
    """Easter Sunday (Gregorian calendar; anonymous / Meeus–Jones–Butcher algorithm)."""
    a, b, c = jaar % 19, jaar // 100, jaar % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    maand, dag = divmod(h + l - 7 * m + 114, 31)
    return date(jaar, maand, dag + 1)


def _koningsdag(jaar: int) -> date:
    """27 April, or 26 April when the 27th is a Sunday (since 2014; before: Koninginnedag
    30 April, or 29 April when the 30th is a Sunday)."""
    dag = date(jaar, 4, 27) if jaar >= 2014 else date(jaar, 4, 30)
    return dag - timedelta(days=1) if dag.weekday() == 6 else dag


#: Every feestdag a profile can name, with how to find it in a given year.
FEESTDAGEN: dict[str, Callable[[int], date]] = {
    "nieuwjaarsdag": lambda j: date(j, 1, 1),
    "goede_vrijdag": lambda j: pasen(j) - timedelta(days=2),
    "eerste_paasdag": pasen,
    "tweede_paasdag": lambda j: pasen(j) + timedelta(days=1),
    "koningsdag": _koningsdag,
    "bevrijdingsdag": lambda j: date(j, 5, 5),
    "hemelvaartsdag": lambda j: pasen(j) + timedelta(days=39),
    "eerste_pinksterdag": lambda j: pasen(j) + timedelta(days=49),
    "tweede_pinksterdag": lambda j: pasen(j) + timedelta(days=50),
    "eerste_kerstdag": lambda j: date(j, 12, 25),
    "tweede_kerstdag": lambda j: date(j, 12, 26),
}

#: Art. 3 lid 1 and 2 Atw (eerste Paas-/Pinksterdag are Sundays anyway).
DEFAULT_FEESTDAGEN: tuple[str, ...] = (
    "nieuwjaarsdag", "goede_vrijdag", "tweede_paasdag", "koningsdag", "bevrijdingsdag",
    "hemelvaartsdag", "tweede_pinksterdag", "eerste_kerstdag", "tweede_kerstdag",
)


def einde_maand(jaar: int, maand: int) -> date:
    """The last day of a month."""
    return date(jaar, maand, calendar.monthrange(jaar, maand)[1])


def add_maanden(d: date, n: int) -> date:
    """Same day of the month ``n`` months later (or earlier), clamped to the month's end:
    31 Jan + 1 = 28/29 Feb; 29 Feb 2028 + 12 = 28 Feb 2029."""
    jaar, maand0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    return min(date(jaar, maand0 + 1, 1) + timedelta(days=d.day - 1), einde_maand(jaar, maand0 + 1))


def _weekdagen_tm(d: date) -> int:
    """Number of Monday–Friday dates from 0001-01-01 (a Monday) up to and including ``d``."""
    weken, rest = divmod(d.toordinal(), 7)
    return 5 * weken + min(rest, 5)


def _plus_weekdagen(d: date, n: int) -> date:
    """The ``n``-th Monday–Friday date after ``d`` (before it if ``n < 0``), ignoring feestdagen."""
    if n == 0:
        return d
    wd = d.weekday()
    if n > 0:
        wd = min(wd, 4)  # counting forward from a Sat/Sun is counting from the Friday before
        weken, rest = divmod(n, 5)
        dagen = 7 * weken + rest + (2 if wd + rest > 4 else 0)
        return d + timedelta(days=dagen - (d.weekday() - wd))
    wd = 0 if wd > 4 else wd  # counting back from a Sat/Sun is counting from the Monday after
    weken, rest = divmod(-n, 5)
    dagen = 7 * weken + rest + (2 if wd - rest < 0 else 0)
    return d - timedelta(days=dagen - (7 - d.weekday() if d.weekday() > 4 else 0))


#: at most this many remembered answers per kind (then the memory starts again)
_CACHE_MAX = 200_000

K = TypeVar("K")
V = TypeVar("V")


def _onthoud(cache: dict[K, V], sleutel: K, bereken: Callable[..., V], *args: Any) -> V:
    """``cache[sleutel]``, computed as ``bereken(*args)`` and remembered when absent; a full cache starts again."""
    uit = cache.get(sleutel)
    if uit is None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        uit = cache[sleutel] = bereken(*args)
    return uit


@dataclass(frozen=True)
class Werkdagkalender:
    """Which dates are werkdagen, and arithmetic in werkdagen.

    ``extra_vrije_dagen`` are additional non-working dates (art. 3 lid 3 Atw, e.g. the Friday
    after Hemelvaart); ``feestdagen`` names the feestdagen in force (keys of :data:`FEESTDAGEN`).
    """

    extra_vrije_dagen: frozenset[date] = frozenset()
    feestdagen: tuple[str, ...] = DEFAULT_FEESTDAGEN
    _vrij: dict[int, tuple[date, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    #: answers of add_werkdagen / werkdagen_between already computed: a run asks the same few
    #: thousand (date, n) pairs over and over (≈ 4 per message), and the arithmetic is pure
    _plus: dict[tuple[date, int], date] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _tussen: dict[tuple[date, date], int] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _deadlines: dict[tuple[date, "Termijn", bool], date] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_vrije_dagen", frozenset(self.extra_vrije_dagen))
        object.__setattr__(self, "feestdagen", tuple(self.feestdagen))
        onbekend = [n for n in self.feestdagen if n not in FEESTDAGEN]
        if onbekend:
            raise ValueError(
                f"unknown feestdag name(s) {', '.join(map(repr, onbekend))}; "
                f"known: {', '.join(FEESTDAGEN)}"
            )
        if not all(type(d) is date for d in self.extra_vrije_dagen):
            raise TypeError("extra_vrije_dagen must contain datetime.date values")

    # -- which days ------------------------------------------------------------------------

    def feestdagen_in(self, jaar: int) -> dict[date, str]:
        """The configured feestdagen and extra vrije dagen of ``jaar``, by date, sorted.
        Names of coinciding days are joined with "/" (e.g. 5 May 2016 was also Hemelvaart)."""
        dagen: dict[date, list[str]] = {}
        for naam in self.feestdagen:
            dagen.setdefault(FEESTDAGEN[naam](jaar), []).append(naam)
        for d in self.extra_vrije_dagen:
            if d.year == jaar:
                dagen.setdefault(d, []).append("extra_vrije_dag")
        return {d: "/".join(dagen[d]) for d in sorted(dagen)}

    def _vrije_weekdagen(self, jaar: int) -> tuple[date, ...]:
        """Sorted non-working Monday–Friday dates of ``jaar`` (cached)."""
        t = self._vrij.get(jaar)
        if t is None:
            t = tuple(d for d in self.feestdagen_in(jaar) if d.weekday() < 5)
            self._vrij[jaar] = t
        return t

    def _vrij_tussen(self, start: date, end: date) -> int:
        """Number of non-working weekdays in (start, end], ``start <= end``."""
        return sum(
            bisect_right(t, end) - bisect_right(t, start)
            for t in map(self._vrije_weekdagen, range(start.year, end.year + 1))
        )

    def is_werkdag(self, d: date) -> bool:
        """Not a Saturday, Sunday, configured feestdag or extra vrije dag."""
        if d.weekday() > 4:
            return False
        t = self._vrije_weekdagen(d.year)
        i = bisect_right(t, d)
        return not (i and t[i - 1] == d)

    # -- arithmetic ------------------------------------------------------------------------

    def add_werkdagen(self, d: date, n: int) -> date:
        """The ``n``-th werkdag after ``d`` (``d`` itself does not count), or for ``n < 0`` the
        ``|n|``-th werkdag before ``d``.  ``add_werkdagen(d, 0) == d``, even if ``d`` is not a
        werkdag.  For ``n != 0`` the result is always a werkdag."""
        return _onthoud(self._plus, (d, n), self._add_werkdagen, d, n)

    def _add_werkdagen(self, d: date, n: int) -> date:
        while n:
            e = _plus_weekdagen(d, n)
            # the feestdagen among the weekdays just skipped each cost one more werkdag
            if n > 0:
                n = self._vrij_tussen(d, e)
            else:
                n = -self._vrij_tussen(e - timedelta(days=1), d - timedelta(days=1))
            d = e
        return d

    def werkdagen_between(self, start: date, end: date) -> int:
        """Number of werkdagen in (start, end]; for ``end < start`` minus the number in
        (end, start].  So ``werkdagen_between(d, add_werkdagen(d, n)) == n`` for ``n >= 0``
        (and for ``n < 0`` when ``d`` is a werkdag)."""
        if end < start:
            return -self.werkdagen_between(end, start)
        return _onthoud(self._tussen, (start, end), self._werkdagen_between, start, end)

    def _werkdagen_between(self, start: date, end: date) -> int:
        return _weekdagen_tm(end) - _weekdagen_tm(start) - self._vrij_tussen(start, end)

    def volgende_werkdag(self, d: date) -> date:
        """The first werkdag strictly after ``d``."""
        return self.add_werkdagen(d, 1)

    def vorige_werkdag(self, d: date) -> date:
        """The last werkdag strictly before ``d``."""
        return self.add_werkdagen(d, -1)

    def verleng_tot_werkdag(self, d: date) -> date:
        """``d`` if it is a werkdag, else the next werkdag (art. 1 lid 1 Atw)."""
        return d if self.is_werkdag(d) else self.volgende_werkdag(d)

    def deadline(self, start: date, termijn: Termijn, verlengen: bool = True) -> date:
        """The last allowed date (inclusive) of ``termijn`` running from ``start``.

        For the calendar periods (``dagen``, ``weken``, ``maanden``, ``einde_volgende_maand``) a
        date that falls on a non-werkdag is extended to the next werkdag (art. 1 lid 1 Atw)
        unless ``verlengen=False``.  ``werkdagen`` and ``maanden_plus_werkdagen`` count
        werkdagen and need no extension.
        """
        return _onthoud(self._deadlines, (start, termijn, verlengen), self._deadline, start, termijn, verlengen)

    def _deadline(self, start: date, termijn: Termijn, verlengen: bool) -> date:
        s, n = termijn.soort, termijn.aantal
        if s == "werkdagen":
            return self.add_werkdagen(start, n)
        if s == "maanden_plus_werkdagen":
            return self.add_werkdagen(add_maanden(start, n), termijn.werkdagen)
        if s == "dagen":
            d = start + timedelta(days=n)
        elif s == "weken":
            d = start + timedelta(weeks=n)
        elif s == "maanden":
            d = add_maanden(start, n)
        else:  # einde_volgende_maand
            volgende = add_maanden(start.replace(day=1), 1)
            d = einde_maand(volgende.year, volgende.month)
        return self.verleng_tot_werkdag(d) if verlengen else d


SOORTEN = ("werkdagen", "dagen", "weken", "maanden", "einde_volgende_maand", "maanden_plus_werkdagen")
_EENHEID = {  # soort -> (singular, plural)
    "werkdagen": ("werkdag", "werkdagen"),
    "dagen": ("dag", "dagen"),
    "weken": ("week", "weken"),
    "maanden": ("maand", "maanden"),
}
_NAAR_SOORT = {w: s for s, vormen in _EENHEID.items() for w in vormen}
_EINDE_VOLGENDE_MAAND = "uiterlijk de laatste dag van de opvolgende maand"
_EINDE_VORMEN = {
    "einde volgende maand", "einde van de volgende maand", "einde opvolgende maand",
    "einde van de opvolgende maand", "laatste dag van de opvolgende maand", _EINDE_VOLGENDE_MAAND,
}
_ENKEL = re.compile(r"(\d+) ([a-z]+)")
_SAMENGESTELD = re.compile(r"(\d+) (maand|maanden) ?\+ ?(\d+) (werkdag|werkdagen)")


@dataclass(frozen=True)
class Termijn:
    """A protocol deadline length, e.g. ``Termijn("werkdagen", 5)`` or
    ``Termijn("maanden_plus_werkdagen", 3, werkdagen=5)``.  See :meth:`Werkdagkalender.deadline`."""

    soort: str
    aantal: int = 0
    werkdagen: int = 0  # only for maanden_plus_werkdagen

    def __post_init__(self) -> None:
        if self.soort not in SOORTEN:
            raise ValueError(f"unknown termijn soort {self.soort!r}; expected one of {', '.join(SOORTEN)}")
        if self.aantal < 0 or self.werkdagen < 0:
            raise ValueError(f"termijn {self.soort}: aantal and werkdagen must be >= 0")
        if self.soort == "einde_volgende_maand" and (self.aantal or self.werkdagen):
            raise ValueError("termijn einde_volgende_maand takes no aantal/werkdagen")
        if self.soort == "maanden_plus_werkdagen" and self.werkdagen < 1:
            raise ValueError("termijn maanden_plus_werkdagen needs werkdagen >= 1")
        if self.soort != "maanden_plus_werkdagen" and self.werkdagen:
            raise ValueError(f"termijn {self.soort}: werkdagen is only for maanden_plus_werkdagen")

    def beschrijving(self) -> str:
        """Dutch text, e.g. "5 werkdagen", "1 week", "3 maanden + 5 werkdagen".
        :meth:`parse` reads it back."""
        def tel(n: int, soort: str) -> str:
            return f"{n} {_EENHEID[soort][0 if n == 1 else 1]}"

        if self.soort == "einde_volgende_maand":
            return _EINDE_VOLGENDE_MAAND
        if self.soort == "maanden_plus_werkdagen":
            return f"{tel(self.aantal, 'maanden')} + {tel(self.werkdagen, 'werkdagen')}"
        return tel(self.aantal, self.soort)

    __str__ = beschrijving

    @classmethod
    def parse(cls, text: str) -> Termijn:
        """Read "5 werkdagen", "8 weken", "3 maanden", "30 dagen", "1 week", "einde volgende
        maand" or "3 maanden + 5 werkdagen" (case and spacing are free); ValueError otherwise."""
        norm = " ".join(str(text).lower().split())
        if norm in _EINDE_VORMEN:
            return cls("einde_volgende_maand")
        if m := _SAMENGESTELD.fullmatch(norm):
            return cls("maanden_plus_werkdagen", int(m[1]), werkdagen=int(m[3]))
        if (m := _ENKEL.fullmatch(norm)) and m[2] in _NAAR_SOORT:
            return cls(_NAAR_SOORT[m[2]], int(m[1]))
        raise ValueError(
            f"cannot read termijn {text!r}; expected 'N werkdagen', 'N dagen', 'N weken', "
            "'N maanden', 'einde volgende maand' or 'N maanden + M werkdagen'"
        )
