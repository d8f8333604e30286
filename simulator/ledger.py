"""The ledger: every message as it crossed the bus, append-only on disk (JSON Lines).

Why JSON Lines and not SQLite (see docs/architecture.md): one line per record is append-only by
construction, survives an interrupted run line by line (a torn last line is detected and
skipped with a warning), streams through the checker in constant memory, merges shard ledgers
by a plain ordered merge, and is readable by any tool (``jq``, ``grep``) without ketensim.

Record kinds, one JSON object per line:

* ``{"soort": "run", ...}`` — first line: profile, seed, scenario, start date, schema folder;
* ``{"soort": "bericht", ...}`` — one message: simulated date, sender, receiver, type,
  BerichtIdentificatie, the heenbericht a retour answers, BSN, toewijzingnummers, route,
  scenario, trajectory and the exact XML (``xml`` as text, or ``xml_b64`` when the bytes are
  not UTF-8, e.g. garbage from a system under test);
* ``{"soort": "gebeurtenis", ...}`` — something that happened outside the message traffic
  (intake, start/end of care, a client without BSN handled by mail, a SUT that timed out);
* ``{"soort": "einde", ...}`` — last line of a run that finished (absent after an interruption).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath
from typing import IO, Any, Iterator

LEDGER_NAAM = "ledger.jsonl"


@dataclass(frozen=True, slots=True)
class Boeking:
    """One message in the ledger."""

    seq: int
    datum: date
    afzender: str
    ontvanger: str
    berichttype: str
    identificatie: str
    xml: bytes
    heen: str | None = None  # BerichtIdentificatie of the heenbericht this retour answers
    bsn: str | None = None
    toewijzingnummers: tuple[str, ...] = ()
    route: str | None = None
    scenario: str | None = None
    traject: str | None = None
    rol: str | None = None  # "reference" | "sut" — which kind of actor sent it

    def as_record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "soort": "bericht", "seq": self.seq, "datum": self.datum.isoformat(),
            "afzender": self.afzender, "ontvanger": self.ontvanger, "berichttype": self.berichttype,
            "identificatie": self.identificatie,
        }
        for key in ("heen", "bsn", "route", "scenario", "traject", "rol"):
            v = getattr(self, key)
            if v is not None:
                rec[key] = v
        if self.toewijzingnummers:
            rec["toewijzingnummers"] = list(self.toewijzingnummers)
        try:
            rec["xml"] = self.xml.decode("utf-8")
        except UnicodeDecodeError:
            rec["xml_b64"] = base64.b64encode(self.xml).decode("ascii")
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Boeking":
        xml = rec["xml"].encode("utf-8") if "xml" in rec else base64.b64decode(rec.get("xml_b64", ""))
        return cls(
            seq=int(rec["seq"]), datum=date.fromisoformat(rec["datum"]), afzender=rec["afzender"],
            ontvanger=rec["ontvanger"], berichttype=rec["berichttype"], identificatie=rec["identificatie"],
            xml=xml, heen=rec.get("heen"), bsn=rec.get("bsn"),
            toewijzingnummers=tuple(rec.get("toewijzingnummers", ())), route=rec.get("route"),
            scenario=rec.get("scenario"), traject=rec.get("traject"), rol=rec.get("rol"),
        )


@dataclass(frozen=True, slots=True)
class Gebeurtenis:
    """Something recorded that is not a message (ground truth, outside-traffic handling, SUT trouble)."""

    seq: int
    datum: date
    wat: str
    actor: str | None = None
    bsn: str | None = None
    traject: str | None = None
    route: str | None = None
    gegevens: dict[str, Any] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {"soort": "gebeurtenis", "seq": self.seq, "datum": self.datum.isoformat(), "wat": self.wat}
        for key in ("actor", "bsn", "traject", "route"):
            v = getattr(self, key)
            if v is not None:
                rec[key] = v
        if self.gegevens:
            rec["gegevens"] = self.gegevens
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Gebeurtenis":
        return cls(int(rec["seq"]), date.fromisoformat(rec["datum"]), rec["wat"], rec.get("actor"), rec.get("bsn"),
                   rec.get("traject"), rec.get("route"), rec.get("gegevens", {}))


def _json_waarde(v: Any) -> Any:
    """JSON for the values a run header or event naturally carries: dates (ISO text), paths."""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, PurePath):
        return str(v)
    raise TypeError(f"cannot write {type(v).__name__} {v!r} to the ledger (use str, number, bool, list, dict or date)")


#: one encoder for every line (json.dumps with options builds a new JSONEncoder per call)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=False, default=_json_waarde)


def _dump(rec: dict[str, Any]) -> bytes:
    return (_ENCODER.encode(rec) + "\n").encode("utf-8")


class LedgerWriter:
    """Append-only writer. Every record is flushed to the OS as it is written, so an interrupted
    run (Ctrl-C, a crash of the harness) loses nothing already sent."""

    def __init__(self, pad: Path, run: dict[str, Any]) -> None:
        self.pad = pad
        pad.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] = open(pad, "wb")
        self._seq = 0
        self.aantal_berichten = 0
        self._schrijf({"soort": "run", **run})

    def _schrijf(self, rec: dict[str, Any]) -> None:
        self._fh.write(_dump(rec))
        self._fh.flush()

    def volgnummer(self) -> int:
        self._seq += 1
        return self._seq

    def bericht(self, boeking: Boeking) -> None:
        self._schrijf(boeking.as_record())
        self.aantal_berichten += 1

    def gebeurtenis(self, g: Gebeurtenis) -> None:
        self._schrijf(g.as_record())

    def sluit(self, einde: dict[str, Any] | None = None) -> None:
        """Close; with ``einde`` the run is marked complete (an interrupted run has no 'einde')."""
        if self._fh.closed:
            return
        if einde is not None:
            self._schrijf({"soort": "einde", **einde})
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


@dataclass
class Ledger:
    """A ledger read back from disk, streamed: iterate :meth:`records` without holding it all."""

    pad: Path
    run: dict[str, Any]
    einde: dict[str, Any] | None
    waarschuwingen: list[str]

    @property
    def compleet(self) -> bool:
        return self.einde is not None

    def records(self) -> Iterator[Boeking | Gebeurtenis]:
        for rec in _regels(self.pad, []):  # warnings were collected by open_ledger
            soort = rec.get("soort")
            if soort == "bericht":
                yield Boeking.from_record(rec)
            elif soort == "gebeurtenis":
                yield Gebeurtenis.from_record(rec)

    def berichten(self) -> Iterator[Boeking]:
        return (r for r in self.records() if isinstance(r, Boeking))


class LedgerFout(Exception):
    """A ledger file cannot be read at all (missing, not a ledger)."""


def ledger_pad(pad: str | Path) -> Path:
    """Accept a ledger file or a run's ``--out`` folder."""
    p = Path(pad)
    if p.is_dir():
        p = p / LEDGER_NAAM
    if not p.is_file():
        raise LedgerFout(f"{pad}: no ledger found (expected a {LEDGER_NAAM} file or a run's --out folder)")
    return p


_HEEL_RECORD = (b'{"soort":"bericht",', b'{"soort":"gebeurtenis",')


def record_dicts(pad: str | Path) -> Iterator[dict[str, Any]]:
    """The ledger's records as plain dicts, streamed (unreadable lines skipped, as :meth:`Ledger.records`
    does): for a quick pass that needs a few fields, without building :class:`Boeking` objects."""
    return _regels(ledger_pad(pad), [])


def _regels(pad: Path, waarschuwingen: list[str], alleen_kop: bool = False) -> Iterator[dict[str, Any]]:
    """The records of a ledger file. ``alleen_kop`` (open_ledger's scan for run/einde and torn lines):
    a message or event line that is whole — as the writer writes it, ending in ``}`` and its newline —
    is not decoded (decoding every line twice was a third of a check's reading time); a torn line
    lacks its newline, so it is still decoded, fails and is reported."""
    with open(pad, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line or line.isspace():  # not line.strip(): that copies every (up to 100 kB) line
                continue
            if alleen_kop and line.startswith(_HEEL_RECORD) and line.endswith(b"}\n"):
                continue
            try:
                rec = json.loads(line)
            except ValueError:  # JSONDecodeError, or UnicodeDecodeError when a write was cut mid-character
                waarschuwingen.append(f"{pad}:{n}: unreadable line skipped (torn write of an interrupted run?)")
                continue
            if isinstance(rec, dict):
                yield rec


def open_ledger(pad: str | Path) -> Ledger:
    """Open a ledger for reading: header, completeness and warnings are known at once."""
    p = ledger_pad(pad)
    waarschuwingen: list[str] = []
    run: dict[str, Any] | None = None
    einde = None
    for rec in _regels(p, waarschuwingen, alleen_kop=True):
        if rec.get("soort") == "run" and run is None:
            run = rec
        elif rec.get("soort") == "einde":
            einde = rec
    if run is None:
        raise LedgerFout(f"{p}: not a ketensim ledger (no 'run' record)")
    if einde is None:
        waarschuwingen.append(f"{p}: the run did not finish (no 'einde' record): the ledger holds what was sent until it stopped")
    return Ledger(p, run, einde, waarschuwingen)
