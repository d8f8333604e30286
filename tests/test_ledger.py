"""The JSON Lines ledger: round trips, completeness, interrupted runs, flushing, what is not a ledger."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.ledger import (
    LEDGER_NAAM, Boeking, Gebeurtenis, Ledger, LedgerFout, LedgerWriter, ledger_pad, open_ledger,
)

D = date.fromisoformat
RUN = {"profiel": "mijov-2024", "seed": 7, "scenario": "mix", "start": "2026-01-05"}


def boeking(seq: int, **kw) -> Boeking:
    velden = dict(
        seq=seq, datum=D("2026-01-05"), afzender="12345678", ontvanger="0200", berichttype="JW315",
        identificatie=f"A{seq:05d}", xml=b"<Bericht>Cli\xc3\xabnt</Bericht>",
    )
    velden.update(kw)
    return Boeking(**velden)


def schrijf(pad: Path, records: list[Boeking | Gebeurtenis], einde: dict | None = None) -> None:
    w = LedgerWriter(pad, RUN)
    for r in records:
        (w.bericht if isinstance(r, Boeking) else w.gebeurtenis)(r)
    w.sluit(einde)


VOLLEDIG = boeking(
    1, heen="G00001", bsn="999990019", toewijzingnummers=("T1", "T2"), route="extern", scenario="mix",
    traject="t-0001", rol="sut", datum=D("2026-04-09"), berichttype="JW302",
)


# -- round trips --------------------------------------------------------------------------------

def test_boeking_round_trip_all_fields(tmp_path):
    pad = tmp_path / LEDGER_NAAM
    g = Gebeurtenis(2, D("2026-04-09"), "start_zorg", actor="12345678", bsn="999990019", traject="t-0001",
                    route="extern", gegevens={"product": "45A12", "uren": 3})
    minimaal = boeking(3)
    schrijf(pad, [VOLLEDIG, g, minimaal], einde={"berichten": 2})
    led = open_ledger(pad)
    assert list(led.records()) == [VOLLEDIG, g, minimaal]
    assert list(led.berichten()) == [VOLLEDIG, minimaal]
    assert led.run == {"soort": "run", **RUN}
    assert led.compleet and led.einde == {"soort": "einde", "berichten": 2}
    assert led.waarschuwingen == []


def test_optional_fields_are_left_out_of_the_record():
    rec = boeking(5).as_record()
    assert set(rec) == {"soort", "seq", "datum", "afzender", "ontvanger", "berichttype", "identificatie", "xml"}
    assert rec["xml"] == "<Bericht>Cliënt</Bericht>"
    assert Gebeurtenis(1, D("2026-01-05"), "intake").as_record() == {
        "soort": "gebeurtenis", "seq": 1, "datum": "2026-01-05", "wat": "intake"}


def test_non_utf8_xml_is_stored_as_base64(tmp_path):
    rommel = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>Cli\xebnt \xff\xfe</a>"
    b = boeking(1, xml=rommel)
    rec = b.as_record()
    assert "xml" not in rec and base64.b64decode(rec["xml_b64"]) == rommel
    pad = tmp_path / LEDGER_NAAM
    schrijf(pad, [b], einde={})
    assert list(open_ledger(pad).berichten()) == [b]


def test_utf8_xml_is_stored_as_text_readable_with_plain_tools(tmp_path):
    pad = tmp_path / LEDGER_NAAM
    schrijf(pad, [boeking(1)], einde={})
    regels = pad.read_bytes().splitlines()
    assert len(regels) == 3
    assert "Cliënt".encode() in regels[1]  # not \u00eb-escaped: grep finds it
    assert [json.loads(r)["soort"] for r in regels] == ["run", "bericht", "einde"]


@settings(max_examples=60, deadline=None)
@given(
    xml=st.binary(max_size=200),
    tekst=st.text(max_size=30),
    nummers=st.lists(st.text(min_size=1, max_size=8), max_size=3),
)
def test_round_trip_property(tmp_path_factory, xml, tekst, nummers):
    pad = tmp_path_factory.mktemp("l") / LEDGER_NAAM
    b = boeking(1, xml=xml, identificatie=tekst, toewijzingnummers=tuple(nummers), traject=tekst or None)
    schrijf(pad, [b], einde={})
    assert list(open_ledger(pad).berichten()) == [b]


# -- completeness and interrupted runs ---------------------------------------------------------

def test_einde_marks_complete_and_its_absence_warns(tmp_path):
    pad = tmp_path / LEDGER_NAAM
    schrijf(pad, [boeking(1)], einde=None)
    led = open_ledger(pad)
    assert not led.compleet and led.einde is None
    assert len(led.waarschuwingen) == 1 and "did not finish" in led.waarschuwingen[0]
    assert list(led.berichten()) == [boeking(1)]


def test_torn_final_line_is_skipped_with_a_warning(tmp_path):
    pad = tmp_path / LEDGER_NAAM
    records = [boeking(1), Gebeurtenis(2, D("2026-01-05"), "intake"), boeking(3)]
    schrijf(pad, records, einde=None)
    volgende = json.dumps(boeking(4).as_record()).encode()
    with open(pad, "ab") as fh:
        fh.write(volgende[: len(volgende) // 2])  # the write the interruption cut short
    led = open_ledger(pad)
    assert list(led.records()) == records
    assert not led.compleet
    assert any(f"{pad}:5:" in w and "unreadable line" in w for w in led.waarschuwingen)
    assert any("did not finish" in w for w in led.waarschuwingen)


def test_records_are_flushed_before_sluit(tmp_path):
    pad = tmp_path / LEDGER_NAAM
    w = LedgerWriter(pad, RUN)
    w.bericht(boeking(w.volgnummer()))
    w.gebeurtenis(Gebeurtenis(w.volgnummer(), D("2026-01-05"), "intake"))
    led = open_ledger(pad)  # a second reader while the writer is still open
    assert [r.seq for r in led.records()] == [1, 2]
    assert not led.compleet
    w.bericht(boeking(w.volgnummer()))
    assert [r.seq for r in led.records()] == [1, 2, 3]  # records() streams the file afresh
    w.sluit({"berichten": w.aantal_berichten})
    assert open_ledger(pad).compleet
    assert w.aantal_berichten == 2


def test_writer_numbers_and_closes_idempotently(tmp_path):
    w = LedgerWriter(tmp_path / "sub" / "dir" / LEDGER_NAAM, RUN)  # folders are created
    assert [w.volgnummer() for _ in range(3)] == [1, 2, 3]
    w.sluit({"n": 1})
    w.sluit({"n": 2})  # second close is a no-op, not a second einde
    regels = (tmp_path / "sub" / "dir" / LEDGER_NAAM).read_text(encoding="utf-8").splitlines()
    assert len(regels) == 2 and json.loads(regels[1]) == {"soort": "einde", "n": 1}


# -- finding and rejecting ledgers ---------------------------------------------------------------

def test_open_ledger_on_a_run_folder(tmp_path):
    schrijf(tmp_path / LEDGER_NAAM, [boeking(1)], einde={})
    assert ledger_pad(tmp_path) == tmp_path / LEDGER_NAAM
    led = open_ledger(tmp_path)
    assert isinstance(led, Ledger) and led.pad == tmp_path / LEDGER_NAAM and led.compleet
    assert open_ledger(str(tmp_path)).compleet


def test_folder_without_ledger(tmp_path):
    with pytest.raises(LedgerFout, match="no ledger found"):
        open_ledger(tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(LedgerFout, match="no ledger found"):
        open_ledger(tmp_path / "weg.jsonl")


@pytest.mark.parametrize("inhoud", [
    b"",
    b'{"soort": "bericht", "seq": 1}\n',
    b"seq,datum,afzender\n1,2026-01-05,12345678\n",
    b'[1, 2, 3]\n"run"\n',
])
def test_not_a_ledger(tmp_path, inhoud):
    pad = tmp_path / "ander.jsonl"
    pad.write_bytes(inhoud)
    with pytest.raises(LedgerFout, match="not a ketensim ledger"):
        open_ledger(pad)


# -- regressions --------------------------------------------------------------------------------

def test_torn_line_cut_inside_a_multibyte_character(tmp_path):
    """An interruption can cut a write between the two bytes of 'ë'; that line is then not UTF-8
    at all, which json.loads reports as UnicodeDecodeError rather than JSONDecodeError."""
    pad = tmp_path / LEDGER_NAAM
    schrijf(pad, [boeking(1)], einde=None)
    volgende = json.dumps(boeking(2).as_record(), ensure_ascii=False).encode("utf-8")
    knip = volgende.index("ë".encode()) + 1
    with open(pad, "ab") as fh:
        fh.write(volgende[:knip])
    led = open_ledger(pad)
    assert list(led.records()) == [boeking(1)]
    assert any("unreadable line" in w for w in led.waarschuwingen)


def test_binary_file_is_not_a_ledger(tmp_path):
    pad = tmp_path / "plaatje.png"
    pad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd\n\xc3\x28\n")
    with pytest.raises(LedgerFout, match="not a ketensim ledger"):
        open_ledger(pad)


def test_dates_and_paths_in_run_header_and_gebeurtenis(tmp_path):
    """The run header naturally holds the start date and the schema folder; events carry dates."""
    pad = tmp_path / LEDGER_NAAM
    w = LedgerWriter(pad, {"start": D("2026-01-05"), "schemas": Path("/data/istandaarden")})
    w.gebeurtenis(Gebeurtenis(w.volgnummer(), D("2026-01-06"), "start_zorg", gegevens={"start": D("2026-01-06")}))
    w.sluit({"eind": D("2026-03-31")})
    led = open_ledger(pad)
    assert led.run == {"soort": "run", "start": "2026-01-05", "schemas": "/data/istandaarden"}
    assert [g.gegevens for g in led.records()] == [{"start": "2026-01-06"}]
    assert led.einde == {"soort": "einde", "eind": "2026-03-31"}


def test_unwritable_value_says_what_it_is(tmp_path):
    w = LedgerWriter(tmp_path / LEDGER_NAAM, RUN)
    with pytest.raises(TypeError, match="cannot write set"):
        w.gebeurtenis(Gebeurtenis(w.volgnummer(), D("2026-01-06"), "x", gegevens={"s": {1}}))
    w.sluit()
