"""Making an adapter from ``--sut`` (``maak_adapter``) and the per-operation timeouts of each adapter:
``--sut-timeout`` for every call, ``--sut-timeout-dag`` for the day grant (klok)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from simulator.sut import HttpAdapter, InprocesAdapter, RunInfo, SutFout, maak_adapter, parse_sut_spec
from simulator.sut_mailbox import MailboxAdapter
from tests import inproces_sut
from tests.fake_sut import FakeSut

DAG = date(2026, 1, 5)


def _adapter(adres: str, **kw):
    return maak_adapter(parse_sut_spec(f"gemeente:0200={adres}"), **kw)


def _run_info() -> RunInfo:
    return RunInfo("r1", "gemeente", "0200", "mijov-2024", DAG)


# -- inproces:module:attribuut ------------------------------------------------------------------
def test_inproces_spec_names_a_class_that_is_instantiated_on_the_worker_thread():
    a = _adapter("inproces:tests.inproces_sut:Goed", timeout=5)
    assert isinstance(a, InprocesAdapter) and a.doel is inproces_sut.Goed  # not yet made
    assert a.begin(_run_info()) == ""
    assert isinstance(a.doel, inproces_sut.Goed)
    assert a.geef_dag(DAG).beantwoord and a.haal_op(DAG) == []
    werker = a._werker
    a.einde()
    werker.join(2)
    assert not werker.is_alive()  # a finished run leaves no thread behind


def test_inproces_spec_naming_an_object_uses_that_object():
    a = _adapter("inproces:tests.inproces_sut:SUT_OBJECT")
    assert a.doel is inproces_sut.SUT_OBJECT
    assert a.geef_dag(DAG).beantwoord


@pytest.mark.parametrize("adres, woord", [
    ("inproces:bestaat_niet_ketensim:Sut", "ModuleNotFoundError"),
    ("inproces:tests.inproces_sut:BestaatNiet", "AttributeError"),
    ("inproces:tests.inproces_sut", "expected inproces:module:attribuut"),
    ("inproces:tests.inproces_sut:", "expected inproces:module:attribuut"),
    ("inproces:a:b:c", "expected inproces:module:attribuut"),
])
def test_an_unusable_inproces_spec_is_a_clear_error(adres, woord):
    with pytest.raises(SutFout, match=woord):
        _adapter(adres)


def test_a_module_that_fails_on_import_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "kapotte_sut_d2.py").write_text("raise RuntimeError('boem bij import')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SutFout, match="RuntimeError: boem bij import"):
        _adapter("inproces:kapotte_sut_d2:Sut")


def test_a_constructor_that_raises_is_a_reason_not_a_traceback():
    a = _adapter("inproces:tests.inproces_sut:BouwFaalt")
    assert a.begin(_run_info()) == "begin: ValueError: geen licentie"
    assert a.geef_dag(DAG).reden == "geef_dag: ValueError: geen licentie"


@pytest.mark.parametrize("kw", [{"timeout": 0}, {"timeout": -1}, {"timeout": float("nan")}, {"timeout_dag": 0},
                                {"timeout_dag": float("inf")}])
def test_timeouts_must_be_positive(kw):
    with pytest.raises(SutFout, match="positive number of seconds"):
        _adapter("inproces:tests.inproces_sut:Goed", **kw)


# -- per-operation timeouts ----------------------------------------------------------------------
def test_inproces_day_grant_has_its_own_timeout_and_a_late_call_blocks_the_next_ones():
    class Traag(inproces_sut.Traag):
        seconden = 0.4

    ruim = InprocesAdapter(Traag(), timeout=0.1, timeout_dag=5)
    assert ruim.geef_dag(DAG).beantwoord  # 0.4 s of work within the day's 5 s
    assert ruim.haal_op(DAG) == []

    krap = InprocesAdapter(Traag(), timeout=0.1)  # the day grant falls under --sut-timeout too
    t0 = time.monotonic()
    u = krap.geef_dag(DAG)
    assert not u.beantwoord and u.reden == "geef_dag: geen antwoord binnen 0.1 s"
    bezig = krap.haal_op(DAG)  # refused at once: the SUT is still inside geef_dag
    assert bezig == "haal_op: de SUT is nog bezig met geef_dag(2026-01-05) (geen antwoord binnen de time-out)"
    assert time.monotonic() - t0 < 0.35
    time.sleep(0.5)
    assert krap.haal_op(DAG) == []  # it returned after all: the SUT is called again


def test_http_day_grant_has_its_own_timeout():
    with FakeSut(gedrag={"klok": "hang", "outbox": "hang"}, hang_s=0.6) as sut:
        a = _adapter(sut.url, timeout=0.2, timeout_dag=5)
        assert isinstance(a, HttpAdapter)
        assert a.begin(_run_info()) == ""
        assert a.geef_dag(DAG).beantwoord  # the klok answers after 0.6 s, within the day timeout
        assert "geen antwoord binnen 0.2 s" in a.haal_op(DAG)  # the outbox has only --sut-timeout
        b = _adapter(sut.url, timeout=0.2)
        b.begin(_run_info())
        u = b.geef_dag(DAG)
        assert not u.beantwoord and "geen antwoord binnen 0.2 s" in u.reden


def test_mailbox_waits_for_the_day_with_the_day_timeout(tmp_path):
    a = _adapter(f"mailbox:{tmp_path}", timeout=7, timeout_dag=3)
    assert isinstance(a, MailboxAdapter) and a.timeout == 3
    assert _adapter(f"mailbox:{tmp_path}", timeout=7).timeout == 7
