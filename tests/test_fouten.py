"""Proof by fault injection: with each fault switched on, exactly its rules fire; with none, none do.

Every fault of ``actors/fouten.py`` runs a small seeded scenario with the reference actors, one of
which breaks one rule a few times; the checker must report that rule (and only the rules the
fault lists) — so each rule is shown to fire on a faulty actor, and the clean runs elsewhere
(tests/test_controle.py, tests/test_simulatie.py) show it silent on a correct one."""

from __future__ import annotations

import dataclasses

import pytest

from actors.fouten import FOUTEN
from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import open_ledger
from simulator.profiel import laad_profiel

PROFIEL = laad_profiel("mijov-2024")


def _draai(tmp_path, fout, registry, fouten=None):
    basis = PROFIEL if fout.profiel == PROFIEL.naam else laad_profiel(fout.profiel)
    routes = {naam: dataclasses.replace(r, opties={**r.opties, **fout.route_opties.get(naam, {})})
              for naam, r in basis.routes.items()}
    profiel = dataclasses.replace(basis, gebeurtenissen=dict(fout.gebeurtenissen), routes=routes)
    voer_uit(RunInstellingen(uit=tmp_path, scenario=fout.scenario, clients=30, dagen=300, seed=3, profiel=profiel,
                             fouten=frozenset({fout.naam, *fout.samen_met} if fouten is None else fouten)))
    c = Controleur(basis, registry)
    for r in open_ledger(tmp_path).records():
        c.verwerk(r)
    return c.sluit()


@pytest.mark.parametrize("naam", sorted(FOUTEN))
def test_fault_fires_its_rule_and_no_other(naam, tmp_path, registry):
    fout = FOUTEN[naam]
    u = _draai(tmp_path, fout, registry)
    gevuurd = {o.regel for o in u.afwijkingen}
    assert gevuurd == set(fout.regels), [(o.regel, o.waargenomen) for o in u.afwijkingen[:6]]
    for o in u.afwijkingen:
        assert o.actor and o.berichten and o.verwacht and o.waargenomen


def _scenario(f) -> str:
    opties = ",".join(f"{r}.{k}={v}" for r, o in sorted(f.route_opties.items()) for k, v in sorted(o.items()))
    return f.profiel + "|" + f.scenario + "|" + ",".join(sorted(f.gebeurtenissen)) + (f"|{opties}" if opties else "")


@pytest.mark.parametrize("naam", sorted({_scenario(f) for f in FOUTEN.values()}))
def test_the_same_scenarios_without_faults_are_clean(naam, tmp_path, registry):
    fout = next(f for f in FOUTEN.values() if _scenario(f) == naam)
    u = _draai(tmp_path, fout, registry, fouten=frozenset())
    assert u.afwijkingen == [], [(o.regel, o.waargenomen) for o in u.afwijkingen[:6]]
