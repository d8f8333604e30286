"""The mailbox adapter: per-day inbox/outbox folders and a clock file, failures as values."""

from __future__ import annotations

import threading
import time
from datetime import date

from simulator.sut_mailbox import MAX_BERICHT, MailboxAdapter

D1, D2 = date(2026, 1, 5), date(2026, 1, 6)


def _echo_sut(map_, stop):
    """A file-exchanging SUT: on each granted day, answers every inbox message of that day."""
    gedaan = set()
    while not stop.is_set():
        klok = map_ / "klok"
        dag = klok.read_text().strip() if klok.exists() else ""
        if dag and dag not in gedaan:
            uit = map_ / "outbox" / dag
            uit.mkdir(parents=True, exist_ok=True)
            for p in sorted((map_ / "inbox" / dag).glob("*.xml")):
                (uit / ("antwoord-" + p.name)).write_bytes(b"re:" + p.read_bytes())
            (map_ / "klaar").write_text(dag)
            gedaan.add(dag)
        time.sleep(0.01)


def test_lock_step_through_folders(tmp_path):
    stop = threading.Event()
    t = threading.Thread(target=_echo_sut, args=(tmp_path, stop), daemon=True)
    t.start()
    try:
        a = MailboxAdapter(tmp_path, timeout=3)
        assert a.begin({"run": "r1", "rol": "aanbieder", "code": "12345678"}) == ""
        assert '"r1"' in (tmp_path / "run.json").read_text()
        assert a.lever(D1, [b"<a/>", b"<b/>"]) == ""
        assert a.geef_dag(D1).beantwoord
        assert a.haal_op(D1) == [b"re:<a/>", b"re:<b/>"]
        assert a.geef_dag(D2).beantwoord and a.haal_op(D2) == []
        a.einde()
        assert (tmp_path / "einde").exists()
    finally:
        stop.set()


def test_unanswered_day_is_a_value_not_a_hang(tmp_path):
    a = MailboxAdapter(tmp_path, timeout=0.2)
    a.begin({"run": "r"})
    (tmp_path / "klaar").write_text(D1.isoformat())  # a stale answer of another day does not count
    uit = a.geef_dag(D2)
    assert not uit.beantwoord and "binnen 0.2 s" in uit.reden


def test_every_outbox_file_is_collected_and_size_limited(tmp_path):
    a = MailboxAdapter(tmp_path)
    uit = tmp_path / "outbox" / D1.isoformat()
    uit.mkdir(parents=True)
    (uit / "1.txt").write_bytes(b"not xml")          # not *.xml: still collected, the codec judges it
    (uit / "2.xml").write_bytes(b"x" * (MAX_BERICHT + 100))
    (uit / ".bezig.tmp").write_bytes(b"half")          # being written: ignored
    berichten = a.haal_op(D1)
    assert berichten[0] == b"not xml" and len(berichten[1]) == MAX_BERICHT + 1 and len(berichten) == 2
    assert a.haal_op(D2) == []


def test_unwritable_folder_is_a_reason(tmp_path):
    (tmp_path / "bestand").write_text("")
    a = MailboxAdapter(tmp_path / "bestand" / "mailbox")
    assert "mailbox" in a.begin({"run": "r"})
    assert not a.geef_dag(D1).beantwoord
