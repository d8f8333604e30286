"""ketensim bench: a small size runs in full (run + check) and reports what the issue asks for."""

from __future__ import annotations

import json

import pytest

from simulator.cli import main


def test_bench_small_size_reports_throughput_stages_floor_and_rss(tmp_path, capsys):
    uit = tmp_path / "bench.json"
    assert main(["bench", "--clients", "60", "--days", "90", "--meervoudig", "0.3", "--aanbieders", "8",
                 "--out", str(tmp_path / "run"), "--json", str(uit)]) == 0
    tekst = capsys.readouterr().out
    for woord in ("messages/s", "trajectories/s", "peak RSS", "lxml floor", "harness/floor", "lxml, own messages",
                  "harness/that", "time per stage",
                  "validation (parse + XSD)", "render"):
        assert woord in tekst
    d = json.loads(uit.read_text())
    assert d["trajecten"] == 60 and d["berichten"] > 100
    assert d["afwijkingen"] == 0
    assert 1 < d["floor_us"] < 5000 and d["piek_rss_mb"] > 10
    # the stages add up to the wall time (render etc. are measured, the rest is the remainder)
    assert sum(d["stadia_s"].values()) == pytest.approx(d["wall_s"], rel=1e-6)
    assert all(v >= 0 for v in d["stadia_s"].values())
    assert d["ratio_floor"] == pytest.approx(d["us_per_bericht"] / d["floor_us"], rel=0.01)
    assert 1 < d["floor_eigen_us"] < 5000
    assert d["ratio_floor_eigen"] == pytest.approx(d["us_per_bericht"] / d["floor_eigen_us"], rel=0.01)
    # --out keeps the ledger: it is a complete run of the reported size
    ledger = (tmp_path / "run" / "ledger.jsonl").read_text().splitlines()
    assert sum('"soort":"bericht"' in r for r in ledger) == d["berichten"]


def test_bench_sizes_each_in_its_own_process(tmp_path, capsys):
    uit = tmp_path / "sizes.json"
    assert main(["bench", "--sizes", "20,40", "--days", "60", "--aanbieders", "6", "--json", str(uit)]) == 0
    rijen = json.loads(uit.read_text())
    assert [r["trajecten"] for r in rijen] == [20, 40]
    assert rijen[1]["berichten"] > rijen[0]["berichten"]
    assert "µs/msg" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--clients", "0"], ["--meervoudig", "1.5"], ["--sizes", "a,b"]])
def test_bench_bad_options_are_usage_errors(argv, capsys):
    try:
        code = main(["bench", *argv])
    except SystemExit as exc:  # refused by the option's argparse type
        code = exc.code
    assert code == 2
    assert "ketensim bench:" in capsys.readouterr().err


def test_bench_with_workers_runs_the_sharded_run_and_checks_it(tmp_path, capsys):
    een, twee = tmp_path / "0.json", tmp_path / "2.json"
    argv = ["bench", "--clients", "40", "--days", "60", "--aanbieders", "6", "--meervoudig", "0.2"]
    assert main([*argv, "--json", str(een)]) == 0
    assert main([*argv, "--workers", "2", "--json", str(twee)]) == 0
    a, b = json.loads(een.read_text()), json.loads(twee.read_text())
    assert b["workers"] == 2 and b["stadia_s"] == {}
    assert b["afwijkingen"] == 0 and b["berichten"] > 50 and b["piek_rss_mb"] > 10
    assert "2 worker process(es)" in capsys.readouterr().out
    assert a["workers"] == 0 and a["stadia_s"]


def test_the_own_messages_floor_samples_the_whole_run_with_each_message_its_schema(tmp_path):
    from scenarios.bench import _steekproef, meet_floor_eigen
    from scenarios.run import RunInstellingen, voer_uit
    from simulator.ledger import open_ledger
    from simulator.schemas import SchemaRegistry

    s = voer_uit(RunInstellingen(uit=tmp_path, clients=30, dagen=120, seed=5, aanbieders=6))
    registry = SchemaRegistry.load()
    alle = [b.xml for b in open_ledger(s.ledger).berichten()]
    steekproef = _steekproef(s.ledger, len(alle), 10, registry)
    assert 10 <= len(alle) // (len(alle) // 10) and len(steekproef) == 10
    stap = len(alle) // 10
    assert [xml for xml, _ in steekproef] == alle[::stap][:10]  # spread over the run, not its first messages
    # each message goes with its own schema: every pair validates
    from lxml import etree
    assert all(schema.validate(etree.fromstring(xml)) for xml, schema in steekproef)
    assert len({id(schema) for _, schema in steekproef}) > 1
    assert meet_floor_eigen(steekproef, herhaal=1) > 0
    assert meet_floor_eigen([]) == 0.0
