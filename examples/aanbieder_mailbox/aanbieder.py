"""Example aanbieder system that exchanges files with ketensim: the mailbox of docs/sut.md.

    python examples/aanbieder_mailbox/aanbieder.py DIR [--fault NAME ...] [--schemas DIR] [--poll S]

Run it next to ``ketensim run --sut aanbieder:AGB=mailbox:DIR``.  It waits for the harness to grant
a werkdag (``DIR/klok``), reads that day's messages (``DIR/inbox/DAY/``) and care events
(``DIR/zorg/DAY/``), writes what it sends to ``DIR/outbox/DAY/`` and then ``DIR/klaar``.  It stops
when the harness writes ``DIR/einde``.  Every file is written under a name starting with "." and
renamed, so the harness never sees half a file.  It imports nothing from ketensim.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from administratie import FOUTEN, Administratie  # noqa: E402
from xmlbericht import Schemas, meld  # noqa: E402


def schrijf(pad: Path, data: bytes) -> None:
    pad.parent.mkdir(parents=True, exist_ok=True)
    tmp = pad.with_name("." + pad.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, pad)


def bestanden(map_: Path) -> list[Path]:
    try:
        return sorted(p for p in map_.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:
        return []


def lees_tekst(pad: Path) -> str:
    try:
        return pad.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


class Mailbox:
    def __init__(self, map_: Path, fouten: frozenset[str], schemas: Schemas) -> None:
        self.map, self.fouten, self.schemas = map_, fouten, schemas
        self.adm: Administratie | None = None
        self.run = ""
        self.gedaan = ""  # the last day answered with klaar
        self.teller = 0
        self._stempel = 0  # mtime of the run.json read

    def run_gestart(self) -> bool:
        """(Re)read run.json when it changed; a new run id starts a fresh administration."""
        try:
            stempel = (self.map / "run.json").stat().st_mtime_ns
            if stempel == self._stempel:
                return True
            run = json.loads((self.map / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        self._stempel = stempel
        if run.get("run") != self.run:
            self.run, self.gedaan = str(run.get("run")), ""
            self.adm = Administratie(run, self.fouten)
            meld(f"run {self.run}: aanbieder {run.get('code')}")
        return True

    def geeindigd(self) -> bool:
        try:
            return (self.map / "einde").stat().st_mtime_ns >= (self.map / "run.json").stat().st_mtime_ns
        except OSError:
            return False

    def stap(self) -> bool:
        """Answer the granted day if it is new; True when something was done."""
        dag = lees_tekst(self.map / "klok")
        if not dag or dag == self.gedaan or self.adm is None:
            return False
        inbox = [p.read_bytes() for p in bestanden(self.map / "inbox" / dag)]
        zorg = []
        for p in bestanden(self.map / "zorg" / dag):
            try:
                zorg.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                meld(f"{dag}: {p.name} niet te lezen: {exc}")
        for xml in self.adm.dag(date.fromisoformat(dag), inbox, zorg):
            fout = self.schemas.controleer(xml)
            if fout:
                meld(f"{dag}: eigen bericht niet XSD-valide: {fout}")
            self.teller += 1
            schrijf(self.map / "outbox" / dag / f"{self.teller:06d}.xml", xml)
        schrijf(self.map / "klaar", dag.encode())
        self.gedaan = dag
        return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Example aanbieder system with the ketensim mailbox (docs/sut.md).")
    ap.add_argument("map", nargs="?", type=Path, help="the mailbox folder (as in --sut aanbieder:AGB=mailbox:DIR)")
    ap.add_argument("--fault", action="append", default=[], metavar="NAME",
                    help="a deliberate deviation (repeatable); --fault list shows them")
    ap.add_argument("--schemas", type=Path, default=Path(__file__).resolve().parents[2].parent / "shared" / "istandaarden",
                    help="iStandaarden release folder: every outgoing message is validated against its XSD")
    ap.add_argument("--poll", type=float, default=0.005, help="seconds between looks at the folder")
    args = ap.parse_args(argv)
    if "list" in args.fault:
        for naam, (regel, wat) in FOUTEN.items():
            print(f"{naam} {regel}  {wat}")
        return 0
    onbekend = sorted(set(args.fault) - set(FOUTEN))
    if onbekend or args.map is None:
        ap.error(f"unknown fault(s) {', '.join(onbekend)}" if onbekend else "the mailbox folder is required")
    args.map.mkdir(parents=True, exist_ok=True)
    box = Mailbox(args.map, frozenset(args.fault), Schemas(args.schemas))
    print(f"watching {args.map}", flush=True)
    try:
        while True:
            if box.run_gestart():
                if box.stap():
                    continue
                if box.geeindigd():
                    meld(f"run {box.run}: einde")
                    return 0
            time.sleep(args.poll)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
