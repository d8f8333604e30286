"""How much may be declared on a toegewezen Omvang (iJw/iWmo TR321, TR322).

TR321: the GeleverdVolume of one prestatie fits the Omvang over its ProductPeriode — the volume
per dag, per week (pro rata, rounded up) or per maand (a ProductPeriode lies within one month),
or the whole volume when it is "totaal binnen geldigheidsduur".  TR322: the sum of every debit
on the toewijzing fits the Omvang over its whole loopduur (unbounded, and not judged, when a
periodic toewijzing has no einddatum).  Volumes are in the declared unit: minutes when hours
were assigned and the region declares hours in minutes (factor 60).  The checker and the
reference gemeente both use these functions, so they judge alike.
"""

from __future__ import annotations

import math
from datetime import date

from .berichten import Omvang
from .codes import Codes


def factor(omvang: Omvang, eenheid: str, codes: Codes) -> int:
    """60 when the Omvang is in hours and the prestatie in minutes, else 1."""
    return 60 if omvang.eenheid == codes["eenheid.uur"] and eenheid == codes["eenheid.minuut"] else 1


def max_per_periode(omvang: Omvang, begin: date, eind: date, eenheid: str, codes: Codes) -> int:
    """The most one prestatie over [begin, eind] may declare (TR321)."""
    dagen = (eind - begin).days + 1
    f = omvang.frequentie
    if f == codes["frequentie.dag"]:
        v = omvang.volume * dagen
    elif f == codes["frequentie.week"]:
        v = omvang.volume * dagen / 7
    else:  # per maand (the ProductPeriode lies within one month) or totaal binnen geldigheidsduur
        v = omvang.volume
    return math.ceil(v * factor(omvang, eenheid, codes))


def max_loopduur(omvang: Omvang, ingang: date, einde: date | None, eenheid: str, codes: Codes) -> int | None:
    """The most all debits on the toewijzing together may declare (TR322); None: no limit."""
    f = omvang.frequentie
    if f == codes["frequentie.totaal"]:
        return omvang.volume * factor(omvang, eenheid, codes)
    if einde is None:
        return None
    if f == codes["frequentie.maand"]:
        maanden = (einde.year - ingang.year) * 12 + einde.month - ingang.month + 1
        return omvang.volume * maanden * factor(omvang, eenheid, codes)
    return max_per_periode(omvang, ingang, einde, eenheid, codes)
