"""The message bus: every message lands in the ledger, with the sender's identificatie and the
clock's date, and reaches whoever registered the receiver's address."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.bus import Aflevering, Bus, Verzending
from simulator.ledger import LEDGER_NAAM, Boeking, Gebeurtenis, LedgerWriter, open_ledger

D = date.fromisoformat
AGB, GEMEENTE = "12345678", "0200"


class Klok:
    def __init__(self, d: date) -> None:
        self.d = d

    def __call__(self) -> date:
        return self.d


class Postbus:
    def __init__(self) -> None:
        self.ontvangen: list[Aflevering] = []

    def ontvang(self, aflevering: Aflevering) -> None:
        self.ontvangen.append(aflevering)


@pytest.fixture
def opstelling(tmp_path):
    klok = Klok(D("2026-04-02"))
    writer = LedgerWriter(tmp_path / LEDGER_NAAM, {"seed": 1})
    bus = Bus(writer, klok)
    yield bus, klok, writer, tmp_path / LEDGER_NAAM
    writer.sluit({})


def verzending(ident: str = "A00001", **kw) -> Verzending:
    velden = dict(afzender=AGB, ontvanger=GEMEENTE, berichttype="JW315", identificatie=ident,
                  xml=f"<Bericht id='{ident}'/>".encode())
    velden.update(kw)
    return Verzending(**velden)


def test_message_is_recorded_and_delivered(opstelling):
    bus, klok, writer, pad = opstelling
    gemeente = Postbus()
    bus.registreer(GEMEENTE, gemeente)
    bericht_object = object()
    v = verzending(bericht=bericht_object, bsn="999990019", toewijzingnummers=("T1",), route="extern",
                   scenario="mix", traject="t-1", heen=None)
    seq = bus.verstuur(v)
    assert seq == 1
    (afl,) = gemeente.ontvangen
    assert afl.verzending is v and afl.verzending.bericht is bericht_object
    assert afl.ontvangen == D("2026-04-02") and afl.seq == 1
    (b,) = open_ledger(pad).records()
    assert b == Boeking(seq=1, datum=D("2026-04-02"), afzender=AGB, ontvanger=GEMEENTE, berichttype="JW315",
                        identificatie="A00001", xml=b"<Bericht id='A00001'/>", bsn="999990019",
                        toewijzingnummers=("T1",), route="extern", scenario="mix", traject="t-1", rol="reference")
    assert writer.aantal_berichten == 1


def test_date_comes_from_the_clock_at_sending_time(opstelling):
    bus, klok, writer, pad = opstelling
    aanbieder = Postbus()
    bus.registreer(AGB, aanbieder)
    bus.verstuur(verzending("G1", afzender=GEMEENTE, ontvanger=AGB, berichttype="JW301"))
    klok.d = D("2026-04-07")  # after Pasen
    bus.verstuur(verzending("B1", afzender=AGB, ontvanger=AGB, berichttype="JW302", heen="G1", rol="sut"))
    berichten = list(open_ledger(pad).berichten())
    assert [(b.identificatie, b.datum, b.heen, b.rol) for b in berichten] == [
        ("G1", D("2026-04-02"), None, "reference"), ("B1", D("2026-04-07"), "G1", "sut")]
    assert [a.ontvangen for a in aanbieder.ontvangen] == [D("2026-04-02"), D("2026-04-07")]


def test_unknown_address_is_recorded_and_reported(opstelling):
    bus, klok, writer, pad = opstelling
    seq = bus.verstuur(verzending(ontvanger="9999", bsn="999990019", traject="t-9", route="crisis"))
    records = list(open_ledger(pad).records())
    assert [type(r) for r in records] == [Boeking, Gebeurtenis]
    b, g = records
    assert b.seq == seq == 1 and b.ontvanger == "9999"
    assert g.wat == "onbestelbaar" and g.seq == 2 and g.datum == D("2026-04-02")
    assert g.actor == AGB and g.bsn == "999990019" and g.traject == "t-9" and g.route == "crisis"
    assert g.gegevens == {"ontvanger": "9999", "berichttype": "JW315", "seq": 1}
    assert bus.per_type == {"JW315": 1}


def test_duplicate_registration_is_refused(opstelling):
    bus, *_ = opstelling
    eerste = Postbus()
    bus.registreer(GEMEENTE, eerste)
    with pytest.raises(ValueError, match="already registered"):
        bus.registreer(GEMEENTE, Postbus())
    bus.verstuur(verzending())
    assert len(eerste.ontvangen) == 1  # the first registration still holds


def test_per_type_counts(opstelling):
    bus, *_ = opstelling
    bus.registreer(GEMEENTE, Postbus())
    for bt in ["JW315", "JW315", "JW317", "WMO323", "JW315"]:
        bus.verstuur(verzending(berichttype=bt))
    bus.verstuur(verzending(ontvanger="0000", berichttype="JW305"))  # undeliverable still counts
    assert bus.per_type == {"JW315": 3, "JW317": 1, "WMO323": 1, "JW305": 1}


def test_reply_sent_during_delivery_keeps_ledger_order(opstelling):
    """A receiver that answers at once (a retour on receipt) is recorded after the message it answers."""
    bus, klok, writer, pad = opstelling

    class Gemeente:
        def ontvang(self, afl: Aflevering) -> None:
            v = afl.verzending
            bus.verstuur(verzending(f"R-{v.identificatie}", afzender=GEMEENTE, ontvanger=v.afzender,
                                    berichttype="JW316", heen=v.identificatie))

    aanbieder = Postbus()
    bus.registreer(GEMEENTE, Gemeente())
    bus.registreer(AGB, aanbieder)
    bus.verstuur(verzending("A1"))
    bus.verstuur(verzending("A2"))
    berichten = list(open_ledger(pad).berichten())
    assert [(b.seq, b.identificatie, b.heen) for b in berichten] == [
        (1, "A1", None), (2, "R-A1", "A1"), (3, "A2", None), (4, "R-A2", "A2")]
    assert [a.seq for a in aanbieder.ontvangen] == [2, 4]


def test_gebeurtenis_uses_clock_and_sequence(opstelling):
    bus, klok, writer, pad = opstelling
    bus.registreer(GEMEENTE, Postbus())
    bus.verstuur(verzending())
    klok.d = D("2026-04-08")
    bus.gebeurtenis("start_zorg", actor=AGB, traject="t-1", gegevens={"product": "45A12"})
    g = list(open_ledger(pad).records())[-1]
    assert g == Gebeurtenis(2, D("2026-04-08"), "start_zorg", actor=AGB, traject="t-1", gegevens={"product": "45A12"})
