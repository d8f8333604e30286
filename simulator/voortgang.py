"""A progress bar for long runs: silent for the first second or so, then one line on stderr
(redrawn in place on a terminal; every 10 % as a plain line when stderr is a file or CI log)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Voortgang:
    def __init__(self, totaal: int, label: str = "", stroom: TextIO | None = None, na_seconden: float = 1.5) -> None:
        self.totaal = max(1, totaal)
        self.label = label
        self.stroom = stroom or sys.stderr
        self.begin = time.monotonic()
        self.na = na_seconden
        self.tty = hasattr(self.stroom, "isatty") and self.stroom.isatty()
        self._laatste_tiende = -1
        self._getoond = False

    def stap(self, gedaan: int, extra: str = "") -> None:
        verstreken = time.monotonic() - self.begin
        if verstreken < self.na:
            return
        deel = min(1.0, gedaan / self.totaal)
        if self.tty:
            breedte = 30
            vol = int(deel * breedte)
            self.stroom.write(f"\r{self.label} [{'#' * vol}{'.' * (breedte - vol)}] {deel:4.0%} {extra}   ")
            self.stroom.flush()
            self._getoond = True
        else:
            tiende = int(deel * 10)
            if tiende != self._laatste_tiende:
                self._laatste_tiende = tiende
                self.stroom.write(f"{self.label} {deel:4.0%} {extra} ({verstreken:.0f} s)\n")
                self.stroom.flush()

    def klaar(self) -> None:
        if self._getoond and self.tty:
            self.stroom.write("\n")
            self.stroom.flush()
