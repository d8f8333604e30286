"""``ketensim check --follow``: read a ledger while a run is still writing it.

The ledger is append-only JSON Lines, flushed line by line (simulator/ledger.py), so a reader can
tail it: read what is there, wait, read what was added.  Only complete lines (ending in a
newline) are used; a line still being written stays in the buffer until its newline arrives.
Following stops at the ``einde`` line (the run finished: the result is the same as an offline
check of the finished ledger) or when the file has not grown for ``timeout`` seconds (the run
stopped or hangs: the result covers what was read, and deadlines still open are inconclusive,
as for an interrupted run).  The follower only reads; it never changes the ledger.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from simulator.ledger import LEDGER_NAAM, Boeking, Gebeurtenis, LedgerFout

from .invoer import Invoer


def _pad(pad: str | Path) -> Path:
    p = Path(pad)
    if p.is_dir() or (not p.exists() and p.suffix != ".jsonl"):
        return p / LEDGER_NAAM
    return p


@dataclass
class Volger:
    """Tails one ledger file: complete lines as parsed records, in order."""

    pad: Path
    timeout: float
    poll: float = 0.1
    klok: Callable[[], float] = time.monotonic
    slaap: Callable[[float], None] = time.sleep
    waarschuwingen: list[str] = field(default_factory=list)
    einde: dict[str, Any] | None = None
    gestopt: str | None = None  # why following stopped without an 'einde' line
    _fh: Any = None
    _buffer: bytes = b""
    _regel: int = 0
    wachtbeurten: int = 0  # polls that found nothing new (> 0: the file was read while growing)

    def _open(self) -> None:
        """Wait up to ``timeout`` seconds for the file to appear."""
        grens = self.klok() + self.timeout
        while True:
            try:
                self._fh = open(self.pad, "rb")
                return
            except FileNotFoundError:
                if self.klok() >= grens:
                    raise LedgerFout(f"{self.pad}: no ledger appeared within {self.timeout:g} s") from None
                self.slaap(self.poll)
            except OSError as exc:
                raise LedgerFout(f"{self.pad}: cannot read: {exc}") from None

    def regels(self) -> Iterator[dict[str, Any]]:
        """Every JSON object of the file as it grows, until 'einde' or ``timeout`` s without growth."""
        if self._fh is None:
            self._open()
        laatste_groei = self.klok()
        try:
            while True:
                blok = self._fh.read(1 << 16)
                if blok:
                    laatste_groei = self.klok()
                    self._buffer += blok
                    *hele, self._buffer = self._buffer.split(b"\n")
                    for line in hele:
                        rec = self._lees(line)
                        if rec is None:
                            continue
                        yield rec
                        if rec.get("soort") == "einde":
                            self.einde = rec
                            return
                    continue
                if self.klok() - laatste_groei >= self.timeout:
                    self.gestopt = (f"{self.pad}: no new records for {self.timeout:g} s and no 'einde' line: "
                                    "the run stopped or hangs; judging what was read")
                    if self._buffer.strip():
                        self.waarschuwingen.append(f"{self.pad}: an incomplete last line was skipped")
                    self.waarschuwingen.append(self.gestopt)
                    return
                self.wachtbeurten += 1
                self.slaap(self.poll)
        finally:
            self._fh.close()

    def _lees(self, line: bytes) -> dict[str, Any] | None:
        self._regel += 1
        if not line.strip():
            return None
        try:
            rec = json.loads(line)
        except ValueError:
            self.waarschuwingen.append(f"{self.pad}:{self._regel}: unreadable line skipped")
            return None
        return rec if isinstance(rec, dict) else None


class VolgInvoer(Invoer):
    """An :class:`Invoer` whose records come from a growing ledger; ``compleet`` becomes true when
    the 'einde' line is read."""

    volger: Volger
    _rest: Iterator[dict[str, Any]]

    def stroom(self) -> Iterator[Boeking | Gebeurtenis]:
        for rec in self._rest:
            soort = rec.get("soort")
            if soort == "bericht":
                yield Boeking.from_record(rec)
            elif soort == "gebeurtenis":
                yield Gebeurtenis.from_record(rec)
        self.compleet = self.volger.einde is not None
        for w in self.volger.waarschuwingen:
            if w not in self.waarschuwingen:
                self.waarschuwingen.append(w)
                print(f"warning: {w}", file=sys.stderr)


def volg_invoer(pad: str | Path, timeout: float, poll: float = 0.1) -> VolgInvoer:
    """Open a ledger that may still be written: waits (up to ``timeout`` s) for its 'run' line."""
    volger = Volger(_pad(pad), timeout, poll)
    regels = volger.regels()
    eerste = next(regels, None)
    if eerste is None or eerste.get("soort") != "run":
        raise LedgerFout(f"{volger.pad}: not a ketensim ledger (no 'run' record first)"
                         + (f"; {volger.gestopt}" if volger.gestopt else ""))
    inv = VolgInvoer(f"ledger {volger.pad} (followed)", None, volger.pad, dict(eerste), False, True, [])
    inv.volger = volger
    inv._rest = regels
    return inv
