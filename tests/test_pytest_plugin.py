"""The pytest plugin, run as a vendor would run it: a separate ``python -m pytest`` in an empty
folder, with pytest-xdist and --junitxml; and proof that it stays out of ordinary test runs."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

from reports.regels import catalogus
from scenarios.shard import shards as gemeente_shards
from simulator.codec import parse
from simulator.profiel import laad_profiel

PROJECT = Path(__file__).resolve().parent.parent


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    geinstalleerd = any(e.value == "reports.pytest_plugin" for e in importlib.metadata.entry_points(group="pytest11"))
    plugin = [] if geinstalleerd else ["-p", "reports.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _id(testcase) -> str:
    """The item's id: pytest < 9.2 writes it whole in name=, later releases split the shard into classname=."""
    klasse = testcase.get("classname")
    return f"{klasse}::{testcase.get('name')}" if klasse else testcase.get("name")


def test_xdist_run_lists_every_rule_per_shard_and_merges_the_shards(tmp_path, registry):
    r = _pytest(tmp_path, "-n", "2", "--ketensim-profile", "mijov-2024", "--ketensim-clients", "40",
                "--ketensim-days", "120", "--ketensim-faults", "verkeerd_tarief", "--junitxml", "junit.xml", "-q")
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]  # the injected fault fails its rule
    regels = set(catalogus(laad_profiel("mijov-2024"), registry))
    root = parse((tmp_path / "junit.xml").read_bytes(), max_bytes=20 * 1024 * 1024).document
    gevallen = list(root.iter("testcase"))
    namen = [_id(tc) for tc in gevallen]
    shards = {n.split("::")[0] for n in namen}
    # the gemeente shards of one run, as `ketensim run --workers` makes them (Apeldoorn in two parts)
    labels = [f"mix[seed1-{sh.naam}]" for sh in gemeente_shards(laad_profiel("mijov-2024"))]
    assert shards == set(labels) and len(labels) == 9
    for shard in shards:
        assert {n.split("::")[1] for n in namen if n.startswith(shard + "::")} == regels
    assert len(namen) == len(set(namen)) == len(labels) * len(regels)
    mislukt = {_id(tc) for tc in gevallen if tc.find("failure") is not None}
    assert mislukt and {m.split("::")[1] for m in mislukt} == {"TR418"}
    tekst = next(tc.find("failure").text for tc in gevallen if tc.find("failure") is not None)
    assert "deviation(s)" in tekst and "contracttarief" in tekst and "323" in tekst
    assert any(tc.find("skipped") is not None for tc in gevallen)
    # each shard was simulated once, on one worker; the controller merged them all
    assert len(list((tmp_path / "ketensim-pytest" / "shards").iterdir())) == len(labels)
    samen = json.loads((tmp_path / "ketensim-pytest" / "uitslag.json").read_text(encoding="utf-8"))
    assert sorted(s["scenario"] for s in samen["scenarios"]) == sorted(labels)
    assert {o["regel"] for o in samen["oordelen"] if o["uitkomst"] == "fail"} == {"TR418"}
    assert "merged result" in r.stdout


def test_the_plugin_does_nothing_without_its_option(tmp_path):
    (tmp_path / "test_eigen.py").write_text("def test_iets():\n    assert True\n")
    r = _pytest(tmp_path, "--collect-only", "-q")
    assert r.returncode == 0, r.stderr
    assert "test_eigen.py::test_iets" in r.stdout and "::TERMIJN" not in r.stdout
    assert not (tmp_path / "ketensim-pytest").exists()
    assert "--ketensim-profile" in _pytest(tmp_path, "--help").stdout


def test_a_wrong_profile_or_fault_is_a_usage_error(tmp_path):
    r = _pytest(tmp_path, "--ketensim-profile", "bestaat-niet")
    assert r.returncode == 4 and "--ketensim-profile" in r.stderr and "Traceback" not in r.stderr
    r = _pytest(tmp_path, "--ketensim-profile", "mijov-2024", "--ketensim-faults", "laat_302,bestaat_niet")
    assert r.returncode == 4 and "unknown bestaat_niet" in r.stderr and "Traceback" not in r.stderr


def test_a_plugin_run_against_the_example_sut_lists_its_faults_as_failures(tmp_path, registry):
    """``--ketensim-sut`` for real: the example gemeente SUT runs as a separate process on loopback
    with two faults; the plugin simulates the route mix with it in gemeente 0200, and the JUnit XML
    lists exactly the two faults' rules as failures, every other rule as passed or skipped."""
    from tests.test_example_sut import MIX, SUT_GEMEENTE, Sut, fault_regels, profiel_met

    fouten = ("laat_316", "325_half")
    regels_fout = {fault_regels()[f] for f in fouten}
    assert regels_fout == {"TERMIJN.retour_316", "PROT.325_volledig"}
    profiel = profiel_met(tmp_path, MIX)  # nearly every client lives in the SUT's gemeente
    sut = Sut(tmp_path / "sut.sqlite", *(a for f in fouten for a in ("--fault", f)))
    try:
        spec = f"gemeente:{SUT_GEMEENTE}={sut.url}"
        r = _pytest(tmp_path, "--ketensim-profile", str(profiel), "--ketensim-sut", spec, "--ketensim-clients", "30",
                    "--ketensim-days", "120", "--ketensim-seed", "5", "--junitxml", "junit.xml", "-q")
    finally:
        sut.stop()
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]  # the SUT's faults fail their rules
    regels = set(catalogus(laad_profiel(profiel), registry))
    gevallen = list(parse((tmp_path / "junit.xml").read_bytes(), max_bytes=20 * 1024 * 1024).document.iter("testcase"))
    assert {_id(tc) for tc in gevallen} == {f"mix[seed5]::{regel}" for regel in regels}
    mislukt = {_id(tc).split("::")[1]: tc.find("failure").text for tc in gevallen if tc.find("failure") is not None}
    assert set(mislukt) == regels_fout, set(mislukt)
    assert "deviation(s)" in mislukt["TERMIJN.retour_316"] and SUT_GEMEENTE in mislukt["TERMIJN.retour_316"]
    assert "SUT.lockstep" not in mislukt  # the SUT answered every day
    samen = json.loads((tmp_path / "ketensim-pytest" / "uitslag.json").read_text(encoding="utf-8"))
    assert samen["run"]["sut"] == {"rol": "gemeente", "code": SUT_GEMEENTE, "adres": sut.url}
    ledger = next((tmp_path / "ketensim-pytest" / "shards").glob("*/ledger.jsonl")).read_text(encoding="utf-8")
    assert '"rol":"sut"' in ledger  # the SUT's own messages went through the harness


def test_sut_and_faults_of_the_reference_actors_do_not_combine(tmp_path):
    r = _pytest(tmp_path, "--ketensim-profile", "mijov-2024", "--ketensim-sut", "gemeente:0200=http://127.0.0.1:9",
                "--ketensim-faults", "laat_302")
    assert r.returncode == 4 and "cannot be combined with --ketensim-sut" in r.stderr and "Traceback" not in r.stderr


def test_shard_results_of_a_worker_on_another_machine_reach_the_controller(tmp_path, monkeypatch):
    """Over ``--tx ssh=…`` a worker writes its shard results on its own machine: they travel back in
    xdist's workeroutput and the controller writes them where it merges (a different folder here)."""
    from types import SimpleNamespace

    from reports import pytest_plugin as pp

    class Config:
        def __init__(self, map_: Path, worker: bool) -> None:
            self.invocation_params = SimpleNamespace(dir=map_)
            if worker:
                self.workerinput = {"ketensim_uit": str(map_ / "uit")}

        def getoption(self, naam, default=None):
            return {"ketensim_profile": "mijov-2024", "ketensim_out": "uit"}.get(naam, default)

    label = "mix[seed1-0213]"
    worker, controller = Config(tmp_path / "machine-b", True), Config(tmp_path / "machine-a", False)
    bestand = tmp_path / "machine-b" / "uit" / "shards" / "mix_seed1-0213_" / "uitslag.json"
    bestand.parent.mkdir(parents=True)
    bestand.write_text('{"ketensim_uitslag": 1}', encoding="utf-8")
    monkeypatch.setattr(pp, "_GEDRAAID", {label, "mix[seed1-0232]"})  # the second one never finished
    uitvoer = pp.eigen_uitslagen(worker)
    assert uitvoer == {label: '{"ketensim_uitslag": 1}'}
    pp.pytest_testnodedown(SimpleNamespace(config=controller, workeroutput={pp.UITSLAGEN: uitvoer}), None)
    doel = tmp_path / "machine-a" / "uit" / "shards" / "mix_seed1-0213_" / "uitslag.json"
    assert doel.read_text(encoding="utf-8") == '{"ketensim_uitslag": 1}'
    doel.write_text("{}", encoding="utf-8")  # already there (same machine): left alone
    pp.pytest_testnodedown(SimpleNamespace(config=controller, workeroutput={pp.UITSLAGEN: uitvoer}), None)
    assert doel.read_text(encoding="utf-8") == "{}"
