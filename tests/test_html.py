"""The HTML report (reports/html.py): a mixed run with two injected faults, checked and rendered.

Structural checks find both deviations, their rules and sources, a link from each deviation to the
sequence diagram of its client, the deadline charts, the §13.3 table and the highlighted element in
the message viewer, and no external URL.  Then Debian's chromium loads the file headless: no console
messages, the JS-populated elements render, and screenshots are kept in the test's tmp folder (and
copied to ``$KETENSIM_ARTIFACTS`` when that is set).  The browser test is skipped only when no
chromium binary is installed (``apt-get install chromium``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from reports.controleer import controleer
from reports.html import schrijf_html
from reports.html_xml import weergave
from reports.invoer import open_invoer
from reports.uitslag import Oordeel, Uitslag
from scenarios.run import RunInstellingen, voer_uit
from simulator.profiel import laad_profiel

FOUTEN = frozenset({"laat_302", "verkeerd_tarief"})
FOUTREGELS = {"TERMIJN.retour_302", "TR418"}


@pytest.fixture(scope="module")
def run(tmp_path_factory, registry):
    uit = tmp_path_factory.mktemp("html-run")
    voer_uit(RunInstellingen(uit=uit, clients=40, dagen=240, seed=2, fouten=FOUTEN))
    u = controleer(open_invoer(uit, registry), laad_profiel("mijov-2024"), registry)
    pad = schrijf_html(u, uit / "ledger.jsonl", uit / "rapport.html")
    return u, pad, lxml.html.fromstring(pad.read_text(encoding="utf-8"))


def _id(doc, ident: str):
    gevonden = doc.xpath("//*[@id=$i]", i=ident)
    assert len(gevonden) == 1, f"expected one element with id {ident!r}, found {len(gevonden)}"
    return gevonden[0]


def _href(el, klasse: str) -> str | None:
    links = el.xpath(f".//a[contains(concat(' ', @class, ' '), ' {klasse} ')]/@href")
    return links[0] if links else None


def test_both_injected_deviations_are_shown_with_rule_source_and_counts(run):
    u, _, doc = run
    assert FOUTREGELS <= {o.regel for o in u.afwijkingen}  # the faults did fire
    rijen = doc.xpath("//section[@id='afwijkingen']//tr[contains(@class, 'afwijking')]")
    assert len(rijen) == len(u.afwijkingen)
    for regel in FOUTREGELS:
        mijn = [r for r in rijen if r.xpath(".//a[@class='regel-link']/text()") == [regel]]
        assert len(mijn) == sum(1 for o in u.afwijkingen if o.regel == regel)
        bron = u.regels[regel].bron
        assert bron in mijn[0].text_content()
        # the deviation links to its rule, whose row in the rule table shows the source and the fail count
        doel = mijn[0].xpath(".//a[@class='regel-link']/@href")[0]
        regelrij = _id(doc, doel[1:])
        assert regelrij.xpath("ancestor::table/@id") == ["regeltabel"]
        assert bron in regelrij.xpath("./td[@class='bron']")[0].text_content()
        cellen = [td.text_content().strip() for td in regelrij.xpath("./td")]
        assert cellen[6] == str(u.tellingen[regel]["fail"]) and cellen[6] != "0"
        assert "voldoet niet" in cellen[8]


def test_a_deviation_links_to_the_sequence_diagram_of_its_client(run):
    u, _, doc = run
    for regel in FOUTREGELS:
        rij = next(r for r in doc.xpath("//tr[contains(@class, 'afwijking')]")
                   if r.xpath(".//a[@class='regel-link']/text()") == [regel])
        href = _href(rij, "diagram-link")
        assert href and href.startswith("#client-"), f"{regel}: no link to a client diagram"
        diagram = _id(doc, href[1:])
        svg = diagram.xpath(".//svg")
        assert svg, "the diagram is an inline SVG"
        # lanes are the parties; the faulty message is drawn in red with the rule id
        lanes = {t.text for t in svg[0].xpath(".//text[@font-weight='bold' and @text-anchor='middle']")}
        assert {"gemeente", "aanbieder"} <= lanes
        assert regel in " ".join(t.text_content() for t in svg[0].xpath(".//*[@class='regel-id']"))
        # the client's BSN from the deviation is the client of the diagram
        bsn = next(o.bsn for o in u.afwijkingen if o.regel == regel and o.bsn)
        assert bsn in diagram.xpath(".//h3")[0].text_content()


def test_message_viewer_highlights_the_offending_element(run):
    u, _, doc = run
    o = next(o for o in u.afwijkingen if o.regel == "TR418")
    rij = next(r for r in doc.xpath("//tr[contains(@class, 'afwijking')]")
               if r.xpath(".//a[@class='regel-link']/text()") == ["TR418"])
    href = _href(rij, "bericht-link")
    assert href and href.startswith("#m-")
    bericht = _id(doc, href[1:])
    marks = [m.text_content() for m in bericht.xpath(".//pre//mark")]
    assert marks and all("ProductTarief" in m for m in marks)
    assert any(f">{o.waargenomen}<" in m for m in marks)  # the prestatie with the observed tariff
    assert re.search(r"<\w+:Dagtekening>", bericht.xpath(".//pre")[0].text_content())  # the XML is shown as text


def test_deadline_charts_and_the_132_view_are_present(run):
    _, _, doc = run
    grafieken = doc.xpath("//section[@id='termijnen']//svg[contains(@class, 'grafiek')]")
    assert len(grafieken) >= 4
    g302 = next(g for g in grafieken if g.get("id") == "grafiek-301-302")
    assert g302.xpath(".//line[@class='termijnlijn']")
    assert g302.xpath(".//rect[@fill='#c62828']"), "the late 302s are drawn as late bars"
    tabel = doc.xpath("//section[@id='monitoring']//table")
    assert tabel and len(tabel[0].xpath(".//tbody/tr")) >= 2
    assert all(re.fullmatch(r"\d{4}-\d{2}", th.text_content()) for th in tabel[0].xpath(".//thead/th")[2:])


def test_the_132_view_counts_late_declarations_as_the_checker_does(tmp_path, registry):
    """With late 323s switched on, the late prestaties of the §13.3 view are the checker's deviations
    of the declaration deadline, for the same aanbieders; the clean fixture run shows none late."""
    from reports.html import bouw_rapport

    voer_uit(RunInstellingen(uit=tmp_path, scenario="toegang", clients=30, dagen=300, seed=3,
                             fouten=frozenset({"laat_323"})))
    u = controleer(open_invoer(tmp_path, registry), laad_profiel("mijov-2024"), registry)
    laat = [o for o in u.afwijkingen if o.regel in ("TERMIJN.declaratie_323", "TERMIJN.declaratie_sggz")]
    assert laat, "the fault made declarations late"
    r = bouw_rapport(u, tmp_path / "ledger.jsonl")
    cellen = r.ledger.declaraties
    assert sum(c.te_laat for c in cellen.values()) == len(laat)
    assert {a for (a, _, _), c in cellen.items() if c.te_laat} == {o.actor for o in laat}
    beoordeeld = sum(u.tellingen.get(k, Counter()).total() for k in ("TERMIJN.declaratie_323", "TERMIJN.declaratie_sggz"))
    assert sum(c.prestaties for c in cellen.values()) == beoordeeld


def test_the_clean_fixture_run_has_no_late_declarations_in_the_132_view(run):
    u, _, doc = run
    assert not any(o.regel.startswith("TERMIJN.declaratie") for o in u.afwijkingen)
    assert not doc.xpath("//section[@id='monitoring']//td[contains(@class, 'te-laat')]")
    assert doc.xpath("//section[@id='monitoring']//td[contains(@class, 'getal')]")


def test_the_report_is_self_contained(run):
    _, pad, doc = run
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "src", "action", "{http://www.w3.org/1999/xlink}href", "poster", "data"):
            v = el.get(attr)
            if v is not None:
                assert v.startswith(("#", "?", "data:")), f"external reference <{el.tag} {attr}={v!r}>"
    assert not doc.xpath("//link[@rel='stylesheet'] | //script[@src] | //iframe | //img[not(starts-with(@src, 'data:'))]")
    for css in doc.xpath("//style/text()"):
        assert "@import" not in css and not re.search(r"url\((?!['\"]?(data:|#))", css)
    assert pad.stat().st_size < 5_000_000


def test_without_a_ledger_it_says_what_is_missing(run, tmp_path):
    u, _, _ = run
    pad = schrijf_html(Uitslag.uit_dict(u.as_dict()), None, tmp_path / "alleen-uitslag.html")
    doc = lxml.html.fromstring(pad.read_text(encoding="utf-8"))
    assert "volgordediagrammen" in _id(doc, "ontbreekt").text_content()
    assert not doc.xpath("//svg")
    assert len(doc.xpath("//tr[contains(@class, 'afwijking')]")) == len(u.afwijkingen)


def test_message_viewer_highlights_the_element_of_an_xsd_finding(run, registry):
    from simulator.codec import validate
    from simulator.ledger import open_ledger

    u, pad, _ = run
    xml = next(b.xml for b in open_ledger(pad.parent).berichten() if b.berichttype == "JW305").decode()
    kapot = re.sub(r"(<ijw:Dagtekening>)[^<]*", r"\g<1>gisteren", xml, count=1).encode()
    fout = validate(kapot, registry, None).fouten[0]
    assert fout.pad
    o = Oordeel("XSD", "fail", __import__("datetime").date(2026, 1, 5), "1", None, (), "", fout.melding, element=fout.pad)
    html, n = weergave(kapot, [o])
    marks = lxml.html.fromstring(f"<pre>{html}</pre>").xpath("//mark")
    assert n == 1 and len(marks) == 1 and "Dagtekening>gisteren<" in marks[0].text_content()


def test_message_viewer_escapes_hostile_bytes():
    kapot, n = weergave(b"</pre><script>alert(1)</script>", [])
    assert "<script>" not in kapot and "&lt;script&gt;" in kapot and n == 0
    xml = b'<?xml version="1.0"?><a><Eenheid>&lt;script&gt;x</Eenheid></a>'
    o = Oordeel("TR341", "fail", __import__("datetime").date(2026, 1, 5), "1", None, (), "", "<script>x")
    html, n = weergave(xml, [o])
    assert "<script>" not in html and n == 1 and '<mark class="fout">' in html


# -- headless browser -------------------------------------------------------------------------------
def _chromium() -> str | None:
    for naam in ("chromium", "chromium-browser"):
        pad = shutil.which(naam)
        if pad:
            return pad
    return None


def _chrome(binary: str, profiel: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [binary, "--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=0",
           "--hide-scrollbars", "--no-first-run", "--disable-extensions", "--disable-quic",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profiel}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def _console(stderr: str) -> list[str]:
    """Console messages (errors, warnings, logs, uncaught exceptions) chromium logged for the page."""
    return [regel for regel in stderr.splitlines() if ":CONSOLE" in regel]


@pytest.mark.skipif(_chromium() is None, reason="no chromium binary (Debian: apt-get install chromium)")
def test_headless_chromium_renders_the_report_without_console_errors(run, tmp_path):
    u, pad, doc = run
    binary = _chromium()
    url = pad.resolve().as_uri()
    dom = _chrome(binary, tmp_path / "profiel1", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == []
    rendered = lxml.html.fromstring(dom.stdout)
    # content the inline JS writes: the rule filter's counter and the status line
    n = len(u.regels)
    assert _id(rendered, "zichtbaar").text_content() == f"{n} van {n} regels zichtbaar"
    assert _id(rendered, "js-status").text_content().startswith("Interactief:")
    assert len(rendered.xpath("//svg[contains(@class, 'volgorde')]")) >= 1

    # the diagram of a client with a deviation, alone on the page (?focus=): shown, the rest hidden
    rij = next(r for r in doc.xpath("//tr[contains(@class, 'afwijking')]")
               if r.xpath(".//a[@class='regel-link']/text()") == ["TERMIJN.retour_302"])
    diagram = _href(rij, "diagram-link")[1:]
    focus = _chrome(binary, tmp_path / "profiel2", "--dump-dom", f"{url}?focus={diagram}")
    assert _console(focus.stderr) == []
    fdoc = lxml.html.fromstring(focus.stdout)
    assert "focusmodus" in fdoc.body.get("class", "")
    assert "display: none" in (_id(fdoc, "regels").get("style") or "")
    assert "display" not in (_id(fdoc, diagram).get("style") or "")

    schoten = []
    for naam, adres, grootte in (("rapport-boven.png", url, "1400,1800"),
                                 ("rapport-diagram.png", f"{url}?focus={diagram}", "1300,1100")):
        doel = tmp_path / naam
        shot = _chrome(binary, tmp_path / f"profiel-{naam}", f"--screenshot={doel}", f"--window-size={grootte}", adres)
        assert shot.returncode == 0 and _console(shot.stderr) == []
        assert doel.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and doel.stat().st_size > 20_000
        schoten.append(doel)
    artefacten = os.environ.get("KETENSIM_ARTIFACTS")
    if artefacten:
        map_ = Path(artefacten)
        map_.mkdir(parents=True, exist_ok=True)
        for s in schoten + [pad]:
            shutil.copy2(s, map_ / s.name)
