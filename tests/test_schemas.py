from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.schemas import ALLE_BERICHTTYPEN, ENV_VAR, SchemaFolderError, SchemaRegistry, parse_berichttype


def test_all_28_types_known_with_cod002_codes(registry):
    assert registry.berichttypen == list(ALLE_BERICHTTYPEN)
    assert len(registry.berichttypen) == 28
    assert registry.berichtcode("JW301") == "436"
    assert registry.berichtcode("JW325") == "491"
    assert registry.berichtcode("WMO301") == "414"
    assert registry.type_for_code("446") == "JW315"
    assert registry.type_for_code("485") == "WMO325"
    assert registry.type_for_code("999") is None


def test_derived_schemas_are_flagged(registry):
    derived = {t for t in registry.berichttypen if registry.is_derived(t)}
    assert derived == {"WMO302", "WMO306", "WMO308", "WMO316", "WMO318", "WMO320", "WMO325"}


def test_schema_compiled_once(registry):
    assert registry.compiled("JW315") is registry.compiled("JW315")


def test_parse_berichttype():
    std, n = parse_berichttype("wmo305")
    assert (std.naam, n) == ("iwmo", "305")
    with pytest.raises(ValueError, match="unknown message type"):
        parse_berichttype("JW303")


def test_missing_folder_gives_one_clear_message(tmp_path):
    with pytest.raises(SchemaFolderError) as exc:
        SchemaRegistry.load(tmp_path / "nope")
    assert "does not exist" in str(exc.value) and "--schemas" in str(exc.value)


def test_incomplete_folder_names_what_is_missing(tmp_path, schema_dir):
    shutil.copytree(schema_dir / "ijw-3.2", tmp_path / "ijw-3.2")
    (tmp_path / "ijw-3.2" / "xsd" / "jw305.xsd").unlink()
    with pytest.raises(SchemaFolderError) as exc:
        SchemaRegistry.load(tmp_path)
    text = str(exc.value)
    assert "iwmo-3.2/xsd/" in text
    assert "ijw-3.2/xsd/jw305.xsd (JW305)" in text
    assert "jw301.xsd" not in text  # present files are not reported


def test_env_var_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    with pytest.raises(SchemaFolderError, match=ENV_VAR.replace("$", "")):
        SchemaRegistry.load()


def test_cli_value_beats_env(monkeypatch, schema_dir, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert SchemaRegistry.load(schema_dir).root == schema_dir
