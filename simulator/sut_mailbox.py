"""Mailbox adapter: a SUT that exchanges files, in lock-step through per-day folders and a clock file.

Layout of the mailbox folder DIR (``--sut aanbieder:AGB=mailbox:DIR``); the harness creates it:

    DIR/run.json                  the run: {"run", "rol", "code", "profiel", "startdatum", "contracten"}
                                  (same JSON as the HTTP API's PUT /runs/{run})
    DIR/inbox/YYYY-MM-DD/NNNN.xml the messages the SUT receives on that werkdag (harness writes)
    DIR/toegang/YYYY-MM-DD/NNNN.json  (gemeente) decisions of its own toegang that day, as the HTTP
                                  API's POST /toegang body (harness writes)
    DIR/zorg/YYYY-MM-DD/NNNN.json (aanbieder) care events of that day (intake, start, pause, end of
                                  care, a month's care delivered), as the HTTP API's POST /zorg body
                                  (harness writes)
    DIR/klok                      "YYYY-MM-DD": the day granted ("it is now D; finish your work for D")
    DIR/outbox/YYYY-MM-DD/*.xml   what the SUT sent on that day (SUT writes, BEFORE writing klaar)
    DIR/klaar                     "YYYY-MM-DD": the SUT finished the day (SUT writes)
    DIR/einde                     the run has ended (harness writes)

Every file is written under a temporary name starting with "." and then renamed, so a reader never
sees half a file; both sides ignore names starting with ".". All files in an outbox day folder are
collected (not only *.xml), read up to a size limit, and handed to the safe codec like any message.
Failures are values (:class:`MailboxDag`), never exceptions.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MAX_BERICHT = 5 * 1024 * 1024  # one byte more than the codec accepts is enough to be refused there


@dataclass(frozen=True)
class MailboxDag:
    """Outcome of granting a day: answered, or not (with the reason)."""

    dag: date
    beantwoord: bool
    reden: str = ""


def _schrijf(pad: Path, data: bytes) -> None:
    pad.parent.mkdir(parents=True, exist_ok=True)
    tmp = pad.with_name("." + pad.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, pad)


class MailboxAdapter:
    def __init__(self, map_: str | os.PathLike[str], timeout: float = 30.0, poll: float = 0.02) -> None:
        self.map = Path(map_)
        self.timeout, self.poll = timeout, poll
        self._teller = 0

    def begin(self, run) -> str:
        """Start the run (a :class:`simulator.sut.RunInfo` or its dict); '' when fine, else the reason."""
        run = run.as_dict() if hasattr(run, "as_dict") else run
        try:
            self.map.mkdir(parents=True, exist_ok=True)
            for naam in ("klok", "klaar", "einde"):
                (self.map / naam).unlink(missing_ok=True)
            _schrijf(self.map / "run.json", json.dumps(run, default=str, indent=1).encode())
            return ""
        except OSError as exc:
            return f"mailbox {self.map}: {exc}"

    def lever(self, dag: date, berichten: list[bytes]) -> str:
        try:
            for xml in berichten:
                self._teller += 1
                _schrijf(self.map / "inbox" / dag.isoformat() / f"{self._teller:06d}.xml", xml)
            return ""
        except OSError as exc:
            return f"mailbox {self.map}: {exc}"

    def _json(self, soort: str, dag: date, body: dict) -> str:
        """One JSON body into DIR/{soort}/YYYY-MM-DD/ (toegang, zorg)."""
        try:
            self._teller += 1
            _schrijf(self.map / soort / dag.isoformat() / f"{self._teller:06d}.json",
                     json.dumps(body, default=str, indent=1).encode())
            return ""
        except OSError as exc:
            return f"mailbox {self.map}: {exc}"

    def toegang(self, dag: date, besluit: dict) -> str:
        """A decision of the gemeente's own toegang (the JSON of the HTTP API's POST /toegang)."""
        return self._json("toegang", dag, besluit)

    def zorg(self, dag: date, gebeurtenis: dict) -> str:
        """(aanbieder) a care event of that day (the JSON of the HTTP API's POST /zorg)."""
        return self._json("zorg", dag, gebeurtenis)

    def geef_dag(self, dag: date) -> MailboxDag:
        try:
            _schrijf(self.map / "klok", dag.isoformat().encode())
        except OSError as exc:
            return MailboxDag(dag, False, f"klok niet te schrijven: {exc}")
        grens = time.monotonic() + self.timeout
        while True:
            try:
                if (self.map / "klaar").read_text(encoding="utf-8", errors="replace").strip() == dag.isoformat():
                    return MailboxDag(dag, True)
            except OSError:
                pass
            if time.monotonic() >= grens:
                return MailboxDag(dag, False, f"geen klaar-bestand voor {dag.isoformat()} binnen {self.timeout:g} s")
            time.sleep(self.poll)

    def haal_op(self, dag: date) -> list[bytes]:
        map_ = self.map / "outbox" / dag.isoformat()
        try:
            namen = sorted(p for p in map_.iterdir() if not p.name.startswith(".") and p.is_file())
        except OSError:
            return []
        uit = []
        for p in namen:
            try:
                with p.open("rb") as f:
                    uit.append(f.read(MAX_BERICHT + 1))
            except OSError:
                continue
        return uit

    def einde(self) -> None:
        try:
            _schrijf(self.map / "einde", b"")
        except OSError:
            pass
