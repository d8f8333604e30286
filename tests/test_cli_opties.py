"""Numeric options of ``ketensim``: a bad value is a usage error naming the option (exit 2),
never a traceback, a ValueError deep inside, or a run that silently does nothing."""

from __future__ import annotations

import argparse

import pytest

from simulator.cli import main
from simulator.cli_typen import niet_negatief_geheel, positief_geheel, positief_getal

# (command line before the option, option, a bad value, a good value)
POSITIEF = [
    (["validate", "x.xml"], "--max-bytes"),
    (["run"], "--clients"), (["run"], "--days"), (["run"], "--workers"),
    (["demo"], "--clients"), (["demo"], "--days"),
    (["bench"], "--clients"), (["bench"], "--days"), (["bench"], "--aanbieders"), (["bench"], "--repeat"),
    (["compare", "--profile", "a", "--profile", "b"], "--clients"),
    (["compare", "--profile", "a", "--profile", "b"], "--days"),
    (["load", "--sut", "gemeente:0200=http://127.0.0.1:9"], "--clients"),
    (["load", "--sut", "gemeente:0200=http://127.0.0.1:9"], "--days"),
]
TIJDEN = [
    (["run"], "--sut-timeout"), (["load", "--sut", "gemeente:0200=http://127.0.0.1:9"], "--sut-timeout"),
    (["run"], "--sut-timeout-dag"), (["load", "--sut", "gemeente:0200=http://127.0.0.1:9"], "--sut-timeout-dag"),
    (["check", "somewhere"], "--timeout"), (["sut-check", "http://127.0.0.1:9"], "--timeout"),
]
NIET_NEGATIEF = [(["check", "somewhere"], "--max"), (["bench"], "--workers")]


def _usage_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("waarde", ["-5", "0", "abc", "1.5"])
@pytest.mark.parametrize("voor, optie", POSITIEF)
def test_positive_whole_number_options_refuse_bad_values(capsys, voor, optie, waarde):
    err = _usage_error(capsys, [*voor, optie, waarde])
    assert f"argument {optie}: must be a positive whole number, not '{waarde}'" in err


@pytest.mark.parametrize("waarde", ["-1", "0", "nan", "inf", "soon"])
@pytest.mark.parametrize("voor, optie", TIJDEN)
def test_timeouts_refuse_values_that_are_not_above_zero(capsys, voor, optie, waarde):
    err = _usage_error(capsys, [*voor, optie, waarde])
    assert f"argument {optie}: must be a number above 0, not '{waarde}'" in err


@pytest.mark.parametrize("voor, optie", NIET_NEGATIEF)
def test_count_options_refuse_negative_values(capsys, voor, optie):
    err = _usage_error(capsys, [*voor, optie, "-1"])
    assert f"argument {optie}: must be a whole number of 0 or more, not '-1'" in err


def test_every_numeric_option_of_the_cli_is_covered_here():
    """A new int/float option must get one of the checked types (and a line in the lists above)."""
    from simulator.cli import build_parser

    gedekt = {(v[0], o) for v, o in POSITIEF + TIJDEN + NIET_NEGATIEF}
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    ongedekt = []
    for naam, p in sub.choices.items():
        for a in p._actions:
            if a.type in (int, float) and a.dest != "seed" and not (naam, a.option_strings[0]) in gedekt:
                ongedekt.append(f"{naam} {a.option_strings[0]}")
            if a.type in (positief_geheel, positief_getal, niet_negatief_geheel):
                assert (naam, a.option_strings[0]) in gedekt, f"{naam} {a.option_strings[0]} is not tested here"
    # --meervoudig is a share in [0, 1), checked by cmd_bench (tests/test_bench.py)
    assert ongedekt == ["bench --meervoudig"]


def test_validate_max_bytes_good_value_still_works(capsys, schema_dir):
    code = main(["validate", "--max-bytes", "100", str(schema_dir / "ijw-3.2" / "voorbeelden" / "jw301.xml")])
    out = capsys.readouterr().out
    assert code == 1 and "larger than 100 bytes" in out


def test_types_accept_their_lowest_value():
    assert positief_geheel("1") == 1 and niet_negatief_geheel("0") == 0 and positief_getal("0.25") == 0.25
