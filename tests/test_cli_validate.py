"""`ketensim validate` / `ketensim schemas` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from simulator.cli import main
from tests.test_codec import BILLION_LAUGHS, EXTERNAL_ENTITY


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_ijw_examples_reports_exactly_the_two_invalid(capsys, schema_dir):
    code, out, err = run(capsys, "validate", str(schema_dir / "ijw-3.2" / "voorbeelden"))
    assert code == 1
    invalid = [line for line in out.splitlines() if line.startswith("INVALID")]
    assert len(invalid) == 2
    assert "jw315.xml  JW315" in invalid[0] and "jw318.xml  JW318" in invalid[1]
    assert "'2027-06-31' is not a valid value" in out and "ToewijzingEinddatum" in out
    assert "day is out of range for month" in out
    assert "jw318:Verzoek/jw318:RetourCode" in out and "RetourCodes" in out
    assert "14 file(s): 12 valid, 2 invalid" in out


def test_validate_json_format(capsys, schema_dir):
    code, out, _ = run(capsys, "validate", "--format", "json", str(schema_dir / "ijw-3.2" / "voorbeelden" / "jw315.xml"))
    assert code == 1
    doc = json.loads(out)
    (f,) = doc["files"]
    assert f["berichttype"] == "JW315" and f["geldig"] is False
    assert {e["regel"] for e in f["fouten"]} == {44, 66}
    assert all(e["pad"].endswith("ToewijzingEinddatum") for e in f["fouten"])


def test_validate_valid_file_exit_zero_and_derived_flagged(capsys, schema_dir):
    code, out, _ = run(capsys, "validate", str(schema_dir / "iwmo-3.2" / "voorbeelden" / "wmo302.xml"),
                       str(schema_dir / "iwmo-3.2" / "voorbeelden" / "wmo301.xml"))
    assert code == 0
    assert "wmo302.xml  WMO302  [derived schema — unofficial]" in out
    assert "wmo301.xml  WMO301\n" in out


@pytest.mark.parametrize("content, needle", [
    (BILLION_LAUGHS, "DOCTYPE/ENTITY declarations are not allowed"),
    (EXTERNAL_ENTITY, "DOCTYPE/ENTITY declarations are not allowed"),
    (b"\xef\xbb\xbf<a/>", "byte-order mark"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', "only UTF-8"),
    (b"<a><b>", "not well-formed"),
])
def test_hostile_files_give_clear_errors_not_tracebacks(capsys, tmp_path, content, needle):
    f = tmp_path / "bad.xml"
    f.write_bytes(content)
    code, out, err = run(capsys, "validate", str(f))
    assert code == 1
    assert needle in out
    assert "Traceback" not in out + err


def test_oversize_file_via_cli(capsys, tmp_path):
    f = tmp_path / "big.xml"
    f.write_bytes(b"<a>" + b"x" * 4000 + b"</a>")
    code, out, _ = run(capsys, "validate", "--max-bytes", "1000", str(f))
    assert code == 1 and "larger than 1,000 bytes" in out


def test_missing_path_and_bad_schema_folder(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.xml"))
    assert code == 2 and "no such file or folder" in err
    code, _, err = run(capsys, "validate", "--schemas", str(tmp_path), str(tmp_path))
    assert code == 2 and "is incomplete; missing" in err and "ijw-3.2/xsd/" in err


def test_schemas_command(capsys):
    code, out, _ = run(capsys, "schemas")
    assert code == 0
    assert "official (14)" in out and "derived, unofficial (7): WMO302 WMO306" in out
    assert "ijw-3.2: release 3.2, basisschema.xsd version 0.1.0" in out
    assert "  XSD version 1.0.0: WMO301 WMO302 WMO305" in out
    assert "does not compile: none" in out
    assert "missing: none" in out


def test_schemas_on_an_incomplete_folder_exits_1_and_lists_what_is_missing(capsys, schema_kopie):
    (schema_kopie / "ijw-3.2" / "codelijsten" / "JZ020.csv").unlink()
    (schema_kopie / "iwmo-3.2" / "codelijsten" / "xsd-enumeraties.csv").unlink()
    (schema_kopie / "iwmo-3.2" / "xsd" / "wmo305.xsd").unlink()
    code, out, err = run(capsys, "schemas", "--schemas", str(schema_kopie))
    assert code == 1 and err == ""
    missing = out.split("missing:", 1)[1].splitlines()[1:]
    assert missing == [
        "  - ijw-3.2/codelijsten/JZ020.csv (productcategorie list)",
        "  - iwmo-3.2/codelijsten/xsd-enumeraties.csv (code values of the basisschema)",
        "  - iwmo-3.2/xsd/wmo305.xsd (WMO305)",
    ]
    assert "official (6): WMO301 WMO307" in out


def test_schemas_lists_an_xsd_that_does_not_compile(capsys, schema_kopie):
    (schema_kopie / "ijw-3.2" / "xsd" / "jw301.xsd").write_text("<xs:schema", encoding="utf-8")
    code, out, _ = run(capsys, "schemas", "--schemas", str(schema_kopie))
    assert code == 1
    broken = out.split("does not compile:", 1)[1].split("missing:", 1)[0].splitlines()[1:]
    assert len(broken) == 1 and broken[0].startswith("  - schema ijw-3.2/xsd/jw301.xsd does not compile:")
    assert "missing: none" in out


def test_broken_xsd_is_a_set_up_error_for_validate_and_generate(capsys, schema_kopie, schema_dir):
    (schema_kopie / "ijw-3.2" / "xsd" / "jw301.xsd").write_text("<xs:schema", encoding="utf-8")
    code, out, err = run(capsys, "validate", "--schemas", str(schema_kopie), str(schema_dir / "ijw-3.2" / "voorbeelden"))
    assert code == 2
    assert "INVALID" not in out
    assert err.startswith("ketensim validate: schema ") and "jw301.xsd does not compile" in err
    assert err.count("\n") == 1
    code, out, err = run(capsys, "generate", "JW301", "--schemas", str(schema_kopie))
    assert (code, out) == (2, "") and "jw301.xsd" in err and "Traceback" not in err
    # the other types are untouched
    code, out, _ = run(capsys, "validate", "--schemas", str(schema_kopie), str(schema_dir / "ijw-3.2" / "voorbeelden" / "jw305.xml"))
    assert code == 0


@pytest.mark.parametrize("weg", ["ijw-3.2/codelijsten/xsd-enumeraties.csv", "ijw-3.2/codelijsten/JZ020.csv"])
def test_generate_and_run_name_a_missing_code_list_up_front(capsys, schema_kopie, tmp_path, weg):
    (schema_kopie / weg).unlink()
    for argv in (["generate", "JW305"], ["run", "--clients", "2", "--days", "5", "--out", str(tmp_path / "run")]):
        code, out, err = run(capsys, *argv, "--schemas", str(schema_kopie))
        assert code == 2, argv
        assert "is incomplete; missing:" in err and f"  - {weg} (" in err
    assert not (tmp_path / "run").exists()


def test_console_script_help_has_every_command():
    res = subprocess.run([sys.executable, "-m", "simulator.cli", "--help"], capture_output=True, text=True)
    assert res.returncode == 0
    for cmd in ("validate", "schemas", "generate"):
        assert cmd in res.stdout


@pytest.mark.parametrize("berichttype, derived", [("WMO302", True), ("wmo325", True), ("WMO301", False), ("JW302", False)])
def test_generate_says_on_stderr_when_the_schema_is_derived(capsysbinary, berichttype, derived):
    assert main(["generate", berichttype, "--seed", "2"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')  # stdout is only the message
    if derived:
        assert b"derived schema" in err and b"unofficial" in err and b"DERIVED.txt" in err
        assert berichttype.upper().encode() in err
    else:
        assert err == b""


def test_every_option_of_every_command_has_help():
    import argparse

    from simulator.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    zonder = [f"{naam} {a.option_strings[0] if a.option_strings else a.dest}"
              for naam, p in sub.choices.items() for a in p._actions
              if not isinstance(a, argparse._HelpAction) and not a.help]
    assert zonder == []
    assert set(sub.choices) >= {"validate", "schemas", "generate", "run", "demo", "check", "rules", "report"}
