"""docs/sut-api.yaml is a valid OpenAPI 3 document and matches what the harness calls;
`ketensim sut-check` passes the example SUT and names what is wrong with a broken one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from simulator import cli
from simulator.cli_sutcheck import Verbinding, controleer
from tests.fake_sut import FakeSut

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sut-api.yaml"


def _doc() -> dict:
    return yaml.safe_load(DOC.read_text(encoding="utf-8"))


def operatie(doc: dict, methode: str, pad: str, content_type: str | None) -> str | None:
    """The operationId the call is, or None when the document has no such operation/media type."""
    pad = pad.split("?")[0]
    for sjabloon, ops in doc["paths"].items():
        if not re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[A-Za-z0-9_-]{1,64}", re.escape(sjabloon)), pad):
            continue
        op = ops.get(methode.lower())
        if op is None:
            return None
        verwacht = set((op.get("requestBody") or {}).get("content", {}))
        if (content_type is None) != (not verwacht) or (content_type and content_type not in verwacht):
            return None
        return op["operationId"]
    return None


def test_document_validates_as_openapi_3():
    doc = _doc()
    validate(doc)
    assert doc["openapi"].startswith("3.0")
    assert all(p.startswith("/ketensim/v1/") for p in doc["paths"])
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_operation_matcher_rejects_what_the_document_lacks():
    doc = _doc()
    assert operatie(doc, "POST", "/ketensim/v1/runs/r1/inbox?datum=2026-01-02", "application/xml") == "deliver"
    assert operatie(doc, "POST", "/ketensim/v1/runs/r1/inbox", "application/json") is None
    assert operatie(doc, "GET", "/ketensim/v1/runs/r1/klok", None) is None
    assert operatie(doc, "GET", "/ketensim/v2/info", None) is None
    assert operatie(doc, "PUT", "/ketensim/v1/runs/r1", None) is None  # a PUT run needs its JSON body


@pytest.fixture(scope="module")
def voorbeeld_sut():
    proc = subprocess.Popen([sys.executable, str(ROOT / "examples" / "gemeente_sut" / "server.py"), "--port", "0",
                             "--db", ":memory:", "--token", "geheim"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        regel = proc.stdout.readline()
        assert regel.startswith("listening on "), regel
        yield regel.split()[-1]
    finally:
        proc.terminate()
        proc.wait(10)


def test_sut_check_passes_the_example_sut_and_every_call_is_in_the_document(voorbeeld_sut):
    v = Verbinding(voorbeeld_sut, "geheim", 10.0)
    bevindingen = controleer(voorbeeld_sut, verbinding=v)
    assert [b for b in bevindingen if not b.ok] == []
    assert [b.stap for b in bevindingen] == ["GET info", "PUT run", "POST inbox", "POST klok", "GET outbox", "DELETE run"]
    doc = _doc()
    ids = [operatie(doc, m, p, ct) for m, p, ct in v.aanroepen]
    assert None not in ids, list(zip(v.aanroepen, ids))
    assert set(ids) == {"info", "startRun", "deliver", "grantDay", "collect", "endRun"}


def test_sut_check_cli_exit_codes(voorbeeld_sut, capsys):
    assert cli.main(["sut-check", voorbeeld_sut, "--token", "geheim"]) == 0
    assert cli.main(["sut-check", voorbeeld_sut]) == 1  # no token: 401
    uit = capsys.readouterr().out
    assert "FOUT GET info" in uit and "401" in uit
    assert cli.main(["sut-check", "ftp://x"]) == 2


def test_fake_sut_calls_are_in_the_document():
    with FakeSut() as sut:
        controleer(sut.url, timeout=2)
    doc = _doc()
    assert sut.aanroepen and all(operatie(doc, m, p, ct) for m, p, ct in sut.aanroepen)


@pytest.mark.parametrize("gedrag, stap, woord", [
    ({"klok": "500"}, "POST klok", "HTTP 500"),
    ({"klok": "hang"}, "POST klok", "geen antwoord binnen"),
    ({"info": "geen-json"}, "GET info", "Content-Type text/html"),
    ({"outbox": "groot"}, "GET outbox", "antwoord groter dan"),
    ({"inbox": "sluit"}, "POST inbox", "verbindingsfout"),
    ({"einde": "500"}, "DELETE run", "verwacht 204"),
])
def test_sut_check_names_the_broken_step(gedrag, stap, woord):
    with FakeSut(gedrag=gedrag, hang_s=3) as sut:
        bevindingen = controleer(sut.url, timeout=0.5)
    fout = [b for b in bevindingen if not b.ok]
    assert [b.stap for b in fout] == [stap], bevindingen
    assert woord in fout[0].tekst


def test_sut_check_judges_info_and_outbox_contents():
    info = {"api": "iets-anders", "naam": "", "versie": "1", "rollen": ["gemeente"]}
    with FakeSut(info=info, outbox=lambda d: [5]) as sut:  # outbox: "xml" not a string
        fout = [b for b in controleer(sut.url, timeout=2) if not b.ok]
    tekst = " ".join(f"{b.stap}: {b.tekst}" for b in fout)
    assert "api is 'iets-anders'" in tekst and "naam ontbreekt" in tekst
    assert [b.stap for b in fout] == ["GET info", "GET outbox"]


def test_sut_check_closed_port():
    with FakeSut() as sut:
        url = sut.url
    fout = [b for b in controleer(url, timeout=1) if not b.ok]
    assert len(fout) == 1 and "verbinding geweigerd" in fout[0].tekst


def test_every_call_of_the_harness_http_adapter_is_in_the_document(tmp_path):
    """A real run through `ketensim run --sut` (the HTTP adapter and the lock-step loop): every call
    it makes — run start, inbox, toegang, klok, outbox, end — is an operation of docs/sut-api.yaml."""
    from scenarios.run import RunInstellingen, voer_uit
    from simulator.sut import parse_sut_spec

    doc = _doc()
    with FakeSut() as sut:
        for scenario in ("toegang", "extern"):
            voer_uit(RunInstellingen(uit=tmp_path / scenario, scenario=scenario, clients=20, dagen=40, seed=2,
                                     sut=parse_sut_spec(f"gemeente:0200={sut.url}"), sut_token="geheim"))
        aanroepen = list(sut.aanroepen)
    gebruikt = {operatie(doc, m, p, ct) for m, p, ct in aanroepen}
    assert None not in gebruikt, [c for c in aanroepen if operatie(doc, *c) is None][:3]
    assert gebruikt == {"startRun", "deliver", "toegang", "grantDay", "collect", "endRun"}, gebruikt
