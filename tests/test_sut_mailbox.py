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


def test_a_run_with_a_mailbox_sut(tmp_path, registry):
    """`--sut gemeente:0200=mailbox:DIR`: the harness writes the day's messages, toegang decisions and the
    clock; a file-based SUT (a thread here) answers every day with 'klaar' (and sends nothing)."""
    import threading

    from reports.controle import Controleur
    from scenarios.run import RunInstellingen, voer_uit
    from simulator.ledger import Boeking, open_ledger
    from simulator.profiel import laad_profiel
    from simulator.sut import parse_sut_spec

    map_ = tmp_path / "mailbox"
    klaar = threading.Event()

    def sut() -> None:  # answers every granted day, until the harness writes 'einde'
        gezien = ""
        while not (map_ / "einde").exists() and not klaar.is_set():
            try:
                dag = (map_ / "klok").read_text(encoding="utf-8").strip()
            except OSError:
                dag = ""
            if dag and dag != gezien:
                gezien = dag
                (map_ / ".klaar.tmp").write_text(dag, encoding="utf-8")
                (map_ / ".klaar.tmp").replace(map_ / "klaar")
            threading.Event().wait(0.002)

    draad = threading.Thread(target=sut, daemon=True)
    draad.start()
    try:
        profiel = laad_profiel("mijov-2024")
        voer_uit(RunInstellingen(uit=tmp_path / "run", scenario="mix", clients=40, dagen=30, seed=3, profiel=profiel,
                                 sut=parse_sut_spec(f"gemeente:0200=mailbox:{map_}"), sut_timeout=5))
    finally:
        klaar.set()
        draad.join(5)
    assert (map_ / "einde").exists() and (map_ / "run.json").is_file()
    geleverd = list((map_ / "inbox").rglob("*.xml")) if (map_ / "inbox").exists() else []
    besluiten = list((map_ / "toegang").rglob("*.json")) if (map_ / "toegang").exists() else []
    assert geleverd or besluiten  # the SUT got its traffic as files
    led = open_ledger(tmp_path / "run")
    c = Controleur(profiel, registry)
    for r in led.records():
        c.verwerk(r)
    u = c.sluit()
    assert led.compleet and "SUT.lockstep" not in {o.regel for o in u.afwijkingen}
    # a SUT that answers nothing misses its deadlines: the checker says so under the deadline rules
    assert {o.regel for o in u.afwijkingen} & {"TERMIJN.retour_316", "TERMIJN.toewijzing_toegang", "TERMIJN.besluit_vot"}
    assert not any(isinstance(r, Boeking) and r.rol == "sut" for r in led.records())
