"""The fast XML writer (simulator/xmlschrijver.py) writes exactly the bytes of the Jinja2 templates.

``render`` (the writer) and ``render_jinja`` (the templates) must agree byte for byte on every message
type of both standards, on every optional element the generator can fill (25 seeds per type cover
relaties, telefoon, retourcodes on every berichtklasse, credit prestaties, aspecifieke producten …),
on text that needs escaping, and on every message of simulated runs under both shipped profiles.
"""

from __future__ import annotations

import dataclasses

import pytest

import scenarios.run as run_module
from scenarios.run import RunInstellingen, voer_uit
from simulator.genereer import genereer
from simulator.render import render, render_jinja
from simulator.schemas import ALLE_BERICHTTYPEN


@pytest.mark.parametrize("berichttype", ALLE_BERICHTTYPEN)
def test_writer_equals_templates_for_every_type_and_option(berichttype, registry):
    for seed in range(25):
        bericht = genereer(berichttype, seed, registry)
        assert render(bericht, registry) == render_jinja(bericht, registry), f"{berichttype} seed {seed}"


def test_writer_escapes_text_like_the_templates(registry):
    bericht = genereer("JW301", 3, registry)
    lastig = "a & b < c > d \"e\" 'f'\r\ng\nh  "
    client = dataclasses.replace(bericht.client, commentaar=lastig)
    bericht = dataclasses.replace(bericht, client=client)
    xml = render(bericht, registry)
    assert xml == render_jinja(bericht, registry)
    assert b"a &amp; b &lt; c &gt; d &#34;e&#34; &#39;f&#39;&#13;&#10;g&#10;h  </jw301:Commentaar>" in xml


def test_writer_differs_when_the_message_differs(registry):
    """The comparison above can fail: a changed value changes the bytes."""
    a = genereer("WMO305", 1, registry)
    b = dataclasses.replace(a, header=dataclasses.replace(a.header, identificatie="X1"))
    assert render(a, registry) != render(b, registry)
    assert b"<iwmo:Identificatie>X1</iwmo:Identificatie>" in render(b, registry)


@pytest.mark.parametrize("profiel", ["mijov-2024", "lta-2021"])
def test_writer_equals_templates_for_every_message_of_a_run(profiel, tmp_path, monkeypatch):
    verschillen: list[str] = []
    aantal = [0]

    def beide(bericht, registry):
        snel, jinja = render(bericht, registry), render_jinja(bericht, registry)
        aantal[0] += 1
        if snel != jinja:
            verschillen.append(f"{bericht.nummer} {bericht.header.identificatie}")
        return snel

    monkeypatch.setattr(run_module, "render", beide)
    voer_uit(RunInstellingen(uit=tmp_path, clients=150, dagen=365, seed=7, profiel=profiel))
    assert aantal[0] > 500
    assert verschillen == []
