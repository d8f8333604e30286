"""Clients with several trajectories (``RunInstellingen.meervoudig``), for runs with more trajectories
than the BSN test range has people (the bench's region-year, docs/performance.md)."""

from __future__ import annotations

from collections import defaultdict

from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import open_ledger
from simulator.profiel import laad_profiel


def test_several_trajectories_per_client_keep_one_person_per_bsn_and_every_rule(tmp_path, registry):
    s = voer_uit(RunInstellingen(uit=tmp_path, clients=400, dagen=240, seed=11, meervoudig=0.6))
    led = open_ledger(s.ledger)
    assert led.run["meervoudig"] == 0.6
    trajecten: dict[str, set[str]] = defaultdict(set)  # bsn → trajecten
    aanbieders: dict[tuple[str, str], set[str]] = defaultdict(set)  # (bsn, agb) → trajecten
    gemeente: dict[str, set[str]] = defaultdict(set)
    c = Controleur(laad_profiel("mijov-2024"), registry)
    for rec in led.records():
        c.verwerk(rec)
        if getattr(rec, "traject", None) and rec.bsn:
            trajecten[rec.bsn].add(rec.traject)
        if getattr(rec, "berichttype", "").endswith(("301", "305")) and rec.bsn and rec.traject:
            agb = rec.ontvanger if rec.berichttype.endswith("301") else rec.afzender
            aanbieders[(rec.bsn, agb)].add(rec.traject)
            gemeente[rec.bsn].add(rec.afzender if rec.berichttype.endswith("301") else rec.ontvanger)
    meer = [b for b, t in trajecten.items() if len(t) > 1]
    assert len(meer) > 50, "many clients have more than one trajectory"
    assert all(len(t) == 1 for t in aanbieders.values()), "one trajectory per client and aanbieder"
    assert all(len(g) == 1 for g in gemeente.values()), "a client keeps one gemeente"
    u = c.sluit()
    assert u.afwijkingen == [], [(o.regel, o.verwacht, o.waargenomen) for o in u.afwijkingen[:5]]


def test_default_draws_a_new_person_for_every_trajectory(tmp_path):
    s = voer_uit(RunInstellingen(uit=tmp_path, clients=120, dagen=120, seed=11))
    led = open_ledger(s.ledger)
    assert "meervoudig" not in led.run
    trajecten: dict[str, set[str]] = defaultdict(set)
    for rec in led.records():
        if getattr(rec, "traject", None) and rec.bsn:
            trajecten[rec.bsn].add(rec.traject)
    assert trajecten and all(len(t) == 1 for t in trajecten.values())
