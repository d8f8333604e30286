"""render ↔ lees round trips (generated messages and the reference examples), the retour builders
(IV028 / IV087) and ``ketensim generate``."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from simulator import berichten as b
from simulator.cli import main
from simulator.codec import validate
from simulator.genereer import genereer
from simulator.reader import LeesFout, lees
from simulator.render import render, xsd_versie
from simulator.retour import berichtklassen, maak_declaratie_antwoord, maak_retour
from simulator.schemas import ALLE_BERICHTTYPEN, SchemaRegistry

SEEDS = range(6)
XS = "{http://www.w3.org/2001/XMLSchema}"


def _geldig(bericht: b.Bericht, registry: SchemaRegistry) -> bytes:
    xml = render(bericht, registry)
    v = validate(xml, registry, b.berichttype(bericht))
    assert v.geldig, [f.melding for f in v.fouten]
    return xml


# -- generated messages -------------------------------------------------------------------------


@pytest.mark.parametrize("berichttype", ALLE_BERICHTTYPEN)
def test_genereer_render_lees_is_gelijk(registry: SchemaRegistry, berichttype: str) -> None:
    for seed in SEEDS:
        bericht = genereer(berichttype, seed, registry)
        assert b.berichttype(bericht) == berichttype
        assert b.controleer_standaard(bericht) == []
        assert lees(render(bericht, registry), registry) == bericht


def test_lees_neemt_een_element(registry: SchemaRegistry) -> None:
    bericht = genereer("WMO305", 4, registry)
    root = etree.fromstring(render(bericht, registry))
    assert lees(root, registry) == bericht
    assert lees(root.getroottree(), registry) == bericht


# -- reference examples -------------------------------------------------------------------------


def _elementen(xml: bytes) -> list[tuple[str, str]]:
    """(local name, text) of every element in document order: what a reader must keep."""
    return [(etree.QName(el).localname, (el.text or "").strip()) for el in etree.fromstring(xml).iter(etree.Element)]


def _geldige_voorbeelden(voorbeelden: dict[str, Path], registry: SchemaRegistry) -> list[Path]:
    return [p for p in voorbeelden.values() if validate(p.read_bytes(), registry).geldig]


def test_alle_geldige_voorbeelden_lezen_en_terugschrijven(voorbeelden: dict[str, Path], registry: SchemaRegistry) -> None:
    geldig = _geldige_voorbeelden(voorbeelden, registry)
    assert len(geldig) >= 26  # 14 iJw (2 known invalid) + 14 iWmo
    for pad in geldig:
        origineel = pad.read_bytes()
        bericht = lees(origineel, registry)
        opnieuw = render(bericht, registry)
        v = validate(opnieuw, registry)
        assert v.geldig, (pad.name, [f.melding for f in v.fouten])
        assert lees(opnieuw, registry) == bericht, pad.name
        # nothing lost or reordered: same elements with the same text, in the same order
        assert _elementen(opnieuw) == _elementen(origineel), pad.name


def test_ongeldig_voorbeeld_met_onmogelijke_datum_geeft_leesfout(voorbeelden: dict[str, Path], registry: SchemaRegistry) -> None:
    with pytest.raises(LeesFout, match="ToewijzingEinddatum"):
        lees(voorbeelden["jw315"].read_bytes(), registry)


# -- LeesFout ----------------------------------------------------------------------------------


def test_leesfout_onbekende_root(registry: SchemaRegistry) -> None:
    with pytest.raises(LeesFout, match="no iJw/iWmo 3.2 message"):
        lees(b'<?xml version="1.0" encoding="UTF-8"?><x:Bericht xmlns:x="urn:iets"/>', registry)
    with pytest.raises(LeesFout, match="no iJw/iWmo 3.2 message"):
        lees(b"<Bericht/>", registry)


def test_leesfout_ontbrekend_element(registry: SchemaRegistry) -> None:
    root = etree.fromstring(render(genereer("JW301", 1, registry), registry))
    ns = root.nsmap["jw301"]
    bsn = root.find(f"{{{ns}}}Client/{{{ns}}}Bsn")
    bsn.getparent().remove(bsn)
    with pytest.raises(LeesFout, match=r"Bericht/Client/Bsn is missing"):
        lees(root, registry)


def test_leesfout_geen_xml(registry: SchemaRegistry) -> None:
    with pytest.raises(LeesFout, match="not well-formed"):
        lees(b"<niet-af", registry)


# -- retour builders (IV028) ----------------------------------------------------------------------


def _appinfo(pad: Path, naam: str) -> str:
    return etree.parse(str(pad)).getroot().find(f"{XS}annotation/{XS}appinfo").findtext(
        f"{{*}}{naam}").strip()


def test_goedgekeurde_toewijzing_geeft_alleen_header(registry: SchemaRegistry) -> None:
    heen = genereer("JW301", 5, registry)
    retour = maak_retour(heen, identificatie="R1", dagtekening=date(2026, 3, 2), registry=registry)
    assert isinstance(retour, b.ToewijzingRetour)
    assert retour.client is None
    assert retour.retour.retourcodes == ()
    assert retour.header == dataclasses.replace(heen.header, berichtcode=registry.berichtcode("JW302"))
    pad = registry.schema("JW302").pad
    assert retour.retour.xsd_versie == b.XsdVersie(_appinfo(pad, "BasisschemaXsdVersie"), _appinfo(pad, "BerichtXsdVersie"))
    xml = _geldig(retour, registry)
    assert b"Client" not in xml and b"RetourCode" not in xml


def test_afgekeurd_product_geeft_hele_client_met_codes(registry: SchemaRegistry) -> None:
    heen = next(t for s in range(40) if (t := genereer("JW301", s, registry)).client.relaties
                and len(t.client.producten) >= 2)
    fout = heen.client.producten[1]
    retour = maak_retour(heen, identificatie="R2", dagtekening=date(2026, 3, 2), registry=registry,
                         codes_per_klasse={fout: ("9332",)})
    c = retour.client
    assert retour.retour.retourcodes == ("0200",)
    assert c.retourcodes == ("0200",)
    assert c.producten[1].retourcodes == ("9332",)
    assert c.producten[0].retourcodes == ("0200",)
    assert all(r.retourcodes == ("0200",) and r.contact.retourcodes == ("0200",) for r in c.relaties)
    assert all(k.retourcodes == ("0200",) for k in c.contactgegevens)
    # the client's content is unchanged apart from the codes
    zonder = lambda k: dataclasses.replace(k, retourcodes=())  # noqa: E731
    assert zonder(c.producten[1]) == fout
    assert c.bsn == heen.client.bsn and c.naam == heen.client.naam
    xml = _geldig(retour, registry)
    assert lees(xml, registry) == retour


def test_codes_per_klasse_als_functie_en_niet_beoordeeld(registry: SchemaRegistry) -> None:
    heen = genereer("WMO305", 2, registry)

    def codes(klasse: object) -> tuple[str, ...]:
        if isinstance(klasse, b.StartClient):
            return ("9063",)
        return ("0233",)

    retour = maak_retour(heen, identificatie="R3", dagtekening=date(2026, 1, 5), registry=registry,
                         codes_per_klasse=codes, header_codes=("0200",), xslt_versie="1.2.0")
    assert retour.client.retourcodes == ("9063",)
    assert all(p.retourcodes == ("0233",) for p in retour.client.producten)
    assert retour.retour.xslt_versie == "1.2.0"
    _geldig(retour, registry)


def test_header_codes_alleen_geeft_alleen_header(registry: SchemaRegistry) -> None:
    heen = genereer("JW317", 3, registry)
    retour = maak_retour(heen, identificatie="R4", dagtekening=date(2026, 1, 5), registry=registry,
                         header_codes=("0001",), xslt_versie="1.0.0")
    assert retour.client is None and retour.retour.retourcodes == ("0001",)
    _geldig(retour, registry)


def test_antwoord_retour_met_woonplaatsbeginsel(registry: SchemaRegistry) -> None:
    heen = next(a for s in range(60) if (a := genereer("JW319", s, registry)).antwoord.woonplaatsbeginsel)
    retour = maak_retour(heen, identificatie="R5", dagtekening=date(2026, 1, 5), registry=registry,
                         codes_per_klasse={heen.antwoord.woonplaatsbeginsel: ("S300",)})
    assert retour.antwoord.retourcodes == ("0200",)
    assert retour.antwoord.woonplaatsbeginsel.retourcodes == ("S300",)
    _geldig(retour, registry)


def test_berichtklassen_van_een_toewijzing(registry: SchemaRegistry) -> None:
    heen = genereer("JW301", 3, registry)
    klassen = berichtklassen(heen.client)
    c = heen.client
    verwacht = 1 + len(c.relaties) * 2 + len(c.contactgegevens) + len(c.producten)
    assert len(klassen) == verwacht


def test_codes_per_klasse_met_vreemd_object(registry: SchemaRegistry) -> None:
    heen = genereer("JW307", 1, registry)
    ander = genereer("JW307", 2, registry).client.producten[0]
    with pytest.raises(ValueError, match="no berichtklasse"):
        maak_retour(heen, identificatie="R6", dagtekening=date(2026, 1, 5), registry=registry,
                    codes_per_klasse={ander: ("9069",)})


def test_maak_retour_weigert_declaratie(registry: SchemaRegistry) -> None:
    with pytest.raises(TypeError, match="maak_declaratie_antwoord"):
        maak_retour(genereer("JW323", 1, registry), identificatie="x", dagtekening=date(2026, 1, 1), registry=registry)


# -- 325 (IV087) -----------------------------------------------------------------------------------


def _declaratie(registry: SchemaRegistry, std: str = "JW") -> b.Declaratie:
    """A generated 323 with at least two prestaties, one of them credit."""
    for seed in range(200):
        d = genereer(f"{std}323", seed, registry)
        prestaties = [p for c in d.declaratie.clienten for p in c.prestaties]
        if len(prestaties) >= 3 and any(p.bedrag_cent < 0 for p in prestaties) and any(p.bedrag_cent > 0 for p in prestaties):
            return d
    raise AssertionError("no suitable declaratie in 200 seeds")


def test_volledig_toegekende_declaratie(registry: SchemaRegistry) -> None:
    heen = _declaratie(registry)
    antwoord = maak_declaratie_antwoord(heen, identificatie="A1", dagtekening=date(2026, 2, 3), registry=registry)
    assert antwoord.retourcodes == ("0200",)
    assert antwoord.antwoord.retourcodes == ("8001",)
    assert antwoord.antwoord.clienten == ()
    assert antwoord.antwoord.totaal_ingediend_cent == heen.declaratie.totaal_cent
    assert antwoord.antwoord.totaal_toegekend_cent == heen.declaratie.totaal_cent
    assert antwoord.declaratie_identificatie == heen.header.identificatie
    assert antwoord.declaratie_dagtekening == heen.header.dagtekening
    assert antwoord.xsd_versie_declaratie == heen.header.xsd_versie
    assert (antwoord.header.afzender, antwoord.header.ontvanger) == (heen.header.ontvanger, heen.header.afzender)
    assert antwoord.header.xsd_versie == xsd_versie(registry, "JW325")
    _geldig(antwoord, registry)


@pytest.mark.parametrize("std", ["JW", "WMO"])
def test_deels_afgekeurde_declaratie(registry: SchemaRegistry, std: str) -> None:
    heen = _declaratie(registry, std)
    prestaties = [p for c in heen.declaratie.clienten for p in c.prestaties]
    credit = next(p for p in prestaties if p.bedrag_cent < 0)
    debet = next(p for p in prestaties if p.bedrag_cent > 0)
    afgekeurd = {credit.referentie.nummer: ("8017",), debet.referentie.nummer: ("9339", "9340")}
    antwoord = maak_declaratie_antwoord(heen, identificatie="A2", dagtekening=date(2026, 2, 3), registry=registry,
                                        afgekeurd=afgekeurd)
    a = antwoord.antwoord
    assert a.retourcodes == ("0200",)
    assert a.totaal_ingediend_cent == heen.declaratie.totaal_cent
    assert a.totaal_toegekend_cent == heen.declaratie.totaal_cent - credit.bedrag_cent - debet.bedrag_cent
    teruggestuurd = {p.referentie.nummer: p for c in a.clienten for p in c.prestaties}
    assert set(teruggestuurd) == set(afgekeurd)  # approved prestaties are not repeated
    assert teruggestuurd[debet.referentie.nummer].retourcodes == ("9339", "9340")
    assert all(c.retourcodes == ("0200",) for c in a.clienten)
    bsns_met_fout = {c.bsn for c in heen.declaratie.clienten
                     if any(p.referentie.nummer in afgekeurd for p in c.prestaties)}
    assert {c.bsn for c in a.clienten} == bsns_met_fout
    xml = _geldig(antwoord, registry)
    assert lees(xml, registry) == antwoord
    # a credit prestatie: absolute amount with DebetCredit C
    root = etree.fromstring(xml)
    for prestatie in root.iter("{*}Prestatie"):
        nummer = prestatie.findtext("{*}ProductReferentie/{*}ReferentieNummer")
        bedrag = prestatie.find("{*}IngediendBedrag")
        verwacht = teruggestuurd[nummer].bedrag_cent
        assert bedrag.findtext("{*}Bedrag") == str(abs(verwacht))
        assert bedrag.findtext("{*}DebetCredit") == ("C" if verwacht < 0 else "D")


def test_credit_totaal_in_declaratie(registry: SchemaRegistry) -> None:
    heen = _declaratie(registry)
    alles_credit = dataclasses.replace(heen, declaratie=dataclasses.replace(heen.declaratie, totaal_cent=-1234))
    root = etree.fromstring(_geldig(alles_credit, registry))
    totaal = root.find("{*}Declaratie/{*}TotaalIngediendBedrag")
    assert (totaal.findtext("{*}TotaalBedrag"), totaal.findtext("{*}DebetCredit")) == ("1234", "C")
    assert lees(etree.tostring(root), registry).declaratie.totaal_cent == -1234


def test_declaratie_als_geheel_afgekeurd(registry: SchemaRegistry) -> None:
    heen = _declaratie(registry, "WMO")
    antwoord = maak_declaratie_antwoord(heen, identificatie="A3", dagtekening=date(2026, 2, 3), registry=registry,
                                        declaratie_codes=("9333",))
    assert antwoord.antwoord.totaal_toegekend_cent == 0
    assert antwoord.antwoord.retourcodes == ("9333",) and antwoord.antwoord.clienten == ()
    _geldig(antwoord, registry)
    alleen_header = maak_declaratie_antwoord(heen, identificatie="A4", dagtekening=date(2026, 2, 3),
                                             registry=registry, header_codes=("0001",), xslt_versie="1.0.0")
    assert alleen_header.antwoord is None and alleen_header.retourcodes == ("0001",)
    _geldig(alleen_header, registry)


def test_afgekeurd_onbekende_prestatie(registry: SchemaRegistry) -> None:
    with pytest.raises(ValueError, match="not in declaratie"):
        maak_declaratie_antwoord(_declaratie(registry), identificatie="A5", dagtekening=date(2026, 2, 3),
                                 registry=registry, afgekeurd={"BESTAATNIET": ("9307",)})


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_generate_geeft_geldig_bericht(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["generate", "JW301", "--seed", "3"]) == 0
    xml = capsysbinary.readouterr().out
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    bestand = tmp_path / "jw301.xml"
    bestand.write_bytes(xml)
    assert main(["validate", str(bestand)]) == 0
