"""TR374: no new verzoek (315/317) for a client while one is onderhanden at the same aanbieder.

Regression for a defect of the reference aanbieder found in the region-year (``ketensim bench``): a
trajectory with a 317 answered "in onderzoek" and a verlenging via 315 — the aanbieder sent the 315
while its 317 was still onderhanden, and the gemeente's 316 lacked retourcode 9374.  The reference
aanbieder now waits for the answer; the reference gemeente rejects such a verzoek with 9374 and does
not decide on it."""

from __future__ import annotations

import dataclasses

from reports.controle import Controleur
from scenarios.run import RunInstellingen, voer_uit
from simulator import berichten as b
from simulator.codelijsten import Codelijsten
from simulator.codes import codes, retourcode_voor_regel
from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import laad_profiel
from simulator.reader import lees
from simulator.schemas import IJW

PROFIEL = laad_profiel("mijov-2024")


def _run(tmp_path, registry, *, clients: int, dagen: int, seed: int, fouten: frozenset[str] = frozenset()):
    """An extern run where every client has a 317 and a verlenging via 315; the records and the check."""
    profiel = dataclasses.replace(PROFIEL, gebeurtenissen={"vow": 1.0, "verlenging_via_315": 1.0})
    voer_uit(RunInstellingen(uit=tmp_path, scenario="extern", clients=clients, dagen=dagen, seed=seed,
                             profiel=profiel, fouten=fouten))
    c = Controleur(PROFIEL, registry)
    records = list(open_ledger(tmp_path).records())
    for r in records:
        c.verwerk(r)
    return records, c.sluit()


def _referentie(m) -> str | None:
    if isinstance(m, b.VerzoekToewijzing):
        return m.client.producten[0].referentie_aanbieder
    if isinstance(m, b.VerzoekWijziging):
        return m.client.verzoek.referentie_aanbieder
    return None


def test_the_aanbieder_sends_its_next_verzoek_only_after_the_answer(tmp_path, registry):
    records, uitslag = _run(tmp_path, registry, clients=60, dagen=365, seed=2)
    assert uitslag.afwijkingen == [], [(o.regel, o.traject, o.waargenomen) for o in uitslag.afwijkingen[:5]]
    wachten = [r for r in records if isinstance(r, Gebeurtenis) and r.wat == "verzoek_wacht_op_antwoord"]
    assert wachten, "the scenario must hold a verzoek that has to wait (else this test proves nothing)"
    for w in wachten:
        onderhanden = w.gegevens["onderhanden"]
        eigen = [r for r in records if isinstance(r, Boeking) and r.traject == w.traject and r.seq > w.seq]
        onderzoek = codes(Codelijsten(registry), IJW)["antwoord.in_onderzoek"]
        antwoord = next(r.seq for r in eigen if r.berichttype.endswith(("301", "319")) and _beantwoordt(
            lees(r.xml, registry), onderhanden, onderzoek))
        volgend = next(r.seq for r in eigen if r.berichttype.endswith(("315", "317")))
        assert antwoord < volgend, f"{w.traject}: the next verzoek went before the answer to {onderhanden}"


def _beantwoordt(m, referentie: str, onderzoek: str) -> bool:
    """A 301 assigning, or a 319 rejecting, verzoek ``referentie`` (not a 319 'in onderzoek')."""
    if isinstance(m, b.Toewijzing):
        return any(tp.referentie_aanbieder == referentie for tp in m.client.producten)
    return m.antwoord.referentie_aanbieder == referentie and m.antwoord.verzoek_antwoord != onderzoek


def test_the_gemeente_rejects_a_verzoek_sent_while_another_is_onderhanden(tmp_path, registry):
    """With the aanbieder's fault switched on, the second 317 gets a 318 with 9374 and no 301 or 319."""
    records, uitslag = _run(tmp_path, registry, clients=30, dagen=300, seed=3,
                            fouten=frozenset({"verzoek_tijdens_onderhanden"}))
    assert {o.regel for o in uitslag.afwijkingen} == {"TR374"}
    berichten = [(r, lees(r.xml, registry)) for r in records if isinstance(r, Boeking)]
    code = retourcode_voor_regel(Codelijsten(registry), IJW, "TR374")
    afgekeurd = {(r.ontvanger, r.heen) for r, m in berichten  # (aanbieder, BerichtIdentificatie of its 317)
                 if isinstance(m, b.VerzoekWijzigingRetour) and m.client is not None and code in m.client.retourcodes}
    assert len(afgekeurd) == len([o for o in uitslag.afwijkingen if o.regel == "TR374"]) > 0
    referenties = {_referentie(m) for r, m in berichten
                   if isinstance(m, b.VerzoekWijziging) and (r.afzender, r.identificatie) in afgekeurd}
    assert len(referenties) == len(afgekeurd)
    for r, m in berichten:
        if isinstance(m, b.Toewijzing):
            assert not referenties & {tp.referentie_aanbieder for tp in m.client.producten}, r.identificatie
        elif isinstance(m, b.Antwoord):
            assert m.antwoord.referentie_aanbieder not in referenties, r.identificatie


def test_a_verzoek_rejected_with_a_retourcode_is_no_verlenging_and_not_onderhanden(tmp_path, registry):
    """Checker: a 315 the gemeente must reject with a retourcode (here TR347, a reused ReferentieAanbieder) was
    not processed — it does not count as the one verlenging (§4.1), and the correct 315 right after it is
    neither a second verlenging nor sent while one is onderhanden (TR374)."""
    profiel = dataclasses.replace(PROFIEL, gebeurtenissen={"verlenging_via_315": 1.0})
    voer_uit(RunInstellingen(uit=tmp_path, scenario="extern", clients=30, dagen=300, seed=3, profiel=profiel))
    records = list(open_ledger(tmp_path).records())
    berichten = [r for r in records if isinstance(r, Boeking) and r.berichttype == "JW315"]
    per_traject: dict[str, list[Boeking]] = {}
    for r in berichten:
        per_traject.setdefault(r.traject, []).append(r)
    eerste, verlenging = next(v for v in per_traject.values() if len(v) == 2)
    oud, nieuw = _referentie(lees(eerste.xml, registry)), _referentie(lees(verlenging.xml, registry))
    kopie_id = verlenging.identificatie[:4] + "99999999"  # a BerichtIdentificatie this sender never used
    kopie = dataclasses.replace(verlenging, seq=verlenging.seq - 1, identificatie=kopie_id,
                                xml=verlenging.xml.replace(nieuw.encode(), oud.encode()).replace(
                                    f">{verlenging.identificatie}<".encode(), f">{kopie_id}<".encode()))
    assert _referentie(lees(kopie.xml, registry)) == oud
    i = records.index(verlenging)
    u = _check(records[:i] + [kopie] + records[i:], registry)
    gevuurd = {(o.regel, o.berichten[0]) for o in u.afwijkingen}
    assert gevuurd == {("TR347", f"JW315 {kopie.afzender}/{kopie.identificatie}"),
                       ("TERMIJN.retour_316", f"JW315 {kopie.afzender}/{kopie.identificatie}")}


def _check(records, registry):
    c = Controleur(PROFIEL, registry)
    for r in records:
        c.verwerk(r)
    return c.sluit()
