"""Aspecifiek toewijzen with a budget (VNG LTA 2021 §2.1.1, §3.3.2): what care is expected to cost.

Under an aspecifieke toewijzing the gemeente names only the productcategorie and a budget; the
aanbieder chooses the products and declares them specifically.  The aanbieder estimates the
budget in its verzoek om toewijzing (315) from the care it plans, and asks a budget change (317)
once the profile's share (``vow_bij_budget``, 80 %) of the budget is declared while the care it
still plans will not fit.  It never declares beyond the budget (TR369).
"""

from __future__ import annotations

import math
import random
from datetime import date

from simulator.codes import Codes

from .traject import Zorgvraag


def verwachte_eenheden(z: Zorgvraag, codes: Codes, begin: date | None = None, einde: date | None = None) -> float:
    """Units of ``z.product.eenheid`` the planned care takes from ``begin`` to ``einde`` (inclusive;
    default its whole period)."""
    begin = max(begin or z.ingangsdatum, z.ingangsdatum)
    einde = min(einde or z.einddatum, z.einddatum)
    dagen = (einde - begin).days + 1
    if dagen <= 0:
        return 0.0
    f = z.product.frequentie
    if f == codes["frequentie.dag"]:
        return z.volume * dagen
    if f == codes["frequentie.week"]:
        return z.volume * dagen / 7
    if f == codes["frequentie.maand"]:
        return z.volume * dagen / 30.44
    totaal = (z.einddatum - z.ingangsdatum).days + 1  # totaal binnen de geldigheidsduur
    return z.volume * dagen / totaal


def verwachte_kosten_cent(z: Zorgvraag, codes: Codes, begin: date | None = None, einde: date | None = None) -> int:
    return int(math.ceil(verwachte_eenheden(z, codes, begin, einde) * z.product.tarief_cent))


def schat_budget(z: Zorgvraag, codes: Codes, rng: random.Random) -> int:
    """The aanbieder's estimate for the 315: the expected cost give or take a fifth, whole euros."""
    kosten = verwachte_kosten_cent(z, codes) * rng.uniform(0.8, 1.2)
    return max(100, int(math.ceil(kosten / 100)) * 100)


def nieuw_budget(gedeclareerd_cent: int, z: Zorgvraag, codes: Codes, vanaf: date) -> int:
    """The budget a 317 asks: declared so far plus the care still planned, a tenth extra, whole euros."""
    rest = verwachte_kosten_cent(z, codes, begin=vanaf)
    return int(math.ceil((gedeclareerd_cent + rest) * 1.1 / 100)) * 100
