"""The checker: silent on the reference actors, loud on a broken ledger, honest about what it
cannot judge (a folder of example messages without their history)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from reports.controle import Controleur
from reports.regels import catalogus
from reports.uitslag import FAIL, Uitslag
from scenarios.run import RunInstellingen, voer_uit
from simulator.cli import main
from simulator.ledger import Boeking, open_ledger
from simulator.profiel import laad_profiel

PROFIEL = laad_profiel("mijov-2024")


@pytest.fixture(scope="module")
def schone_run(tmp_path_factory):
    uit = tmp_path_factory.mktemp("schoon")
    voer_uit(RunInstellingen(uit=uit, scenario="mix", clients=250, dagen=300, seed=77))
    return uit


def _check(records, registry, compleet=True) -> Uitslag:
    c = Controleur(PROFIEL, registry)
    for r in records:
        c.verwerk(r)
    return c.sluit(compleet=compleet)


def _fails(u: Uitslag) -> set[str]:
    return {o.regel for o in u.afwijkingen}


def test_reference_actors_give_no_deviations(schone_run, registry):
    u = _check(open_ledger(schone_run).records(), registry)
    assert u.berichten > 1500 and u.ongeldig == 0
    assert u.afwijkingen == [], [(o.regel, o.waargenomen) for o in u.afwijkingen[:5]]
    # the run's end leaves some deadlines open: those are inconclusive, never pass or fail
    assert all(o.waargenomen.startswith("nog niet ontvangen") for o in u.onbeslist)
    geoordeeld = {r for r, c in u.tellingen.items() if c["pass"]}
    assert {"TERMIJN.retour_302", "TERMIJN.besluit_vot", "TERMIJN.start_305", "TERMIJN.stop_307",
            "TERMIJN.antwoord_325", "TERMIJN.declaratie_323", "PROT.een_actuele_305", "TR338", "XSD",
            "RETOUR.een_op_een"} <= geoordeeld


def _zonder(records, weg) -> list:
    return [r for r in records if not (isinstance(r, Boeking) and weg(r))]


def test_a_missing_retour_is_a_deviation_of_the_receiver(schone_run, registry):
    records = list(open_ledger(schone_run).records())
    weg = next(r for r in records if isinstance(r, Boeking) and r.berichttype.endswith("302"))
    u = _check(_zonder(records, lambda r: r is weg), registry)
    assert _fails(u) == {"TERMIJN.retour_302"}
    o = u.afwijkingen[0]
    assert o.actor == weg.afzender and weg.heen in " ".join(o.berichten) and "niet ontvangen" in o.waargenomen


def test_a_late_retour_names_how_late(schone_run, registry):
    records = list(open_ledger(schone_run).records())
    i = next(i for i, r in enumerate(records) if isinstance(r, Boeking) and r.berichttype.endswith("306"))
    r = records[i]
    laat = Boeking(r.seq, PROFIEL.kalender.add_werkdagen(r.datum, 6), r.afzender, r.ontvanger, r.berichttype,
                   r.identificatie, r.xml, r.heen, r.bsn, r.toewijzingnummers, r.route, r.scenario, r.traject, r.rol)
    u = _check(records[:i] + [laat] + records[i + 1:], registry)
    assert _fails(u) == {"TERMIJN.retour_306"}
    assert "werkdag(en) te laat" in u.afwijkingen[0].waargenomen


def test_a_second_retour_and_a_duplicate_identificatie_are_deviations(schone_run, registry):
    records = list(open_ledger(schone_run).records())
    retour = next(r for r in records if isinstance(r, Boeking) and r.berichttype.endswith("316"))
    heen = next(r for r in records if isinstance(r, Boeking) and r.berichttype.endswith("301"))
    u = _check(records + [retour, heen], registry)
    assert {"RETOUR.een_op_een", "TR056"} <= _fails(u)


def test_an_invalid_message_is_reported_and_not_judged_further(schone_run, registry):
    records = list(open_ledger(schone_run).records())
    i = next(i for i, r in enumerate(records) if isinstance(r, Boeking) and r.berichttype.endswith("305"))
    r = records[i]
    kapot = Boeking(r.seq, r.datum, r.afzender, r.ontvanger, r.berichttype, r.identificatie, r.xml[:-40],
                    bsn=r.bsn, traject=r.traject)
    u = _check(records[:i] + [kapot] + records[i + 1:], registry)
    assert "XSD" in _fails(u) and u.ongeldig == 1
    assert [o for o in u.afwijkingen if o.regel == "XSD"][0].actor == r.afzender


def test_example_folder_is_checked_with_inconclusive_for_missing_history(tmp_path, capsys):
    code = main(["check", "../shared/istandaarden/ijw-3.2/voorbeelden", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1  # the two known-invalid examples (and what they break) are deviations
    u = Uitslag.lees(tmp_path / "uitslag.json")
    xsd = [o for o in u.afwijkingen if o.regel == "XSD"]
    assert len(xsd) == 2 and u.berichten == 14
    assert any("2027-06-31" in o.waargenomen for o in xsd) and any("RetourCode" in o.waargenomen for o in xsd)
    assert u.onbeslist and any("eerdere berichten" in o.waargenomen for o in u.onbeslist)
    assert "inconclusive per rule" in out


def test_cli_check_on_a_run_folder_writes_the_result_and_passes(schone_run, capsys):
    assert main(["check", str(schone_run)]) == 0
    out = capsys.readouterr().out
    assert "verdict: PASS — 0 deviation(s)" in out
    d = json.loads((schone_run / "uitslag.json").read_text(encoding="utf-8"))
    assert d["ketensim_uitslag"] == 1 and d["berichten"] > 1500
    assert {r["id"] for r in d["regels"]} >= {"TERMIJN.retour_302", "TR019", "PROT.325_volledig"}


def test_cli_check_bad_input_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "leeg").mkdir()
    assert main(["check", str(tmp_path / "leeg")]) == 2
    assert "no ledger.jsonl and no *.xml" in capsys.readouterr().err


def test_rules_catalogue_covers_the_issue_list(registry, capsys):
    ids = set(catalogus(PROFIEL, registry))
    termijnen = {"retour_302", "retour_306", "retour_308", "retour_316", "retour_318", "retour_320", "besluit_vot",
                 "besluit_vow", "onderzoek", "woonplaatsbeginsel", "vot_na_intake", "vot_sggz", "vot_crisis",
                 "start_305", "start_305_terugwerkend", "start_305_sggz", "stop_307", "declaratie_323",
                 "declaratie_sggz", "antwoord_325", "correctie_goedgekeurd"}
    assert {f"TERMIJN.{t}" for t in termijnen} <= ids
    trs = {"TR019", "TR056", "TR063", "TR071", "TR074", "TR304", "TR307", "TR308", "TR314", "TR318", "TR319",
           "TR321", "TR322", "TR323", "TR326", "TR332", "TR333", "TR337", "TR338", "TR339", "TR340",
           "TR341", "TR347", "TR349", "TR350", "TR351", "TR355", "TR357", "TR359", "TR360", "TR361", "TR365",
           "TR366", "TR367", "TR369", "TR373", "TR374", "TR375", "TR376", "TR379", "TR382", "TR384", "TR385",
           "TR387", "TR388", "TR389", "TR390", "TR411", "TR412", "TR413", "TR414", "TR415"}
    assert trs <= ids
    assert main(["rules", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert all(f"`{i}`" in md for i in ids)
    tr338 = catalogus(PROFIEL, registry)["TR338"]
    assert tr338.retourcode == "9338" and "ToegewezenProduct" in tr338.stelling


def test_deadline_rules_follow_the_profile(registry, tmp_path):
    import dataclasses

    from simulator.werkdagen import Termijn

    anders = dataclasses.replace(PROFIEL, termijnen=dict(PROFIEL.termijnen) | {
        "vot_na_intake": dataclasses.replace(PROFIEL.termijnen["vot_na_intake"], termijn=Termijn.parse("20 werkdagen"))})
    r = catalogus(anders, registry)["TERMIJN.vot_na_intake"]
    assert "20 werkdagen" in r.stelling and "20 werkdagen" not in catalogus(PROFIEL, registry)["TERMIJN.vot_na_intake"].stelling
