"""Werkdagen: the Dutch working-day calendar this back-office plans its deadlines on.

Not a werkdag: Saturday, Sunday and the feestdagen of the Algemene termijnenwet (art. 3):
Nieuwjaarsdag, Goede Vrijdag, tweede Paasdag, Koningsdag, 5 mei, Hemelvaartsdag, tweede
Pinksterdag and both Kerstdagen.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def pasen(jaar: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = jaar % 19, jaar // 100, jaar % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    maand, dag = divmod(h + l - 7 * m + 114, 31)
    return date(jaar, maand, dag + 1)


@lru_cache(maxsize=64)
def feestdagen(jaar: int) -> frozenset[date]:
    p = pasen(jaar)
    koningsdag = date(jaar, 4, 27)
    if koningsdag.weekday() == 6:  # on a Sunday the King's birthday is celebrated on the 26th
        koningsdag = date(jaar, 4, 26)
    return frozenset({
        date(jaar, 1, 1), p - timedelta(days=2), p + timedelta(days=1), koningsdag, date(jaar, 5, 5),
        p + timedelta(days=39), p + timedelta(days=50), date(jaar, 12, 25), date(jaar, 12, 26),
    })


def is_werkdag(d: date) -> bool:
    return d.weekday() < 5 and d not in feestdagen(d.year)


def plus_werkdagen(d: date, n: int) -> date:
    """The n-th werkdag after d (d itself does not count); n = 0 gives d itself."""
    while n > 0:
        d += timedelta(days=1)
        if is_werkdag(d):
            n -= 1
    return d


def volgende_werkdag(d: date) -> date:
    return plus_werkdagen(d, 1)
