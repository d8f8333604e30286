"""SQLite persistence of the back-office: every piece of state is kept per run id.

Tables: runs (settings, counters), inbox (every received message, kept), toegang (decisions of
the gemeente's own toegang), taken (work planned for a werkdag), clienten, toewijzingen,
prestaties (declared lines and their verdict), gi (clients with a GI bepaling), outbox.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (run TEXT PRIMARY KEY, instellingen TEXT NOT NULL, teller INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, run TEXT, datum TEXT, xml BLOB,
                                  berichttype TEXT, verwerkt INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS toegang (id INTEGER PRIMARY KEY, run TEXT, datum TEXT, gegevens TEXT,
                                    verwerkt INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS taken (id INTEGER PRIMARY KEY, run TEXT, datum TEXT, soort TEXT, gegevens TEXT,
                                  gedaan INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS clienten (run TEXT, bsn TEXT, gegevens TEXT, PRIMARY KEY (run, bsn));
CREATE TABLE IF NOT EXISTS toewijzingen (run TEXT, nummer TEXT, bsn TEXT, agb TEXT, std TEXT, gegevens TEXT,
                                         PRIMARY KEY (run, nummer));
CREATE TABLE IF NOT EXISTS prestaties (run TEXT, agb TEXT, referentie TEXT, status TEXT,
                                       PRIMARY KEY (run, agb, referentie));
CREATE TABLE IF NOT EXISTS gi (run TEXT, bsn TEXT, PRIMARY KEY (run, bsn));
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, run TEXT, datum TEXT, xml TEXT);
CREATE INDEX IF NOT EXISTS taken_dag ON taken (run, gedaan, datum);
CREATE INDEX IF NOT EXISTS outbox_dag ON outbox (run, datum);
CREATE INDEX IF NOT EXISTS tw_client ON toewijzingen (run, bsn, agb, std);
"""
TABELLEN = ("runs", "inbox", "toegang", "taken", "clienten", "toewijzingen", "prestaties", "gi", "outbox")


class Opslag:
    """One SQLite file. Callers serialise access (the server holds one lock around every call)."""

    def __init__(self, pad: str) -> None:
        self.db = sqlite3.connect(pad, check_same_thread=False)
        self.db.executescript(SCHEMA)
        self.db.commit()

    def commit(self) -> None:
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    # -- runs ------------------------------------------------------------------------------------
    def start_run(self, run: str, instellingen: dict) -> None:
        self.verwijder_run(run)
        self.db.execute("INSERT INTO runs VALUES (?, ?, 0)", (run, json.dumps(instellingen)))

    def verwijder_run(self, run: str) -> None:
        for t in TABELLEN:
            self.db.execute(f"DELETE FROM {t} WHERE run = ?", (run,))

    def instellingen(self, run: str) -> dict | None:
        rij = self.db.execute("SELECT instellingen FROM runs WHERE run = ?", (run,)).fetchone()
        return json.loads(rij[0]) if rij else None

    def eerste(self, run: str, sleutel: str, waarde: str) -> str:
        """The value first stored under ``sleutel`` for this run (``waarde`` when there is none yet)."""
        inst = self.instellingen(run) or {}
        if sleutel not in inst:
            inst[sleutel] = waarde
            self.db.execute("UPDATE runs SET instellingen = ? WHERE run = ?", (json.dumps(inst), run))
        return inst[sleutel]

    def volgnummer(self, run: str) -> int:
        """The next number of this run (one counter for identificaties and toewijzingnummers)."""
        self.db.execute("UPDATE runs SET teller = teller + 1 WHERE run = ?", (run,))
        return self.db.execute("SELECT teller FROM runs WHERE run = ?", (run,)).fetchone()[0]

    # -- received ----------------------------------------------------------------------------------
    def bewaar_inbox(self, run: str, datum: date, xml: bytes, berichttype: str) -> None:
        self.db.execute("INSERT INTO inbox (run, datum, xml, berichttype) VALUES (?, ?, ?, ?)",
                        (run, datum.isoformat(), xml, berichttype))

    def onverwerkt_inbox(self, run: str, tot: date) -> list[tuple[int, date, bytes]]:
        rijen = self.db.execute("SELECT id, datum, xml FROM inbox WHERE run = ? AND verwerkt = 0 AND datum <= ? "
                                "ORDER BY datum, id", (run, tot.isoformat())).fetchall()
        return [(i, date.fromisoformat(d), bytes(x)) for i, d, x in rijen]

    def bewaar_toegang(self, run: str, datum: date, gegevens: dict) -> None:
        self.db.execute("INSERT INTO toegang (run, datum, gegevens) VALUES (?, ?, ?)",
                        (run, datum.isoformat(), json.dumps(gegevens)))

    def onverwerkt_toegang(self, run: str, tot: date) -> list[tuple[int, date, dict]]:
        rijen = self.db.execute("SELECT id, datum, gegevens FROM toegang WHERE run = ? AND verwerkt = 0 AND datum <= ? "
                                "ORDER BY datum, id", (run, tot.isoformat())).fetchall()
        return [(i, date.fromisoformat(d), json.loads(g)) for i, d, g in rijen]

    def verwerkt(self, tabel: str, rij_id: int) -> None:
        kolom = "gedaan" if tabel == "taken" else "verwerkt"
        self.db.execute(f"UPDATE {tabel} SET {kolom} = 1 WHERE id = ?", (rij_id,))

    # -- planned work ----------------------------------------------------------------------------
    def plan(self, run: str, datum: date, soort: str, gegevens: dict) -> None:
        self.db.execute("INSERT INTO taken (run, datum, soort, gegevens) VALUES (?, ?, ?, ?)",
                        (run, datum.isoformat(), soort, json.dumps(gegevens)))

    def taken_tot(self, run: str, tot: date) -> list[tuple[int, str, dict]]:
        rijen = self.db.execute("SELECT id, soort, gegevens FROM taken WHERE run = ? AND gedaan = 0 AND datum <= ? "
                                "ORDER BY datum, id", (run, tot.isoformat())).fetchall()
        return [(i, s, json.loads(g)) for i, s, g in rijen]

    # -- clients and toewijzingen ------------------------------------------------------------------
    def bewaar_client(self, run: str, bsn: str, gegevens: dict) -> None:
        oud = self.client(run, bsn) or {}
        oud.update({k: v for k, v in gegevens.items() if v is not None})
        self.db.execute("INSERT OR REPLACE INTO clienten VALUES (?, ?, ?)", (run, bsn, json.dumps(oud)))

    def client(self, run: str, bsn: str) -> dict | None:
        rij = self.db.execute("SELECT gegevens FROM clienten WHERE run = ? AND bsn = ?", (run, bsn)).fetchone()
        return json.loads(rij[0]) if rij else None

    def bewaar_toewijzing(self, run: str, tw: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO toewijzingen VALUES (?, ?, ?, ?, ?, ?)",
                        (run, tw["nummer"], tw["bsn"], tw["agb"], tw["std"], json.dumps(tw)))

    def toewijzing(self, run: str, nummer: str) -> dict | None:
        rij = self.db.execute("SELECT gegevens FROM toewijzingen WHERE run = ? AND nummer = ?", (run, nummer)).fetchone()
        return json.loads(rij[0]) if rij else None

    def toewijzingen(self, run: str, bsn: str, agb: str, std: str) -> list[dict]:
        rijen = self.db.execute("SELECT gegevens FROM toewijzingen WHERE run = ? AND bsn = ? AND agb = ? AND std = ? "
                                "ORDER BY nummer", (run, bsn, agb, std)).fetchall()
        return [json.loads(r[0]) for r in rijen]

    def markeer_gi(self, run: str, bsn: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO gi VALUES (?, ?)", (run, bsn))

    def heeft_gi(self, run: str, bsn: str) -> bool:
        return self.db.execute("SELECT 1 FROM gi WHERE run = ? AND bsn = ?", (run, bsn)).fetchone() is not None

    # -- declarations ----------------------------------------------------------------------------
    def prestatie_status(self, run: str, agb: str, referentie: str) -> str | None:
        rij = self.db.execute("SELECT status FROM prestaties WHERE run = ? AND agb = ? AND referentie = ?",
                              (run, agb, referentie)).fetchone()
        return rij[0] if rij else None

    def zet_prestatie(self, run: str, agb: str, referentie: str, status: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO prestaties VALUES (?, ?, ?, ?)", (run, agb, referentie, status))

    # -- sent ------------------------------------------------------------------------------------
    def verstuur(self, run: str, datum: date, xml: bytes) -> None:
        self.db.execute("INSERT INTO outbox (run, datum, xml) VALUES (?, ?, ?)",
                        (run, datum.isoformat(), xml.decode("utf-8")))

    def outbox(self, run: str, datum: date) -> list[str]:
        rijen = self.db.execute("SELECT xml FROM outbox WHERE run = ? AND datum = ? ORDER BY id",
                                (run, datum.isoformat())).fetchall()
        return [r[0] for r in rijen]
