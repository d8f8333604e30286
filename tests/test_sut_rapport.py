"""The system under test is part of a run's metadata: the ledger's run header, uitslag.json, the
text summary of `ketensim check`, the HTML report and the JUnit properties name it (role, code,
address), and none of them holds its token or a password in its URL."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import jsonschema
import pytest

from scenarios.run import RunInstellingen, voer_uit
from simulator import cli
from simulator.codec import parse
from simulator.ledger import open_ledger
from simulator.sut import parse_sut_spec
from tests.fake_sut import FakeSut

PROJECT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((PROJECT / "docs" / "uitslag.schema.json").read_text(encoding="utf-8"))
TOKEN, WACHTWOORD = "tok-d2-geheim", "pw-d2-geheim"


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sut_run(tmp_path_factory) -> tuple[Path, str]:
    uit = tmp_path_factory.mktemp("sutrun")
    with FakeSut(gedrag={"outbox": "500"}) as sut:  # failed calls are ledger events that name the SUT
        poort = sut.url.rsplit(":", 1)[1]
        url = f"http://ketensim:{WACHTWOORD}@127.0.0.1:{poort}"
        voer_uit(RunInstellingen(uit=uit, scenario="toegang", clients=15, dagen=30, seed=3,
                                 sut=parse_sut_spec(f"gemeente:0200={url}"), sut_token=TOKEN))
        assert sut.verkeer and all(v.status for v in sut.verkeer)  # the SUT took part
    code, _, err = _cli("check", str(uit))
    assert code in (0, 1), err
    return uit, f"http://127.0.0.1:{poort}"


def _geheimen_weg(tekst: str) -> None:
    assert TOKEN not in tekst and WACHTWOORD not in tekst


def test_ledger_header_and_uitslag_json_name_the_sut(sut_run):
    uit, adres = sut_run
    verwacht = {"rol": "gemeente", "code": "0200", "adres": adres}
    led = open_ledger(uit)
    assert led.run["sut"] == verwacht
    fouten = [r for r in led.records() if getattr(r, "wat", None) == "sut_fout"]
    assert fouten and all(g.gegevens["sut"] == adres for g in fouten)
    tekst = (uit / "uitslag.json").read_text(encoding="utf-8")
    d = json.loads(tekst)
    assert d["run"]["sut"] == verwacht
    jsonschema.Draft202012Validator(SCHEMA).validate(d)
    _geheimen_weg((uit / "ledger.jsonl").read_text(encoding="utf-8"))
    _geheimen_weg(tekst)
    # the schema says what a SUT is: a string is not one
    d["run"]["sut"] = "gemeente 0200"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(d)


def test_check_text_html_and_junit_name_the_sut(sut_run, tmp_path):
    uit, adres = sut_run
    code, tekst, _ = _cli("check", str(uit))
    assert f"system under test: gemeente:0200={adres}" in tekst
    assert _cli("report", str(uit / "uitslag.json"), "--format", "html", "--out", str(tmp_path / "r.html"))[0] == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<span id="sut">gemeente 0200</span> <small>via ' + adres + "</small>" in html
    assert "geen (alleen referentie-actoren)" not in html
    assert _cli("report", str(uit / "uitslag.json"), "--format", "junit", "--out", str(tmp_path / "j.xml"))[0] == 0
    junit = (tmp_path / "j.xml").read_bytes()
    root = parse(junit, max_bytes=50 * 1024 * 1024).document
    eigenschappen = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert eigenschappen["sut"] == f"gemeente:0200={adres}"
    for tekst in (html, junit.decode("utf-8")):
        _geheimen_weg(tekst)


def test_a_run_without_a_sut_says_so(tmp_path):
    voer_uit(RunInstellingen(uit=tmp_path, scenario="toegang", clients=5, dagen=20, seed=3))
    assert "sut" not in open_ledger(tmp_path).run
    assert _cli("check", str(tmp_path))[0] in (0, 1)
    d = json.loads((tmp_path / "uitslag.json").read_text(encoding="utf-8"))
    assert d["run"]["sut"] is None
    jsonschema.Draft202012Validator(SCHEMA).validate(d)
    assert _cli("report", str(tmp_path / "uitslag.json"), "--format", "html", "--out", str(tmp_path / "r.html"))[0] == 0
    assert "geen (alleen referentie-actoren)" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert _cli("report", str(tmp_path / "uitslag.json"), "--format", "junit", "--out", str(tmp_path / "j.xml"))[0] == 0
    assert b'name="sut"' not in (tmp_path / "j.xml").read_bytes()
