"""An aanbieder as the system under test: ``ketensim run --sut aanbieder:AGB=mailbox:DIR`` (and http://…,
inproces:…).  The SUT takes the aanbieder role for that AGB code; every other role stays a reference
actor.  It learns the care it gives from care events (POST …/zorg), and is judged on them.

End to end the SUT is the example in examples/aanbieder_mailbox/ (a separate process exchanging files,
independent of the harness); over HTTP and in process the same example's administration answers.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import laad_profiel
from simulator.sut import InprocesAdapter, RunInfo, parse_sut_spec
from simulator.sut_mailbox import MailboxAdapter
from tests.fake_sut import FakeSut

ROOT = Path(__file__).resolve().parents[1]
VOORBEELD = ROOT / "examples" / "aanbieder_mailbox"
AGB = "12345678"


# =============================================================================================
# helpers
# =============================================================================================
def _administratie():
    """The example's administratie module, loaded without leaving its plain module names behind."""
    oud = sys.modules.pop("xmlbericht", None)
    try:
        for naam in ("xmlbericht", "administratie"):
            spec = importlib.util.spec_from_file_location(naam, VOORBEELD / f"{naam}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[naam] = module
            spec.loader.exec_module(module)
        return module
    finally:
        sys.modules.pop("administratie", None)
        sys.modules.pop("xmlbericht", None)
        if oud is not None:
            sys.modules["xmlbericht"] = oud


ADMINISTRATIE = _administratie()


class Voorbeeld:
    """The example aanbieder's administration behind the in-process adapter (records what it was told)."""

    def __init__(self, fouten: tuple[str, ...] = ()) -> None:
        self.fouten = frozenset(fouten)
        self.inbox: list[bytes] = []
        self.verteld: list[dict] = []
        self.vandaag: list[dict] = []
        self.uit: list[bytes] = []

    def begin(self, run: RunInfo) -> None:
        self.adm = ADMINISTRATIE.Administratie(run.as_dict(), self.fouten)

    def lever(self, dag: date, berichten: list[bytes]) -> None:
        self.inbox += berichten

    def zorg(self, dag: date, gebeurtenis: dict) -> None:
        self.vandaag.append(gebeurtenis)
        self.verteld.append(dict(gebeurtenis, _dag=dag.isoformat()))

    def geef_dag(self, dag: date) -> bool:
        self.uit = self.adm.dag(dag, self.inbox, self.vandaag)
        self.inbox, self.vandaag = [], []
        return True

    def haal_op(self, dag: date) -> list[bytes]:
        return self.uit


def profiel_met(tmp_path: Path, gebeurtenissen: dict[str, float]) -> Path:
    """A copy of the shipped profile (data) with some special events' chances changed."""
    import re
    tekst = (ROOT / "scenarios" / "profiles" / "mijov-2024.toml").read_text(encoding="utf-8")
    for naam, kans in gebeurtenissen.items():
        tekst, n = re.subn(rf"(?m)^{naam}\s*=\s*[0-9.]+", f"{naam} = {kans}", tekst)
        assert n == 1, naam
    pad = tmp_path / "profiel.toml"
    pad.write_text(tekst, encoding="utf-8")
    return pad


def controleer(uit: Path, profiel: str | Path = "mijov-2024"):
    from simulator.schemas import SchemaRegistry
    c = Controleur(laad_profiel(profiel), SchemaRegistry.load(None))
    led = open_ledger(uit)
    records = list(led.records())
    for r in records:
        c.verwerk(r)
    return c.sluit(), records, led


def fouten(uitslag) -> set[str]:
    return {o.regel for o in uitslag.afwijkingen}


def run_inproces(tmp_path: Path, sut: object, scenario: str = "mix", clients: int = 150, dagen: int = 300,
                 seed: int = 4, profiel: str | Path = "mijov-2024"):
    voer_uit(RunInstellingen(uit=tmp_path / "run", scenario=scenario, clients=clients, dagen=dagen, seed=seed,
                             profiel=laad_profiel(profiel), sut=parse_sut_spec(f"aanbieder:{AGB}=inproces:x:y"),
                             sut_adapter=InprocesAdapter(sut)))
    return controleer(tmp_path / "run", profiel)


# =============================================================================================
# the harness side: who plays what, what the SUT is told
# =============================================================================================
def test_the_sut_joins_as_an_aanbieder_and_no_reference_actor_speaks_for_it(tmp_path):
    sut = Voorbeeld()
    uitslag, records, led = run_inproces(tmp_path, sut, clients=120, dagen=200)
    van_sut = [r for r in records if isinstance(r, Boeking) and r.afzender == AGB]
    assert {r.rol for r in van_sut} == {"sut"}
    assert {r.berichttype[-3:] for r in van_sut} >= {"302", "305", "315", "323"}
    # the run start told the SUT its contracts with every gemeente, products with unit and tariff
    run = sut.adm.run
    assert run.agb == AGB and run.tarieven and all(t > 0 for _, t in run.tarieven.values())
    assert led.compleet and fouten(uitslag) == set()


def test_an_existing_agb_is_taken_over(tmp_path):
    """`--sut aanbieder:AGB` with the AGB of one of the run's aanbieders: the SUT takes its place."""
    eerst = tmp_path / "a"
    voer_uit(RunInstellingen(uit=eerst, clients=120, dagen=60, seed=4))
    agb = Counter(r.afzender for r in open_ledger(eerst).records()
                  if isinstance(r, Boeking) and len(r.afzender) == 8).most_common(1)[0][0]
    voer_uit(RunInstellingen(uit=tmp_path / "b", clients=120, dagen=60, seed=4,
                             sut=parse_sut_spec(f"aanbieder:{agb}=inproces:x:y"), sut_adapter=InprocesAdapter(Voorbeeld())))
    van = [r for r in open_ledger(tmp_path / "b").records() if isinstance(r, Boeking) and r.afzender == agb]
    assert van and {r.rol for r in van} == {"sut"}


def _verteld(sut: Voorbeeld, soort: str) -> list[dict]:
    return [g for g in sut.verteld if g["soort"] == soort]


def test_care_events_follow_the_world(tmp_path):
    """What the SUT is told: an intake for each referred client; care starts after the 301 (the
    werkdag after it plus the wachttijd; earlier only for care that began before the toewijzing);
    it ends on the toewijzing's einddatum; every ProductPeriode is a calendar month cut to the
    toewijzing, told once, after it ended.  Each event is in the ledger (sut_zorg) as told."""
    sut = Voorbeeld()
    profiel = profiel_met(tmp_path, {"inkorten": 0.5})
    uitslag, records, _ = run_inproces(tmp_path, sut, clients=200, dagen=300, profiel=profiel)
    assert fouten(uitslag) == set()
    t301: dict[str, tuple[date, date | None]] = {}  # toewijzingnummer → (first receipt, last einddatum)
    from simulator.reader import lees
    from simulator.schemas import SchemaRegistry
    reg = SchemaRegistry.load(None)
    for r in records:
        if isinstance(r, Boeking) and r.ontvanger == AGB and r.berichttype.endswith("301"):
            for tp in lees(r.xml, reg).client.producten:
                eerste = t301.get(tp.toewijzingnummer, (r.datum, None))[0]
                t301[tp.toewijzingnummer] = (eerste, tp.einddatum)
    starts, eindes, leveringen = _verteld(sut, "start_zorg"), _verteld(sut, "einde_zorg"), _verteld(sut, "levering")
    assert len(_verteld(sut, "intake")) >= 5 and len(starts) >= 20 and len(eindes) >= 5 and len(leveringen) >= 40
    for g in starts:
        ontvangen, _ = t301[g["toewijzingnummer"]]
        if date.fromisoformat(g["datum"]) <= ontvangen:  # only care that began before the toewijzing
            assert g["_dag"] == ontvangen.isoformat()
    for g in eindes:
        assert g["datum"] == t301[g["toewijzingnummer"]][1].isoformat()
        assert g["_dag"] >= g["datum"]
    gezien = set()
    for g in leveringen:
        b, e = date.fromisoformat(g["periode"]["begindatum"]), date.fromisoformat(g["periode"]["einddatum"])
        assert (b.year, b.month) == (e.year, e.month) and g["_dag"] > g["periode"]["einddatum"] and g["volume"] > 0
        assert (g["toewijzingnummer"], b.month) not in gezien
        gezien.add((g["toewijzingnummer"], b.month))
    # a toewijzing the gemeente shortened (inkorten) ends early, "geïnitieerd door de gemeente"
    from simulator.codelijsten import Codelijsten
    from simulator.codes import codes
    from simulator.schemas import IJW, IWMO
    gemeente = {codes(Codelijsten(reg), s)["beeindiging.gemeente"] for s in (IJW, IWMO)}
    assert any(g["reden"] in gemeente for g in eindes)
    ledger = [r.gegevens for r in records if isinstance(r, Gebeurtenis) and r.wat == "sut_zorg"]
    assert ledger == [{k: v for k, v in g.items() if k != "_dag"} for g in sut.verteld]


def test_a_pause_and_care_resumes(tmp_path):
    """tijdelijk_stoppen: after a full calendar month without care 'onderbreking', and care resumes
    (start_zorg again, the first of the next month)."""
    sut = Voorbeeld()
    profiel = profiel_met(tmp_path, {"tijdelijk_stoppen": 1.0, "stop_corrigeren": 0.0, "geen_start": 0.0})
    uitslag, records, _ = run_inproces(tmp_path, sut, scenario="toegang", clients=150, dagen=365, profiel=profiel)
    assert fouten(uitslag) == set()
    pauzes = _verteld(sut, "onderbreking")
    assert pauzes
    for p in pauzes:
        laatste = date.fromisoformat(p["datum"])
        hervat = [date.fromisoformat(g["datum"]) for g in _verteld(sut, "start_zorg")
                  if g["toewijzingnummer"] == p["toewijzingnummer"] and g["datum"] > p["datum"]]
        assert (laatste + timedelta(days=1)).day == 1  # care stopped at a month's end …
        volle_maand = (laatste + timedelta(days=1)).month % 12 + 1
        assert hervat and hervat[0].day == 1 and hervat[0].month == volle_maand  # … for one full month
        assert p["_dag"] >= hervat[0].isoformat()  # told once that month had passed
    tijdelijk = [r for r in records if isinstance(r, Boeking) and r.afzender == AGB and r.berichttype.endswith("307")
                 and (b"<jw307:RedenBeeindiging>20<" in r.xml or b"<wmo307:RedenBeeindiging>20<" in r.xml)]
    assert len(tijdelijk) == len(pauzes)


def test_a_pause_that_turns_out_definitive(tmp_path):
    """stop_corrigeren: no care resumes; two werkdagen after the onderbreking the end of care is told,
    dated the last day of care; the SUT withdraws its temporary 307 and sends the definitive one."""
    sut = Voorbeeld()
    profiel = profiel_met(tmp_path, {"tijdelijk_stoppen": 1.0, "stop_corrigeren": 1.0})
    uitslag, records, _ = run_inproces(tmp_path, sut, scenario="toegang", clients=150, dagen=365, profiel=profiel)
    assert fouten(uitslag) == set()
    pauzes = _verteld(sut, "onderbreking")
    assert pauzes
    for p in pauzes:
        einde = [g for g in _verteld(sut, "einde_zorg") if g["toewijzingnummer"] == p["toewijzingnummer"]]
        assert [g["datum"] for g in einde] == [p["datum"]] and einde[0]["_dag"] > p["_dag"]
        assert not [g for g in _verteld(sut, "start_zorg")
                    if g["toewijzingnummer"] == p["toewijzingnummer"] and g["datum"] > p["datum"]]
    ingetrokken = [r for r in records if isinstance(r, Boeking) and r.afzender == AGB
                   and r.berichttype.endswith("307") and b"StatusAanlevering>3<" in r.xml]
    assert len(ingetrokken) == len(pauzes)


def test_a_toewijzing_that_never_starts(tmp_path):
    """geen_start: the client never comes: no start, no levering for that toewijzing."""
    sut2 = Voorbeeld()
    profiel = profiel_met(tmp_path, {"geen_start": 1.0})
    _, records, _ = run_inproces(tmp_path, sut2, scenario="toegang", clients=60, dagen=200, profiel=profiel)
    nooit = {r.gegevens["toewijzing"] for r in records if isinstance(r, Gebeurtenis) and r.wat == "zorg_start_niet"}
    gestart = {g["toewijzingnummer"] for g in _verteld(sut2, "start_zorg") + _verteld(sut2, "levering")}
    assert len(nooit) >= 3 and not gestart & nooit


# =============================================================================================
# the checker judges the SUT against what it was told
# =============================================================================================
@pytest.mark.parametrize("fout, scenario, regels", [
    ("laat_302", "toegang", {"TERMIJN.retour_302"}),
    ("laat_305", "toegang", {"TERMIJN.start_305"}),
    ("geen_307", "toegang", {"TERMIJN.stop_307"}),
    ("305_zonder_301", "toegang", {"PROT.305_na_toewijzing", "TR019"}),
    ("laat_315", "extern", {"TERMIJN.vot_na_intake"}),
    ("laat_323", "toegang", {"TERMIJN.declaratie_323"}),
    ("verkeerd_tarief", "toegang", {"TR418"}),
])
def test_each_fault_of_the_example_is_reported_under_its_rule(tmp_path, fout, scenario, regels):
    assert ADMINISTRATIE.FOUTEN[fout][0] in regels
    uitslag, _, _ = run_inproces(tmp_path, Voorbeeld((fout,)), scenario=scenario, clients=120, dagen=300)
    assert fouten(uitslag) == regels


def test_a_305_that_never_comes_fails_from_the_real_start_and_a_lying_begindatum_does_not_help(tmp_path):
    """The 305 deadline runs from the start the SUT was told, not from the Begindatum it writes."""

    class Liegt(Voorbeeld):
        """Takes in each start 10 days late and writes the day it sends the 305 as its Begindatum: the
        305 looks on time by its own dates, but is late for the care that really started."""

        def __init__(self):
            super().__init__()
            self.later: list[tuple[date, dict]] = []

        def zorg(self, dag, gebeurtenis):
            if gebeurtenis["soort"] == "start_zorg":
                self.later.append((dag + timedelta(days=10), dict(gebeurtenis)))
            else:
                super().zorg(dag, gebeurtenis)

        def geef_dag(self, dag):
            self.vandaag += [dict(g, datum=dag.isoformat()) for d, g in self.later if d <= dag]
            self.later = [(d, g) for d, g in self.later if d > dag]
            return super().geef_dag(dag)

    uitslag, _, _ = run_inproces(tmp_path, Liegt(), scenario="toegang", clients=80, dagen=200)
    assert "TERMIJN.start_305" in fouten(uitslag)


# =============================================================================================
# end to end: the example as a separate process, through `ketensim run --sut aanbieder:AGB=mailbox:DIR`
# =============================================================================================
def ketensim(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def e2e(tmp_path: Path, *fout: str, scenario: str = "mix", clients: int = 150, dagen: int = 300) -> tuple[set, list]:
    mailbox = tmp_path / "mailbox"
    proc = subprocess.Popen([sys.executable, str(VOORBEELD / "aanbieder.py"), str(mailbox),
                             *[x for f in fout for x in ("--fault", f)]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("watching ")
        r = ketensim("run", "--sut", f"aanbieder:{AGB}=mailbox:{mailbox}", "--scenario", scenario, "--clients",
                     str(clients), "--days", str(dagen), "--seed", "4", "--sut-timeout", "20", "--out",
                     str(tmp_path / "run"))
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        assert proc.wait(20) == 0  # it stopped on the harness's 'einde'
        log = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "niet XSD-valide" not in log and "niet verwerkt" not in log, log[-2000:]
    c = ketensim("check", str(tmp_path / "run"), "--format", "json")
    assert c.returncode in (0, 1), c.stderr[-2000:]
    uitslag = json.loads(c.stdout)
    fout_ = {o["regel"] for o in uitslag["oordelen"] if o["uitkomst"] == "fail"}
    assert (c.returncode == 1) == bool(fout_)
    ledger = [json.loads(x) for x in (tmp_path / "run" / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    return fout_, ledger


def test_route_mix_against_the_mailbox_example_has_no_deviations(tmp_path):
    fout, ledger = e2e(tmp_path)
    assert fout == set()
    van_sut = Counter(r["berichttype"][-3:] for r in ledger if r.get("soort") == "bericht" and r["afzender"] == AGB)
    assert {"302", "315", "305", "307", "323"} <= set(van_sut) and sum(van_sut.values()) >= 100
    assert all(r.get("rol") == "sut" for r in ledger if r.get("soort") == "bericht" and r["afzender"] == AGB)
    wat = Counter(r["wat"] for r in ledger if r.get("soort") == "gebeurtenis")
    assert wat["sut_zorg"] >= 100 and not wat["referentie_fout"] and not wat["sut_fout"]
    assert not wat["sut_dag_onbeantwoord"]


@pytest.mark.parametrize("fout, scenario, regels", [
    ("laat_302", "toegang", {"TERMIJN.retour_302"}),
    ("305_zonder_301", "toegang", {"PROT.305_na_toewijzing", "TR019"}),
])
def test_a_fault_of_the_mailbox_example_is_reported(tmp_path, fout, scenario, regels):
    assert e2e(tmp_path, fout, scenario=scenario, clients=80, dagen=150)[0] == regels


def test_fault_list_names_rules_of_the_catalogue():
    from reports.regels import catalogus
    from simulator.schemas import SchemaRegistry
    uit = subprocess.run([sys.executable, str(VOORBEELD / "aanbieder.py"), "--fault", "list"], capture_output=True,
                         text=True, check=True)
    regels = set(catalogus(laad_profiel("mijov-2024"), SchemaRegistry.load(None)))
    genoemd = {regel.split()[1] for regel in uit.stdout.splitlines()}
    assert genoemd and genoemd <= regels


# =============================================================================================
# over HTTP: the same administration behind the test's fake SUT server
# =============================================================================================
def _doc() -> dict:
    return yaml.safe_load((ROOT / "docs" / "sut-api.yaml").read_text(encoding="utf-8"))


def test_route_mix_over_http_and_every_call_and_care_event_is_in_the_api_document(tmp_path):
    from tests.test_sut_api import operatie

    info = {"api": "ketensim-sut/1", "naam": "voorbeeld-aanbieder", "versie": "1", "rollen": ["aanbieder"]}
    with FakeSut(info=info) as sut:
        adm: dict[str, object] = {}

        def outbox(datum: str) -> list[str]:
            run = next(iter(sut.runs.values()))
            a = adm.setdefault("a", ADMINISTRATIE.Administratie(dict(run, run="http"), frozenset()))
            dag = sut.per_dag.pop(datum, {"inbox": [], "zorg": []})
            return [x.decode("utf-8") for x in a.dag(date.fromisoformat(datum), dag["inbox"], dag["zorg"])]

        sut.outbox = outbox
        voer_uit(RunInstellingen(uit=tmp_path / "run", scenario="mix", clients=100, dagen=200, seed=6,
                                 sut=parse_sut_spec(f"aanbieder:{AGB}={sut.url}")))
        aanroepen = list(sut.aanroepen)
    uitslag, records, _ = controleer(tmp_path / "run")
    assert fouten(uitslag) == set()
    doc = _doc()
    gebruikt = {operatie(doc, m, p, ct) for m, p, ct in aanroepen}
    assert gebruikt == {"startRun", "deliver", "zorg", "grantDay", "collect", "endRun"}
    # every care event the harness sent is valid against the document's Zorggebeurtenis schema
    schema = OAS30Validator({"$ref": "#/components/schemas/Zorggebeurtenis", "components": doc["components"]})
    verteld = [r.gegevens for r in records if isinstance(r, Gebeurtenis) and r.wat == "sut_zorg"]
    assert len({g["soort"] for g in verteld}) >= 4
    for g in verteld:
        assert not list(schema.iter_errors(g)), g
    # and the run start's contracts too
    start = OAS30Validator({"$ref": "#/components/schemas/RunStart", "components": doc["components"]})
    assert not list(start.iter_errors(sut.runs[next(iter(sut.runs))]))


def test_sut_check_for_an_aanbieder_posts_a_care_event():
    from simulator.cli_sutcheck import Verbinding
    from simulator.cli_sutcheck import controleer as sut_check
    from tests.test_sut_api import operatie

    info = {"api": "ketensim-sut/1", "naam": "a", "versie": "1", "rollen": ["aanbieder"]}
    with FakeSut(info=info) as sut:
        v = Verbinding(sut.url, None, 5)
        bevindingen = sut_check(sut.url, verbinding=v)
        zorg = [g for d in sut.per_dag.values() for g in d["zorg"]]
    assert [b.stap for b in bevindingen] == ["GET info", "PUT run", "POST inbox", "POST zorg", "POST klok",
                                           "GET outbox", "DELETE run"]
    assert all(b.ok for b in bevindingen), bevindingen
    doc = _doc()
    assert {operatie(doc, *c) for c in v.aanroepen} >= {"zorg"} and None not in {operatie(doc, *c) for c in v.aanroepen}
    schema = OAS30Validator({"$ref": "#/components/schemas/Zorggebeurtenis", "components": doc["components"]})
    assert len(zorg) == 1 and not list(schema.iter_errors(zorg[0]))
    with FakeSut(info=info, gedrag={"zorg": "500"}) as sut:
        fout = [b for b in sut_check(sut.url, timeout=2) if not b.ok]
    assert [b.stap for b in fout] == ["POST zorg"] and "HTTP 500" in fout[0].tekst


def test_sut_check_cli_rol_aanbieder():
    from simulator import cli

    info = {"api": "ketensim-sut/1", "naam": "a", "versie": "1", "rollen": ["gemeente", "aanbieder"]}
    with FakeSut(info=info, gedrag={"zorg": "500"}) as sut:
        assert cli.main(["sut-check", sut.url, "--rol", "gemeente"]) == 0  # a gemeente gets no care events
        assert cli.main(["sut-check", sut.url, "--rol", "aanbieder"]) == 1


def test_mailbox_adapter_writes_care_events(tmp_path):
    a = MailboxAdapter(tmp_path)
    a.begin({"run": "r"})
    assert a.zorg(date(2026, 3, 2), {"soort": "start_zorg", "datum": "2026-03-02"}) == ""
    bestanden = list((tmp_path / "zorg" / "2026-03-02").iterdir())
    assert len(bestanden) == 1 and json.loads(bestanden[0].read_text())["soort"] == "start_zorg"


# =============================================================================================
# a hostile aanbieder SUT: reported verdicts, never a traceback or a hang
# =============================================================================================
def test_garbage_from_an_aanbieder_sut_is_recorded_and_judged(tmp_path, registry):
    from simulator.genereer import genereer
    from simulator.render import render
    import dataclasses

    class Rommel(Voorbeeld):
        def haal_op(self, dag):
            uit = list(self.uit)
            if dag.day % 7 == 0:
                heen = genereer("JW301", dag.day, registry)  # a type an aanbieder does not send
                heen = dataclasses.replace(heen, header=dataclasses.replace(heen.header, afzender=AGB, ontvanger="0200"))
                uit += [b"<niet-af", b'{"json": true}', b"\xef\xbb\xbf<?xml version='1.0'?><a/>", render(heen, registry)]
            return uit

    uitslag, records, led = run_inproces(tmp_path, Rommel(), clients=100, dagen=150)
    regels = fouten(uitslag)
    assert {"XSD", "SUT.lockstep"} <= regels and led.compleet
    sut_fouten = [r.gegevens["reden"] for r in records if isinstance(r, Gebeurtenis) and r.wat == "sut_fout"]
    assert any("onleesbaar" in f for f in sut_fouten) and any("verstuurt geen 301" in f for f in sut_fouten)


def test_odd_but_valid_requests_are_answered_not_crashed_on(tmp_path, registry):
    """A 315 with a product the gemeente does not know, a 305/307/323 on a toewijzing never given, a
    315 for a stranger: the reference gemeente answers (a 319, retourcodes), the checker reports."""
    from simulator.genereer import genereer
    from simulator.render import render
    import dataclasses

    class Vreemd(Voorbeeld):
        def haal_op(self, dag):
            uit = list(self.uit)
            bsn = next((g["bsn"] for g in self.verteld if g.get("bsn")), None)
            if bsn and dag.day % 9 == 0:
                for i, t in enumerate(("JW315", "JW305", "JW307", "JW323", "JW317")):
                    b = genereer(t, dag.day * 10 + i, registry)
                    b = dataclasses.replace(b, header=dataclasses.replace(b.header, afzender=AGB, ontvanger="0200",
                                                                          dagtekening=dag))
                    if hasattr(getattr(b, "client", None), "bsn"):  # the 323's clients stay strangers
                        b = dataclasses.replace(b, client=dataclasses.replace(b.client, bsn=bsn))
                    uit.append(render(b, registry))
            return uit

    uitslag, records, led = run_inproces(tmp_path, Vreemd(), clients=120, dagen=150)
    assert led.compleet
    assert {"PROT.305_na_toewijzing", "TR338"} <= fouten(uitslag)
    assert not any(isinstance(r, Gebeurtenis) and r.wat == "referentie_fout" for r in records)
    afgewezen = [r for r in records if isinstance(r, Boeking) and r.berichttype == "JW319" and r.ontvanger == AGB]
    assert afgewezen  # the unknown products were refused with a 319


def test_a_silent_aanbieder_sut_is_given_up_and_its_deadlines_are_inconclusive(tmp_path):
    """No process behind the mailbox: three unanswered days, then given up; the run goes on and ends."""
    t0 = time.monotonic()
    voer_uit(RunInstellingen(uit=tmp_path / "run", clients=80, dagen=120, seed=4,
                             sut=parse_sut_spec(f"aanbieder:{AGB}=mailbox:{tmp_path / 'mb'}"),
                             sut_adapter=MailboxAdapter(tmp_path / "mb", timeout=0.2)))
    assert time.monotonic() - t0 < 60
    uitslag, records, led = controleer(tmp_path / "run")
    wat = Counter(r.wat for r in records if isinstance(r, Gebeurtenis))
    assert wat["sut_dag_onbeantwoord"] == 3 and wat["sut_opgegeven"] == 1 and led.compleet
    onbeslist = {o.regel for o in uitslag.oordelen if o.uitkomst == "inconclusive" and o.actor == AGB}
    assert onbeslist & {"TERMIJN.vot_na_intake", "TERMIJN.retour_302", "TERMIJN.vot_sggz"}
    assert not {o.regel for o in uitslag.afwijkingen if o.actor == AGB} - {"SUT.lockstep"}


def test_a_crashing_in_process_aanbieder_is_an_unanswered_day(tmp_path):
    class Stuk(Voorbeeld):
        def zorg(self, dag, gebeurtenis):
            raise RuntimeError("kapot")

    uitslag, records, led = run_inproces(tmp_path, Stuk(), clients=60, dagen=60)
    redenen = [r.gegevens.get("reden", "") for r in records if isinstance(r, Gebeurtenis) and r.wat == "sut_fout"]
    assert any("kapot" in r for r in redenen) and "SUT.lockstep" in fouten(uitslag) and led.compleet


def test_a_reference_actor_tripping_over_sut_input_is_recorded_not_raised():
    """Wereld.veilig: with a SUT in the run a reference actor's exception becomes a referentie_fout
    event (the run reaches a verdict); without one it is raised (the reference actors must not fail)."""
    from actors.wereld import Wereld

    class Bus:
        def __init__(self):
            self.events = []

        def gebeurtenis(self, wat, **kw):
            self.events.append((wat, kw))

    def kapot(x, actor=None):
        raise KeyError(f"{x} {actor}")

    w = Wereld.__new__(Wereld)
    w.bus, w.met_sut = Bus(), True
    w.veilig("0200", kapot, "a", actor="b")
    assert w.bus.events[0][0] == "referentie_fout" and "KeyError" in w.bus.events[0][1]["gegevens"]["melding"]
    w.met_sut = False
    with pytest.raises(KeyError):
        w.veilig("0200", kapot, "a")
