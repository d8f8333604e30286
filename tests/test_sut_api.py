"""docs/sut-api.yaml is a valid OpenAPI 3 document and matches what the harness calls;
`ketensim sut-check` passes the example SUT and names what is wrong with a broken one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from simulator import cli
from simulator.cli_sutcheck import Antwoord, Verbinding, controleer
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


# -- the document's schemas: what a request or an answer must look like ---------------------------
def _los_op(doc: dict, node):
    """``node`` with every local ``$ref`` replaced by what it points at (the document has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            doel = doc
            for deel in node["$ref"].removeprefix("#/").split("/"):
                doel = doel[deel]
            return _los_op(doc, doel)
        return {k: _los_op(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_los_op(doc, v) for v in node]
    return node


def _definitie(doc: dict, methode: str, pad: str) -> tuple[list[dict], dict] | None:
    """The parameters (path and operation level) and the operation object of a call."""
    for sjabloon, ops in doc["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[A-Za-z0-9_-]{1,64}", re.escape(sjabloon)), pad.split("?")[0]):
            op = ops.get(methode.lower())
            if op is None:
                return None
            return _los_op(doc, ops.get("parameters", []) + op.get("parameters", [])), _los_op(doc, op)
    return None


def _fouten(schema: dict, waarde) -> list[str]:
    v = OAS30Validator(schema, format_checker=oas30_format_checker)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in v.iter_errors(waarde)]


@dataclass
class Gesprek:
    """One call and its answer, as a test saw them."""

    methode: str
    pad: str  # with the query string
    content_type: str | None
    body: bytes
    status: int | None  # None: no answer (timeout, closed connection)
    antwoord_type: str | None
    antwoord: bytes


def afwijkingen_van_het_document(doc: dict, g: Gesprek) -> list[str]:
    """What in a call, or in its answer, the document does not allow: an unknown operation or media
    type, a missing query parameter, a JSON body or a JSON answer that fails its schema."""
    naam = f"{g.methode} {g.pad}"
    gevonden = _definitie(doc, g.methode, g.pad)
    if gevonden is None or operatie(doc, g.methode, g.pad, g.content_type) is None:
        return [f"{naam}: no such operation (content type {g.content_type})"]
    parameters, op = gevonden
    uit = []
    query = parse_qs(urlsplit(g.pad).query)
    for p in parameters:
        if p["in"] == "query" and p.get("required") and p["name"] not in query:
            uit.append(f"{naam}: query parameter {p['name']} missing")
        elif p["in"] == "query" and p["name"] in query:
            uit += [f"{naam}: ?{p['name']} {f}" for f in _fouten(p["schema"], query[p["name"]][0])]
    if g.content_type == "application/json":
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        uit += [f"{naam} request body {f}" for f in _fouten(schema, json.loads(g.body))]
    if g.status is not None:
        antwoord = op["responses"].get(str(g.status))
        if antwoord is None:
            uit.append(f"{naam}: HTTP {g.status} is not an answer of {op['operationId']}")
        elif g.antwoord:
            inhoud = antwoord.get("content", {})
            if g.antwoord_type not in inhoud:
                uit.append(f"{naam}: HTTP {g.status} with {g.antwoord_type}, the document says {list(inhoud) or 'no body'}")
            elif g.antwoord_type == "application/json":
                uit += [f"{naam} HTTP {g.status} answer {f}"
                        for f in _fouten(inhoud["application/json"]["schema"], json.loads(g.antwoord))]
        elif antwoord.get("content"):
            uit.append(f"{naam}: HTTP {g.status} without the body the document describes")
    return uit


class OpnemendeVerbinding(Verbinding):
    """The harness's own HTTP connection, keeping every call and answer."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.gesprekken: list[Gesprek] = []

    def roep(self, methode: str, pad: str, body: bytes | None = None, content_type: str | None = None):
        a = super().roep(methode, pad, body, content_type)
        status, atype, inhoud = (a.status, a.content_type or None, a.body) if isinstance(a, Antwoord) else (None, None, b"")
        self.gesprekken.append(Gesprek(methode, pad, content_type, body or b"", status, atype, inhoud))
        return a


def _uit_fake(sut: FakeSut) -> list[Gesprek]:
    return [Gesprek(v.methode, v.pad + (f"?{v.query}" if v.query else ""), v.content_type, v.body, v.status,
                    v.antwoord_type, v.antwoord) for v in sut.verkeer]


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
    v = OpnemendeVerbinding(voorbeeld_sut, "geheim", 10.0)
    bevindingen = controleer(voorbeeld_sut, verbinding=v)
    assert [b for b in bevindingen if not b.ok] == []
    assert [b.stap for b in bevindingen] == ["GET info", "PUT run", "POST inbox", "POST klok", "GET outbox", "DELETE run"]
    doc = _doc()
    ids = [operatie(doc, m, p, ct) for m, p, ct in v.aanroepen]
    assert None not in ids, list(zip(v.aanroepen, ids))
    assert set(ids) == {"info", "startRun", "deliver", "grantDay", "collect", "endRun"}
    # sut-check's requests and the example SUT's answers (info included) have the document's shape
    assert [f for g in v.gesprekken for f in afwijkingen_van_het_document(doc, g)] == []
    assert all(g.status is not None for g in v.gesprekken)


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
    assert [f for g in _uit_fake(sut) for f in afwijkingen_van_het_document(doc, g)] == []


def _toegang_body() -> dict:
    return {"standaard": "iJw", "aanbieder": "12345678", "ingangsdatum": "2026-02-01", "einddatum": None,
            "client": {"bsn": "999965050", "geslachtsnaam": "Heerkens", "voorvoegsel": None, "voorletters": "S",
                       "geboortedatum": "2012-03-28", "geslacht": "1",
                       "adres": {"straat": "Tarasteeg", "huisnummer": 79, "postcode": "7392DP", "plaats": "Twello"}},
            "product": {"categorie": "45", "code": None, "eenheid": "04", "volume": 4, "frequentie": "2"}, "reden": None}


@pytest.mark.parametrize("wijzig, woord", [
    (lambda b, v: b["client"]["adres"].update(huisnummer="79"), "client/adres/huisnummer: '79' is not of type 'integer'"),
    (lambda b, v: b.update(ingangsdatum="1-2-2026"), "ingangsdatum: '1-2-2026' is not a 'date'"),
    (lambda b, v: b.update(standaard="Jw"), "standaard: 'Jw' is not one of"),
    (lambda b, v: b.pop("product"), "'product' is a required property"),
    (lambda b, v: v.update(pad="/ketensim/v1/runs/r1/toegang"), "query parameter datum missing"),
    (lambda b, v: v.update(antwoord=b'{"ontvangen": "ja"}'), "answer ontvangen: 'ja' is not of type 'boolean'"),
    (lambda b, v: v.update(status=200), "HTTP 200 is not an answer of toegang"),
    (lambda b, v: v.update(ctype="text/plain"), "no such operation"),
])
def test_the_document_check_finds_what_breaks_a_schema(wijzig, woord):
    """The check the tests below rely on can fail: each change to a valid toegang call is found."""
    doc = _doc()
    body = _toegang_body()
    verzoek = {"pad": "/ketensim/v1/runs/r1/toegang?datum=2026-01-05", "ctype": "application/json", "status": 202,
               "antwoord": b'{"ontvangen": true}'}

    def gesprek() -> Gesprek:
        return Gesprek("POST", verzoek["pad"], verzoek["ctype"], json.dumps(body).encode(), verzoek["status"],
                       "application/json", verzoek["antwoord"])

    assert afwijkingen_van_het_document(doc, gesprek()) == []
    wijzig(body, verzoek)
    fouten = afwijkingen_van_het_document(doc, gesprek())
    assert any(woord in f for f in fouten), fouten


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


def test_every_call_of_the_harness_http_adapter_is_in_the_document(tmp_path, voorbeeld_sut):
    """Real runs through the HTTP adapter and the lock-step loop, against the fake SUT and against the
    example SUT: every call the harness makes — run start, inbox, toegang, klok, outbox, end — is an
    operation of docs/sut-api.yaml, every JSON request body (RunStart with its contracten, Toegang,
    the klok) and query parameter fits the document's schema, and so does every answer."""
    from scenarios.run import RunInstellingen, voer_uit
    from simulator.sut import HttpAdapter, parse_sut_spec

    doc = _doc()
    gesprekken: list[Gesprek] = []
    with FakeSut() as sut:
        for scenario in ("toegang", "extern"):
            voer_uit(RunInstellingen(uit=tmp_path / scenario, scenario=scenario, clients=20, dagen=40, seed=2,
                                     sut=parse_sut_spec(f"gemeente:0200={sut.url}"), sut_token="geheim"))
        gesprekken += _uit_fake(sut)
    adapter = HttpAdapter(voorbeeld_sut, "geheim", 10.0)
    adapter.verbinding = adapter.klok_verbinding = OpnemendeVerbinding(voorbeeld_sut, "geheim", 10.0)
    voer_uit(RunInstellingen(uit=tmp_path / "voorbeeld", scenario="mix", clients=25, dagen=60, seed=2,
                             sut=parse_sut_spec(f"gemeente:0200={voorbeeld_sut}"), sut_adapter=adapter))
    gesprekken += adapter.verbinding.gesprekken
    gebruikt = {operatie(doc, g.methode, g.pad, g.content_type) for g in gesprekken}
    assert gebruikt == {"startRun", "deliver", "toegang", "grantDay", "collect", "endRun"}, gebruikt
    assert [f for g in gesprekken for f in afwijkingen_van_het_document(doc, g)][:5] == []
    toegang = [json.loads(g.body) for g in gesprekken if g.pad.split("?")[0].endswith("/toegang")]
    assert toegang and all(isinstance(t["client"]["adres"]["huisnummer"], int) for t in toegang if t["client"]["adres"])
    assert any(g.antwoord and json.loads(g.antwoord).get("berichten") for g in adapter.verbinding.gesprekken)
