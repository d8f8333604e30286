"""Profiles as complete data (catalogue, toewijzingswijze), the lta-2021 profile, and `ketensim compare`.

* profile validation: the catalogue and [toewijzing] sections give clear errors naming file and key;
* a clean lta-2021 mixed run is XSD-valid and gives zero deviations; its traffic is aspecifiek with
  budget for Jeugd (categorie, no code, budget, no Omvang, einddatum 365 days after the VOT),
  specifiek "totaal" for Wmo, declarations never exceed a budget and a budget 317 comes at 80 %;
* changing the profile changes what the actors do (a copy with another VOT deadline);
* compare: the rules that differ and the VOT 5 → 20 werkdagen effect on slack and lead time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from reports.controle import Controleur
from scenarios import vergelijk
from scenarios.run import RunInstellingen, voer_uit
from simulator import cli
from simulator.codec import validate
from simulator.ledger import Boeking, open_ledger
from simulator.profiel import ProfielFout, laad_profiel
from simulator.reader import lees

PROFIELEN = Path(__file__).resolve().parents[1] / "scenarios" / "profiles"


def kopie(tmp_path: Path, bron: str, *wijzigingen: tuple[str, str]) -> Path:
    tekst = (PROFIELEN / f"{bron}.toml").read_text(encoding="utf-8")
    for oud, nieuw in wijzigingen:
        assert tekst.count(oud) == 1, f"{bron}.toml no longer contains exactly one {oud!r}"
        tekst = tekst.replace(oud, nieuw)
    pad = tmp_path / "kopie.toml"
    pad.write_text(tekst, encoding="utf-8")
    return pad


def fout(pad: Path) -> str:
    with pytest.raises(ProfielFout) as info:
        laad_profiel(pad)
    assert info.value.__cause__ is None
    return str(info.value)


# -- the shipped profiles ----------------------------------------------------------------------

def test_both_profiles_hold_catalogue_and_toewijzingswijze():
    mijov, lta = laad_profiel("mijov-2024"), laad_profiel("lta-2021")
    assert mijov.toewijzen == {"jeugd": "specifiek", "wmo": "specifiek"}
    assert {p.code for p in mijov.producten} >= {"45A01", "54G01", "01H01"}
    jeugd = lta.wijze("jeugd")
    assert (jeugd.wijze, jeugd.budget, jeugd.vow_bij_budget) == ("aspecifiek", True, 0.8)
    assert str(jeugd.einddatum) == "365 dagen"
    assert lta.wijze("wmo").specifiek and lta.wijze("wmo").frequentie == "totaal"
    assert all(p.frequentie == "6" and p.eenheid in ("01", "04") for p in lta.producten if p.domein == "wmo")
    assert str(lta.termijn("vot_na_intake")) == "20 werkdagen" and "§2.1.3" in lta.termijnen["vot_na_intake"].bron
    # where the LTA text is silent the profile says so and names the default it takes
    assert "LTA zwijgt" in lta.termijnen["retour_302"].bron and "OP090" in lta.termijnen["retour_302"].bron


@pytest.mark.parametrize("wijziging, melding", [
    (('wijze = "aspecifiek"', 'wijze = "half"'), "wijze must be one of specifiek, aspecifiek"),
    (("vow_bij_budget = 0.8", "vow_bij_budget = 80"), "vow_bij_budget must be a share between 0 and 1"),
    (("budget = true", "budget = false"), "vow_bij_budget needs budget = true"),
    (('frequentie = "totaal"', 'frequentie = "jaar"'), "frequentie must be one of dag, week, maand, totaal"),
    (('code = "02Z02", omschrijving = "Begeleiding doofblinden", eenheid = "04", frequentie = "6"',
      'code = "02Z02", omschrijving = "Begeleiding doofblinden", eenheid = "04", frequentie = "2"'),
     "[toewijzing.wmo] prescribes frequentie totaal (6), the product has 2"),
    (("tarief_cent = 7200", "tarief_cent = 7250"), "multiple of 60"),
    (('code = "45L02"', 'code = "45L01"'), "appears twice"),
    (('code = "45L03"', 'code = "45L003"'), "1–5 characters"),
    (('domein = "wmo", categorie = "07"', 'domein = "zvw", categorie = "07"'), "domein must be one of jeugd, wmo"),
    (("tarief_cent = 65000", 'tarief_cent = "650,00"'), "'tarief_cent' has the wrong type"),
    (('tags = ["verblijf"] }', 'tags = ["verblijf"], prijs = 1 }'), "unknown key(s) prijs"),
    (("\nwijze = \"specifiek\"\nfrequentie", "\nwijze = \"specifiek\"\nbudget = true\nfrequentie"),
     "belong to wijze = \"aspecifiek\""),
])
def test_profile_validation_names_file_and_key(tmp_path, wijziging, melding):
    tekst = fout(kopie(tmp_path, "lta-2021", wijziging))
    assert "kopie.toml" in tekst and melding in tekst


def test_a_route_without_products_of_its_domein_is_an_error(tmp_path):
    pad = kopie(tmp_path, "lta-2021", ('domeinen = ["wmo"]', 'domeinen = ["wmo", "jeugd"]'),
                ('frequentie = "totaal"         #', '#'),  # the moved products keep their weekly frequentie
                *[(f'{{ domein = "jeugd", categorie = "{c}", code = "{code}"', f'{{ domein = "wmo", categorie = "02", code = "{code}"')
                  for c, code in (("45", "45L01"), ("45", "45L02"), ("45", "45L03"), ("41", "41L01"), ("43", "43L01"))])
    assert "[catalogus] has no jeugd product" in fout(pad)


def test_a_profile_without_catalogue_is_an_error(tmp_path):
    tekst = (PROFIELEN / "lta-2021.toml").read_text(encoding="utf-8")
    (tmp_path / "kopie.toml").write_text(tekst.replace("[catalogus]", "[catalogus_weg]"), encoding="utf-8")
    assert "misses 'catalogus'" in fout(tmp_path / "kopie.toml")


# -- a clean lta-2021 run ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lta_run(tmp_path_factory, registry):
    uit = tmp_path_factory.mktemp("lta")
    voer_uit(RunInstellingen(uit=uit, clients=160, dagen=365, seed=4, profiel="lta-2021"))
    c = Controleur(laad_profiel("lta-2021"), registry)
    for r in open_ledger(uit).records():
        c.verwerk(r)
    return uit, c.sluit()


def test_lta_run_is_valid_and_clean(lta_run, registry):
    uit, uitslag = lta_run
    assert uitslag.afwijkingen == [], [(o.regel, o.waargenomen) for o in uitslag.afwijkingen[:6]]
    berichten = [r for r in open_ledger(uit).records() if isinstance(r, Boeking)]
    assert len(berichten) > 500
    for r in berichten[::7]:
        assert validate(r.xml, registry).geldig, r.berichttype
    assert uitslag.tellingen["PROT.aspecifiek_gevuld"]["pass"] > 100  # judged, and kept
    assert uitslag.tellingen["PROT.specifiek_gevuld"]["pass"] > 50  # the Wmo side


def test_lta_traffic_follows_the_profile(lta_run, registry):
    uit, _ = lta_run
    vot, budget, gedeclareerd = {}, {}, defaultdict(int)
    jw301 = wmo301 = vows = 0
    for r in open_ledger(uit).records():
        if not isinstance(r, Boeking) or r.berichttype not in ("JW315", "JW301", "WMO301", "JW323", "JW317"):
            continue
        m = lees(r.xml, registry)
        if r.berichttype == "JW315":
            for ap in m.client.producten:
                assert ap.product.code is None and ap.omvang is None and ap.budget > 0
                vot[ap.referentie_aanbieder] = m.header.dagtekening
        elif r.berichttype == "JW301":
            for tp in m.client.producten:
                jw301 += 1
                assert tp.product.categorie and tp.product.code is None and tp.omvang is None and tp.budget > 0
                budget[(r.afzender, tp.toewijzingnummer)] = tp.budget
                if tp.referentie_aanbieder in vot and tp.reden_wijziging is None:
                    assert (tp.einddatum - vot[tp.referentie_aanbieder]).days == 365
        elif r.berichttype == "WMO301":
            for tp in m.client.producten:
                wmo301 += 1
                assert tp.product.code and tp.omvang.frequentie == "6" and tp.budget is None
        elif r.berichttype == "JW323":
            for c in m.declaratie.clienten:
                for p in c.prestaties:
                    assert p.product.code, "an aspecifieke toewijzing is declared specifically"
                    if p.bedrag_cent > 0:
                        gedeclareerd[(r.ontvanger, p.toewijzingnummer)] += p.bedrag_cent
        else:
            vows += 1
            tw = m.client.verzoek.te_wijzigen[0]
            sleutel = (r.ontvanger, tw.toewijzingnummer)
            assert tw.omvang is None and tw.budget > budget[sleutel]
            assert gedeclareerd[sleutel] >= 0.8 * budget[sleutel]  # the 80 % rule (LTA §3.3.2)
    assert jw301 and wmo301 and vows
    assert all(v <= budget[k] for k, v in gedeclareerd.items()), "declared beyond the budget (TR369)"


def test_the_aspecifiek_rule_fires_on_a_specific_toewijzing_in_an_lta_run(tmp_path, registry):
    voer_uit(RunInstellingen(uit=tmp_path, scenario="extern", clients=20, dagen=150, seed=2, profiel="lta-2021",
                             fouten=frozenset({"aspecifiek_met_code"})))
    c = Controleur(laad_profiel("lta-2021"), registry)
    for r in open_ledger(tmp_path).records():
        c.verwerk(r)
    regels = {o.regel for o in c.sluit().afwijkingen}
    assert regels == {"PROT.aspecifiek_gevuld"}
    # the same ledger under mijov-2024 (specifiek) is judged the other way round
    c = Controleur(laad_profiel("mijov-2024"), registry)
    for r in open_ledger(tmp_path).records():
        c.verwerk(r)
    assert "PROT.specifiek_gevuld" in {o.regel for o in c.sluit().afwijkingen}


# -- the profile drives the actors, and compare shows it ---------------------------------------

def test_compare_shows_the_vot_deadline_effect(tmp_path, capsys):
    uit = tmp_path / "cmp"
    code = cli.main(["compare", "--profile", "mijov-2024", "--profile", "lta-2021", "--clients", "60",
                     "--days", "120", "--seed", "3", "--out", str(uit)])
    tekst = capsys.readouterr().out
    assert code == 0
    assert "vot_na_intake" in tekst and "20 werkdagen" in tekst
    data = json.loads((uit / "vergelijking.json").read_text(encoding="utf-8"))
    verschil = {(v["onderdeel"], v["sleutel"]): v for v in data["verschillen"]}
    assert verschil[("termijn", "vot_na_intake")]["a"].startswith("5 werkdagen")
    assert verschil[("termijn", "vot_na_intake")]["b"].startswith("20 werkdagen")
    assert verschil[("toewijzing", "jeugd")]["b"].startswith("aspecifiek, met budget")
    a, b = data["metingen"]
    assert a["afwijkingen"] == 0 and b["afwijkingen"] == 0
    # the aanbieder uses the longer window: more slack, and the toewijzing comes later
    assert b["druk"]["vot_na_intake"]["speling"]["mediaan"] > a["druk"]["vot_na_intake"]["speling"]["mediaan"] + 3
    assert b["tot_toewijzing"]["extern"]["mediaan"] > a["tot_toewijzing"]["extern"]["mediaan"]
    assert (uit / "A" / "ledger.jsonl").is_file() and (uit / "B" / "ledger.jsonl").is_file()


def test_changing_only_the_vot_deadline_changes_only_that(tmp_path, registry):
    """A what-if on one value: a copy of mijov-2024 with 20 werkdagen for the VOT."""
    pad = kopie(tmp_path, "mijov-2024", ('vot_na_intake = { termijn = "5 werkdagen"', 'vot_na_intake = { termijn = "20 werkdagen"'))
    a, b = laad_profiel("mijov-2024"), laad_profiel(pad)
    verschillen = vergelijk.profielverschillen(a, b)
    assert [(v.onderdeel, v.sleutel) for v in verschillen] == [("termijn", "vot_na_intake")]
    metingen = []
    for naam, p in (("a", a), ("b", b)):
        voer_uit(RunInstellingen(uit=tmp_path / naam, scenario="extern", clients=40, dagen=90, seed=5, profiel=p))
        metingen.append(vergelijk.meet(tmp_path / naam, p, registry))
    x, y = (m.druk["vot_na_intake"].speling for m in metingen)
    assert x.n > 20 and y.n > 20  # b sends later, so a few of its 315s fall after the 90 days
    assert y.mediaan >= x.mediaan + 5 and x.mediaan <= 5
    assert y.p10 >= 0 and metingen[1].druk["vot_na_intake"].te_laat == 0


def test_compare_usage_errors(tmp_path, capsys):
    assert cli.main(["compare", "--profile", "mijov-2024", "--out", str(tmp_path)]) == 2
    assert "exactly twice" in capsys.readouterr().err
    assert cli.main(["compare", "--profile", "mijov-2024", "--profile", "geen-profiel", "--out", str(tmp_path)]) == 2
    assert "unknown profile 'geen-profiel'" in capsys.readouterr().err
