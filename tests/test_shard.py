"""Scale-out (scenarios/shard.py): a run sharded by gemeente merges into the same ledger bytes for
any number of workers, the merged ledger is a clean, complete run, and the merge renumbers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reports.controleer import controleer
from reports.invoer import open_invoer
from scenarios.run import RunInstellingen
from scenarios.shard import SHARD_MAP, _voeg_samen, shards, voer_shard_uit, voer_uit_en_controleer, voer_uit_verdeeld
from simulator.profiel import laad_profiel
from simulator.schemas import SchemaRegistry

PROFIEL = Path(__file__).resolve().parent.parent / "scenarios" / "profiles" / "mijov-2024.toml"


@pytest.fixture(scope="module")
def profiel_woonplaats(tmp_path_factory) -> Path:
    """Annex 4 with many woonplaatsbeginsel trajectories: their first 315 goes to another shard's gemeente."""
    tekst = PROFIEL.read_text(encoding="utf-8")
    assert "woonplaatsbeginsel = 0.02" in tekst
    pad = tmp_path_factory.mktemp("profiel") / "mijov-woonplaats.toml"
    pad.write_text(tekst.replace("woonplaatsbeginsel = 0.02", "woonplaatsbeginsel = 0.6"), encoding="utf-8")
    return pad


@pytest.fixture(scope="module")
def runs(tmp_path_factory, profiel_woonplaats) -> dict[int, Path]:
    uit = {}
    for workers in (1, 3):
        d = tmp_path_factory.mktemp(f"w{workers}")
        voer_uit_verdeeld(RunInstellingen(uit=d, clients=120, dagen=150, seed=7, profiel=profiel_woonplaats), workers)
        uit[workers] = d / "ledger.jsonl"
    return uit


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_merged_ledger_is_byte_identical_for_any_worker_count(runs):
    assert _sha(runs[1]) == _sha(runs[3])
    assert not (runs[1].parent / SHARD_MAP).exists()  # shard files are removed after the merge


def test_merged_ledger_is_ordered_numbered_and_complete(runs):
    regels = [json.loads(r) for r in runs[1].read_text(encoding="utf-8").splitlines()]
    kop, records, einde = regels[0], regels[1:-1], regels[-1]
    assert kop["soort"] == "run" and kop["verdeling"] == "gemeente" and kop["clients"] == 120
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert [r["datum"] for r in records] == sorted(r["datum"] for r in records)
    berichten = [r for r in records if r["soort"] == "bericht"]
    assert einde == {"soort": "einde", "berichten": len(berichten)}
    gemeenten = {r["afzender"] if len(r["afzender"]) == 4 else r["ontvanger"] for r in berichten}
    assert len(gemeenten) > 1


def test_merged_ledger_checks_clean_and_foreign_identifiers_do_not_collide(runs, profiel_woonplaats):
    registry = SchemaRegistry.load(None)
    uitslag = controleer(open_invoer(runs[1], registry), laad_profiel(profiel_woonplaats), registry)
    assert uitslag.berichten > 500 and uitslag.ongeldig == 0
    assert uitslag.afwijkingen == []
    assert uitslag.tellingen["TR056"]["pass"] > 0  # BerichtIdentificatie unique per sender and type
    # woonplaatsbeginsel traffic with a gemeente of another shard is numbered in this shard's own range
    vreemd = [json.loads(r) for r in runs[1].read_text(encoding="utf-8").splitlines()[1:-1]]
    assert any(r["soort"] == "bericht" and r["identificatie"][4] != "0" for r in vreemd)


def test_checking_in_the_shards_equals_checking_the_merged_ledger(tmp_path):
    """The workers check their own shard; closed with the merged ledger's last date and added up, the
    result equals ``ketensim check`` of the merged ledger — deviations (faults) and inconclusives included."""
    inst = RunInstellingen(uit=tmp_path, clients=150, dagen=120, seed=3, fouten=frozenset({"geen_302", "laat_305"}))
    s, verdeeld = voer_uit_en_controleer(inst, 2)
    registry = SchemaRegistry.load(None)
    geheel = controleer(open_invoer(tmp_path, registry), laad_profiel("mijov-2024"), registry)
    assert verdeeld.berichten == geheel.berichten == s.berichten > 300
    assert {r for r, c in verdeeld.tellingen.items() if c.get("fail")} >= {"TERMIJN.retour_302", "TERMIJN.start_305"}
    assert verdeeld.tellingen == geheel.tellingen and verdeeld.per_route == geheel.per_route
    assert sorted(map(repr, verdeeld.oordelen)) == sorted(map(repr, geheel.oordelen))
    assert any(o.uitkomst == "inconclusive" for o in verdeeld.oordelen)  # closed with the merged last date
    assert sorted(verdeeld.derived) == sorted(geheel.derived) and verdeeld.ongeldig == geheel.ongeldig == 0
    assert verdeeld.run == geheel.run  # ledger path and SHA-256 included
    assert s == samenvatting_van(tmp_path, s)


def samenvatting_van(uit: Path, s):
    """The unsharded way: read the merged ledger back (seconds and trajectory counts copied over)."""
    from scenarios.run import samenvatting

    t = samenvatting(uit / "ledger.jsonl")
    t.trajecten, t.routes, t.seconden = s.trajecten, s.routes, s.seconden
    return t


def test_each_shard_alone_gives_the_records_it_adds_to_the_merged_ledger(runs, profiel_woonplaats, tmp_path):
    """The pytest plugin's gemeente shards (one ledger per shard) are the shards of ``run --workers``:
    merged, their records are the merged ledger's records, byte for byte."""
    alle = shards(laad_profiel(profiel_woonplaats))
    paden = []
    for i in range(len(alle)):
        voer_shard_uit(RunInstellingen(uit=tmp_path / str(i), clients=120, dagen=150, seed=7,
                                       profiel=profiel_woonplaats), i)
        kop = json.loads((tmp_path / str(i) / "ledger.jsonl").open().readline())
        assert kop["shard"] == {"index": i, "naam": alle[i].naam, "aantal": len(alle)}
        paden.append(tmp_path / str(i) / "ledger.jsonl")
    _voeg_samen(paden, tmp_path / "samen.jsonl", {"soort": "run"})
    assert (tmp_path / "samen.jsonl").read_bytes().split(b"\n")[1:] == runs[1].read_bytes().split(b"\n")[1:]


def test_shards_come_from_the_profile_only():
    """One per gemeente; Apeldoorn (46 % of the inhabitants) split in two by aanbieder."""
    p = laad_profiel("mijov-2024")
    assert [s.naam for s in shards(p)] == ["0200.0", "0200.1", *list(p.gemeenten)[1:]]


def test_merge_orders_by_date_shard_seq_and_renumbers_seq_references(tmp_path):
    def shard(naam: str, regels: list[str]) -> Path:
        pad = tmp_path / naam
        pad.write_text("\n".join(['{"soort":"run","shard":0}', *regels, '{"soort":"einde","berichten":0}']) + "\n")
        return pad

    a = shard("a", ['{"soort":"bericht","seq":1,"datum":"2026-01-02","x":"a1"}',
                    '{"soort":"gebeurtenis","seq":2,"datum":"2026-01-02","wat":"onbestelbaar","gegevens":{"seq":1}}',
                    '{"soort":"bericht","seq":3,"datum":"2026-01-05","x":"a3"}'])
    b = shard("b", ['{"soort":"bericht","seq":1,"datum":"2026-01-01","x":"b1"}',
                    '{"soort":"bericht","seq":2,"datum":"2026-01-02","x":"b2"}'])
    doel = tmp_path / "ledger.jsonl"
    assert _voeg_samen([a, b], doel, {"soort": "run"}) == (4, hashlib.sha256(doel.read_bytes()).hexdigest())
    regels = [json.loads(r) for r in doel.read_text().splitlines()]
    assert [(r.get("seq"), r.get("x") or r.get("wat")) for r in regels[1:-1]] == [
        (1, "b1"), (2, "a1"), (3, "onbestelbaar"), (4, "b2"), (5, "a3")]
    assert regels[3]["gegevens"] == {"seq": 2}  # still names a1, now number 2
    assert regels[-1] == {"soort": "einde", "berichten": 4}


def test_a_shard_that_did_not_finish_stops_the_merge(tmp_path):
    pad = tmp_path / "a"
    pad.write_text('{"soort":"run"}\n{"soort":"bericht","seq":1,"datum":"2026-01-02"}\n')
    with pytest.raises(RuntimeError, match="did not finish"):
        _voeg_samen([pad], tmp_path / "ledger.jsonl", {"soort": "run"})


def test_an_interrupted_sharded_run_keeps_what_the_shards_recorded(tmp_path, monkeypatch):
    """Ctrl-C during the shards: the merged ledger holds every whole line the shards wrote, has no
    'einde' line (it reads as an interrupted run) and the interruption goes on to the caller."""
    import scenarios.shard as sh
    from simulator.ledger import open_ledger

    echt = sh._simuleer
    gedaan = []

    def simuleer(inst, profiel, registry, index, trajecten, ledger):
        if gedaan:  # the second shard: a few records, a torn line, then Ctrl-C
            ledger._fh.write(b'{"soort":"gebeurtenis","seq":1,"datum":"2026-01-02","wat":"x"}\n{"soort":"geb')
            ledger._fh.flush()
            raise KeyboardInterrupt
        gedaan.append(index)
        echt(inst, profiel, registry, index, trajecten, ledger)

    monkeypatch.setattr(sh, "_simuleer", simuleer)
    with pytest.raises(KeyboardInterrupt):
        voer_uit_verdeeld(RunInstellingen(uit=tmp_path, clients=80, dagen=60, seed=2), 1)
    led = open_ledger(tmp_path)
    assert not led.compleet
    records = list(led.records())
    assert any(getattr(r, "wat", None) == "x" for r in records)
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    # one horizon: the finished shard's records only up to the day the interrupted one reached …
    assert {r.datum.isoformat() for r in records} <= {"2026-01-01", "2026-01-02"}
    # … and nothing is lost: the shard ledgers stay whole
    eerste = next((tmp_path / SHARD_MAP).glob(f"{gedaan[0]:02d}-*.jsonl"))
    assert open_ledger(eerste).compleet and len(list(open_ledger(eerste).records())) > len(records)
