"""argparse types for the numeric options of ``ketensim``: a bad value is a usage error
(exit status 2, the option named) at parse time, never a traceback or a silent nonsense run.
And the options about a SUT that ``run`` and ``load`` share, so both say the same."""

from __future__ import annotations

import argparse
import math


def positief_geheel(tekst: str) -> int:
    """A whole number of at least 1 (``--clients``, ``--days``, ``--max-bytes`` …)."""
    return _geheel(tekst, 1, "a positive whole number")


def niet_negatief_geheel(tekst: str) -> int:
    """A whole number of at least 0 (``--max``: 0 prints none; ``bench --workers``: 0 is one process)."""
    return _geheel(tekst, 0, "a whole number of 0 or more")


def positief_getal(tekst: str) -> float:
    """A finite number above 0 (timeouts in seconds)."""
    try:
        waarde = float(tekst)
    except ValueError:
        waarde = math.nan
    if not (math.isfinite(waarde) and waarde > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {tekst!r}")
    return waarde


def _geheel(tekst: str, minimum: int, wat: str) -> int:
    try:
        waarde = int(tekst)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {wat}, not {tekst!r}") from None
    if waarde < minimum:
        raise argparse.ArgumentTypeError(f"must be {wat}, not {tekst!r}")
    return waarde


def sut_opties(p: argparse.ArgumentParser) -> None:
    """``--sut-timeout``, ``--sut-timeout-dag`` and ``--sut-token`` (``ketensim run`` and ``ketensim load``)."""
    p.add_argument("--sut-timeout", type=positief_getal, default=30.0, metavar="S",
                   help="seconds per call to the SUT (run start, a delivery, a toegang decision, a care event, "
                        "the outbox, the end) before the call counts as unanswered (default 30)")
    p.add_argument("--sut-timeout-dag", type=positief_getal, default=None, metavar="S",
                   help="seconds for the day grant (klok: the SUT does a werkdag's work) instead of --sut-timeout")
    p.add_argument("--sut-token", metavar="TOKEN", help="bearer token for the SUT's HTTP API")
