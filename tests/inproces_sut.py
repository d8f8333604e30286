"""In-process SUTs that misbehave, for the hostile-SUT tests (``--sut gemeente:0200=inproces:tests.inproces_sut:Hangt``).

Each is a class: the in-process adapter instantiates it on its worker thread.
"""

from __future__ import annotations

import threading
from datetime import date

_NOOIT = threading.Event()  # never set: waiting on it is a hang that costs no CPU


class Hangt:
    """Answers its first two days, then never returns from the day grant."""

    def __init__(self) -> None:
        self.dagen: list[date] = []

    def geef_dag(self, dag: date) -> bool:
        self.dagen.append(dag)
        if len(self.dagen) > 2:
            _NOOIT.wait()
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        return []


class HangtBijBegin:
    """Never returns from the start of the run."""

    def begin(self, run) -> None:
        _NOOIT.wait()

    def geef_dag(self, dag: date) -> bool:
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        return []


class Crasht:
    """Raises on its third day grant, and on every collection after that."""

    def __init__(self) -> None:
        self.dagen = 0

    def geef_dag(self, dag: date) -> bool:
        self.dagen += 1
        if self.dagen >= 3:
            raise RuntimeError("database is locked")
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        if self.dagen >= 3:
            raise OSError("disk full")
        return []


class Traag:
    """Takes ``seconden`` over each day grant: within a generous day timeout, not within a short one."""

    seconden = 0.3

    def geef_dag(self, dag: date) -> bool:
        threading.Event().wait(self.seconden)
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        return []


class Goed:
    """Answers every day, sends nothing."""

    def geef_dag(self, dag: date) -> bool:
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        return []


class BouwFaalt:
    """Its constructor raises: reported as the reason of every call, not a traceback."""

    def __init__(self) -> None:
        raise ValueError("geen licentie")

    def geef_dag(self, dag: date) -> bool:  # pragma: no cover - never reached
        return True

    def haal_op(self, dag: date) -> list[bytes]:  # pragma: no cover
        return []


SUT_OBJECT = Goed()  # an object (not a class) is used as it is
