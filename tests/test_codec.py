"""The safe codec: hostile input gives a clear finding, never an exception or expansion."""

from __future__ import annotations

import pytest

from simulator import codec

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""


@pytest.mark.parametrize(
    "data, soort",
    [
        (BILLION_LAUGHS, "dtd"),
        (EXTERNAL_ENTITY, "dtd"),
        (b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><a/>", "bom"),
        (b"\xff\xfe<\x00a\x00/\x00>\x00", "bom"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\xe9</a>', "encoding"),
        (b'<?xml version="1.0" encoding="UTF-8"?><jw301:Bericht xmlns:jw301="x"><jw301:Hea', "niet-welgevormd"),
        (b"", "leeg"),
        (b"   \n", "leeg"),
        (b"not xml at all", "niet-welgevormd"),
    ],
)
def test_hostile_input_gives_one_clear_finding(data, soort):
    ont = codec.parse(data)
    assert ont.document is None
    assert [f.soort for f in ont.fouten] == [soort]
    assert ont.fouten[0].melding


def test_oversize_is_rejected_before_parsing():
    data = b"<a>" + b"x" * 5000 + b"</a>"
    ont = codec.parse(data, max_bytes=1000)
    assert [f.soort for f in ont.fouten] == ["te-groot"]
    # the caller may have read only limit + 1 bytes: the finding must not claim a size it does not know
    assert ont.fouten[0].melding == "message is larger than 1,000 bytes (the limit)"
    assert codec.parse(data[:1001], max_bytes=1000).fouten == ont.fouten
    assert codec.parse(data, max_bytes=10_000).ok


def test_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    v = codec.parse(data)
    assert v.document is None
    assert "TOPSECRET" not in repr(v)


def test_truncated_line_is_reported():
    ont = codec.parse(b"<a>\n<b>\n<c>")
    assert ont.fouten[0].soort == "niet-welgevormd" and ont.fouten[0].regel == 3


def test_non_bytes_is_a_finding_not_an_exception():
    assert codec.parse("<a/>").fouten[0].soort == "leeg"  # type: ignore[arg-type]


def test_foreign_root_is_unknown_message(registry):
    v = codec.validate(b"<a/>", registry)
    assert not v.geldig and v.fouten[0].soort == "onbekend-bericht"


def test_expected_type_mismatch(registry, voorbeelden):
    v = codec.validate(voorbeelden["jw301"].read_bytes(), registry, "JW305")
    assert [f.soort for f in v.fouten] == ["onbekend-bericht"]
    assert "expected a JW305" in v.fouten[0].melding


def test_examples_valid_except_the_two_known(registry, voorbeelden):
    assert len(voorbeelden) == 28
    invalid = {}
    for stem, pad in voorbeelden.items():
        v = codec.validate(pad.read_bytes(), registry)
        assert v.berichttype == stem.upper()
        assert v.derived == (stem.startswith("wmo") and stem[3:] in {"302", "306", "308", "316", "318", "320", "325"})
        if not v.geldig:
            invalid[stem] = v.fouten
    assert set(invalid) == {"jw315", "jw318"}
    jw315 = invalid["jw315"]
    assert len(jw315) == 2
    assert all("2027-06-31" in f.melding and f.pad.endswith("jw315:ToewijzingEinddatum") for f in jw315)
    (jw318,) = invalid["jw318"]
    assert jw318.pad.endswith("jw318:Verzoek/jw318:RetourCode")
    assert "RetourCodes" in jw318.melding


def test_detail_adds_xmlschema_reason(registry, voorbeelden):
    v = codec.validate(voorbeelden["jw315"].read_bytes(), registry, detail=True)
    assert {f.detail for f in v.fouten} == {"day is out of range for month"}
    fast = codec.validate(voorbeelden["jw315"].read_bytes(), registry)
    assert {f.detail for f in fast.fouten} == {None}


def _met_declaratie(voorbeeld: bytes, declaratie: str) -> str:
    """An example message as text with its XML declaration replaced."""
    tekst = voorbeeld.decode("utf-8")
    assert tekst.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return declaratie + tekst.split("?>", 1)[1]


def test_utf16_without_bom_is_not_valid(registry, voorbeelden):
    """UTF-16LE without BOM, declaring UTF-16: lxml reads it fine, the standard forbids it."""
    data = _met_declaratie(voorbeelden["jw301"].read_bytes(), '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16-le")
    assert not data.startswith(b"\xff\xfe")
    v = codec.validate(data, registry)
    assert not v.geldig
    assert [f.soort for f in v.fouten] == ["encoding"]
    assert "UTF-16" in v.fouten[0].melding and "only UTF-8" in v.fouten[0].melding
    big_endian = data.decode("utf-16-le").encode("utf-16-be")
    assert [f.soort for f in codec.validate(big_endian, registry).fouten] == ["encoding"]


def test_latin1_declaration_padded_past_200_bytes_is_not_valid(registry, voorbeelden):
    """The declaration pre-check reads 200 bytes; the parsed document's encoding still decides."""
    declaratie = '<?xml version="1.0"' + " " * 250 + 'encoding="ISO-8859-1"?>'
    data = _met_declaratie(voorbeelden["jw301"].read_bytes(), declaratie).encode("ascii")
    assert data.index(b"ISO-8859-1") > 200
    v = codec.validate(data, registry)
    assert [f.soort for f in v.fouten] == ["encoding"]
    assert "'ISO-8859-1'" in v.fouten[0].melding
    # the same message with its UTF-8 declaration padded the same way is fine
    ok = _met_declaratie(voorbeelden["jw301"].read_bytes(), declaratie.replace("ISO-8859-1", "UTF-8")).encode()
    assert codec.validate(ok, registry).geldig


def test_declared_encoding_spellings_of_utf8_pass():
    assert codec.parse(b'<?xml version="1.0" encoding="utf-8"?><a/>').ok
    assert codec.parse(b"<?xml version='1.0'?><a/>").ok
    assert [f.soort for f in codec.parse(b'<?xml version="1.0" encoding="US-ASCII"?><a/>').fouten] == ["encoding"]
