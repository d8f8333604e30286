"""Rules of the berichtenverkeer that the checker (``reports/controle.py``) and the reference actors
(``actors/regiecontrole.py``, ``actors/gemeente.py``, ``actors/zorgverloop.py``) both apply.

Each is written once here so that the golden behaviour and its judgement cannot drift apart; the
actors may not import ``reports``, so this lives in ``simulator``.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .berichten import AangevraagdProduct, Product, ToegewezenProduct

#: TR375/TR412 hold for a toewijzing whose Einddatum lies after this date (or is empty)
TR375_GRENS = date(2020, 12, 31)


class StopSleutel(NamedTuple):
    """The logical key of a StopProduct received and not withdrawn, besides Bsn and ToewijzingNummer
    (which its toewijzing holds): since release 3.2 it includes RedenBeeindiging and Einddatum."""

    begindatum: date
    reden: str
    einddatum: date
    product: Product | None


def zelfde_product(a: Product | None, b: Product | None) -> bool:
    """TR361: the same product — by ProductCode when both have one, else by categorie; no categorie: any."""
    if a is None or b is None or not a.categorie or not b.categorie:
        return True
    if a.code and b.code:
        return a.code == b.code
    return a.categorie == b.categorie


def vervallen(tp: ToegewezenProduct) -> bool:
    """A lapsed toewijzing (RedenWijziging 'vervallen'): its einddatum lies on or before its ingangsdatum."""
    return tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum


def overlapt(tp: ToegewezenProduct, ap: AangevraagdProduct) -> bool:
    """Stapeling (§4): a requested product equal to a (not lapsed) toewijzing's, in an overlapping period."""
    if vervallen(tp) or ap.product is None or tp.product != ap.product:
        return False
    return (tp.ingangsdatum <= (ap.toewijzing_einddatum or date.max)
            and ap.toewijzing_ingangsdatum <= (tp.einddatum or date.max))
