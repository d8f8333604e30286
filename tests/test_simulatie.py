"""Whole runs: determinism, an interrupted run, and the year-long mixed run of the issue's
"done when" (2,000 clients, 365 days): every message schema-valid, every route and special
event of Annex 4 present."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from scenarios.run import RunInstellingen, voer_uit
from simulator.cli import main
from simulator.codec import validate
from simulator.codelijsten import Codelijsten
from simulator.codes import codes as named_codes
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.reader import lees
from simulator.schemas import IJW


def _run(uit: Path, **kw):
    return voer_uit(RunInstellingen(uit=uit, **kw))


def test_same_seed_gives_a_byte_identical_ledger(tmp_path):
    _run(tmp_path / "a", clients=60, dagen=200, seed=11)
    _run(tmp_path / "b", clients=60, dagen=200, seed=11)
    _run(tmp_path / "c", clients=60, dagen=200, seed=12)
    a = (tmp_path / "a" / "ledger.jsonl").read_bytes()
    assert a == (tmp_path / "b" / "ledger.jsonl").read_bytes()
    assert a != (tmp_path / "c" / "ledger.jsonl").read_bytes()
    assert a.count(b'"soort":"bericht"') > 100


def test_interrupted_run_leaves_a_readable_ledger(tmp_path):
    def onderbreek(v):
        if v.werkdag == 60:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        voer_uit(RunInstellingen(uit=tmp_path, clients=80, dagen=300, seed=5), onderbreek)
    led = open_ledger(tmp_path)
    assert not led.compleet
    assert any("did not finish" in w for w in led.waarschuwingen)
    berichten = list(led.berichten())
    assert berichten and max(b.datum for b in berichten).isoformat() < "2026-04-01"


def test_cli_run_prints_summary_and_writes_ledger(tmp_path, capsys):
    code = main(["run", "--scenario", "toegang", "--clients", "15", "--days", "120", "--seed", "2",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "messages per type" in out and "JW301" in out or "WMO301" in out
    assert "messages per gemeente" in out and (tmp_path / "ledger.jsonl").is_file()
    assert (tmp_path / "samenvatting.txt").read_text(encoding="utf-8").startswith("run complete")


def test_demo_runs_checks_and_writes_the_html_report(tmp_path, capsys):
    """The README's main job: a mixed run, its verdicts and a report a person can open."""
    code = main(["demo", "--clients", "40", "--days", "90", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "verdict: PASS — 0 deviation(s)" in out and "rapport.html" in out
    uitslag = json.loads((tmp_path / "uitslag.json").read_text(encoding="utf-8"))
    assert uitslag["run"]["profiel"] == "mijov-2024" and uitslag["verdict"] == "pass"
    html = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "TERMIJN.retour_302" in html


@pytest.mark.parametrize("argv, melding", [
    (["run", "--scenario", "bestaat_niet", "--clients", "5", "--days", "30"], "unknown scenario"),
    (["run", "--profile", "geen-profiel", "--clients", "5", "--days", "30"], "unknown profile"),
    (["run", "--clients", "0"], "argument --clients: must be a positive whole number"),
])
def test_cli_run_bad_input_is_a_clear_error(tmp_path, capsys, argv, melding):
    try:
        code = main(argv + ["--out", str(tmp_path)])
    except SystemExit as exc:  # refused by the option's argparse type
        code = exc.code
    assert code == 2
    assert melding in capsys.readouterr().err


# -- the year-long mixed run ----------------------------------------------------------------

@pytest.fixture(scope="module")
def jaar(tmp_path_factory):
    uit = tmp_path_factory.mktemp("jaar")
    s = voer_uit(RunInstellingen(uit=uit, scenario="mix", clients=2000, dagen=365, seed=2026))
    led = open_ledger(uit)
    berichten, gebeurtenissen = [], []
    for r in led.records():
        (berichten if isinstance(r, Boeking) else gebeurtenissen).append(r)
    return s, berichten, gebeurtenissen


def test_year_mix_every_message_is_schema_valid(jaar, registry):
    _, berichten, _ = jaar
    assert len(berichten) > 10_000
    ongeldig = [(b.seq, b.berichttype, validate(b.xml, registry, b.berichttype).fouten[:1])
                for b in berichten if not validate(b.xml, registry, b.berichttype).geldig]
    assert ongeldig == []
    assert {b.berichttype for b in berichten} >= {f"{s}{n}" for s in ("JW", "WMO")
                                                   for n in ("301", "302", "305", "306", "307", "308", "323", "325")}


def test_year_mix_every_route_occurs(jaar):
    s, _, gebeurtenissen = jaar
    assert set(s.routes) == {"toegang", "extern", "sggz", "dyslexie", "crisis", "zonder_bsn"}
    wat = Counter(g.wat for g in gebeurtenissen)
    for nodig in ("aanmelding_toegang", "bepaling_jeugdhulp_gi", "intake", "start_diagnostiek",
                  "leesdossier_bij_aanbieder", "leesdossier_bij_toegang", "eerste_contact_crisis",
                  "melding_buiten_berichtenverkeer", "ontvangstbevestiging_buiten_berichtenverkeer"):
        assert wat[nodig] > 0, nodig


def test_year_mix_every_special_event_occurs(jaar, registry):
    _, berichten, gebeurtenissen = jaar
    wat = Counter(g.wat for g in gebeurtenissen)
    gelezen = [(b, lees(b.xml, registry)) for b in berichten]
    per_traject = defaultdict(list)
    for b, m in gelezen:
        if b.traject:
            per_traject[b.traject].append((b, m))

    def codes(nummer: str):
        return [(b, m) for b, m in gelezen if b.berichttype.endswith(nummer)]

    # verzoek om wijziging: approved (a 301 follows the 317), rejected, in onderzoek
    vow_uitkomst = set()
    for traject, bm in per_traject.items():
        na_317 = False
        for b, m in bm:
            if b.berichttype == "JW317":
                na_317 = True
            elif na_317 and b.berichttype == "JW301":
                vow_uitkomst.add("toegekend")
            elif na_317 and b.berichttype == "JW319":
                vow_uitkomst.add({"1": "afgewezen", "2": "onderzoek"}[m.antwoord.verzoek_antwoord])
    assert vow_uitkomst == {"toegekend", "afgewezen", "onderzoek"}
    # the gemeente's own changes: inkorten (05), verlengen (04), vervallen (01), verhuizing (07)
    redenen = {p.reden_wijziging for _, m in codes("301") for p in m.client.producten}
    assert {"01", "04", "05", "07"} <= redenen
    assert wat["toewijzing_vervalt_zonder_start"] > 0  # lapses after 3 months without a 305
    # tijdelijk stoppen (reden 20) and a withdrawn 307 (status 3)
    stops = [p for _, m in codes("307") for p in m.client.producten]
    assert any(p.reden_beeindiging == "20" for p in stops)
    assert any(p.status_aanlevering == "3" for p in stops)
    assert wat["hervat_zorg"] > 0
    # declaration corrections (§7.2): a credit line for an earlier debit, with a new debit for the same
    # toewijzing and month in the same 323.  (A rejected line corrected: the 'afkeuring' event is an
    # aanbieder fault, off in the reference mix; see test_wrong_tariff_is_rejected_and_corrected_in_the_next_batch.)
    debet = {(b.afzender, p.referentie.nummer): p for b, m in codes("323") for c in m.declaratie.clienten
             for p in c.prestaties if p.bedrag_cent > 0}
    gecorrigeerd = 0
    for b, m in codes("323"):
        prestaties = [p for c in m.declaratie.clienten for p in c.prestaties]
        for credit in (p for p in prestaties if p.bedrag_cent < 0):
            oud = debet[(b.afzender, credit.referentie.vorig)]
            assert credit.bedrag_cent == -oud.bedrag_cent
            assert any(p.bedrag_cent > 0 and p.toewijzingnummer == oud.toewijzingnummer and p.periode == oud.periode
                       and p.referentie.nummer != oud.referentie.nummer for p in prestaties)
            gecorrigeerd += 1
    assert gecorrigeerd > 0
    # Jw → Wmo at 18: a JW307 'uitstroom naar ander domein' and a WMO301 for the same client
    jw_uit = {b.bsn for b, m in codes("307") if m.client.producten[0].reden_beeindiging == "39" and b.berichttype == "JW307"}
    wmo_in = {b.bsn for b, _ in codes("301") if b.berichttype == "WMO301"}
    assert jw_uit & wmo_in
    # woonplaatsbeginsel rejection naming the responsible gemeente, and the rejections §4/§8.1 demand
    antwoorden = [m.antwoord for _, m in codes("319")]
    assert any(a.woonplaatsbeginsel is not None for a in antwoorden)
    assert any(b.berichttype == "WMO319" for b, _ in codes("319"))
    # verlenging via a second 315 at a medische verwijzer
    assert any(sum(1 for b, _ in bm if b.berichttype == "JW315") == 2 for bm in per_traject.values())
    # clients without BSN: no messages at all for them
    zonder = {g.traject for g in gebeurtenissen if g.wat == "client_zonder_bsn"}
    assert zonder and not (zonder & set(per_traject))


def test_year_mix_jw_wmo_care_continuous_at_18(jaar, registry):
    """§12: for every overgang_18 trajectory the Wmo care goes on from the day after the Jeugd care ended:
    WMO305 Begindatum = Einddatum of the JW307 'uitstroom naar ander domein' + 1 day."""
    _, berichten, gebeurtenissen = jaar
    jw = named_codes(Codelijsten(registry), IJW)
    overgangen = {g.traject for g in gebeurtenissen if g.wat == "overleg_toegang_overgang_18"}
    per_traject = defaultdict(list)
    for b in berichten:
        if b.traject in overgangen:
            per_traject[b.traject].append(b)
    gevolgd = 0
    for traject in overgangen:
        bs = per_traject[traject]
        wmo301 = [lees(b.xml, registry).client.producten[0] for b in bs if b.berichttype == "WMO301"]
        jw307 = [lees(b.xml, registry).client.producten[0] for b in bs if b.berichttype == "JW307"]
        wmo305 = [lees(b.xml, registry).client.producten[0] for b in bs if b.berichttype == "WMO305"]
        assert wmo301, traject
        if not wmo305:
            assert wmo301[0].ingangsdatum >= date(2026, 12, 15), traject  # the 305 would come after the run
            continue
        assert jw307 and jw307[-1].reden_beeindiging == jw["beeindiging.ander_domein"], traject
        assert wmo305[0].begindatum == jw307[-1].einddatum + timedelta(days=1), (traject, jw307[-1], wmo305[0])
        gevolgd += 1
    assert gevolgd >= 3


def test_year_mix_definitive_stop_after_the_308_on_the_withdrawal(jaar, registry):
    """§6.4: withdraw the temporary 307, receive the 308 on it, then send the definitive 307."""
    _, berichten, _ = jaar
    jw = named_codes(Codelijsten(registry), IJW)  # StatusAanlevering is the same list in iWmo
    retour = {(b.ontvanger, b.heen): b for b in berichten if b.berichttype.endswith("308")}
    per_traject = defaultdict(list)
    for b in berichten:
        if b.traject and b.berichttype.endswith("307"):
            per_traject[b.traject].append(b)
    gevolgd = 0
    for traject, stops in per_traject.items():
        for i, b in enumerate(stops):
            if lees(b.xml, registry).client.producten[0].status_aanlevering != jw["status.verwijderen"]:
                continue
            ontvangen = retour.get((b.afzender, b.identificatie))
            definitief = stops[i + 1] if i + 1 < len(stops) else None
            if definitief is None:
                assert b.datum >= date(2026, 12, 20), traject  # the run ended in between
                continue
            assert ontvangen is not None and ontvangen.datum < definitief.datum, (traject, ontvangen, definitief.datum)
            gevolgd += 1
    assert gevolgd >= 5


def test_wrong_tariff_is_rejected_and_corrected_in_the_next_batch(tmp_path, registry):
    """The 'afkeuring' event (off in the reference mix: it is an aanbieder fault): the gemeente
    rejects the line with the TR418 retourcode and the aanbieder declares it again, correctly."""
    import dataclasses

    from simulator.profiel import laad_profiel

    p = laad_profiel("mijov-2024")
    p = dataclasses.replace(p, gebeurtenissen={"afkeuring": 1.0})
    voer_uit(RunInstellingen(uit=tmp_path, scenario="toegang", clients=20, dagen=240, seed=4, profiel=p))
    berichten = list(open_ledger(tmp_path).berichten())
    afgekeurd = {}
    for b in berichten:
        if b.berichttype.endswith("325"):
            for c in (lees(b.xml, registry).antwoord.clienten or ()):
                for pr in c.prestaties:
                    afgekeurd[(b.ontvanger, pr.toewijzingnummer, pr.periode)] = (b.datum, pr.retourcodes)
    assert afgekeurd and all(codes == ("0611",) for _, codes in afgekeurd.values())
    for (agb, nr, periode), (datum, _) in afgekeurd.items():
        if datum.isoformat() > "2026-07-15":
            continue  # the run ends before the next batch
        later = [pr for b in berichten if b.berichttype.endswith("323") and b.afzender == agb and b.datum > datum
                 for c in lees(b.xml, registry).declaratie.clienten for pr in c.prestaties
                 if pr.toewijzingnummer == nr and pr.periode == periode and pr.bedrag_cent > 0]
        assert later, (nr, periode)


def test_year_mix_has_no_deviations(jaar, registry):
    """No false alarms: the reference actors keep every rule over a 2,000-client year."""
    from reports.controle import Controleur
    from simulator.profiel import laad_profiel

    s, berichten, gebeurtenissen = jaar
    c = Controleur(laad_profiel("mijov-2024"), registry)
    for r in sorted(berichten + gebeurtenissen, key=lambda r: r.seq):
        c.verwerk(r)
    u = c.sluit()
    assert u.afwijkingen == [], [(o.regel, o.verwacht, o.waargenomen) for o in u.afwijkingen[:5]]
