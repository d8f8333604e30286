from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from simulator.codelijsten import Codelijsten
from simulator.schemas import IJW, IWMO
from simulator.synthetisch import (
    BSN_POOL_SIZE,
    GEMEENTEN,
    ILLUSTRATIEVE_PRODUCTEN,
    BsnGenerator,
    BsnPoolUitgeput,
    Productcatalogus,
    Synthetisch,
    bsn_elfproef,
    bsn_pool_size,
    leeftijd,
    bsn_pool,
    woonplaatsen,
)

PEILDATUM = date(2025, 3, 1)
POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture(scope="module")
def codelijsten(registry) -> Codelijsten:
    return Codelijsten(registry)


def _xsd_restrictie(schema_dir, standaard, datatype: str) -> dict[str, str]:
    boom = etree.parse(str(schema_dir / standaard.map / "xsd" / "basisschema.xsd"))
    (restrictie,) = boom.findall(f"{XS}simpleType[@name='{datatype}']/{XS}restriction")
    return {etree.QName(f).localname: f.get("value") for f in restrictie}


# -- BSN ----------------------------------------------------------------------------------------


def test_elfproef_known_values():
    assert bsn_elfproef("123456782")  # the worked example of the elfproef document
    assert bsn_elfproef("999900006")
    assert not bsn_elfproef("123456789")
    assert not bsn_elfproef("999900007")
    assert not bsn_elfproef("000000000")  # sum 0 but all zero
    assert not bsn_elfproef("12345678")
    assert not bsn_elfproef("12345678a")
    assert not bsn_elfproef("１２３４５６７８２")  # full-width digits are not ASCII


def test_pool_is_the_whole_test_range():
    pool = bsn_pool()
    brute = [str(n) for n in range(999_900_000, 1_000_000_000) if bsn_elfproef(str(n))]
    assert list(pool) == brute
    assert bsn_pool_size() == len(pool) == BSN_POOL_SIZE == 9091
    assert (pool[0], pool[-1]) == ("999900006", "999999990")


def test_generated_bsns_are_valid_test_bsns_and_unique():
    gen = Synthetisch(11)
    bsns = [gen.bsn() for _ in range(5000)]
    assert len(set(bsns)) == 5000
    for bsn in bsns:
        assert len(bsn) == 9 and bsn.isdigit() and bsn.startswith("9999"), bsn
        assert bsn_elfproef(bsn), bsn


def test_bsn_generator_exhaustion_raises():
    pool = bsn_pool()[:5]
    gen = BsnGenerator(3, pool=pool)
    assert sorted(gen.volgende() for _ in range(5)) == sorted(pool)
    assert gen.resterend == 0
    with pytest.raises(BsnPoolUitgeput, match="shards"):
        gen.volgende()
    assert list(BsnGenerator(3, pool=pool)) == list(BsnGenerator(3, pool=pool))  # iteration stops


def test_full_pool_can_be_drained_then_raises():
    gen = BsnGenerator(1)
    alles = [gen.volgende() for _ in range(bsn_pool_size())]
    assert len(set(alles)) == BSN_POOL_SIZE
    with pytest.raises(BsnPoolUitgeput):
        gen.volgende()


def test_separate_generators_may_reuse_bsns():
    a, b = BsnGenerator(1), BsnGenerator(2)
    assert set(a.volgende() for _ in range(3000)) & set(b.volgende() for _ in range(3000))


def test_client_without_bsn_uses_no_bsn(codelijsten):
    syn = Synthetisch(5, codelijsten=codelijsten)
    client = syn.client("jeugd", peildatum=PEILDATUM, heeft_bsn=False)
    assert client.persoon.bsn is None and not client.persoon.heeft_bsn
    assert syn.bsn_generator.uitgegeven == 0  # gezagsdragers have no BSN either


# -- ages ---------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), peildatum=st.dates(date(1990, 1, 1), date(2060, 12, 31)))
def test_client_ages_per_domain(codelijsten, seed, peildatum):
    syn = Synthetisch(seed, codelijsten=codelijsten)
    for _ in range(5):
        jeugd = syn.client("jeugd", peildatum=peildatum)
        assert 0 <= leeftijd(jeugd.persoon.geboortedatum, peildatum) <= 17
        assert jeugd.persoon.geboortedatum <= peildatum
        assert 1 <= len(jeugd.gezagsdragers) <= 2
        for i, rel in enumerate(jeugd.gezagsdragers, start=1):
            assert rel.soort == "10" and rel.volgorde == i
            assert rel.persoon.adres == jeugd.persoon.adres
            assert leeftijd(rel.persoon.geboortedatum, peildatum) >= 18 + leeftijd(jeugd.persoon.geboortedatum, peildatum)
        wmo = syn.client("wmo", peildatum=peildatum)
        assert 18 <= leeftijd(wmo.persoon.geboortedatum, peildatum) <= 95
        assert wmo.gezagsdragers == ()


def test_leeftijd_exact_on_leap_day(codelijsten):
    syn = Synthetisch(0, codelijsten=codelijsten)
    for jaren in (0, 1, 17, 18):
        for _ in range(50):
            p = syn.persoon(peildatum=date(2024, 2, 29), leeftijd=jaren)
            assert leeftijd(p.geboortedatum, date(2024, 2, 29)) == jaren
    with pytest.raises(ValueError, match="0–17"):
        syn.client("jeugd", peildatum=PEILDATUM, leeftijd=18)
    with pytest.raises(ValueError, match="domein"):
        syn.client("wlz", peildatum=PEILDATUM)  # type: ignore[arg-type]


# -- addresses and names ------------------------------------------------------------------------


def test_addresses_are_regional_and_schema_sized(schema_dir):
    straat_max = int(_xsd_restrictie(schema_dir, IJW, "LDT_Straatnaam")["maxLength"])
    toevoeging_max = int(_xsd_restrictie(schema_dir, IJW, "LDT_HuisnummerToevoeging")["maxLength"])
    huisnr_max = int(_xsd_restrictie(schema_dir, IJW, "LDT_Huisnummer")["maxInclusive"])
    syn = Synthetisch(21)
    gezien = set()
    for i in range(2000):
        code = GEMEENTEN[i % len(GEMEENTEN)].code if i % 2 else None
        a = syn.adres(code)
        assert POSTCODE_RE.match(a.postcode), a.postcode
        assert a.postcode[4:] not in {"SA", "SD", "SS"}
        if code:
            assert a.gemeentecode == code
        plaats = {w.naam: w for w in woonplaatsen(a.gemeentecode)}[a.plaatsnaam]
        assert int(a.postcode[:4]) in plaats.cijfers()
        assert 0 < len(a.straatnaam) <= straat_max
        assert 1 <= a.huisnummer <= huisnr_max
        assert a.huisletter is None or len(a.huisletter) == 1
        assert a.toevoeging is None or 1 <= len(a.toevoeging) <= toevoeging_max
        gezien.add(a.gemeentecode)
    assert gezien == {g.code for g in GEMEENTEN}
    with pytest.raises(ValueError, match="not in the region"):
        syn.adres("0363")


def test_names_fit_the_schema(schema_dir, codelijsten):
    voorletters = _xsd_restrictie(schema_dir, IJW, "LDT_Voorletters")
    voorvoegsel_max = int(_xsd_restrictie(schema_dir, IJW, "LDT_Voorvoegsel")["maxLength"])
    naam_max = int(_xsd_restrictie(schema_dir, IJW, "LDT_Naam")["maxLength"])
    syn = Synthetisch(8, codelijsten=codelijsten)
    geslachten = set()
    for _ in range(1000):
        p = syn.persoon(peildatum=PEILDATUM)
        assert re.fullmatch(voorletters["pattern"], p.voorletters)
        assert len(p.voorletters) <= int(voorletters["maxLength"])
        assert p.voorletters == "".join(n[0] for n in p.voornamen.split())
        assert p.voorvoegsel is None or 0 < len(p.voorvoegsel) <= voorvoegsel_max
        assert 0 < len(p.achternaam) <= naam_max and p.achternaam[0].isupper()
        assert p.geslacht in {"0", "1", "2"}
        geslachten.add(p.geslacht)
    assert {"1", "2"} <= geslachten


def test_geslacht_and_relatie_codes_are_in_the_code_lists(codelijsten):
    syn = Synthetisch(2, codelijsten=codelijsten)
    client = syn.client("jeugd", peildatum=PEILDATUM)
    assert client.persoon.geslacht in codelijsten.enumeratie(IJW, "LDT_Geslacht")
    assert all(r.soort in codelijsten.enumeratie(IJW, "LDT_SoortRelatie") for r in client.gezagsdragers)
    assert codelijsten.omschrijving(IJW, "COD472", client.gezagsdragers[0].soort) == "Ouder"


def test_gemeenten_match_cbs(codelijsten):
    cbs = codelijsten.lijst(IJW, "CBS_Gemeentecodes")
    regio = {c for c, v in cbs.items() if v.get("jeugdzorgregio") == "Midden IJssel-Oost Veluwe"}
    assert {g.code for g in GEMEENTEN} == regio
    assert all(cbs[g.code].omschrijving == g.naam for g in GEMEENTEN)
    Synthetisch(0, codelijsten=codelijsten)  # checks itself without raising


def test_people_need_the_code_lists():
    syn = Synthetisch(3)
    assert syn.bsn() and syn.adres() and syn.aanbieders(2)  # these need no code lists
    with pytest.raises(ValueError, match="code lists"):
        syn.persoon(peildatum=PEILDATUM)


# -- determinism --------------------------------------------------------------------------------


def _steekproef(seed: int, codelijsten: Codelijsten):
    syn = Synthetisch(seed, codelijsten=codelijsten)
    return (
        [syn.client("jeugd", peildatum=PEILDATUM) for _ in range(20)],
        [syn.client("wmo", "0262", peildatum=PEILDATUM) for _ in range(20)],
        syn.aanbieders(10),
        [syn.bsn() for _ in range(10)],
    )


def test_same_seed_same_output_different_seed_different(codelijsten):
    assert _steekproef(42, codelijsten) == _steekproef(42, codelijsten)
    assert _steekproef(42, codelijsten) != _steekproef(43, codelijsten)


def test_determinism_does_not_depend_on_hash_seed(schema_dir):
    code = (
        "from datetime import date; from simulator.synthetisch import Synthetisch;"
        "from simulator.codelijsten import Codelijsten; from simulator.schemas import SchemaRegistry;"
        f"s = Synthetisch(9, codelijsten=Codelijsten(SchemaRegistry.load({str(schema_dir)!r}))); a = s.aanbieders(8); c = [s.client('jeugd', peildatum=date(2025, 1, 1)) for _ in range(5)];"
        "print(repr([(x.agb, x.naam, sorted(x.domeinen), sorted(x.gemeenten)) for x in a]), repr(c))"
    )
    uit = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": h, "PATH": ""}, cwd=str(_project_root())).stdout
        for h in ("1", "2")
    }
    assert len(uit) == 1


def _project_root():
    from simulator.schemas import PROJECT_ROOT

    return PROJECT_ROOT


# -- aanbieders ---------------------------------------------------------------------------------


def test_aanbieders(schema_dir):
    agb_pattern = _xsd_restrictie(schema_dir, IJW, "LDT_AgbCode")["pattern"]
    naam_max = int(_xsd_restrictie(schema_dir, IJW, "LDT_Organisatienaam")["maxLength"])
    syn = Synthetisch(4)
    aanbieders = syn.aanbieders(200) + syn.aanbieders(50, domein="wmo")
    assert len({a.agb for a in aanbieders}) == 250
    for a in aanbieders:
        assert re.fullmatch(agb_pattern, a.agb) and len(a.agb) == 8
        assert 0 < len(a.naam) <= naam_max
        assert a.domeinen and a.domeinen <= {"jeugd", "wmo"}
        assert a.gemeenten and a.gemeenten <= {g.code for g in GEMEENTEN}
    assert all("wmo" in a.domeinen for a in aanbieders[200:])


# -- products -----------------------------------------------------------------------------------


def test_catalogue_codes_exist_in_the_code_lists(registry):
    lijsten = Codelijsten(registry)
    for p in ILLUSTRATIEVE_PRODUCTEN:
        std = IJW if p.domein == "jeugd" else IWMO
        assert p.categorie in lijsten.lijst(std, "JZ020" if p.domein == "jeugd" else "WMO020"), p
        assert p.eenheid in lijsten.lijst(std, "WJ756"), p
        assert p.frequentie in lijsten.lijst(std, "WMO757"), p
    Productcatalogus(codelijsten=lijsten)  # validates without raising


def test_catalogue_rejects_unknown_categorie_and_duplicates(codelijsten):
    fout = replace(ILLUSTRATIEVE_PRODUCTEN[0], categorie="99", code="99X01")
    Productcatalogus([fout])  # structure alone is fine
    with pytest.raises(ValueError, match="JZ020"):
        Productcatalogus([fout], codelijsten)
    with pytest.raises(ValueError, match="twice"):
        Productcatalogus([ILLUSTRATIEVE_PRODUCTEN[0]] * 2)
    with pytest.raises(ValueError, match="1–5"):
        Productcatalogus([replace(ILLUSTRATIEVE_PRODUCTEN[0], code="45A001")])


@pytest.mark.parametrize("standaard", [IJW, IWMO], ids=lambda s: s.naam)
def test_product_codes_match_the_xsd(schema_dir, standaard):
    beperking = _xsd_restrictie(schema_dir, standaard, "LDT_ProductCode")
    for p in ILLUSTRATIEVE_PRODUCTEN:
        assert re.fullmatch(beperking["pattern"], p.code), p.code
        assert int(beperking.get("minLength", 1)) <= len(p.code) <= int(beperking["maxLength"])


def test_catalogue_lookups_cover_the_routes():
    cat = Productcatalogus()
    for tag in ("ambulant", "sggz-diagnostiek", "sggz-basaal", "sggz-duurzaam", "sggz-epa", "dyslexie",
                "crisis", "verblijf", "wmo-huishouden", "wmo-begeleiding", "wmo-dagbesteding",
                "wmo-beschermd-wonen"):
        assert cat.met_tag(tag), tag
    assert cat.per_code("45A01").categorie == "45"
    assert {p.code for p in cat.per_categorie("54")} >= {"54G01", "54D01"}
    assert all(p.eenheid == "14" for p in cat.met_tag("verblijf"))
    with pytest.raises(KeyError):
        cat.per_code("00000")


def test_hours_are_declared_in_minutes_exactly(codelijsten):
    with pytest.raises(ValueError, match="unit codes unknown"):
        ILLUSTRATIEVE_PRODUCTEN[0].declaratie_eenheid()  # not taken from a catalogue with code lists
    for p in Productcatalogus(codelijsten=codelijsten):
        if p.eenheid == "04":
            assert p.declaratie_eenheid() == "01"
            assert p.declaratietarief_cent() * 60 == p.tarief_cent, p.code
            assert p.declaratie_eenheid(uren_in_minuten=False) == "04"
        else:
            assert p.declaratie_eenheid() == p.eenheid
            assert p.declaratietarief_cent() == p.tarief_cent
