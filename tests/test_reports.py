"""The result model and the formats rendered from it: uitslag.json against its JSON Schema, run
metadata, per-route counts, merging, JUnit XML, the per-message validation report, and
``ketensim report`` from a ledger and from a result."""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from reports.controleer import controleer
from reports.invoer import open_invoer
from reports.junit import gevallen
from reports.rapport import NS, rapport_element
from reports.uitslag import FAIL, GEEN_ROUTE, Uitslag, voeg_samen
from scenarios.run import RunInstellingen, voer_uit
from simulator import cli
from simulator.codec import parse
from simulator.genereer import genereer
from simulator.profiel import laad_profiel
from simulator.render import render

PROJECT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((PROJECT / "docs" / "uitslag.schema.json").read_text(encoding="utf-8"))
PROFIEL = laad_profiel("mijov-2024")
FOUTEN = frozenset({"laat_302", "verkeerd_tarief"})


def _run(pad: Path, registry, seed: int, fouten=frozenset()) -> Uitslag:
    voer_uit(RunInstellingen(uit=pad, clients=40, dagen=150, seed=seed, fouten=fouten))
    u = controleer(open_invoer(pad, registry), PROFIEL, registry)
    u.schrijf(pad / "uitslag.json")
    return u


@pytest.fixture(scope="module")
def fout_run(tmp_path_factory, registry) -> tuple[Path, Uitslag]:
    pad = tmp_path_factory.mktemp("foutrun")
    return pad, _run(pad, registry, 1, FOUTEN)


@pytest.fixture(scope="module")
def schone_run(tmp_path_factory, registry) -> tuple[Path, Uitslag]:
    pad = tmp_path_factory.mktemp("schoon")
    return pad, _run(pad, registry, 2)


def _xml(pad: Path):
    ontleding = parse(pad.read_bytes(), max_bytes=50 * 1024 * 1024)
    assert ontleding.ok, ontleding.fouten
    return ontleding.document


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- the result model ---------------------------------------------------------------------------
def test_real_results_validate_against_the_json_schema(fout_run, schone_run):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for pad, u in (fout_run, schone_run):
        d = json.loads((pad / "uitslag.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(SCHEMA).validate(d)
    assert json.loads((fout_run[0] / "uitslag.json").read_text())["verdict"] == FAIL
    kapot = json.loads((fout_run[0] / "uitslag.json").read_text())
    kapot["oordelen"][0]["uitkomst"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(kapot, SCHEMA)


def test_result_names_what_it_judged(fout_run):
    pad, u = fout_run
    run = u.run
    assert run["profiel"] == "mijov-2024" and run["seed"] == 1 and run["scenario"] == "mix"
    assert run["ledger"]["sha256"] == hashlib.sha256((pad / "ledger.jsonl").read_bytes()).hexdigest()
    assert run["ketensim_versie"] and run["release"].startswith("iJw 3.2")
    assert set(run["derived_gebruikt"]) <= set(run["derived"]) and run["sut"] is None
    assert sorted(run["fouten"]) == sorted(FOUTEN)


def test_every_deviation_carries_its_evidence(fout_run):
    _, u = fout_run
    assert {"TERMIJN.retour_302", "TR418"} <= {o.regel for o in u.afwijkingen}
    for o in u.afwijkingen:
        assert o.berichten and o.actor and o.verwacht and o.waargenomen and o.datum
    laat = [o for o in u.afwijkingen if o.regel == "TERMIJN.retour_302"]
    assert all(o.bsn and o.route and o.betreft and o.betreft.split()[0].endswith("302") for o in laat)


def test_counts_per_route_add_up_to_the_rule_counts(fout_run):
    _, u = fout_run
    for regel, c in u.tellingen.items():
        som = Counter()
        for routes in u.per_route.get(regel, {}).values():
            som.update(routes)
        assert som == c, regel
    for o in u.afwijkingen:
        assert u.per_route[o.regel][o.route or GEEN_ROUTE][FAIL] >= 1
    assert len(u.per_route["XSD"]) > 2  # messages of several routes were validated


def test_result_file_round_trips(fout_run):
    pad, u = fout_run
    assert Uitslag.lees(pad / "uitslag.json").as_dict() == u.as_dict()
    (pad / "geen.json").write_text('{"iets": 1}')
    with pytest.raises(ValueError, match="not a ketensim result"):
        Uitslag.lees(pad / "geen.json")


def test_merging_keeps_each_scenario_and_adds_the_counts(fout_run, schone_run, tmp_path):
    a, b = fout_run[1], schone_run[1]
    samen = voeg_samen([a, b])
    assert [d.scenario for d in samen.scenarios()] == ["mix[seed1]", "mix[seed2]"]
    assert samen.tellingen["XSD"]["pass"] == a.tellingen["XSD"]["pass"] + b.tellingen["XSD"]["pass"]
    assert {o.scenario for o in samen.afwijkingen} == {"mix[seed1]"}
    assert samen.berichten == a.berichten + b.berichten and samen.run["shards"][1]["seed"] == 2
    samen.schrijf(tmp_path / "samen.json")
    d = json.loads((tmp_path / "samen.json").read_text())
    jsonschema.validate(d, SCHEMA)
    terug = Uitslag.lees(tmp_path / "samen.json")
    assert [s.scenario for s in terug.scenarios()] == ["mix[seed1]", "mix[seed2]"]
    assert d["scenarios"][1]["regels"]["TERMIJN.retour_302"]["verdict"] != FAIL
    assert d["scenarios"][0]["regels"]["TERMIJN.retour_302"]["verdict"] == FAIL
    # the validation report keeps messages of different shards apart (each shard numbers its own)
    rapport = rapport_element(samen)
    xsd = etree.XMLSchema(_xml(PROJECT / "docs" / "validatierapport.xsd"))
    assert xsd.validate(rapport), xsd.error_log
    berichten = rapport.findall(f"{{{NS}}}Bericht")
    assert berichten and {b.get("scenario") for b in berichten} <= {"mix[seed1]", "mix[seed2]"}
    assert all(b.get("scenario") for b in berichten)


# -- JUnit XML ----------------------------------------------------------------------------------
def test_junit_has_a_case_per_rule_and_route_with_matching_counts(fout_run, tmp_path):
    pad, u = fout_run
    code, _, err = _cli("report", str(pad / "uitslag.json"), "--format", "junit", "--out", str(tmp_path / "j.xml"))
    assert code == 0, err
    root = _xml(tmp_path / "j.xml")
    assert root.tag == "testsuites"
    gevallen_ = root.findall("testsuite/testcase")
    assert int(root.get("tests")) == len(gevallen_) == len(gevallen(u))
    assert int(root.get("failures")) == sum(tc.find("failure") is not None for tc in gevallen_) > 0
    assert int(root.get("skipped")) == sum(tc.find("skipped") is not None for tc in gevallen_) > 0
    namen = {tc.get("name").split("[")[0] for tc in gevallen_}
    assert namen == set(u.regels)  # every rule of the catalogue is listed
    routes = [tc.get("name") for tc in gevallen_ if tc.get("name").startswith("TERMIJN.retour_302[")]
    assert len(routes) > 1  # per route where it applies
    for tc in gevallen_:
        f = tc.find("failure")
        if f is None:
            continue
        regel = tc.get("name").split("[")[0]
        route = tc.get("name")[len(regel) + 1:-1] or None
        fouten = [o for o in u.afwijkingen if o.regel == regel and (route is None or o.route == route)]
        assert fouten, tc.get("name")
        for o in fouten:
            assert o.berichten[0] in f.text and o.berichten[0] in f.get("message")
            assert o.waargenomen in f.text
    overgeslagen = [tc.find("skipped").get("message") for tc in gevallen_ if tc.find("skipped") is not None]
    assert any(m.startswith("inconclusive") for m in overgeslagen)
    assert any(m.startswith("not applicable") for m in overgeslagen)


def test_a_clean_run_gives_no_junit_failures(schone_run, tmp_path):
    pad, _ = schone_run
    code, out, _ = _cli("report", str(pad), "--format", "junit")
    assert code == 0
    root = parse(out.encode()).document
    assert root.get("failures") == "0" and int(root.get("tests")) > 100


# -- validation report --------------------------------------------------------------------------
def test_rapport_lists_each_offending_message_with_rule_code_and_retourcode(fout_run, tmp_path):
    pad, u = fout_run
    assert _cli("report", str(pad / "uitslag.json"), "--format", "rapport", "--out", str(tmp_path / "r.xml"))[0] == 0
    root = _xml(tmp_path / "r.xml")
    n = f"{{{NS}}}"
    assert root.tag == f"{n}Validatierapport"
    xsd = etree.XMLSchema(_xml(PROJECT / "docs" / "validatierapport.xsd"))
    assert xsd.validate(root), xsd.error_log  # the documented shape
    berichten = root.findall(f"{n}Bericht")
    assert int(root.find(f"{n}Samenvatting").get("berichten")) == u.berichten
    assert sum(len(b.findall(f"{n}Melding")) for b in root) == len(u.oordelen)
    for o in u.afwijkingen:
        typ, rest = o.bericht.split(" ", 1)
        afzender, ident = rest.split("/")
        b = next(b for b in berichten if (b.get("berichttype"), b.get("afzender"), b.get("identificatie")) == (typ, afzender, ident))
        m = next(m for m in b.findall(f"{n}Melding") if m.get("regelcode") == o.regel)
        assert b.get("resultaat") == "afgekeurd" and m.find(f"{n}Waargenomen").text == o.waargenomen
        if o.regel == "TR418":
            assert m.get("retourcode") == "0611"  # WJ001, from regels.csv
            assert m.find(f"{n}Element").text == "Client/Prestatie/ProductTarief"
        if o.regel == "TERMIJN.retour_302":
            assert typ.endswith("302") and m.get("retourcode") is None  # the late 302 itself; no retourcode


def test_rapport_of_an_invalid_xml_file_names_xsd_0001_and_the_element(registry, tmp_path):
    goed = render(genereer("JW315", 3, registry), registry)
    fout = goed.replace(b"<jw315:Geboortedatum>", b"<jw315:Geboortedatum>X", 1)
    assert fout != goed
    (tmp_path / "berichten").mkdir()
    (tmp_path / "berichten" / "a.xml").write_bytes(goed)
    (tmp_path / "berichten" / "b.xml").write_bytes(fout)
    code, out, err = _cli("report", str(tmp_path / "berichten"), "--format", "rapport")
    assert code == 0, err
    root = parse(out.encode()).document
    n = f"{{{NS}}}"
    xsd = [m for m in root.iter(f"{n}Melding") if m.get("regelcode") == "XSD"]
    assert len(xsd) == 1 and xsd[0].get("retourcode") == "0001"
    assert "Geboortedatum" in xsd[0].find(f"{n}Element").text


# -- the command --------------------------------------------------------------------------------
def test_report_json_from_the_ledger_equals_the_checked_result(fout_run):
    pad, u = fout_run
    code, out, _ = _cli("report", str(pad / "ledger.jsonl"), "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(u.as_dict()))


def test_report_says_clearly_what_is_wrong_with_its_input(tmp_path):
    (tmp_path / "x.json").write_text("{not json")
    code, _, err = _cli("report", str(tmp_path / "x.json"), "--format", "junit")
    assert code == 2 and "cannot read a result file" in err
    code, _, err = _cli("report", str(tmp_path / "nergens"), "--format", "json")
    assert code == 2 and "nergens" in err
    (tmp_path / "half.json").write_text('{"ketensim_uitslag": 1, "regels": []}')
    code, _, err = _cli("report", str(tmp_path / "half.json"), "--format", "rapport")
    assert code == 2 and "damaged result file" in err


def test_report_html_is_rendered_or_said_to_be_unavailable(fout_run, tmp_path):
    pad, _ = fout_run
    from simulator.cli_report import html_beschikbaar

    code, _, err = _cli("report", str(pad / "uitslag.json"), "--format", "html", "--out", str(tmp_path / "r.html"))
    if html_beschikbaar():
        assert code == 0, err
        assert (tmp_path / "r.html").stat().st_size > 1000
    else:
        assert code == 2 and "not available" in err
