"""The example gemeente SUT (examples/gemeente_sut/) as a separate process over HTTP on 127.0.0.1.

Unit-level: deliver messages, grant werkdagen, collect the outbox and judge the answers with the
harness's own codec (XSD) and reader.  End to end: `ketensim run --scenario mix --sut
gemeente:CODE=URL` against the service, then `ketensim check` — the route mix clean without faults,
and with each of nine `--fault`s reported under its rule (and no other rule).  These tests are not
skipped: a harness that cannot run them fails.
"""

from __future__ import annotations

import functools
import json
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from simulator.codec import validate
from simulator.genereer import genereer
from simulator.reader import lees
from simulator.render import render
from simulator.werkdagen import Werkdagkalender

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "examples" / "gemeente_sut" / "server.py"
KALENDER = Werkdagkalender()
GEMEENTE, AGB, ONDERAANNEMER = "0285", "73207873", "71111118"
NS = {"ijw": ("jw", "0.1.0", {"305": "438", "307": "440", "315": "446", "317": "486", "323": "490"}),
      "iwmo": ("wmo", "1.0.0", {"305": "418", "307": "420", "315": "444", "317": "480", "323": "484"})}


# =============================================================================================
# the service as a process
# =============================================================================================
class Sut:
    def __init__(self, db: Path, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", "--db", str(db), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        timer = threading.Timer(15, self.proc.kill)
        timer.start()
        regel = self.proc.stdout.readline()
        timer.cancel()
        assert regel.startswith("listening on http://127.0.0.1:"), regel + self.proc.stderr.read()
        self.url = regel.split()[-1]
        self.token: str | None = None
        self.log = ""

    def call(self, methode: str, pad: str, body: object = None, ctype: str = "application/json",
             token: str | None = None) -> tuple[int, dict | None]:
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + pad, data=data, method=methode)
        if data is not None:
            req.add_header("Content-Type", ctype)
        if token or self.token:
            req.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                inhoud = r.read()
                return r.status, json.loads(inhoud) if inhoud else None
        except urllib.error.HTTPError as e:
            inhoud = e.read()
            return e.code, json.loads(inhoud) if inhoud else None

    def start_run(self, run: str, contracten: list | None = None, startdatum: str = "2025-05-01") -> None:
        if contracten is None:
            contracten = [{"aanbieder": AGB, "gecontracteerd": True, "domeinen": ["jeugd", "wmo"], "producten": []},
                          {"aanbieder": ONDERAANNEMER, "gecontracteerd": False, "domeinen": ["jeugd"], "producten": []}]
        status, body = self.call("PUT", f"/ketensim/v1/runs/{run}", {
            "rol": "gemeente", "code": GEMEENTE, "profiel": "mijov-2024", "startdatum": startdatum,
            "contracten": contracten})
        assert status == 201 and body == {"run": run}

    def lever(self, run: str, dag: date, xml: bytes) -> int:
        return self.call("POST", f"/ketensim/v1/runs/{run}/inbox?datum={dag}", xml, "application/xml")[0]

    def dag(self, run: str, dag: date) -> list[bytes]:
        status, body = self.call("POST", f"/ketensim/v1/runs/{run}/klok", {"datum": dag.isoformat()})
        assert status == 200 and body == {"datum": dag.isoformat(), "klaar": True}
        status, body = self.call("GET", f"/ketensim/v1/runs/{run}/outbox?datum={dag}")
        assert status == 200
        return [m["xml"].encode() for m in body["berichten"]]

    def dagen(self, run: str, van: date, n: int) -> dict[date, list[bytes]]:
        """Grant n werkdagen from ``van`` (inclusive); what was sent on each."""
        uit, d = {}, van if KALENDER.is_werkdag(van) else KALENDER.volgende_werkdag(van)
        for _ in range(n):
            uit[d] = self.dag(run, d)
            d = KALENDER.volgende_werkdag(d)
        return uit

    def stop(self) -> str:
        """Stop the process (SIGTERM); what it wrote on stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.proc.stderr.closed:
            self.log = self.proc.stderr.read()
            self.proc.stdout.close()
            self.proc.stderr.close()
        return self.log


@pytest.fixture(scope="module")
def sut(tmp_path_factory):
    s = Sut(tmp_path_factory.mktemp("sut") / "gemeente.sqlite")
    yield s
    s.stop()


@pytest.fixture
def start_sut(tmp_path):
    gestart: list[Sut] = []

    def start(*args: str, db: Path | None = None) -> Sut:
        gestart.append(Sut(db or tmp_path / f"sut{len(gestart)}.sqlite", *args))
        return gestart[-1]
    yield start
    for s in gestart:
        s.stop()


# =============================================================================================
# messages an aanbieder sends
# =============================================================================================
def bericht(std: str, nummer: str, ident: str, dag: date, body: str, afzender: str = AGB) -> bytes:
    pre, versie, codes = NS[std]
    m, ns = f"{pre}{nummer}", f"http://www.istandaarden.nl/{std}/3_2/{pre}{nummer}/schema"
    body = body.replace("<m:", f"<{m}:").replace("</m:", f"</{m}:").replace("<b:", f"<{std}:").replace("</b:", f"</{std}:")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<{m}:Bericht xmlns:{std}="http://www.istandaarden.nl/{std}/3_2/basisschema/schema" xmlns:{m}="{ns}">
<{m}:Header><{m}:BerichtCode>{codes[nummer]}</{m}:BerichtCode><{m}:BerichtVersie>3</{m}:BerichtVersie>
<{m}:BerichtSubversie>2</{m}:BerichtSubversie><{m}:Afzender>{afzender}</{m}:Afzender><{m}:Ontvanger>{GEMEENTE}</{m}:Ontvanger>
<{m}:BerichtIdentificatie><{std}:Identificatie>{ident}</{std}:Identificatie><{std}:Dagtekening>{dag}</{std}:Dagtekening>
</{m}:BerichtIdentificatie><{m}:XsdVersie><{std}:BasisschemaXsdVersie>{versie}</{std}:BasisschemaXsdVersie>
<{std}:BerichtXsdVersie>{versie}</{std}:BerichtXsdVersie></{m}:XsdVersie></{m}:Header>
{body}
</{m}:Bericht>""".encode()
    v = validate(xml, _registry())
    assert v.geldig, v.fouten  # the test's own input is a correct message
    return xml


@functools.cache
def _registry():
    from simulator.schemas import SchemaRegistry
    return SchemaRegistry.load()


def vot(registry, std: str = "ijw", afzender: str = AGB, seed: int = 7, ref: str | None = None) -> bytes:
    """A generated, schema-valid 315 addressed from ``afzender`` to our gemeente."""
    b = genereer(("JW" if std == "ijw" else "WMO") + "315", seed, registry)
    b = replace(b, header=replace(b.header, afzender=afzender, ontvanger=GEMEENTE))
    if ref:
        producten = tuple(replace(p, referentie_aanbieder=f"{ref}-{i}") for i, p in enumerate(b.client.producten))
        b = replace(b, client=replace(b.client, producten=producten))
    return render(b, registry)


def vow(std: str, ident: str, dag: date, bsn: str, ref: str, nummer: str, gewenst: date) -> bytes:
    return bericht(std, "317", ident, dag, f"""<m:Client><m:Bsn>{bsn}</m:Bsn><m:Verzoek>
<m:ReferentieAanbieder>{ref}</m:ReferentieAanbieder><m:RedenVerzoek>2</m:RedenVerzoek>
<m:TeWijzigenProducten><m:TeWijzigenProduct><m:ToewijzingNummer>{nummer}</m:ToewijzingNummer>
<m:GewensteIngangsdatum>{gewenst}</m:GewensteIngangsdatum>
<m:Omvang><b:Volume>8</b:Volume><b:Eenheid>04</b:Eenheid><b:Frequentie>2</b:Frequentie></m:Omvang>
</m:TeWijzigenProduct></m:TeWijzigenProducten>
<m:NieuweProducten><m:NieuwProduct><m:Product>{"<b:Categorie>45</b:Categorie><b:Code>45A02</b:Code>" if std == "ijw"
                                              else "<b:Categorie>02</b:Categorie><b:Code>02A01</b:Code>"}</m:Product>
<m:GewensteIngangsdatum>{gewenst}</m:GewensteIngangsdatum>
<m:Omvang><b:Volume>2</b:Volume><b:Eenheid>04</b:Eenheid><b:Frequentie>2</b:Frequentie></m:Omvang>
</m:NieuwProduct></m:NieuweProducten></m:Verzoek></m:Client>""")


def prestatie(ref: str, nummer: str, begin: str, eind: str, cent: int, eenheid: str = "01", code: str = "45A01") -> str:
    return f"""<m:Prestatie><m:ProductReferentie><b:ReferentieNummer>{ref}</b:ReferentieNummer></m:ProductReferentie>
<m:ToewijzingNummer>{nummer}</m:ToewijzingNummer><m:ProductCategorie>45</m:ProductCategorie>
<m:ProductCode>{code}</m:ProductCode><m:ProductPeriode><b:Begindatum>{begin}</b:Begindatum>
<b:Einddatum>{eind}</b:Einddatum></m:ProductPeriode><m:GeleverdVolume>60</m:GeleverdVolume><m:Eenheid>{eenheid}</m:Eenheid>
<m:IngediendBedrag><b:Bedrag>{cent}</b:Bedrag><b:DebetCredit>D</b:DebetCredit></m:IngediendBedrag></m:Prestatie>"""


def declaratie(ident: str, dag: date, bsn: str, regels: list[tuple[str, int]]) -> bytes:
    totaal = sum(c for _, c in regels)
    return bericht("ijw", "323", ident, dag, f"""<m:Declaratie><m:DeclaratieNummer>D{ident}</m:DeclaratieNummer>
<m:DeclaratiePeriode><b:Begindatum>2026-02-01</b:Begindatum><b:Einddatum>2026-02-28</b:Einddatum></m:DeclaratiePeriode>
<m:DeclaratieDagtekening>{dag}</m:DeclaratieDagtekening>
<m:TotaalIngediendBedrag><b:TotaalBedrag>{totaal}</b:TotaalBedrag><b:DebetCredit>D</b:DebetCredit></m:TotaalIngediendBedrag>
<m:Clienten><m:Client><m:Bsn>{bsn}</m:Bsn><m:Prestaties>{''.join(p for p, _ in regels)}</m:Prestaties></m:Client>
</m:Clienten></m:Declaratie>""")


TOEGANG_BSN = "999965050"


def toegang(sut: Sut, run: str, dag: date, reden: str | None = None, bsn: str = TOEGANG_BSN) -> None:
    status, _ = sut.call("POST", f"/ketensim/v1/runs/{run}/toegang?datum={dag}", {
        "standaard": "iJw", "aanbieder": AGB, "reden": reden,
        "client": {"bsn": bsn, "geslachtsnaam": "Heerkens", "voorvoegsel": "van", "voorletters": "SL",
                   "geboortedatum": "2012-03-28", "geslacht": "1",
                   "adres": {"straat": "Tarasteeg", "huisnummer": 79, "postcode": "7392DP", "plaats": "Twello"}},
        "product": {"categorie": "45", "code": "45A01", "eenheid": "04", "volume": 4, "frequentie": "2"},
        "ingangsdatum": "2026-02-01", "einddatum": "2026-07-31"})
    assert status == 202


def gelezen(registry, berichten: list[bytes]) -> list:
    """Every message schema-valid (the harness's codec), read into the harness's data classes."""
    for xml in berichten:
        v = validate(xml, registry)
        assert v.geldig, (v.fouten, xml.decode())
    return [lees(x, registry) for x in berichten]


def soorten(per_dag: dict[date, list]) -> dict[date, list[str]]:
    return {d: [lees_nummer(x) for x in xs] for d, xs in per_dag.items() if xs}


def lees_nummer(xml: bytes) -> str:
    return xml.split(b"Bericht xmlns", 1)[0].rsplit(b"<", 1)[1].rstrip(b":").decode()


# =============================================================================================
# unit-level behaviour over HTTP
# =============================================================================================
def test_info_and_bearer_token(start_sut):
    s = start_sut("--token", "geheim")
    assert s.call("GET", "/ketensim/v1/info")[0] == 401
    status, info = s.call("GET", "/ketensim/v1/info", token="geheim")
    assert status == 200 and info["api"] == "ketensim-sut/1" and info["rollen"] == ["gemeente"]


def test_fault_list_names_rules_of_the_catalogue():
    from reports.regels import catalogus
    from simulator.profiel import laad_profiel
    from simulator.schemas import SchemaRegistry
    regels = list(fault_regels().values())
    assert len(set(regels)) >= 5
    bekend = catalogus(laad_profiel("mijov-2024"), SchemaRegistry.load())
    assert set(regels) <= set(bekend), set(regels) - set(bekend)
    fout = subprocess.run([sys.executable, str(SERVER), "--fault", "bestaat_niet"], capture_output=True, text=True)
    assert fout.returncode == 2 and "laat_316" in fout.stderr


def test_315_gives_316_the_same_day_and_a_301_the_next_werkdag(sut, registry):
    sut.start_run("vot")
    heen = lees(vot(registry), registry)
    ontvangen = date(2025, 5, 27)
    assert sut.lever("vot", ontvangen, vot(registry)) == 202
    per_dag = sut.dagen("vot", ontvangen, 4)
    assert soorten(per_dag) == {ontvangen: ["jw316"], date(2025, 5, 28): ["jw301"]}
    r316, = gelezen(registry, per_dag[ontvangen])
    assert r316.header.identificatie == heen.header.identificatie and r316.header.afzender == AGB
    assert r316.retour.dagtekening == ontvangen and not r316.retour.retourcodes
    t301, = gelezen(registry, per_dag[date(2025, 5, 28)])
    assert (t301.header.afzender, t301.header.ontvanger, t301.client.bsn) == (GEMEENTE, AGB, heen.client.bsn)
    gevraagd = heen.client.producten
    assert [(tp.referentie_aanbieder, tp.product, tp.ingangsdatum, tp.omvang) for tp in t301.client.producten] == [
        (p.referentie_aanbieder, p.product, p.toewijzing_ingangsdatum, p.omvang) for p in gevraagd]
    assert t301.header.identificatie != r316.retour.identificatie


@pytest.mark.parametrize("geval, reden", [("wmo315", "4"), ("onderaannemer", "3"), ("gi_bepaling", "4")])
def test_315_the_protocol_rejects_gets_a_319(sut, registry, geval, reden):
    run = f"afwijzen-{geval}"
    sut.start_run(run)
    dag = date(2026, 1, 13)
    if geval == "gi_bepaling":
        xml = vot(registry)
        bsn = lees(xml, registry).client.bsn
        toegang(sut, run, dag, reden="bepaling_jeugdhulp_gi", bsn=bsn)
    else:
        xml = vot(registry, std="iwmo") if geval == "wmo315" else vot(registry, afzender=ONDERAANNEMER)
    assert sut.lever(run, dag, xml) == 202
    per_dag = sut.dagen(run, dag, 3)
    antwoorden = [b for b in gelezen(registry, [x for xs in per_dag.values() for x in xs]) if b.nummer == "319"]
    assert len(antwoorden) == 1
    a = antwoorden[0].antwoord
    assert a.verzoek_antwoord == "1" and a.reden_afwijzing == reden
    assert a.referentie_aanbieder == lees(xml, registry).client.producten[0].referentie_aanbieder
    heen_afzender = lees(xml, registry).header.afzender
    assert all(b.header.ontvanger == heen_afzender for b in antwoorden)


def test_a_second_315_for_the_same_product_overlapping_is_rejected_as_stapeling(sut, registry):
    """§4 stapeling: after the first 315 is honoured, a 315 for the same product in an overlapping period
    from the same aanbieder gets a 319 "afgewezen" with reden 6 "Stapeling"."""
    run, dag = "stapeling", date(2026, 1, 13)
    sut.start_run(run)
    eerste = vot(registry, ref="EERSTE")
    assert sut.lever(run, dag, eerste) == 202
    na_eerste = gelezen(registry, [x for xs in sut.dagen(run, dag, 3).values() for x in xs])
    assert [b.nummer for b in na_eerste if b.nummer in ("301", "319")] == ["301"]
    b = lees(vot(registry, ref="TWEEDE"), registry)
    b = replace(b, header=replace(b.header, identificatie=b.header.identificatie[:-1] + "9"))
    tweede = render(b, registry)
    dag2 = date(2026, 1, 20)
    assert sut.lever(run, dag2, tweede) == 202
    antwoorden = [b for b in gelezen(registry, [x for xs in sut.dagen(run, dag2, 3).values() for x in xs])
                  if b.nummer in ("301", "319")]
    assert [(a.nummer, a.antwoord.verzoek_antwoord, a.antwoord.reden_afwijzing) for a in antwoorden] == [("319", "1", "6")]
    assert antwoorden[0].antwoord.referentie_aanbieder.startswith("TWEEDE")


def test_toegang_decision_gives_a_301_without_referentie(sut, registry):
    sut.start_run("toegang")
    dag = date(2026, 1, 16)  # a Friday: the 301 follows on Monday
    toegang(sut, "toegang", dag)
    per_dag = sut.dagen("toegang", dag, 3)
    assert soorten(per_dag) == {date(2026, 1, 19): ["jw301"]}
    t301, = gelezen(registry, per_dag[date(2026, 1, 19)])
    tp, = t301.client.producten
    assert tp.referentie_aanbieder is None and tp.omvang.eenheid == "04" and tp.einddatum == date(2026, 7, 31)
    assert t301.client.naam.voorvoegsel == "van" and t301.client.contactgegevens[0].adres.postcode == "7392DP"


def test_werkdagen_skip_easter(sut, registry):
    sut.start_run("pasen")
    assert sut.lever("pasen", date(2026, 4, 2), vot(registry)) == 202  # Thursday before Goede Vrijdag
    per_dag = sut.dagen("pasen", date(2026, 4, 2), 3)
    assert soorten(per_dag) == {date(2026, 4, 2): ["jw316"], date(2026, 4, 7): ["jw301"]}


def _toewijzing(sut: Sut, registry, run: str, dag: date):
    """A toewijzing through the toegang; returns (its 301, the next werkdag after it)."""
    sut.start_run(run)
    toegang(sut, run, dag)
    for _ in range(12):
        berichten = sut.dag(run, dag)
        if berichten:
            t301, = gelezen(registry, berichten)
            return t301, KALENDER.volgende_werkdag(dag)
        dag = KALENDER.volgende_werkdag(dag)
    raise AssertionError("geen 301 na het besluit van de toegang")


def test_317_is_answered_as_a_whole_and_never_retroactively(sut, registry):
    t301, dag = _toewijzing(sut, registry, "vow", date(2026, 2, 2))
    nummer = t301.client.producten[0].toewijzingnummer
    # the aanbieder wishes the change to start before today: the gemeente starts it on its 301's date
    assert sut.lever("vow", dag, vow("ijw", "V1", dag, TOEGANG_BSN, "REF-VOW-1", nummer, dag - timedelta(days=3))) == 202
    per_dag = sut.dagen("vow", dag, 3)
    assert soorten(per_dag) == {dag: ["jw318"], KALENDER.volgende_werkdag(dag): ["jw301"]}
    nieuw301, = gelezen(registry, per_dag[KALENDER.volgende_werkdag(dag)])
    datum = nieuw301.header.dagtekening
    producten = {tp.toewijzingnummer: tp for tp in nieuw301.client.producten}
    assert nummer in producten and len(producten) == 3  # the ended one, its successor, the new product
    assert producten[nummer].einddatum == datum - timedelta(days=1) and producten[nummer].reden_wijziging == "12"
    nieuw = [tp for nr, tp in producten.items() if nr != nummer]
    assert all(tp.ingangsdatum >= datum and tp.referentie_aanbieder == "REF-VOW-1" for tp in nieuw)
    assert len(set(producten)) == 3 and nummer not in {tp.toewijzingnummer for tp in nieuw}
    # a WMO317 is always rejected (§8.1)
    later = KALENDER.volgende_werkdag(datum)
    assert sut.lever("vow", later, vow("iwmo", "V2", later, TOEGANG_BSN, "REF-VOW-2", nummer, later + timedelta(days=20))) == 202
    per_dag = sut.dagen("vow", later, 2)
    alles = gelezen(registry, [x for xs in per_dag.values() for x in xs])
    assert [b.nummer for b in alles] == ["318", "319"] and alles[1].antwoord.reden_afwijzing == "4"


def regie(nummer: str, ident: str, dag: date, producten: list[tuple[str, str, str]]) -> bytes:
    """A 305 (nummer "305") or 307 for the toegang client: (toewijzingnummer, begindatum, status) per product."""
    soort = "StartProduct" if nummer == "305" else "StopProduct"
    stop = "<m:RedenBeeindiging>35</m:RedenBeeindiging><m:Einddatum>2026-03-31</m:Einddatum>" if nummer == "307" else ""
    regels = "".join(f"""<m:{soort}><m:ToewijzingNummer>{nr}</m:ToewijzingNummer>
<m:Product><b:Categorie>45</b:Categorie><b:Code>45A01</b:Code></m:Product><m:Begindatum>{begin}</m:Begindatum>
{stop}<m:StatusAanlevering>{status}</m:StatusAanlevering></m:{soort}>""" for nr, begin, status in producten)
    return bericht("ijw", nummer, ident, dag, f"""<m:Client><m:Bsn>{TOEGANG_BSN}</m:Bsn>
<m:Geboortedatum><b:Datum>2012-03-28</b:Datum></m:Geboortedatum><m:Geslacht>1</m:Geslacht>
<m:Naam><b:Geslachtsnaam><b:Achternaam>Heerkens</b:Achternaam></b:Geslachtsnaam></m:Naam>
<m:{soort}en>{regels}</m:{soort}en></m:Client>""")


def test_305_and_307_get_306_and_308_the_same_day_with_codes_for_broken_rules(sut, registry):
    t301, dag = _toewijzing(sut, registry, "regie", date(2026, 3, 2))
    nr = t301.client.producten[0].toewijzingnummer
    sut.lever("regie", dag, regie("305", "S1", dag, [(nr, "2026-03-02", "1")]))
    sut.lever("regie", dag, regie("305", "S2", dag, [(nr, "2026-03-03", "1"), ("12345", "2026-03-03", "1")]))
    sut.lever("regie", dag, regie("307", "E1", dag, [(nr, "2026-03-01", "1")]))
    sut.lever("regie", dag, regie("307", "E2", dag, [(nr, "2026-03-02", "1")]))
    retours = gelezen(registry, sut.dag("regie", dag))
    assert [b.nummer for b in retours] == ["306", "306", "308", "308"]
    assert all(b.retour.dagtekening == dag for b in retours)
    goed, dubbel, zonder_start, stop = retours
    assert not goed.retour.retourcodes and goed.client is None and not stop.retour.retourcodes
    assert [p.retourcodes for p in dubbel.client.producten] == [("9326",), ("9019",)]  # TR326, TR019
    assert dubbel.retour.retourcodes == ("0200",) and dubbel.client.retourcodes == ("0200",)
    assert [p.retourcodes for p in zonder_start.client.producten] == [("9069",)]  # no start with that Begindatum


def test_323_gets_a_325_with_whole_lines_and_correct_totals(sut, registry):
    t301, dag = _toewijzing(sut, registry, "decl", date(2026, 3, 2))
    nummer = t301.client.producten[0].toewijzingnummer
    goed = prestatie("P1", nummer, "2026-02-01", "2026-02-28", 12000)
    onbekend = prestatie("P2", "999999", "2026-02-01", "2026-02-28", 3000)
    uren = prestatie("P3", nummer, "2026-02-01", "2026-02-28", 500, eenheid="04")  # hours must be declared in minutes
    sut.lever("decl", dag, declaratie("D1", dag, TOEGANG_BSN, [(goed, 12000), (onbekend, 3000), (uren, 500)]))
    sut.lever("decl", dag, declaratie("D2", dag, TOEGANG_BSN, [(prestatie("P4", nummer, "2026-02-01", "2026-02-28", 700), 700)]))
    per_dag = sut.dagen("decl", dag, 2)
    a, b = gelezen(registry, per_dag[KALENDER.volgende_werkdag(dag)])
    assert a.antwoord.totaal_ingediend_cent == 15500 and a.antwoord.totaal_toegekend_cent == 12000
    afgekeurd = {p.referentie.nummer: p.retourcodes for c in a.antwoord.clienten for p in c.prestaties}
    assert afgekeurd == {"P2": ("9338",), "P3": ("9341",)}
    assert b.antwoord.totaal_toegekend_cent == 700 and b.antwoord.retourcodes == ("8001",) and not b.antwoord.clienten
    assert a.declaratie_identificatie == "D1" and b.declaratie_identificatie == "D2"


def test_hostile_input_is_refused_and_the_service_goes_on(sut, registry):
    sut.start_run("vijandig")
    dag = date(2026, 1, 14)
    bom = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx"><!ENTITY y "&x;&x;">]><a>&y;</a>'
    assert sut.lever("vijandig", dag, b"<niet-af") == 400
    assert sut.lever("vijandig", dag, bom) == 400
    assert sut.lever("vijandig", dag, b"<a/>" + b" " * (3 * 1024 * 1024)) == 413
    b301 = render(genereer("JW301", 3, registry), registry)
    assert sut.lever("vijandig", dag, b301) == 400  # a gemeente receives no 301
    assert sut.lever("vijandig", dag, vot(registry).replace(GEMEENTE.encode(), b"0200")) == 400  # not ours
    assert sut.call("POST", f"/ketensim/v1/runs/vijandig/inbox?datum=gisteren", b"<a/>", "application/xml")[0] == 400
    assert sut.call("POST", "/ketensim/v1/runs/onbekend/klok", {"datum": "2026-01-14"})[0] == 404
    assert sut.call("PUT", "/ketensim/v1/runs/x", {"rol": "aanbieder", "code": "1"})[0] == 400
    assert sut.call("GET", "/ketensim/v1/runs/te/veel/paden")[0] == 404
    assert sut.dag("vijandig", dag) == []
    assert sut.call("GET", "/ketensim/v1/info")[0] == 200


def test_an_unprocessable_message_is_set_aside_and_the_day_goes_on(start_sut, tmp_path, registry):
    s = start_sut("--schemas", str(tmp_path / "geen-schemas"))  # no XSDs: no validation on receipt
    s.start_run("gif")
    dag = date(2026, 1, 21)
    kapot = vot(registry).replace(b"<jw315:ToewijzingIngangsdatum>", b"<jw315:Onbekend>").replace(
        b"</jw315:ToewijzingIngangsdatum>", b"</jw315:Onbekend>")
    assert s.lever("gif", dag, kapot) == 202
    assert s.lever("gif", dag, vot(registry, ref="GOED")) == 202
    per_dag = s.dagen("gif", dag, 2)
    assert soorten(per_dag) == {dag: ["jw316", "jw316"], KALENDER.volgende_werkdag(dag): ["jw301"]}
    t301, = gelezen(registry, per_dag[KALENDER.volgende_werkdag(dag)])
    assert t301.client.producten[0].referentie_aanbieder.startswith("GOED")
    assert "overgeslagen" in s.stop()


def test_state_survives_a_restart_and_runs_are_separate(start_sut, tmp_path, registry):
    db = tmp_path / "blijvend.sqlite"
    s = start_sut(db=db)
    s.start_run("a")
    s.start_run("b")
    dag = date(2026, 1, 20)
    assert s.lever("a", dag, vot(registry)) == 202
    s.stop()
    s = start_sut(db=db)
    assert [lees_nummer(x) for x in s.dag("a", dag)] == ["jw316"]
    assert s.dag("b", dag) == []
    assert s.call("DELETE", "/ketensim/v1/runs/a")[0] == 204
    assert s.call("GET", f"/ketensim/v1/runs/a/outbox?datum={dag}")[0] == 404


@pytest.mark.parametrize("fault", ["laat_316", "geen_306", "laat_325", "325_half", "wmo315_toekennen",
                                   "vow_terugwerkend", "dubbele_id", "laat_besluit", "laat_toegang"])
def test_each_fault_changes_exactly_what_it_names(start_sut, registry, fault):
    s = start_sut("--fault", fault)
    t301, dag = _toewijzing(s, registry, "f", date(2026, 3, 2))
    nummer = t301.client.producten[0].toewijzingnummer
    s.lever("f", dag, vot(registry, std="iwmo", ref="W"))
    s.lever("f", dag, vot(registry, ref="J"))
    s.lever("f", dag, render(replace(genereer("JW305", 3, registry), header=replace(
        genereer("JW305", 3, registry).header, afzender=AGB, ontvanger=GEMEENTE)), registry))
    s.lever("f", dag, declaratie("D1", dag, TOEGANG_BSN, [(prestatie("P1", nummer, "2026-02-01", "2026-02-28", 999), 999)]))
    s.lever("f", dag, vow("ijw", "V1", dag, TOEGANG_BSN, "REF-VOW", nummer, dag + timedelta(days=10)))
    per_dag = s.dagen("f", dag, 16)
    alles = [(d, b) for d, xs in per_dag.items() for b in gelezen(registry, xs)]
    na = {b.nummer: KALENDER.werkdagen_between(dag, d) for d, b in reversed(alles)}  # first of each type
    ids_301 = [b.header.identificatie for _, b in alles if b.nummer == "301"] + [t301.header.identificatie]
    wmo = [b for _, b in alles if b.standaard.naam == "iwmo" and b.nummer in ("301", "319")]
    vow301 = [b for _, b in alles if b.nummer == "301" and any(tp.referentie_aanbieder == "REF-VOW" for tp in b.client.producten)]
    assert len(vow301) == 1
    terug = [tp for tp in vow301[0].client.producten
             if tp.toewijzingnummer != nummer and tp.ingangsdatum < vow301[0].header.dagtekening]
    a325 = next(b for _, b in alles if b.nummer == "325").antwoord
    assert na.get("316") == (5 if fault == "laat_316" else 0)
    assert ("306" in na) == (fault != "geen_306")
    assert na["325"] == (14 if fault == "laat_325" else 1)
    assert a325.totaal_toegekend_cent == (499 if fault == "325_half" else 999)
    assert [b.nummer for b in wmo] == (["301"] if fault == "wmo315_toekennen" else ["319"])
    assert bool(terug) == (fault == "vow_terugwerkend")
    assert (len(set(ids_301)) < len(ids_301)) == (fault == "dubbele_id")
    besluit = [KALENDER.werkdagen_between(dag, d) for d, b in alles
               if b.nummer == "301" and any((tp.referentie_aanbieder or "").startswith("J-") for tp in b.client.producten)]
    assert besluit == [8 if fault == "laat_besluit" else 1]
    assert KALENDER.werkdagen_between(date(2026, 3, 2), t301.header.dagtekening) == (8 if fault == "laat_toegang" else 1)


# =============================================================================================
# end to end: ketensim run --sut gemeente:CODE=URL, then ketensim check
# =============================================================================================
SUT_GEMEENTE = "0200"  # Apeldoorn


def ketensim(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def profiel_met(tmp_path: Path, gebeurtenissen: dict[str, float]) -> Path:
    """A copy of the shipped profile (data, not code) with some special events made likelier and
    nearly all clients living in the SUT's gemeente (the others get 100 inwoners)."""
    import re
    tekst = (ROOT / "scenarios" / "profiles" / "mijov-2024.toml").read_text(encoding="utf-8")
    tekst, n = re.subn(rf'(?m)^("0(?!{SUT_GEMEENTE[1:]})\d{{3}}" = {{.*inwoners = )\d+', r"\g<1>100", tekst)
    assert n >= 5
    for naam, kans in gebeurtenissen.items():
        tekst, n = re.subn(rf"(?m)^{naam}\s*=\s*[0-9.]+", f"{naam} = {kans}", tekst)
        assert n == 1, naam
    pad = tmp_path / "profiel.toml"
    pad.write_text(tekst, encoding="utf-8")
    return pad


def afwijkingen(tmp_path: Path, sut: Sut, scenario: str, gebeurtenissen: dict[str, float], seed: int) -> set[str]:
    """Run the route mix against the SUT over HTTP, check the ledger; the rules with deviations."""
    profiel = profiel_met(tmp_path, gebeurtenissen)
    uit = tmp_path / "run"
    r = ketensim("run", "--sut", f"gemeente:{SUT_GEMEENTE}={sut.url}", "--scenario", scenario, "--clients", "30",
                 "--days", "120", "--seed", str(seed), "--profile", str(profiel), "--out", str(uit))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    ledger = [json.loads(regel) for regel in (uit / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    van_sut = [rec for rec in ledger if rec.get("soort") == "bericht" and rec.get("afzender") == SUT_GEMEENTE]
    assert len(van_sut) >= 10 and all(rec.get("rol") == "sut" for rec in van_sut)
    c = ketensim("check", str(uit), "--profile", str(profiel), "--format", "json")
    assert c.returncode in (0, 1), c.stderr[-3000:]
    uitslag = json.loads(c.stdout)
    fout = {o["regel"] for o in uitslag["oordelen"] if o["uitkomst"] == "fail"}
    assert (c.returncode == 1) == bool(fout)
    return fout


def test_route_mix_against_the_example_sut_has_no_deviations(start_sut, tmp_path):
    sut = start_sut()
    assert afwijkingen(tmp_path, sut, "mix", MIX, seed=11) == set()


#: special events made likelier in the route-mix runs, so that the SUT meets 317s, Wmo 315s and
#: correction declarations in a small population
MIX = {"vow": 0.3, "wmo315": 0.2, "wmo317": 0.2, "gi_bepaling_315": 1.0, "correctie": 0.2}


def fault_regels() -> dict[str, str]:
    """--fault NAME → the catalogue rule it breaks, as the service itself lists them."""
    uit = subprocess.run([sys.executable, str(SERVER), "--fault", "list"], capture_output=True, text=True, check=True)
    return {r.split()[0]: r.split()[1] for r in uit.stdout.splitlines()}


#: a duplicated BerichtIdentificatie of a 301 also makes the aanbieder's second 302 point at an
#: identificatie that already has its retour: the checker reports that too (RETOUR.een_op_een)
OOK_GEVOLG = {"dubbele_id": {"RETOUR.een_op_een"}}


@pytest.mark.parametrize("fault, gebeurtenissen", [
    ("laat_316", {}),
    ("laat_besluit", {}),
    ("geen_306", {}),
    ("laat_toegang", {}),
    ("laat_325", {}),
    ("325_half", {}),
    ("wmo315_toekennen", {"wmo315": 1.0}),
    ("vow_terugwerkend", {"vow": 1.0}),
    ("dubbele_id", {}),
])
def test_each_fault_is_reported_under_its_rule_and_no_other(start_sut, tmp_path, fault, gebeurtenissen):
    """The route mix (every route, the SUT's special events made likelier) against the SUT started
    with one --fault: the fault's rule fails, and nothing else."""
    regel = fault_regels()[fault]
    sut = start_sut("--fault", fault)
    fout = afwijkingen(tmp_path, sut, "mix", MIX | gebeurtenissen, seed=5)
    assert regel in fout
    assert fout - {regel} <= OOK_GEVOLG.get(fault, set()), fout
