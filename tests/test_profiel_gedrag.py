"""The what-if promise: changing the profile changes both what the actors do and what the checks expect.

For each profile key the reference actors or the checks read beyond a plain deadline, two seeded
runs with the same population are made: A under the shipped ``mijov-2024`` and B under a copy with
that one key changed (plus the special event that exercises it made likely).  Each test shows

* the actors differ: B's traffic does what A's profile forbids (A's checker finds it in ledger B,
  never in ledger A), or a measured property of the traffic changes;
* the checks differ: B's checker judges ledger B clean, and where the key switches a rule off the
  rule is "not applicable" under B and says so in B's catalogue.

Then the deadlines the actors used to keep with day counts of their own (the declaration rhythm,
corrections) and the fault switches that are late "deadline + k": lengthening or shortening a
deadline keeps the reference clean and a late fault late.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from reports.controle import Controleur
from reports.regels import catalogus
from reports.uitslag import NVT, Uitslag
from scenarios.run import RunInstellingen, voer_uit
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import Profiel, laad_profiel
from simulator.reader import lees
from simulator.werkdagen import einde_maand

SHIPPED = Path(__file__).resolve().parents[1] / "scenarios" / "profiles" / "mijov-2024.toml"
MIJOV = laad_profiel("mijov-2024")


def profiel_met(tmp_path: Path, naam: str, *wijzigingen: tuple[str, str]) -> Profiel:
    """The shipped profile with each (old, new) replaced once, loaded through the validating loader."""
    tekst = SHIPPED.read_text(encoding="utf-8")
    for oud, nieuw in wijzigingen:
        assert tekst.count(oud) == 1, f"the shipped profile no longer contains exactly one {oud!r}"
        tekst = tekst.replace(oud, nieuw)
    tekst = tekst.replace('naam = "mijov-2024"', f'naam = "mijov-{naam}"', 1)
    pad = tmp_path / f"{naam}.toml"
    pad.write_text(tekst, encoding="utf-8")
    return laad_profiel(pad)


def met_kansen(p: Profiel, **kansen: float) -> Profiel:
    return dataclasses.replace(p, gebeurtenissen={**p.gebeurtenissen, **kansen})


def draai(uit: Path, profiel: Profiel, scenario: str, clients: int = 40, dagen: int = 330, seed: int = 5,
          fouten: frozenset[str] = frozenset()) -> Path:
    voer_uit(RunInstellingen(uit=uit, scenario=scenario, clients=clients, dagen=dagen, seed=seed, profiel=profiel,
                             fouten=fouten))
    return uit


def check(run: Path, profiel: Profiel, registry) -> Uitslag:
    c = Controleur(profiel, registry)
    for r in open_ledger(run).records():
        c.verwerk(r)
    return c.sluit()


def afwijkingen(u: Uitslag) -> Counter:
    return Counter(o.regel for o in u.afwijkingen)


def berichten(run: Path, registry, soort: str):
    """(record, parsed message) of every message of BerichtType suffix ``soort`` (e.g. "301")."""
    for r in open_ledger(run).records():
        if isinstance(r, Boeking) and r.berichttype.endswith(soort):
            yield r, lees(r.xml, registry)


def twee_runs(tmp_path: Path, b: Profiel, scenario: str, **kansen: float) -> tuple[Path, Path]:
    a_run = draai(tmp_path / "a", met_kansen(MIJOV, **kansen), scenario)
    b_run = draai(tmp_path / "b", met_kansen(b, **kansen), scenario)
    return a_run, b_run


def regel_uit(b: Profiel, registry, regel: str, ledger_b: Path, sleutel: str) -> None:
    """Under B the rule is off: B's checker does not judge it and B's catalogue names the key as the reason."""
    u = check(ledger_b, b, registry)
    assert u.afwijkingen == [], [(o.regel, o.waargenomen) for o in u.afwijkingen[:5]]
    assert u.verdict(regel) == NVT
    stelling = catalogus(b, registry)[regel].stelling
    assert f"Uit in profiel {b.naam} ({sleutel} = " in stelling
    assert "Uit in profiel" not in catalogus(MIJOV, registry)[regel].stelling


# -- rules a profile can switch off -----------------------------------------------------------------

def test_vow_alleen_geheel_false_lets_the_gemeente_answer_a_317_in_parts(tmp_path, registry):
    b = profiel_met(tmp_path, "vow-in-delen", ("vow_alleen_geheel = { waarde = true", "vow_alleen_geheel = { waarde = false"))
    a_run, b_run = twee_runs(tmp_path, b, "extern", vow=1.0)
    # the actors: under B some 317 gets two 301s, which A's checker reports; A's own traffic never does
    assert afwijkingen(check(b_run, MIJOV, registry))["PROT.vow_geheel"] > 0
    u_a = check(a_run, MIJOV, registry)
    assert u_a.afwijkingen == [] and u_a.verdict("PROT.vow_geheel") == "pass"
    # the checks: under B answering in parts is no deviation
    regel_uit(b, registry, "PROT.vow_geheel", b_run, "vow_alleen_geheel")


def test_vervallen_alleen_zonder_declaratie_false_lets_a_declared_toewijzing_lapse(tmp_path, registry):
    b = profiel_met(tmp_path, "vervallen", ("vervallen_alleen_zonder_declaratie = { waarde = true",
                                            "vervallen_alleen_zonder_declaratie = { waarde = false"))
    a_run, b_run = twee_runs(tmp_path, b, "toegang", vervallen=1.0)
    assert afwijkingen(check(b_run, MIJOV, registry))["PROT.vervallen_zonder_declaratie"] > 0
    u_a = check(a_run, MIJOV, registry)
    assert u_a.afwijkingen == [] and u_a.verdict("PROT.vervallen_zonder_declaratie") == "pass"
    regel_uit(b, registry, "PROT.vervallen_zonder_declaratie", b_run, "vervallen_alleen_zonder_declaratie")


def test_vow_terugwerkend_toewijzen_true_assigns_from_the_asked_date(tmp_path, registry):
    b = profiel_met(tmp_path, "terugwerkend", ("vow_terugwerkend_toewijzen = { waarde = false",
                                               "vow_terugwerkend_toewijzen = { waarde = true"))
    a_run, b_run = twee_runs(tmp_path, b, "extern", vow=1.0)
    # a 317 decided after its gewenste ingangsdatum (in onderzoek): B assigns from that date, A from the 301
    assert afwijkingen(check(b_run, MIJOV, registry))["PROT.vow_niet_terugwerkend"] > 0
    u_a = check(a_run, MIJOV, registry)
    assert u_a.afwijkingen == [] and u_a.verdict("PROT.vow_niet_terugwerkend") == "pass"
    regel_uit(b, registry, "PROT.vow_niet_terugwerkend", b_run, "vow_terugwerkend_toewijzen")


# -- rules that set an amount --------------------------------------------------------------------------

def test_maximale_toewijzingsduur_caps_toewijzingen_and_is_checked(tmp_path, registry):
    b = profiel_met(tmp_path, "zes-maanden", ('maximale_toewijzingsduur = { termijn = "12 maanden"',
                                              'maximale_toewijzingsduur = { termijn = "6 maanden"'))
    a_run, b_run = twee_runs(tmp_path, b, "toegang", verlengen=0.5)
    langste = {}
    for naam, run in (("a", a_run), ("b", b_run)):
        langste[naam] = max((tp.einddatum - tp.ingangsdatum).days for _, m in berichten(run, registry, "301")
                            for tp in m.client.producten if tp.einddatum and tp.einddatum > tp.ingangsdatum)
    assert langste["b"] <= 184 < langste["a"]  # 6 months at most (also after a verlenging), A's run longer
    # the checks: B expects at most 6 months, so A's traffic deviates under B and B's does not
    assert afwijkingen(check(a_run, b, registry))["PROT.toewijzingsduur"] > 0
    u_b = check(b_run, b, registry)
    assert u_b.afwijkingen == [] and u_b.verdict("PROT.toewijzingsduur") == "pass"
    assert check(a_run, MIJOV, registry).afwijkingen == []


def _tijdelijke_stops(run: Path, registry) -> list[tuple[date, date]]:
    """(Einddatum, date sent) of every temporary 307 (reden 'tijdelijk beëindigd')."""
    from simulator.codes import codes
    from simulator.codelijsten import Codelijsten
    from simulator.schemas import IJW

    tijdelijk = codes(Codelijsten(registry), IJW)["beeindiging.tijdelijk"]
    return [(sp.einddatum, r.datum) for r, m in berichten(run, registry, "307") for sp in m.client.producten
            if sp.reden_beeindiging == tijdelijk and sp.status_aanlevering == "1"]


def test_tijdelijk_stoppen_na_sets_the_pause_and_where_the_deadline_starts(tmp_path, registry):
    b = profiel_met(tmp_path, "twee-maanden", ("tijdelijk_stoppen_na = { waarde = 1,", "tijdelijk_stoppen_na = { waarde = 2,"))
    a_run, b_run = twee_runs(tmp_path, b, "toegang", tijdelijk_stoppen=1.0)
    stops = {"a": _tijdelijke_stops(a_run, registry), "b": _tijdelijke_stops(b_run, registry)}
    assert stops["a"] and stops["b"]
    # A stops after one full calendar month without care, B after two
    assert all(verzonden.month in ((einde.month + 1) % 12 + 1, (einde.month + 2) % 12 + 1)
               for einde, verzonden in stops["a"])
    assert all(verzonden >= einde_maand(*_plus_maanden(einde, 2)) for einde, verzonden in stops["b"])
    # the checks: stop_307_tijdelijk counts from the end of the last full month without care
    assert afwijkingen(check(b_run, MIJOV, registry))["TERMIJN.stop_307_tijdelijk"] == len(stops["b"])
    u_b = check(b_run, b, registry)
    assert u_b.afwijkingen == [] and u_b.verdict("TERMIJN.stop_307_tijdelijk") == "pass"
    assert check(a_run, MIJOV, registry).afwijkingen == []


def _plus_maanden(d: date, n: int) -> tuple[int, int]:
    j, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return j, m + 1


def test_overgang_18_contact_sets_when_the_wmo_care_is_arranged(tmp_path, registry):
    """§12 has no message of its own to check; the key moves the toegang's overleg (and so the WMO301)."""
    b = profiel_met(tmp_path, "contact-6", ('overgang_18_contact = { termijn = "3 maanden"',
                                            'overgang_18_contact = { termijn = "6 maanden"'))
    a_run, b_run = twee_runs(tmp_path, b, "toegang", overgang_18=1.0)
    overleg = {}
    for naam, run in (("a", a_run), ("b", b_run)):
        overleg[naam] = {r.traject: r.datum for r in open_ledger(run).records()
                         if isinstance(r, Gebeurtenis) and r.wat == "overleg_toegang_overgang_18"}
    samen = sorted(set(overleg["a"]) & set(overleg["b"]))
    assert samen
    # the same clients: B's overleg is about three months earlier (unless the Jw care began later than that)
    assert all(overleg["b"][t] <= overleg["a"][t] for t in samen)
    assert any(overleg["a"][t] - overleg["b"][t] >= timedelta(days=80) for t in samen)
    assert check(a_run, MIJOV, registry).afwijkingen == [] and check(b_run, b, registry).afwijkingen == []


def test_declaratie_batch_per_client_sends_one_323_per_client(tmp_path, registry):
    """OP281 allows a 323 for one or more clients; no rule judges the grouping, both runs stay clean."""
    b = profiel_met(tmp_path, "per-client", ('declaratie_batch = { waarde = "per maand per gemeente"',
                                             'declaratie_batch = { waarde = "per maand per cliënt"'))
    a_run, b_run = twee_runs(tmp_path, b, "toegang")
    per_bericht = {naam: [len(m.declaratie.clienten) for _, m in berichten(run, registry, "323")]
                   for naam, run in (("a", a_run), ("b", b_run))}
    assert max(per_bericht["a"]) > 1 and set(per_bericht["b"]) == {1}
    assert len(per_bericht["b"]) > len(per_bericht["a"])
    assert check(a_run, MIJOV, registry).afwijkingen == [] and check(b_run, b, registry).afwijkingen == []


# -- the declaration deadlines drive the declaration rhythm (no day counts in the actors) -------------

@pytest.mark.parametrize("declaratie_323, declaratie_sggz", [("10 werkdagen", "12 werkdagen"),
                                                             ("3 maanden", "60 dagen")])
def test_shorter_and_longer_declaration_deadlines_give_a_clean_run(tmp_path, registry, declaratie_323,
                                                                   declaratie_sggz):
    b = profiel_met(tmp_path, "declaratie",
                    ('declaratie_323 = { termijn = "einde volgende maand"', f'declaratie_323 = {{ termijn = "{declaratie_323}"'),
                    ('declaratie_sggz = { termijn = "30 dagen"', f'declaratie_sggz = {{ termijn = "{declaratie_sggz}"'))
    run = draai(tmp_path / "b", b, "mix", clients=120, seed=2)
    u = check(run, b, registry)
    assert u.afwijkingen == [], [(o.regel, o.verwacht, o.waargenomen) for o in u.afwijkingen[:5]]
    assert u.verdict("TERMIJN.declaratie_323") == "pass" and u.verdict("TERMIJN.declaratie_sggz") == "pass"


def test_a_shorter_declaratie_323_moves_the_batches(tmp_path, registry):
    """Under "10 werkdagen" every regular batch goes out by the 10th werkdag after the month; the shipped
    rhythm (up to the 12th) would be late under it, so the checker of that profile expects the change."""
    b = profiel_met(tmp_path, "tien", ('declaratie_323 = { termijn = "einde volgende maand"',
                                       'declaratie_323 = { termijn = "10 werkdagen"'))
    a_run, b_run = twee_runs(tmp_path, b, "toegang")
    kal = MIJOV.kalender

    def werkdag_van_de_maand(run):
        return {kal.werkdagen_between(date(r.datum.year, r.datum.month, 1) - timedelta(days=1), r.datum)
                for r, _ in berichten(run, registry, "323")}

    assert max(werkdag_van_de_maand(b_run)) <= 10 < max(werkdag_van_de_maand(a_run))
    assert afwijkingen(check(a_run, b, registry))["TERMIJN.declaratie_323"] > 0
    assert check(b_run, b, registry).afwijkingen == []


def test_short_correction_deadlines_get_an_extra_batch(tmp_path, registry):
    b = profiel_met(tmp_path, "correctie", ('correctie_goedgekeurd = { termijn = "2 maanden"',
                                            'correctie_goedgekeurd = { termijn = "3 werkdagen"'))
    b = met_kansen(b, correctie=1.0)
    run = draai(tmp_path / "b", b, "toegang")
    u = check(run, b, registry)
    assert u.afwijkingen == [], [(o.regel, o.verwacht, o.waargenomen) for o in u.afwijkingen[:5]]
    assert u.verdict("TERMIJN.correctie_goedgekeurd") == "pass"
    # more 323s than months: the corrections went out in batches of their own
    per_maand = Counter((r.afzender, r.ontvanger, r.datum.strftime("%Y-%m")) for r, _ in berichten(run, registry, "323"))
    assert max(per_maand.values()) > 1


@pytest.mark.parametrize("sleutel, oud, nieuw", [
    ("stop_307", "5 werkdagen", "3 werkdagen"),            # a short crisis: the 307 right after its 305
    ("start_305_sggz", "5 werkdagen", "10 werkdagen"),     # ... also when that 305 may come later
    ("vot_sggz", "3 maanden + 5 werkdagen", "1 maand + 5 werkdagen"),  # before the diagnostiek is done
    ("onderzoek", "8 weken", "4 weken"),
    ("retour_302", "3 werkdagen", "1 werkdag"),            # a 301 changing an einddatum, read before declaring
])
def test_other_deadlines_changed_keep_the_reference_clean(tmp_path, registry, sleutel, oud, nieuw):
    """The actors plan around each other's deadlines (a 307 after its 305, a 315 once the diagnostiek shows
    the need, a batch after the day's post); with a deadline changed they still meet every one."""
    b = profiel_met(tmp_path, sleutel, (f'{sleutel} = {{ termijn = "{oud}"', f'{sleutel} = {{ termijn = "{nieuw}"'))
    b = met_kansen(b, vow=0.3, vot_onderzoek=0.3, tijdelijk_stoppen=0.3, correctie=0.3, woonplaatsbeginsel=0.1,
                   geen_start=0.1, stop_corrigeren=0.1, verlenging_via_315=0.2, overgang_18=0.2)
    run = draai(tmp_path / "b", b, "mix", clients=300, dagen=365, seed=3)
    u = check(run, b, registry)
    assert u.afwijkingen == [], [(o.regel, o.verwacht, o.waargenomen) for o in u.afwijkingen[:5]]
    assert u.verdict(f"TERMIJN.{sleutel}") == "pass"


# -- fault switches stay late when a deadline is lengthened ------------------------------------------

@pytest.mark.parametrize("fout, scenario, oud, nieuw", [
    ("laat_302", "toegang", 'retour_302 = { termijn = "3 werkdagen"', 'retour_302 = { termijn = "7 werkdagen"'),
    ("laat_323", "toegang", 'declaratie_323 = { termijn = "einde volgende maand"', 'declaratie_323 = { termijn = "3 maanden"'),
])
def test_a_late_fault_is_late_under_a_longer_deadline(tmp_path, registry, fout, scenario, oud, nieuw):
    """The old switches were a fixed number of days late (302: 6 werkdagen; 323: a month); under these
    longer deadlines that would be on time.  Now they are "deadline + k": the rule still fires, alone."""
    from actors.fouten import FOUTEN

    b = profiel_met(tmp_path, "lang", (oud, nieuw))
    run = draai(tmp_path / "b", b, scenario, clients=30, dagen=300, seed=3, fouten=frozenset({fout}))
    assert set(afwijkingen(check(run, b, registry))) == set(FOUTEN[fout].regels)
