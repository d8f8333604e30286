"""Protocol profiles: the shipped mijov-2024 profile, deadline arithmetic through it, and the
error messages regional staff get when an edited copy is wrong.

Modified profiles are written as copies of the shipped TOML to ``tmp_path`` with one textual
change each (:func:`kopie`); every change asserts that the text it replaces is really there, so
a reworded profile makes these tests fail loudly instead of silently testing nothing.  Expected
dates were worked out on a calendar; the weekday asserts guard that hand work.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from simulator.profiel import (
    DYSLEXIE_VARIANTEN, ROUTES, VERPLICHTE_TERMIJNEN, Profiel, ProfielFout, beschikbare_profielen,
    laad_profiel,
)
from simulator.synthetisch import GEMEENTEN
from simulator.werkdagen import DEFAULT_FEESTDAGEN, Termijn

D = date.fromisoformat
MA, DI, WO, DO, VR, ZA, ZO = range(7)
SHIPPED = Path(__file__).resolve().parents[1] / "scenarios" / "profiles" / "mijov-2024.toml"
ANNEX = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_25faa998f1f68696.txt"


@pytest.fixture(scope="module")
def profiel() -> Profiel:
    return laad_profiel("mijov-2024")


def kopie(tmp_path: Path, *wijzigingen: tuple[str, str], naam: str = "kopie.toml", extra: str = "") -> Path:
    """Write the shipped profile to ``tmp_path/naam`` with each (old, new) replaced once."""
    tekst = SHIPPED.read_text(encoding="utf-8")
    for oud, nieuw in wijzigingen:
        assert tekst.count(oud) == 1, f"the shipped profile no longer contains exactly one {oud!r}"
        tekst = tekst.replace(oud, nieuw)
    pad = tmp_path / naam
    pad.write_text(tekst + extra, encoding="utf-8")
    return pad


def fout(pad: Path | str) -> ProfielFout:
    """Load ``pad`` expecting a ProfielFout; check it carries no chained traceback."""
    with pytest.raises(ProfielFout) as info:
        laad_profiel(pad)
    exc = info.value
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__, "the error drags a traceback along"
    return exc


# -- the shipped profile ------------------------------------------------------------------------

def test_shipped_profile_loads(profiel):
    assert profiel.naam == "mijov-2024"
    assert profiel.pad == SHIPPED
    assert "Midden-IJssel/Oost-Veluwe" in profiel.titel
    assert profiel.toewijzen == {"jeugd": "specifiek", "wmo": "specifiek"}
    assert profiel.kalender.feestdagen == DEFAULT_FEESTDAGEN
    assert profiel.kalender.extra_vrije_dagen == frozenset()


def test_beschikbare_profielen_lists_the_shipped_one():
    assert "mijov-2024" in beschikbare_profielen()
    assert beschikbare_profielen() == sorted(beschikbare_profielen())


@pytest.mark.parametrize("sleutel", VERPLICHTE_TERMIJNEN)
def test_every_required_termijn_present_with_bron(profiel, sleutel):
    d = profiel.termijnen[sleutel]
    assert d.sleutel == sleutel
    assert isinstance(d.termijn, Termijn)
    assert d.bron.startswith("Annex 4 §") or d.bron.startswith("Annex 4 Bijlage")
    assert d.na.strip()
    assert profiel.termijn(sleutel) == d.termijn


@pytest.mark.parametrize("sleutel, tekst", [
    ("retour_302", "3 werkdagen"), ("retour_316", "3 werkdagen"), ("retour_318", "3 werkdagen"),
    ("besluit_vot", "5 werkdagen"), ("besluit_vow", "5 werkdagen"), ("onderzoek", "8 weken"),
    ("woonplaatsbeginsel", "2 weken"), ("vot_na_intake", "5 werkdagen"),
    ("vot_sggz", "3 maanden + 5 werkdagen"), ("vot_crisis", "5 werkdagen"),
    ("start_305", "5 werkdagen"), ("stop_307", "5 werkdagen"),
    ("declaratie_323", "uiterlijk de laatste dag van de opvolgende maand"),
    ("declaratie_sggz", "30 dagen"), ("antwoord_325", "10 werkdagen"),
    ("correctie_goedgekeurd", "2 maanden"), ("toewijzing_vervalt", "3 maanden"),
])
def test_shipped_termijnen_match_the_annex(profiel, sleutel, tekst):
    """The numbers of Annex 4 §2.3–§7 (see the `bron` of each)."""
    assert profiel.termijn(sleutel).beschrijving() == tekst


def test_every_bron_section_exists_in_the_annex(profiel):
    """Each '§N.M' and 'Bijlage N.M' cited in a termijn or regel is a heading of the annex."""
    if not ANNEX.is_file():
        pytest.skip(f"annex text not at {ANNEX}")
    annex = ANNEX.read_text(encoding="utf-8")
    koppen = {m.group(1) for m in re.finditer(r"^\s*(\d+(?:\.\d+)*)\. [A-Z]", annex, re.M)}  # "4.2. WERKWIJZE"
    bijlagen = {m.group(1) for m in re.finditer(r"BIJLAGE (\d+(?:\.\d+)*)", annex)}
    bronnen = [d.bron for d in profiel.termijnen.values()] + [r.bron for r in profiel.regels.values()]
    assert bronnen
    for bron in bronnen:
        for sectie in re.findall(r"§(\d+(?:\.\d+)*)", bron):
            assert sectie in koppen, f"{bron!r}: no section {sectie} in the annex"
        for bijlage in re.findall(r"Bijlage (\d+(?:\.\d+)*)", bron):
            assert bijlage in bijlagen, f"{bron!r}: no Bijlage {bijlage} in the annex"


def test_gemeenten_and_dyslexie_variants_follow_bijlage_1_4(profiel):
    """Bijlage 1.4.1 covers Apeldoorn, Brummen, Epe, Hattem and Voorst; 1.4.2 Heerde, Lochem, Zutphen."""
    assert {c: g.naam for c, g in profiel.gemeenten.items()} == {g.code: g.naam for g in GEMEENTEN}
    per_variant = {v: sorted(g.naam for g in profiel.gemeenten.values() if g.dyslexie == v)
                   for v in DYSLEXIE_VARIANTEN}
    assert per_variant == {
        "aanbieder_vot": ["Apeldoorn", "Brummen", "Epe", "Hattem", "Voorst"],
        "toegang_toewijzing": ["Heerde", "Lochem", "Zutphen"],
    }
    assert profiel.ruw["dyslexie"]["varianten"] == {"aanbieder_vot": "1.4.1", "toegang_toewijzing": "1.4.2"}
    assert all(g.inwoners > 0 for g in profiel.gemeenten.values())


def test_routes_regels_gebeurtenissen(profiel):
    assert set(profiel.routes) == set(ROUTES)
    assert profiel.routes["extern"].domeinen == ("jeugd",)  # Wmo 315s are rejected (§4)
    assert profiel.routes["toegang"].domeinen == ("jeugd", "wmo")
    assert profiel.routes["toegang"].gewicht == 45.0
    assert profiel.routes["sggz"].opties["kans_alleen_diagnostiek"] == 0.3
    assert "gewicht" not in profiel.routes["sggz"].opties
    assert profiel.regel("wmo315_afwijzen") is True
    assert profiel.regel("vow_terugwerkend_toewijzen") is False
    assert profiel.regel("max_verlengingen_via_315") == 1
    assert profiel.regel("maximale_toewijzingsduur") == "12 maanden"
    assert profiel.kans("vow") == 0.08
    assert profiel.kans("bestaat_niet") == 0.0
    assert all(0 <= k <= 1 for k in profiel.gebeurtenissen.values())
    assert profiel.populatie["duur_maanden"] == {"min": 2, "max": 12}


# -- deadlines through the profile -----------------------------------------------------------

def test_retour_302_over_goede_vrijdag_and_pasen_2026(profiel):
    # Thursday 2 April 2026; Goede Vrijdag 3 April, Pasen 5, tweede Paasdag 6 April.
    assert D("2026-04-02").weekday() == DO
    assert profiel.deadline("retour_302", D("2026-04-02")) == D("2026-04-09")  # 7, 8, 9 April
    # a 301 received on Goede Vrijdag itself: counting starts after it
    assert profiel.deadline("retour_302", D("2026-04-03")) == D("2026-04-09")


def test_declaratie_323_end_of_february_on_a_weekend_moves_to_monday(profiel):
    # Atw art. 1: a period that ends on a Saturday/Sunday is extended to the next werkdag.
    assert D("2026-02-28").weekday() == ZA
    for dag in ("2026-01-01", "2026-01-15", "2026-01-31"):
        assert profiel.deadline("declaratie_323", D(dag)) == D("2026-03-02")
    assert D("2027-02-28").weekday() == ZO
    assert profiel.deadline("declaratie_323", D("2027-01-20")) == D("2027-03-01")
    # leap year, end of February on a Tuesday: no extension
    assert D("2028-02-29").weekday() == DI
    assert profiel.deadline("declaratie_323", D("2028-01-31")) == D("2028-02-29")
    # December → end of January of the next year (Sunday 31 January 2027 → Monday 1 February)
    assert D("2027-01-31").weekday() == ZO
    assert profiel.deadline("declaratie_323", D("2026-12-31")) == D("2027-02-01")


def test_vot_sggz_three_months_plus_five_werkdagen(profiel):
    # 15 Jan 2026 + 3 months = Wed 15 April; + 5 werkdagen = 16, 17, 20, 21, 22 April
    assert profiel.deadline("vot_sggz", D("2026-01-15")) == D("2026-04-22")
    # 2 Feb 2026 + 3 months = Saturday 2 May; 4 May (1), 5 mei is a feestdag, 6, 7, 8, 11 May
    assert D("2026-05-02").weekday() == ZA
    assert profiel.deadline("vot_sggz", D("2026-02-02")) == D("2026-05-11")
    # 30 Nov 2026 + 3 months = 28 Feb 2027 (clamped, a Sunday); then 1, 2, 3, 4, 5 March
    assert profiel.deadline("vot_sggz", D("2026-11-30")) == D("2027-03-05")


def test_onderzoek_eight_weeks(profiel):
    assert profiel.deadline("onderzoek", D("2026-04-02")) == D("2026-05-28")
    # 19 March 2026 + 8 weeks = Hemelvaart (Thursday 14 May) → Friday 15 May
    assert D("2026-05-14").weekday() == DO
    assert profiel.deadline("onderzoek", D("2026-03-19")) == D("2026-05-15")


def test_declaratie_sggz_30_dagen(profiel):
    # 5 March 2026 + 30 days = Saturday 4 April, then Pasen: Monday 6 April is tweede Paasdag → 7 April
    assert profiel.deadline("declaratie_sggz", D("2026-03-05")) == D("2026-04-07")


def test_deadline_of_unknown_key_is_a_keyerror(profiel):
    with pytest.raises(KeyError):
        profiel.deadline("retour_999", D("2026-01-05"))


# -- edited copies --------------------------------------------------------------------------

def test_loading_a_copy_from_a_path(tmp_path, profiel):
    pad = kopie(tmp_path)
    p = laad_profiel(pad)
    assert p.pad == pad
    assert p.termijnen == profiel.termijnen
    assert p.gemeenten == profiel.gemeenten
    assert laad_profiel(str(pad)).pad == pad


def test_changed_deadline_in_a_copy_takes_effect(tmp_path):
    pad = kopie(tmp_path, ('retour_302 = { termijn = "3 werkdagen"', 'retour_302 = { termijn = "5 werkdagen"'))
    p = laad_profiel(pad)
    assert p.termijn("retour_302") == Termijn("werkdagen", 5)
    # 7, 8, 9, 10, 13 April 2026
    assert p.deadline("retour_302", D("2026-04-02")) == D("2026-04-13")


def test_extra_vrije_dagen_are_honoured(tmp_path, profiel):
    pad = kopie(tmp_path, ("extra_vrije_dagen = []", 'extra_vrije_dagen = ["2026-05-15"]'))
    p = laad_profiel(pad)
    assert p.kalender.extra_vrije_dagen == frozenset({D("2026-05-15")})
    assert not p.kalender.is_werkdag(D("2026-05-15"))
    # Wed 13 May 2026: shipped 15, 18, 19 May; with the Friday after Hemelvaart free 18, 19, 20
    assert profiel.deadline("retour_302", D("2026-05-13")) == D("2026-05-19")
    assert p.deadline("retour_302", D("2026-05-13")) == D("2026-05-20")
    # a calendar period ending on Hemelvaart now extends over the Friday too
    assert p.deadline("onderzoek", D("2026-03-19")) == D("2026-05-18")


def test_feestdagen_can_be_chosen(tmp_path):
    pad = kopie(tmp_path, ('"bevrijdingsdag",\n', ""))
    p = laad_profiel(pad)
    assert "bevrijdingsdag" not in p.kalender.feestdagen
    assert p.kalender.is_werkdag(D("2026-05-05"))


# -- error messages ---------------------------------------------------------------------------

def test_missing_required_termijn(tmp_path):
    regel = next(l for l in SHIPPED.read_text(encoding="utf-8").splitlines() if l.startswith("retour_306 ="))
    pad = kopie(tmp_path, (regel + "\n", ""))
    msg = str(fout(pad))
    assert str(pad) in msg and "retour_306" in msg and "[termijnen]" in msg


def test_termijn_without_bron(tmp_path):
    pad = kopie(tmp_path, (', bron = "Annex 4 §6.1 voetnoot 10" }', " }"))
    msg = str(fout(pad))
    assert str(pad) in msg and "termijnen.start_305_sggz" in msg and "'bron'" in msg


def test_bad_termijn_string(tmp_path):
    pad = kopie(tmp_path, ('antwoord_325 = { termijn = "10 werkdagen"', 'antwoord_325 = { termijn = "tien werkdagen"'))
    msg = str(fout(pad))
    assert str(pad) in msg and "termijnen.antwoord_325" in msg and "'tien werkdagen'" in msg


def test_unknown_route(tmp_path):
    pad = kopie(tmp_path, ("[routes.crisis]", "[routes.crises]"))
    msg = str(fout(pad))
    assert str(pad) in msg and "routes.crises" in msg and "unknown route" in msg


def test_negative_route_gewicht(tmp_path):
    pad = kopie(tmp_path, ("gewicht = 4\n", "gewicht = -4\n"))
    msg = str(fout(pad))
    assert str(pad) in msg and "routes.crisis" in msg and "gewicht" in msg


@pytest.mark.parametrize("waarde", ["1.5", "-0.1", '"vaak"'])
def test_bad_chance(tmp_path, waarde):
    pad = kopie(tmp_path, ("vow = 0.08 ", f"vow = {waarde} "))
    msg = str(fout(pad))
    assert str(pad) in msg and "[gebeurtenissen]" in msg and "'vow'" in msg


def test_bad_dyslexie_variant(tmp_path):
    pad = kopie(tmp_path, ('naam = "Epe", dyslexie = "aanbieder_vot"', 'naam = "Epe", dyslexie = "school"'))
    msg = str(fout(pad))
    assert str(pad) in msg and "gemeenten.0232" in msg and "aanbieder_vot" in msg


def test_unknown_feestdag(tmp_path):
    pad = kopie(tmp_path, ('"koningsdag"', '"koninginnedag"'))
    msg = str(fout(pad))
    assert str(pad) in msg and "[kalender]" in msg and "koninginnedag" in msg


def test_bad_toml(tmp_path):
    pad = kopie(tmp_path, extra="\n[termijnen.dubbel\n")
    msg = str(fout(pad))
    assert str(pad) in msg and "not valid TOML" in msg and "line" in msg


def test_missing_profiel_table(tmp_path):
    pad = kopie(tmp_path, ("[profiel]\n", "[profile]\n"))
    msg = str(fout(pad))
    assert str(pad) in msg and "'profiel'" in msg


def test_unknown_profile_name():
    msg = str(fout("mijov-2099"))
    assert "'mijov-2099'" in msg and "mijov-2024" in msg


def test_missing_profile_file(tmp_path):
    pad = tmp_path / "bestaat-niet.toml"
    msg = str(fout(pad))
    assert str(pad) in msg and "does not exist" in msg


# -- robustness: hand-edited files give a ProfielFout, never a traceback -------------------------

RETOUR_302 = 'retour_302 = { termijn = "3 werkdagen", na = "ontvangst 301", bron = "Annex 4 §5.1; OP090" }'


def test_utf8_with_bom_loads(tmp_path):
    """Windows Notepad saves "UTF-8 with BOM"; tomllib alone rejects that as invalid TOML."""
    pad = tmp_path / "bom.toml"
    pad.write_bytes(b"\xef\xbb\xbf" + SHIPPED.read_bytes())
    assert laad_profiel(pad).naam == "mijov-2024"


def test_file_not_in_utf8(tmp_path):
    pad = tmp_path / "ansi.toml"
    pad.write_bytes(SHIPPED.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    msg = str(fout(pad))
    assert str(pad) in msg and "UTF-8" in msg


@pytest.mark.parametrize("nieuw", ['retour_302 = "3 werkdagen"', "retour_302 = 3"])
def test_termijn_that_is_not_a_table(tmp_path, nieuw):
    pad = kopie(tmp_path, (RETOUR_302, nieuw))
    msg = str(fout(pad))
    assert str(pad) in msg and "[termijnen.retour_302] must be a table" in msg


def test_termijn_table_without_termijn_names_the_key_once(tmp_path):
    pad = kopie(tmp_path, (RETOUR_302, 'retour_302 = { na = "ontvangst 301", bron = "Annex 4 §5.1; OP090" }'))
    msg = str(fout(pad))
    assert msg == f"{pad}: [termijnen.retour_302] misses 'termijn'"


def test_regel_that_is_not_a_table(tmp_path):
    pad = kopie(tmp_path, ('wmo315_afwijzen = { waarde = true, reden = "afwijzing.contract", bron = "Annex 4 §4 (aanvulling): Wmo en MO/BW" }',
                           "wmo315_afwijzen = true"))
    msg = str(fout(pad))
    assert str(pad) in msg and "regels.wmo315_afwijzen" in msg


def test_regel_termijn_is_parsed_and_checked(tmp_path, profiel):
    assert profiel.regels["maximale_toewijzingsduur"].termijn == Termijn("maanden", 12)
    assert profiel.regels["wmo315_afwijzen"].termijn is None
    pad = kopie(tmp_path, ('termijn = "12 maanden"', 'termijn = "12 maanen"'))
    msg = str(fout(pad))
    assert str(pad) in msg and "regels.maximale_toewijzingsduur" in msg and "'12 maanen'" in msg


def test_gemeente_that_is_not_a_table(tmp_path):
    pad = kopie(tmp_path, ('"0244" = { naam = "Hattem", dyslexie = "aanbieder_vot", inwoners = 12500 }',
                           '"0244" = "Hattem"'))
    msg = str(fout(pad))
    assert str(pad) in msg and "gemeenten.0244" in msg


@pytest.mark.parametrize("waarde", ['"12.500"', "12.5", "0", "true"])
def test_bad_inwoners(tmp_path, waarde):
    pad = kopie(tmp_path, ("inwoners = 12500", f"inwoners = {waarde}"))
    msg = str(fout(pad))
    assert str(pad) in msg and "gemeenten.0244" in msg and "inwoners" in msg


def test_bad_route_domein(tmp_path):
    pad = kopie(tmp_path, ('domeinen = ["jeugd", "wmo"]', 'domeinen = ["jeugd", "wmo-bw"]'))
    msg = str(fout(pad))
    assert str(pad) in msg and "routes.toegang" in msg and "wmo-bw" in msg


def test_chance_true_is_not_a_number(tmp_path):
    pad = kopie(tmp_path, ("vow = 0.08 ", "vow = true "))
    msg = str(fout(pad))
    assert str(pad) in msg and "'vow'" in msg


def test_extra_vrije_dagen_as_toml_dates(tmp_path):
    pad = kopie(tmp_path, ("extra_vrije_dagen = []", "extra_vrije_dagen = [2026-05-15, 2027-05-07]"))
    assert laad_profiel(pad).kalender.extra_vrije_dagen == {D("2026-05-15"), D("2027-05-07")}


@pytest.mark.parametrize("waarde", ['["2026-13-01"]', '["15-05-2026"]', "[20260515]", '"2026-05-15"'])
def test_bad_extra_vrije_dag(tmp_path, waarde):
    pad = kopie(tmp_path, ("extra_vrije_dagen = []", f"extra_vrije_dagen = {waarde}"))
    msg = str(fout(pad))
    assert str(pad) in msg and "extra_vrije_dagen" in msg


def test_profile_file_without_toml_suffix(tmp_path):
    pad = kopie(tmp_path, naam="profiel.txt")
    assert laad_profiel(pad).pad == pad


def test_deadline_of_unknown_key_names_it(profiel):
    with pytest.raises(KeyError, match="retour_999"):
        profiel.deadline("retour_999", D("2026-01-05"))


# -- every key the code reads is required, typed and known (a typing error never waits for the run) --

WMO315 = 'wmo315_afwijzen = { waarde = true, reden = "afwijzing.contract", bron = "Annex 4 §4 (aanvulling): Wmo en MO/BW" }'
MAX_VERL = 'max_verlengingen_via_315 = { waarde = 1, reden = "afwijzing.zorginhoudelijk"'
AFHANDELING = 'afhandeling_zonder_bsn = { termijn = "5 werkdagen", na = "melding buiten berichtenverkeer", bron = "Annex 4 §9.1" }'


def _een_regel(msg: str, pad: Path) -> None:
    """The error is one line that names the file."""
    assert "\n" not in msg and msg.startswith(f"{pad}: ["), msg


@pytest.mark.parametrize("wijziging, verwacht", [
    # a [regels] key removed or misspelt: the actors would die on a KeyError mid-run
    ((WMO315 + "\n", ""), "[regels] misses wmo315_afwijzen"),
    (("wmo315_afwijzen = {", "wmo315_afwijzn = {"), "[regels] unknown rule 'wmo315_afwijzn'; did you mean 'wmo315_afwijzen'?"),
    # wrong types for what the code reads
    ((f"{MAX_VERL}", MAX_VERL.replace("waarde = 1", 'waarde = "een"')),
     "[regels.max_verlengingen_via_315] waarde must be a whole number ≥ 0"),
    ((f"{MAX_VERL}", MAX_VERL.replace("waarde = 1", "waarde = 1.5")), "must be a whole number ≥ 0"),
    ((WMO315, WMO315.replace("waarde = true", 'waarde = "true"')),
     "[regels.wmo315_afwijzen] waarde must be true or false (without quotes); got 'true'"),
    (('waarde = ["crisis", "sggz-diagnostiek", "dyslexie-diagnostiek"]', 'waarde = "crisis"'),
     "[regels.geen_verlenging_voor] waarde must be a list of catalogue tags"),
    (('waarde = ["crisis", "sggz-diagnostiek", "dyslexie-diagnostiek"]', 'waarde = ["crisis", "sgzz-diagnostiek"]'),
     "no product of [catalogus] has a tag 'sgzz-diagnostiek'; did you mean 'sggz-diagnostiek'?"),
    (('declaratie_batch = { waarde = "per maand per gemeente"', 'declaratie_batch = { waarde = "per maand per gemeenten"'),
     "[regels.declaratie_batch] waarde must be one of 'per maand per gemeente', 'per maand per cliënt'; got "
     "'per maand per gemeenten'; did you mean 'per maand per gemeente'?"),
    (("tijdelijk_stoppen_na = { waarde = 1,", "tijdelijk_stoppen_na = { waarde = 0,"),
     "[regels.tijdelijk_stoppen_na] waarde must be a whole number ≥ 1"),
    (('maximale_toewijzingsduur = { termijn = "12 maanden"', 'maximale_toewijzingsduur = { waarde = "12 maanden"'),
     "[regels.maximale_toewijzingsduur] is a length: write termijn"),
    ((WMO315, WMO315.replace("waarde = true", 'termijn = "5 werkdagen"')),
     "[regels.wmo315_afwijzen] takes a 'waarde'"),
    ((WMO315, WMO315.replace("waarde = true", "waade = true")), "[regels.wmo315_afwijzen] unknown key 'waade'; did you mean 'waarde'?"),
    ((WMO315, WMO315.replace('reden = "afwijzing.contract", ', "")), "[regels.wmo315_afwijzen] misses 'reden'"),
    ((WMO315, WMO315.replace('"afwijzing.contract"', '"afwijzing.kontrakt"')),
     "[regels.wmo315_afwijzen] reden must name a RedenAfwijzingVerzoek"),
    (('vow_alleen_geheel = { waarde = true,', 'vow_alleen_geheel = { waarde = true, reden = "afwijzing.contract",'),
     "[regels.vow_alleen_geheel] takes no 'reden'"),
    # deadlines: afhandeling_zonder_bsn is read by the gemeente and the checks, so it is required
    ((AFHANDELING + "\n", ""), "[termijnen] misses afhandeling_zonder_bsn"),
    (("afhandeling_zonder_bsn = {", "afhandeling_zonder_bns = {"),
     "[termijnen] unknown deadline 'afhandeling_zonder_bns'; did you mean 'afhandeling_zonder_bsn'?"),
    (('retour_302 = { termijn = "3 werkdagen"', 'retour_302 = { termijn = "0 werkdagen"'),
     "[termijnen.retour_302] termijn '0 werkdagen': the amount must be 1 or more"),
    (('vot_sggz = { termijn = "3 maanden + 5 werkdagen"', 'vot_sggz = { termijn = "0 maanden + 5 werkdagen"'),
     "[termijnen.vot_sggz] termijn '0 maanden + 5 werkdagen': the amount must be 1 or more"),
    (('termijn = "12 maanden"', 'termijn = "0 maanden"'), "[regels.maximale_toewijzingsduur] termijn '0 maanden'"),
    (('overgang_18_contact = { termijn = "3 maanden"', 'overgang_18_contact = { termijn = "einde volgende maand"'),
     "[regels.overgang_18_contact] counts back from the end of the Jw toewijzing"),
    ((RETOUR_302, RETOUR_302.replace(' }', ', dagen = 3 }')), "[termijnen.retour_302] unknown key 'dagen'"),
    # sections and keys nobody reads
    (("[kalender]\n", "[kalendr]\n"), "[top level] unknown section 'kalendr'; did you mean 'kalender'?"),
    (("vow = 0.08 ", "vowx = 0.08 "), "[gebeurtenissen] unknown event 'vowx'; did you mean 'vow'?"),
    (('extra_vrije_dagen = []', 'extra_vrije_dagen = []\nfeestdag = []'), "[kalender] unknown key 'feestdag'"),
    (('versie = "1 januari 2024, definitief"', 'versie = "1 januari 2024, definitief"\nversion = "x"'),
     "[profiel] unknown key 'version'"),
    (('"0244" = { naam = "Hattem",', '"0244" = { nam = "Hattem",'), "[gemeenten.0244] unknown key 'nam'; did you mean 'naam'?"),
    (('"0244" = { naam = "Hattem",', '"0999" = { naam = "Hattem",'), "[gemeenten] '0999' is not a gemeente ketensim"),
    (("kans_alleen_diagnostiek = 0.3", "kans_alleen_diagnostic = 0.3"),
     "[routes.sggz] unknown key 'kans_alleen_diagnostic'; did you mean 'kans_alleen_diagnostiek'?"),
    (("kans_alleen_diagnostiek = 0.3", "kans_alleen_diagnostiek = 30"), "[routes.sggz.kans_alleen_diagnostiek] must be a chance"),
    (('behandelgroepen = ["sggz-basaal", "sggz-duurzaam", "sggz-epa"]', 'behandelgroepen = ["sggz-basaal", "sggz-epa2"]'),
     "[routes.sggz.behandelgroepen] unknown catalogue tag 'sggz-epa2'"),
    (('"medisch_specialist", "gi"]', '"medisch-specialist", "gi"]'),
     "[routes.extern.verwijzers] unknown verwijzer 'medisch-specialist'; did you mean 'medisch_specialist'?"),
    (("duur_maanden = { min = 2, max = 12 }", "duur_maanden = { min = 12, max = 2 }"),
     "[populatie.duur_maanden] max must be ≥ min"),
    (("duur_maanden = { min = 2, max = 12 }", "duur_maanden = { min = 0, max = 12 }"),
     "[populatie.duur_maanden.min] must be a whole number ≥ 1"),
    (("duur_maanden = { min = 2, max = 12 }", "duur_maand = { min = 2, max = 12 }"),
     "[populatie] unknown key 'duur_maand'; did you mean 'duur_maanden'?"),
    (('[toewijzing.wmo]', '[toewijzing.wm]'), "[toewijzing] unknown domein 'wm'; did you mean 'wmo'?"),
    (('varianten = { aanbieder_vot = "1.4.1"', 'varianten = { aanbieder_vo = "1.4.1"'),
     "[dyslexie.varianten] unknown variant 'aanbieder_vo'; did you mean 'aanbieder_vot'?"),
])
def test_every_key_is_required_typed_and_known(tmp_path, wijziging, verwacht):
    pad = kopie(tmp_path, wijziging)
    msg = str(fout(pad))
    _een_regel(msg, pad)
    assert verwacht in msg, msg


def test_regels_section_itself_is_required(tmp_path):
    pad = kopie(tmp_path, ("[regels]\n", "[regel]\n"))
    msg = str(fout(pad))
    assert msg == f"{pad}: [top level] misses 'regels'"


def test_every_rule_and_deadline_key_of_the_loader_is_in_both_shipped_profiles():
    from simulator.profiel import REGELS

    for naam in ("mijov-2024", "lta-2021"):
        p = laad_profiel(naam)
        assert set(p.regels) == set(REGELS) and set(p.termijnen) == set(VERPLICHTE_TERMIJNEN)


def test_the_event_names_are_the_populations():
    from actors.populatie import EVENT_ROUTES
    from simulator.profiel import GEBEURTENISSEN

    assert set(GEBEURTENISSEN) == set(EVENT_ROUTES)


def test_a_bad_profile_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys

    pad = kopie(tmp_path, (WMO315 + "\n", ""))
    for argv in (["run", "--profile", str(pad), "--clients", "2", "--days", "10", "--out", str(tmp_path / "uit")],
                 ["rules", "--profile", str(pad)],
                 ["compare", "--profile", str(pad), "--profile", "mijov-2024", "--out", str(tmp_path / "cmp")]):
        r = subprocess.run([sys.executable, "-m", "simulator.cli", *argv], capture_output=True, text=True)
        assert r.returncode == 2, (argv, r.stderr)
        assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr, r.stderr
        assert str(pad) in r.stderr and "[regels] misses wmo315_afwijzen" in r.stderr


def test_a_catalogue_the_release_does_not_know_is_one_line_and_exit_2(tmp_path):
    """Categorie, eenheid and frequentie are checked against the release's code lists when a command
    loads them (run, check, compare): still one line naming file and section, no traceback."""
    import subprocess
    import sys

    def ketensim(*argv):
        return subprocess.run([sys.executable, "-m", "simulator.cli", *argv], capture_output=True, text=True)

    assert ketensim("run", "--clients", "2", "--days", "10", "--out", str(tmp_path / "run")).returncode == 0
    pad = kopie(tmp_path, ('code = "45A01", omschrijving = "Ambulante jeugdhulp individueel", eenheid = "04"',
                           'code = "45A01", omschrijving = "Ambulante jeugdhulp individueel", eenheid = "99"'))
    for argv in (["run", "--profile", str(pad), "--clients", "2", "--days", "10", "--out", str(tmp_path / "uit")],
                 ["check", str(tmp_path / "run"), "--profile", str(pad)],
                 ["compare", "--profile", str(pad), "--profile", "mijov-2024", "--out", str(tmp_path / "cmp")]):
        r = ketensim(*argv)
        assert r.returncode == 2, (argv, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0, r.stderr
        assert f"{pad}: [catalogus] product 45A01: eenheid '99' is not in WJ756" in r.stderr


# -- docs/profiles.md stays in step with the loader ----------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "profiles.md"


def _docs_sectie(kop: str) -> str:
    tekst = DOCS.read_text(encoding="utf-8")
    start = tekst.index(kop)
    return tekst[start:tekst.index("\n#", start + len(kop))]


def test_docs_list_exactly_the_required_termijnen():
    rijen = re.findall(r"^\| `(\w+)` \|", _docs_sectie("#### The required keys"), re.M)
    assert rijen == list(VERPLICHTE_TERMIJNEN)


def test_docs_termijn_forms_all_parse():
    sectie = _docs_sectie("#### The forms `termijn` accepts")
    voorbeelden = re.findall(r'`"([^"`]+)"`', sectie)
    assert len(voorbeelden) >= 6
    for v in voorbeelden:
        if v in ("een jaar", "10 werkdagen na ontvangst", "3 werkdagen of eerder"):
            with pytest.raises(ValueError):
                Termijn.parse(v)
        else:
            Termijn.parse(v)
    for vorm in re.findall(r"`(einde [^`]+|laatste dag [^`]+|uiterlijk [^`]+)`", sectie):
        assert Termijn.parse(vorm) == Termijn("einde_volgende_maand")


def test_docs_name_every_feestdag_and_route():
    from simulator.werkdagen import FEESTDAGEN

    kalender = _docs_sectie("### `[kalender]`")
    assert set(re.findall(r"`(\w+)`", kalender)) >= set(FEESTDAGEN)
    routes = _docs_sectie("### `[routes.<route>]`")
    assert all(f"`{r}`" in routes for r in ROUTES)


def test_docs_describe_every_section_rule_event_and_option_of_the_loader():
    from simulator.profiel import GEBEURTENISSEN, POPULATIE, REGELS, ROUTE_OPTIES, SECTIES

    formaat = _docs_sectie("## The file format")
    assert [s.split(".")[0] for s in re.findall(r"^\| `\[([\w.<>]+)\]` \|", formaat, re.M)] == list(SECTIES)
    regels = _docs_sectie("### `[regels]`")
    assert set(re.findall(r"^\| `(\w+)` \|", regels, re.M)) == set(REGELS)
    gebeurtenissen = _docs_sectie("### `[gebeurtenissen]`")
    assert re.findall(r"^\| `(\w+)` \|", gebeurtenissen, re.M) == list(GEBEURTENISSEN)
    populatie = _docs_sectie("### `[populatie]`")
    assert re.findall(r"^\| `(\w+)` \|", populatie, re.M) == list(POPULATIE)
    routes = _docs_sectie("### `[routes.<route>]`")
    opties = {(r, o) for r, o in re.findall(r"^\| `(\w+)` \| `(\w+)` \|", routes, re.M)}
    assert opties == {(r, o) for r, d in ROUTE_OPTIES.items() for o in d}
