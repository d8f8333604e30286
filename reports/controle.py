"""The checker: reads ledger records in order and judges every rule of the catalogue.

It keeps only what later judgements need (who was assigned what, which 305 is current, which
prestatie was approved, which heenbericht still waits for its retour) and open *expectations*
(``Verwachting``: something must happen by a date).  When the awaited message arrives the
expectation passes or fails; expectations still open at the end fail when their deadline lies
before the last date seen, and are inconclusive otherwise (the run ended first).

The checker never changes the ledger and never sends anything.  It judges messages from
reference actors and systems under test alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from simulator import berichten as b
from simulator.codec import validate
from simulator.codelijsten import Codelijsten
from simulator.codes import Codes, codes as named_codes, retourcode_voor_regel, verwijzer_codes
from simulator.ledger import Boeking, Gebeurtenis
from simulator.profiel import Profiel, Toewijzingswijze
from simulator.reader import LeesFout, lees
from simulator.regieregels import TR375_GRENS, StopSleutel, overlapt, vervallen, zelfde_product
from simulator.schemas import IJW, IWMO, HEEN_RETOUR, SchemaRegistry, Standaard
from simulator.profiel import FREQUENTIE_CODES
from simulator.omvang import max_loopduur, max_per_periode
from simulator.werkdagen import add_maanden, einde_maand

from .regels import catalogus
from .uitslag import FAIL, ONBESLIST, PASS, Oordeel, Uitslag

RETOUR_TERMIJN = {"301": "retour_302", "305": "retour_306", "307": "retour_308", "315": "retour_316",
                  "317": "retour_318", "319": "retour_320", "323": "antwoord_325"}


@dataclass
class Verwachting:
    regel: str
    deadline: date
    actor: str | None
    bsn: str | None
    berichten: tuple[str, ...]
    verwacht: str
    traject: str | None = None
    route: str | None = None


@dataclass
class Toewijzing:
    """A toewijzing as the checker saw it: the latest version and what happened on it."""

    gemeente: str
    agb: str
    bsn: str
    standaard: str
    tp: b.ToegewezenProduct
    eerste_301: date
    einde_bekend: date  # date of the 301 that set the current einddatum
    huidige_305: date | None = None  # Begindatum of the current 305
    hersteld: date | None = None  # date a 307 was withdrawn (status 3): the replacing 307 runs from here
    ooit_gestart: bool = False
    # 305s received and not withdrawn, by their key (Begindatum, Product): current or stopped (TR074, TR382, TR071)
    starts: set[tuple[date, b.Product | None]] = field(default_factory=set)
    stops: list[StopSleutel] = field(default_factory=list)  # 307s received and not withdrawn, in order
    goedgekeurd: set[str] = field(default_factory=set)  # approved, not credited prestatie referenties
    gedeclareerd_volume: int = 0
    gedeclareerd_cent: int = 0  # debits declared and not rejected or credited (TR369 budget use)


@dataclass
class Verzoek:
    agb: str
    gemeente: str
    referentie: str
    nummer: str  # 315 | 317
    datum: date
    dagtekening: date
    bsn: str
    standaard: str
    ref: str
    traject: str | None
    route: str | None
    moet_afwijzen: str | None = None  # PROT rule id when the protocol says the gemeente must reject
    antwoorden: list[str] = field(default_factory=list)  # "301" | "319:1" | "319:2"
    onderzoek: bool = False


@dataclass
class PrestatieStaat:
    referentie: str
    agb: str
    toewijzing: tuple[str, str]  # (gemeente, nummer)
    periode: tuple[date, date]
    bedrag: int
    status: str = "ingediend"  # ingediend | toegekend | afgekeurd | gecrediteerd | gecorrigeerd
    vorig: str | None = None
    toegekend_op: date | None = None
    afgekeurd_op: date | None = None
    volume: int = 0  # a debit's GeleverdVolume counted towards TR322 (minutes for hours)
    product: b.Product | None = None  # ProductCategorie and ProductCode declared (TR389, TR416)


class Controleur:
    def __init__(self, profiel: Profiel, registry: SchemaRegistry, *, valideer: bool = True,
                 historie_compleet: bool = True) -> None:
        """``historie_compleet=False`` (a folder of real traffic): a rule that fails only because an
        earlier message is not in the input, and a retour that is not in it, are inconclusive."""
        self.p = profiel
        self.historie_compleet = historie_compleet
        self.registry = registry
        self.codelijsten = Codelijsten(registry)
        self.catalogus = profiel.catalogus(self.codelijsten)
        self.regels = catalogus(profiel, registry)
        self.valideer = valideer
        self.uitslag = Uitslag({}, self.regels)
        self.open: dict[tuple, Verwachting] = {}
        # a system under test that did not answer a day, or was given up (actors/sut.py): deadlines of
        # that actor which depended on such a day are inconclusive, not failed (docs/sut.md)
        self.sut_stil: dict[str, list[date]] = {}
        self.sut_opgegeven: dict[str, tuple[date, str]] = {}
        self.buiten_api: set[str] = set()  # trajecten handled outside the SUT API (§9.1 secure mail)
        self.sut_afzenders: set[str] = set()  # senders of messages recorded with rol "sut"
        self.heen: dict[tuple[str, str], tuple[str, date, str | None]] = {}  # (afzender, id) → (type, datum, bsn)
        self.retour_van: dict[tuple[str, str], int] = defaultdict(int)
        self.verwachte_codes: dict[tuple[str, str], dict[str, set[str]]] = {}  # heen → klasse → codes
        self.identificaties: set[tuple[str, str, str]] = set()
        self.toewijzingen: dict[tuple[str, str], Toewijzing] = {}  # (gemeente, nummer)
        self.per_client: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)  # (gemeente, agb, bsn, std)
        #: (agb, ReferentieAanbieder) → keys of the toewijzingen that carried it (their current tp may not any more)
        self.per_referentie: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        self.verzoeken: dict[tuple[str, str], Verzoek] = {}  # (agb, referentie)
        self.open_verzoek: dict[tuple[str, str, str], str] = {}  # (agb, gemeente, bsn) → referentie
        self.verlengingen: dict[tuple[str, str], int] = defaultdict(int)
        self.prestaties: dict[tuple[str, str], PrestatieStaat] = {}  # (agb, referentie)
        # the same PrestatieStaat objects per (agb, gemeente, toewijzingnummer), in self.prestaties' order:
        # TR389 and the correction look-ups scan one toewijzing, not every prestatie seen (was quadratic)
        self.prestaties_per_toewijzing: dict[tuple[str, str, str], dict[str, PrestatieStaat]] = defaultdict(dict)
        self.declaratienummers: set[tuple[str, str, str]] = set()
        self.declaraties: dict[tuple[str, str], dict[str, Any]] = {}  # (agb, 323 id) → summary
        self.laatste_periode: dict[tuple[str, str, str], date] = {}
        self.gi_bepaling: set[str] = set()  # bsn with a GI bepaling (events)
        self.onderaannemers: dict[str, set[str]] = {}  # bsn → AGBs of its onderaannemers (event inzet_onderaannemer)
        # bsn → onderaannemers the gemeente knows of: a non-contracted one is engaged after afstemming with its
        # toegang (§11, event afstemming_toegang_onderaannemer); only their 315 it must reject (§11.1)
        self.bekende_onderaannemers: dict[str, set[str]] = {}
        self.zonder_contract: set[tuple[str, str, str]] = set()  # (agb, gemeente, domein) without a contract (events)
        self.laatste_datum: date | None = None
        self.neutrale_codes: dict[Standaard, frozenset[str]] = {}  # _neutraal

    # ==========================================================================================
    # verdicts
    # ==========================================================================================
    def _oordeel(self, regel: str, uitkomst: str, datum: date, actor: str | None, bsn: str | None,
                 berichten: tuple[str, ...], verwacht: str = "", waargenomen: str = "",
                 traject: str | None = None, route: str | None = None, element: str | None = None,
                 betreft: str | None = None) -> None:
        self.uitslag.tel(regel, uitkomst, route)
        if uitkomst != PASS:
            self.uitslag.oordelen.append(Oordeel(regel, uitkomst, datum, actor, bsn, berichten, verwacht, waargenomen,
                                                 traject, route, element=element, betreft=betreft))

    def _pass(self, regel: str, route: str | None = None) -> None:
        self.uitslag.tel(regel, PASS, route)

    def _regel(self, regel: str, goed: bool, bk: Boeking, actor: str | None, verwacht: str, waargenomen: str,
               bsn: str | None = None, extra: tuple[str, ...] = (), historie: bool = False) -> bool:
        """Judge one rule for one message. ``historie``: a failure here means an earlier message is
        missing — inconclusive, not a deviation, when the input does not hold the whole history."""
        if goed:
            self._pass(regel, bk.route)
        elif historie and not self.historie_compleet:
            self._oordeel(regel, ONBESLIST, bk.datum, actor, bsn or bk.bsn, (_ref(bk),) + extra, verwacht,
                          f"niet te beoordelen zonder de eerdere berichten ({waargenomen})", bk.traject, bk.route)
        else:
            self._oordeel(regel, FAIL, bk.datum, actor, bsn or bk.bsn, (_ref(bk),) + extra, verwacht, waargenomen,
                          bk.traject, bk.route)
        return goed

    def _verwacht(self, sleutel: tuple, v: Verwachting) -> None:
        self.open[sleutel] = v

    def _sut_reden(self, v: Verwachting, tot: date) -> str | None:
        """Why a missed deadline of a SUT cannot be held against it: a day it did not answer in the
        window of that deadline (the 60 days before it), or the harness gave the SUT up."""
        if v.traject is not None and v.traject in self.buiten_api:
            return "buiten de SUT-API afgehandeld (beveiligde e-mail): niet te beoordelen"
        opgegeven = self.sut_opgegeven.get(v.actor or "")
        if opgegeven is not None and opgegeven[0] <= tot:
            return f"de SUT is op {opgegeven[0].isoformat()} opgegeven ({opgegeven[1]})"
        stil = [d for d in self.sut_stil.get(v.actor or "", ()) if v.deadline - timedelta(days=60) <= d <= tot]
        if stil:
            return f"de SUT beantwoordde werkdag {stil[0].isoformat()} niet; deze termijn hing daarvan af"
        return None

    def _vervul(self, sleutel: tuple, datum: date, bericht: str, waargenomen: str = "") -> bool | None:
        v = self.open.pop(sleutel, None)
        if v is None:
            return None
        goed = datum <= v.deadline
        reden = None if goed else self._sut_reden(v, datum)
        if goed:
            self._pass(v.regel, v.route)
        elif reden:
            self._oordeel(v.regel, ONBESLIST, datum, v.actor, v.bsn, v.berichten + (bericht,), v.verwacht, reden,
                          v.traject, v.route, betreft=bericht)
        else:
            self._oordeel(v.regel, FAIL, datum, v.actor, v.bsn, v.berichten + (bericht,), v.verwacht,
                          waargenomen or f"op {datum.isoformat()} ({_te_laat(self.p, v.deadline, datum)})",
                          v.traject, v.route, betreft=bericht)
        return goed

    # ==========================================================================================
    # input
    # ==========================================================================================
    def verwerk(self, rec: Boeking | Gebeurtenis) -> None:
        self.laatste_datum = rec.datum if self.laatste_datum is None else max(self.laatste_datum, rec.datum)
        if isinstance(rec, Gebeurtenis):
            self._gebeurtenis(rec)
            return
        self.uitslag.berichten += 1
        if rec.rol == "sut":
            self.sut_afzenders.add(rec.afzender)
        document = None  # the tree validate() parsed: lees() reads it instead of parsing the bytes again
        if self.valideer:
            v = validate(rec.xml, self.registry, None)
            if not v.geldig:
                self.uitslag.ongeldig += 1
                f = v.fouten[0]
                self._oordeel("XSD", FAIL, rec.datum, rec.afzender, rec.bsn, (_ref(rec),),
                              "een technisch juist, schema-valide bericht",
                              f"{f.soort}: {f.melding}" + (f" (regel {f.regel})" if f.regel else ""), rec.traject, rec.route,
                              element=f.pad)
                return
            if v.derived and rec.berichttype not in self.uitslag.derived:
                self.uitslag.derived.append(rec.berichttype)
            self._pass("XSD", rec.route)
            document = v.document
        try:
            m = lees(rec.xml if document is None else document, self.registry)
        except LeesFout as exc:
            self._oordeel("XSD", FAIL, rec.datum, rec.afzender, rec.bsn, (_ref(rec),), "een leesbaar bericht", str(exc),
                          rec.traject, rec.route)
            return
        nummer = m.nummer
        if nummer in RETOUR_TERMIJN:
            self._heenbericht(rec, m)
        getattr(self, f"_bij_{nummer}")(rec, m)

    def _codes(self, standaard) -> Codes:
        return named_codes(self.codelijsten, standaard)

    def _neutraal(self, standaard: Standaard) -> frozenset[str]:
        """The retourcodes that reject nothing (geen opmerking, niet beoordeeld, declaratie volledig
        toegewezen) of ``standaard``, resolved once."""
        neutraal = self.neutrale_codes.get(standaard)
        if neutraal is None:
            c = self._codes(standaard)
            neutraal = self.neutrale_codes[standaard] = frozenset(
                c[n] for n in ("retour.geen_opmerking", "retour.niet_beoordeeld", "retour.declaratie_toegewezen"))
        return neutraal

    # -- heen / retour bookkeeping ---------------------------------------------------------------
    def _heenbericht(self, rec: Boeking, m) -> None:
        sleutel = (rec.afzender, m.nummer, rec.identificatie)
        self._regel("TR056", sleutel not in self.identificaties, rec, rec.afzender,
                    "een BerichtIdentificatie die deze afzender niet eerder gebruikte voor dit berichttype",
                    f"{rec.identificatie} al eerder gebruikt")
        self.identificaties.add(sleutel)
        self.heen[(rec.afzender, rec.identificatie)] = (rec.berichttype, rec.datum, rec.bsn)
        termijn = RETOUR_TERMIJN[m.nummer]
        retour = "325" if m.nummer == "323" else HEEN_RETOUR[m.nummer]
        self._verwacht(("retour", rec.afzender, rec.identificatie), Verwachting(
            f"TERMIJN.{termijn}", self.p.deadline(termijn, rec.datum), rec.ontvanger, rec.bsn, (_ref(rec),),
            f"een {retour} binnen {self.p.termijnen[termijn].beschrijving()}", rec.traject, rec.route))
        self.verwachte_codes[(rec.afzender, rec.identificatie)] = {}

    def _verwacht_code(self, rec: Boeking, klasse: str, code: str | None) -> None:
        if code:
            self.verwachte_codes.setdefault((rec.afzender, rec.identificatie), {}).setdefault(klasse, set()).add(code)

    def _tr(self, tr: str, goed: bool, rec: Boeking, actor: str | None, klasse: str, verwacht: str, waargenomen: str,
            **kw: Any) -> bool:
        """Judge technische regel ``tr`` (as ``_regel``); when broken, the receiver's retour must give
        berichtklasse ``klasse`` the rule's retourcode."""
        if not self._regel(tr, goed, rec, actor, verwacht, waargenomen, **kw):
            self._verwacht_code(rec, klasse, self._tr_code(tr))
        return goed

    def _retourbericht(self, rec: Boeking, m, heen_id: str, gevonden: dict[str, set[str]]) -> None:
        """A retour: it answers one known heenbericht, in time, with justified retourcodes."""
        heen_afzender = rec.ontvanger
        sleutel = (heen_afzender, heen_id)
        bekend = sleutel in self.heen
        self.retour_van[sleutel] += 1
        self._regel("RETOUR.een_op_een", bekend and self.retour_van[sleutel] == 1, rec, rec.afzender,
                    "één retour op een eerder ontvangen heenbericht",
                    "verwijst naar een onbekend heenbericht" if not bekend else "tweede retour op hetzelfde heenbericht",
                    extra=(f"heen {heen_afzender}/{heen_id}",), historie=not bekend)
        if not bekend:
            return
        self._vervul(("retour", heen_afzender, heen_id), rec.datum, _ref(rec))
        verwacht = self.verwachte_codes.pop(sleutel, {})
        neutraal = self._neutraal(m.standaard)
        if not verwacht and not any(g - neutraal for g in gevonden.values()):
            # nothing broken and nothing rejected: the retour keeps both rules (once, not again per class)
            self._pass("RETOUR.code_zonder_oorzaak", rec.route)
            self._pass("RETOUR.oorzaak_zonder_code", rec.route)
            return
        for klasse in sorted(set(verwacht) | set(gevonden)):
            v = verwacht.get(klasse, set())
            g = gevonden.get(klasse, set()) - neutraal
            self._regel("RETOUR.code_zonder_oorzaak", g <= v, rec, rec.afzender,
                        f"{klasse}: alleen retourcodes van gebroken regels ({', '.join(sorted(v)) or 'geen'})",
                        f"{klasse}: {', '.join(sorted(g - v))} zonder gebroken regel")
            self._regel("RETOUR.oorzaak_zonder_code", v <= g, rec, rec.afzender,
                        f"{klasse}: retourcode(s) {', '.join(sorted(v))}", f"{klasse}: {', '.join(sorted(g)) or 'geen code'}")

    # ==========================================================================================
    # ground truth (events)
    # ==========================================================================================
    def _gebeurtenis(self, g: Gebeurtenis) -> None:
        gd = g.gegevens
        if g.wat == "verwijzing" and gd.get("verwijzer") == "toegang" and g.bsn:
            self._verwacht(("toewijzing_toegang", g.bsn, gd.get("aanbieder")), Verwachting(
                "TERMIJN.toewijzing_toegang", self.p.deadline("toewijzing_toegang", g.datum), gd.get("gemeente"), g.bsn,
                (f"verwijzing {g.datum.isoformat()}",), "een 301 na de verwijzing door de toegang", g.traject, g.route))
        elif g.wat in ("intake", "start_diagnostiek", "eerste_contact_crisis") and g.bsn:
            sleutel = {"intake": "vot_na_intake", "start_diagnostiek": "vot_sggz",
                       "eerste_contact_crisis": "vot_crisis"}[g.wat]
            if g.route == "sggz" and g.wat == "intake":
                return  # the sGGZ deadline runs from the start of diagnostiek
            self._verwacht(("vot", g.bsn, g.actor), Verwachting(
                f"TERMIJN.{sleutel}", self.p.deadline(sleutel, g.datum), g.actor, g.bsn,
                (f"{g.wat} {g.datum.isoformat()}",), "een 315", g.traject, g.route))
        elif g.wat == "bepaling_jeugdhulp_gi" and g.bsn:
            self.gi_bepaling.add(g.bsn)
        elif g.wat == "inzet_onderaannemer" and g.bsn and gd.get("onderaannemer"):
            self.onderaannemers.setdefault(g.bsn, set()).add(str(gd["onderaannemer"]))
        elif g.wat == "afstemming_toegang_onderaannemer" and g.bsn and gd.get("onderaannemer"):
            self.bekende_onderaannemers.setdefault(g.bsn, set()).add(str(gd["onderaannemer"]))
        elif g.wat == "geen_contract" and g.actor and gd.get("gemeente") and gd.get("domein"):
            self.zonder_contract.add((g.actor, str(gd["gemeente"]), str(gd["domein"])))
        elif g.wat == "melding_buiten_berichtenverkeer":
            self._verwacht(("zonder_bsn", g.traject), Verwachting(
                "TERMIJN.afhandeling_zonder_bsn", self.p.deadline("afhandeling_zonder_bsn", g.datum), gd.get("gemeente"),
                None, (f"melding {g.datum.isoformat()}",), "een ontvangstbevestiging", g.traject, g.route))
        elif g.wat == "sut_dag_onbeantwoord" and g.actor:
            self.sut_stil.setdefault(g.actor, []).append(g.datum)
            self._oordeel("SUT.lockstep", FAIL, g.datum, g.actor, None, (), "antwoord op de klok van deze werkdag",
                          str(gd.get("reden", ""))[:300] or "geen antwoord")
        elif g.wat == "sut_opgegeven" and g.actor:
            self.sut_opgegeven.setdefault(g.actor, (g.datum, str(gd.get("reden", ""))[:200]))
            self._oordeel("SUT.lockstep", FAIL, g.datum, g.actor, None, (), "een SUT die de hele run meedoet",
                          f"opgegeven: {str(gd.get('reden', ''))[:300]}")
        elif g.wat == "sut_fout" and g.actor:
            self._oordeel("SUT.lockstep", FAIL, g.datum, g.actor, g.bsn, (), f"de SUT-API aanroep {gd.get('operatie')} slaagt",
                          str(gd.get("reden", ""))[:300])
        elif g.wat == "buiten_sut_api" and g.traject:
            self.buiten_api.add(g.traject)
        elif g.wat == "ontvangstbevestiging_buiten_berichtenverkeer":
            self._vervul(("zonder_bsn", g.traject), g.datum, f"bevestiging {g.datum.isoformat()}")
        elif g.wat == "sut_zorg" and g.actor:
            self._sut_zorg(g)

    def _sut_zorg(self, g: Gebeurtenis) -> None:
        """A care event an aanbieder SUT was told (actors/zorgverloop.py): the 305, 307 or 323 it calls for
        must come within the deadline counted from the real start, pause, end or month of care — not from
        what the SUT writes in its messages — and its absence is a deviation too."""
        z, agb = g.gegevens, g.actor
        gemeente, nr, soort = str(z.get("gemeente")), str(z.get("toewijzingnummer")), z.get("soort")
        try:
            datum = date.fromisoformat(str(z.get("datum")))
        except ValueError:
            return
        tw = self.toewijzingen.get((gemeente, nr))
        if tw is None or soort not in ("start_zorg", "onderbreking", "einde_zorg", "levering"):
            return
        if soort == "start_zorg":
            if tw.huidige_305 is not None:
                return  # a 305 is already current: judged when it came
            sleutel, basis = self._start_termijn(tw, datum)
            wat, sleutel_open = f"een 305 met begindatum {datum.isoformat()}", ("sut_305", agb, gemeente, nr)
        elif soort == "levering":
            periode = z.get("periode") or {}
            try:
                einde = date.fromisoformat(str(periode.get("einddatum")))
            except ValueError:
                return
            sleutel, basis = declaratie_termijn(einde, tw.eerste_301, self._sggz_declaratie(tw))
            wat = f"een 323 met de zorg van {einde:%Y-%m}"
            sleutel_open = ("sut_323", agb, gemeente, nr, f"{einde:%Y-%m}")
        else:
            if not tw.ooit_gestart:
                return  # never started: the missing 305 is the deviation (a 307 is judged when it comes)
            tijdelijk = self._codes(IJW if tw.standaard == IJW.naam else IWMO)["beeindiging.tijdelijk"]
            if tw.huidige_305 is None and (soort == "onderbreking" or any(
                    s.einddatum == datum and s.reden != tijdelijk for s in tw.stops)):
                return  # the SUT stopped already (judged when its 307 came)
            if soort == "onderbreking":
                sleutel, basis = "stop_307_tijdelijk", self._tijdelijk_basis(datum)
                wat = f"een 307 'tijdelijk beëindigd' met einddatum {datum.isoformat()}"
            else:
                # told on the werkdag care ended, or later when the end became known later (a 301, a pause
                # that turned out definitive): the deadline runs from when the SUT could know it
                kal = self.p.kalender
                bekend = datum if kal.is_werkdag(datum) else kal.volgende_werkdag(datum)
                sleutel, basis = "stop_307", datum if g.datum <= bekend else g.datum
                wat = f"een 307 met einddatum {datum.isoformat()}"
            sleutel_open = ("sut_307", agb, gemeente, nr)
        self._verwacht(sleutel_open, Verwachting(
            f"TERMIJN.{sleutel}", self.p.deadline(sleutel, basis), agb, g.bsn,
            (f"{soort} {datum.isoformat()} (verteld op {g.datum.isoformat()})",), wat, g.traject, g.route))

    # ==========================================================================================
    # 301
    # ==========================================================================================
    def _bij_301(self, rec: Boeking, m: b.Toewijzing) -> None:
        gemeente, agb, bsn = m.header.afzender, m.header.ontvanger, m.client.bsn
        std = m.standaard
        c = self._codes(std)
        self._vervul(("toewijzing_toegang", bsn, agb), rec.datum, _ref(rec))
        bekend = list(self.per_client[(gemeente, agb, bsn, std.naam)])
        in_bericht = {tp.toewijzingnummer for tp in m.client.producten}
        # §5: all toewijzingen valid on or after the 301's date, plus the changed ones
        ontbrekend = [nr for nr in bekend if nr not in in_bericht and _geldig_op(self.toewijzingen[(gemeente, nr)].tp, rec.datum)]
        self._regel("PROT.301_volledig", not ontbrekend, rec, gemeente, "alle geldige toewijzingen van de cliënt",
                    f"ontbreekt: {', '.join(ontbrekend)}")
        verzoeken_beantwoord: set[str] = set()
        for tp in m.client.producten:
            sleutel = (gemeente, tp.toewijzingnummer)
            tw = self.toewijzingen.get(sleutel)
            if tw is not None and (tw.bsn != bsn or tw.agb != agb or tw.standaard != std.naam):
                self._tr("TR332", False, rec, gemeente, f"ToegewezenProduct {tp.toewijzingnummer}",
                         "een uniek ToewijzingNummer per gemeente en domein",
                         f"{tp.toewijzingnummer} hoort al bij een andere cliënt of aanbieder")
                continue
            self._pass("TR332", rec.route)
            wijze = self._specifiek(rec, std, tp.product, tp.omvang, gemeente, "ToegewezenProduct", budget=tp.budget)
            if tw is None or tp.einddatum != tw.tp.einddatum:
                self._toewijzingsduur(rec, tp, gemeente, wijze)
            nieuw_antwoord = False
            if tw is None:
                self._aspecifieke_einddatum(rec, std, tp, agb, gemeente)
                tw = Toewijzing(gemeente, agb, bsn, std.naam, tp, rec.datum, rec.datum)
                self.toewijzingen[sleutel] = tw
                self.per_client[(gemeente, agb, bsn, std.naam)].append(tp.toewijzingnummer)
                nieuw_antwoord = bool(tp.referentie_aanbieder)
            else:
                oud = tw.tp
                if vervallen(tp) and not vervallen(oud) and self.p.regel("vervallen_alleen_zonder_declaratie"):
                    self._regel("PROT.vervallen_zonder_declaratie", not tw.goedgekeurd, rec, gemeente,
                                "vervallen alleen zonder goedgekeurde declaraties",
                                f"{len(tw.goedgekeurd)} goedgekeurde prestatie(s) op {tp.toewijzingnummer}")
                verwijderd = c["wijziging.verwijderd"]
                if tp.reden_wijziging == verwijderd and oud.reden_wijziging != verwijderd:
                    # TR385: removing (RedenWijziging 13) a toewijzing with approved, not credited prestaties
                    self._tr("TR385", not tw.goedgekeurd, rec, gemeente, f"ToegewezenProduct {tp.toewijzingnummer}",
                             "verwijderen alleen zonder goedgekeurde (niet gecrediteerde) prestaties",
                             f"{len(tw.goedgekeurd)} goedgekeurde prestatie(s) op {tp.toewijzingnummer}")
                if tp.einddatum != oud.einddatum:
                    tw.einde_bekend = rec.datum
                nieuw_antwoord = bool(tp.referentie_aanbieder) and tp.referentie_aanbieder != oud.referentie_aanbieder
                tw.tp = tp
            if nieuw_antwoord:
                self.per_referentie[(agb, tp.referentie_aanbieder)].append(sleutel)
                self._referentie_aanbieder(rec, tp, agb, gemeente, bsn)
                verzoeken_beantwoord.add(tp.referentie_aanbieder)
        for ref in sorted(verzoeken_beantwoord):
            self._besluit(rec, agb, ref, "301")

    def _referentie_aanbieder(self, rec: Boeking, tp: b.ToegewezenProduct, agb: str, gemeente: str, bsn: str) -> None:
        """TR379: a ReferentieAanbieder the 301 sends for the first time (on a new toewijzing or a changed one)
        is that of a 315 or 317 this aanbieder sent this gemeente for this client — the verzoek it honours."""
        vz = self.verzoeken.get((agb, tp.referentie_aanbieder or ""))
        goed = vz is not None and vz.gemeente == gemeente and vz.bsn == bsn
        self._tr("TR379", goed, rec, gemeente, f"ToegewezenProduct {tp.toewijzingnummer}",
                 "de ReferentieAanbieder van het verzoek dat de 301 honoreert",
                 f"ReferentieAanbieder {tp.referentie_aanbieder}: geen verzoek van deze cliënt"
                 if vz is None or vz.bsn != bsn else f"verzoek aan gemeente {vz.gemeente}", historie=vz is None)

    def _specifiek(self, rec: Boeking, std, product: b.Product | None, omvang: b.Omvang | None, actor: str,
                   wat: str, omvang_nodig: bool = True, budget: int | None = None) -> Toewijzingswijze:
        """The fields the profile's toewijzingswijze prescribes ([toewijzing.<domein>]); that wijze."""
        domein = "jeugd" if std == IJW else "wmo"
        wijze = self.p.wijze(domein, self._product(product.code if product else None))
        if not wijze.specifiek:
            self._aspecifiek(rec, wijze, product, omvang, budget, actor, wat, budget_nodig=omvang_nodig)
            return wijze
        goed = product is not None and bool(product.code) and (omvang is not None or not omvang_nodig)
        frequentie = FREQUENTIE_CODES.get(wijze.frequentie or "")
        waargenomen = "product of omvang ontbreekt"
        if goed and frequentie and omvang is not None and omvang.frequentie != frequentie:
            goed, waargenomen = False, f"frequentie {omvang.frequentie}"
        self._regel("PROT.specifiek_gevuld", goed, rec, actor,
                    f"{wat}: productcategorie, productcode" + (", eenheid, volume en frequentie" if omvang_nodig else "")
                    + (f" (frequentie {frequentie})" if frequentie and omvang_nodig else ""), waargenomen)
        return wijze

    def _toewijzingsduur(self, rec: Boeking, tp: b.ToegewezenProduct, gemeente: str, wijze: Toewijzingswijze) -> None:
        """§4.1: a new or changed einddatum lies within maximale_toewijzingsduur of the ingangsdatum (not judged
        where the profile fixes the einddatum itself, [toewijzing.<domein>] einddatum; ``wijze``: the
        toewijzingswijze of ``tp``'s product)."""
        if tp.einddatum is None or (not wijze.specifiek and wijze.einddatum is not None):
            return
        grens = self.p.maximale_einddatum(tp.ingangsdatum)
        self._regel("PROT.toewijzingsduur", tp.einddatum <= grens, rec, gemeente,
                    f"{tp.toewijzingnummer}: einddatum uiterlijk {grens.isoformat()} "
                    f"({self.p.regels['maximale_toewijzingsduur'].waarde} na {tp.ingangsdatum.isoformat()})",
                    f"einddatum {tp.einddatum.isoformat()}")

    def _aspecifiek(self, rec: Boeking, wijze, product: b.Product | None, omvang: b.Omvang | None,
                    budget: int | None, actor: str, wat: str, budget_nodig: bool) -> None:
        fouten = []
        if product is None or not product.categorie:
            fouten.append("productcategorie ontbreekt")
        elif product.code:
            fouten.append(f"productcode {product.code} gevuld")
        if omvang is not None:
            fouten.append("omvang gevuld")
        if budget_nodig and wijze.budget and budget is None:
            fouten.append("budget ontbreekt")
        self._regel("PROT.aspecifiek_gevuld", not fouten, rec, actor,
                    f"{wat}: alleen productcategorie" + (", met budget" if budget_nodig and wijze.budget else "")
                    + "; geen productcode, geen omvang", "; ".join(fouten))

    def _aspecifieke_einddatum(self, rec: Boeking, std, tp: b.ToegewezenProduct, agb: str, gemeente: str) -> None:
        """A new aspecifieke toewijzing answering a 315 ends where the profile says (LTA: 365 days after the VOT)."""
        vz = self.verzoeken.get((agb, tp.referentie_aanbieder or ""))
        if vz is None or vz.nummer != "315" or tp.product is None or tp.product.code:
            return
        verwacht = self.p.toewijzing_einddatum("jeugd" if std == IJW else "wmo", vz.dagtekening)
        if verwacht is None:
            return
        self._regel("PROT.aspecifiek_gevuld", tp.einddatum == verwacht, rec, gemeente,
                    f"einddatum {verwacht.isoformat()} ({self.p.wijze('jeugd' if std == IJW else 'wmo').einddatum} "
                    f"na de 315 van {vz.dagtekening.isoformat()})",
                    f"einddatum {tp.einddatum.isoformat() if tp.einddatum else 'leeg'}")

    def _tr_code(self, tr: str) -> str | None:
        r = self.regels.get(tr)
        return r.retourcode if r else None

    # ==========================================================================================
    # 315 / 317 / 319: verzoeken and their answers
    # ==========================================================================================
    def _bij_315(self, rec: Boeking, m: b.VerzoekToewijzing) -> None:
        agb, gemeente, bsn = m.header.afzender, m.header.ontvanger, m.client.bsn
        std = m.standaard
        self._vervul(("vot", bsn, agb), rec.datum, _ref(rec))
        bestaand = [self.toewijzingen[(gemeente, nr)].tp for nr in self.per_client.get((gemeente, agb, bsn, std.naam), [])]
        # the rejections the protocol prescribes, the first that applies (any rejection satisfies it); a 315
        # from an onderaannemer the gemeente knows is §11.1's case for the gemeente to reject (the onderaannemer
        # is no party of the traffic: PROT.onderaannemer_stuurt_niet judges its 305/307/323)
        domein = "jeugd" if std == IJW else "wmo"
        overlappend = [any(overlapt(tp, ap) for tp in bestaand) for ap in m.client.producten]
        gevallen = (
            ("PROT.afwijzen_wmo315", "wmo315_afwijzen", std != IJW),
            ("PROT.afwijzen_onderaannemer", "onderaannemer_315_afwijzen", agb in self.bekende_onderaannemers.get(bsn, ())),
            ("PROT.afwijzen_gi_bepaling", "gi_bepaling_315_afwijzen", bsn in self.gi_bepaling and not bestaand),
            ("PROT.afwijzen_geen_contract", "contract_315_afwijzen", (agb, gemeente, domein) in self.zonder_contract),
            ("PROT.afwijzen_stapeling", "stapeling_315_afwijzen", any(overlappend)),
        )
        moet_afwijzen = next((regel for regel, sleutel, geval in gevallen if geval and self.p.regel(sleutel)), None)
        aanvaard = (self._verzoek(rec, m, m.client.producten[0].referentie_aanbieder, agb, gemeente, bsn, moet_afwijzen)
                    if m.client.producten else True)
        # a 315 while a toewijzing of the same product exists for this client, starting after it, is a
        # verlenging (§4.1); one overlapping it is stapeling (§4), judged above
        for ap, overlap in zip(m.client.producten, overlappend):
            self._specifiek(rec, std, ap.product, ap.omvang, agb, "AangevraagdProduct", budget=ap.budget)
            if not overlap and any(tp.product == ap.product and not vervallen(tp) for tp in bestaand):
                n = self.verlengingen[(agb, bsn)] + 1
                if aanvaard:  # a verzoek rejected with a retourcode was not processed: it may be sent again
                    self.verlengingen[(agb, bsn)] = n
                tags = self._tags(ap.product)
                verboden = set(self.p.regel("geen_verlenging_voor"))
                te_vaak = n > int(self.p.regel("max_verlengingen_via_315"))
                self._regel("PROT.verlenging_eenmaal", not te_vaak and not (tags & verboden), rec, agb,
                            "hoogstens één verlenging via een 315, niet voor crisis of diagnostiek",
                            "verlenging voor " + ", ".join(sorted(tags & verboden)) if tags & verboden
                            else f"{n}e verlenging")
                self._verlenging_verwijzer(rec, std, ap, agb)

    def _verlenging_verwijzer(self, rec: Boeking, std, ap: b.AangevraagdProduct, agb: str) -> None:
        """§8.2: a verlenging via 315 only for a client of a medisch verwijzer (profile rule)."""
        namen = self.p.verlenging_verwijzers()
        toegestaan = verwijzer_codes(self._codes(std), namen)
        soort = ap.verwijzer.type if ap.verwijzer is not None else None
        self._regel("PROT.verlenging_medisch_verwijzer", soort in toegestaan, rec, agb,
                    "verlenging via een 315 alleen bij een verwijzer van soort " + ", ".join(sorted(namen)),
                    f"VerwijzerType {soort or 'leeg'}")


    def _onderaannemer_stuurt_niet(self, rec: Boeking, bsn: str, agb: str, bericht: str) -> None:
        """§11.2, §11.3: for a client with an onderaannemer, only the hoofdaannemer sends 305, 307 and 323."""
        onder = self.onderaannemers.get(bsn)
        if onder:
            self._regel("PROT.onderaannemer_stuurt_niet", agb not in onder, rec, agb,
                        f"geen {bericht} van een onderaannemer (de hoofdaannemer stuurt het)",
                        f"de onderaannemer {agb} stuurde een {bericht}", bsn=bsn)

    def _bij_317(self, rec: Boeking, m: b.VerzoekWijziging) -> None:
        agb, gemeente, bsn = m.header.afzender, m.header.ontvanger, m.client.bsn
        v = m.client.verzoek
        moet_afwijzen = "PROT.afwijzen_wmo317" if m.standaard != IJW and self.p.regel("wmo317_afwijzen") else None
        # a budget change holds for the whole toewijzing, from its own ingangsdatum (TR373): not "in the future"
        gewenst = ([p.gewenste_ingangsdatum for p in v.te_wijzigen if p.budget is None]
                   + [p.gewenste_ingangsdatum for p in v.nieuw])
        self._regel("PROT.vow_ingang_toekomst", all(g > m.header.dagtekening for g in gewenst), rec, agb,
                    "een gewenste ingangsdatum na de dagtekening", f"gewenst {min(gewenst).isoformat() if gewenst else '-'}")
        actueel = {nr for nr in self.per_client.get((gemeente, agb, bsn, m.standaard.naam), [])
                   if _geldig_op(self.toewijzingen[(gemeente, nr)].tp, rec.datum)}
        genoemd = {p.toewijzingnummer for p in v.ongewijzigd} | {p.toewijzingnummer for p in v.te_wijzigen}
        self._tr("TR349", actueel <= genoemd, rec, agb, "Verzoek", "alle actuele toewijzingen in het verzoek",
                 f"ontbreekt: {', '.join(sorted(actueel - genoemd))}")
        onbekend = lambda nr: (gemeente, nr) not in self.toewijzingen  # noqa: E731  (history not in the input)
        for p in v.te_wijzigen:
            self._tr("TR351", p.toewijzingnummer in actueel, rec, agb, f"TeWijzigenProduct {p.toewijzingnummer}",
                     "een TeWijzigenProduct op een actuele toewijzing", p.toewijzingnummer,
                     historie=onbekend(p.toewijzingnummer))
        for p in v.ongewijzigd:
            self._tr("TR350", p.toewijzingnummer in actueel, rec, agb, f"OngewijzigdProduct {p.toewijzingnummer}",
                     "een OngewijzigdProduct op een actuele toewijzing", p.toewijzingnummer,
                     historie=onbekend(p.toewijzingnummer))
        for p in v.te_wijzigen:
            tw = self.toewijzingen.get((gemeente, p.toewijzingnummer))
            if tw is not None and tw.agb == agb and tw.bsn == bsn:
                self._te_wijzigen(rec, m, p, tw.tp, agb)
        self._overlap_317(rec, m, gemeente, agb)
        self._verzoek(rec, m, v.referentie_aanbieder, agb, gemeente, bsn, moet_afwijzen)

    def _te_wijzigen(self, rec: Boeking, m: b.VerzoekWijziging, p: b.TeWijzigenProduct, tp: b.ToegewezenProduct,
                     agb: str) -> None:
        """The rules a TeWijzigenProduct keeps against the toewijzing it changes (TR357, TR373, TR375, TR411, TR412)."""
        klasse = f"TeWijzigenProduct {p.toewijzingnummer}"
        c = self._codes(m.standaard)
        gewenst, ingang = p.gewenste_ingangsdatum, tp.ingangsdatum
        if gewenst <= m.header.dagtekening:  # not in the future: a change for the whole loopduur
            self._tr("TR357", gewenst == ingang, rec, agb, klasse, f"GewensteIngangsdatum {ingang.isoformat()} "
                     "(ingangsdatum van de toewijzing) of na de dagtekening", gewenst.isoformat())
        totaal = p.omvang is not None and p.omvang.frequentie == c["frequentie.totaal"] and p.omvang != tp.omvang
        if (p.budget is not None and p.budget != tp.budget) or totaal:
            self._tr("TR373", gewenst == ingang, rec, agb, klasse, f"GewensteIngangsdatum {ingang.isoformat()} "
                     "(budget of totaal gewijzigd: voor de hele toewijzing)", gewenst.isoformat())
        omvang = "Omvang gevuld" if p.omvang is not None else "Omvang leeg"
        loopt = tp.einddatum is None or tp.einddatum > TR375_GRENS
        if tp.product is None:
            if loopt:
                self._tr("TR375", p.omvang is None, rec, agb, klasse, "geen Omvang: de toewijzing heeft geen Product",
                         omvang)
        elif not tp.product.code:
            if loopt:
                self._tr("TR412", p.omvang is None, rec, agb, klasse,
                         "geen Omvang: de toewijzing heeft geen ProductCode", omvang)
        else:
            self._tr("TR411", p.omvang is not None, rec, agb, klasse,
                     f"een Omvang: de toewijzing heeft ProductCode {tp.product.code}", omvang)

    def _overlap_317(self, rec: Boeking, m: b.VerzoekWijziging, gemeente: str, agb: str) -> None:
        """TR361: a product occurs more than once in a 317 only with care periods that do not overlap.  The
        product and period of a TeWijzigenProduct or OngewijzigdProduct come from its toewijzing; without a
        ProductCode the categorie counts, without a categorie every product."""
        v = m.client.verzoek
        eigen = lambda tw: tw is not None and tw.agb == agb and tw.bsn == m.client.bsn  # noqa: E731
        perioden: list[tuple[str, b.Product | None, date, date | None]] = []  # (klasse, product, begin, eind)
        for p in v.te_wijzigen:
            tw = self.toewijzingen.get((gemeente, p.toewijzingnummer))
            if eigen(tw):
                perioden.append((f"TeWijzigenProduct {p.toewijzingnummer}", tw.tp.product, tw.tp.ingangsdatum,
                                 p.einddatum or tw.tp.einddatum))
        for p in v.ongewijzigd:
            tw = self.toewijzingen.get((gemeente, p.toewijzingnummer))
            if eigen(tw):
                perioden.append((f"OngewijzigdProduct {p.toewijzingnummer}", tw.tp.product, tw.tp.ingangsdatum,
                                 tw.tp.einddatum))
        for p in v.nieuw:
            perioden.append(("NieuwProduct", p.product, p.gewenste_ingangsdatum, p.einddatum))
        for i, (klasse, product, begin, eind) in enumerate(perioden):
            dubbel = [k for k, pr, b_, e_ in perioden[:i]
                      if zelfde_product(product, pr) and begin <= (e_ or date.max) and b_ <= (eind or date.max)]
            self._tr("TR361", not dubbel, rec, agb, klasse, "een product alleen vaker met zorgperiodes die niet "
                     "overlappen", f"{klasse} overlapt met {', '.join(dubbel)}")

    def _verzoek(self, rec: Boeking, m, referentie: str, agb: str, gemeente: str, bsn: str,
                 moet_afwijzen: str | None) -> bool:
        """Keep a verzoek and expect its answer; False when the gemeente must reject it with a retourcode."""
        uniek = (agb, referentie) not in self.verzoeken
        self._tr("TR347", uniek, rec, agb, "Client", "een unieke ReferentieAanbieder",
                 f"{referentie} al eerder gebruikt")
        onderhanden = self.open_verzoek.get((agb, gemeente, bsn))
        self._tr("TR374", onderhanden is None, rec, agb, "Client", "geen verzoek terwijl er een onderhanden is",
                 f"verzoek {onderhanden} is nog onderhanden")
        if self.verwachte_codes.get((rec.afzender, rec.identificatie)):
            # the gemeente must reject this verzoek with a retourcode (TR347, TR349–TR351, TR374): it is not
            # processed (IV028), so it is not onderhanden, keeps no ReferentieAanbieder and gets no 301/319
            return False
        vz = Verzoek(agb, gemeente, referentie, m.nummer, rec.datum, m.header.dagtekening, bsn, m.standaard.naam,
                     _ref(rec), rec.traject, rec.route, moet_afwijzen)
        self.verzoeken[(agb, referentie)] = vz
        self.open_verzoek[(agb, gemeente, bsn)] = referentie
        sleutel = "besluit_vot" if m.nummer == "315" else "besluit_vow"
        self._verwacht(("besluit", agb, referentie), Verwachting(
            f"TERMIJN.{sleutel}", self.p.deadline(sleutel, rec.datum), gemeente, bsn, (_ref(rec),),
            "een 301 of 319", rec.traject, rec.route))
        return True

    def _bij_319(self, rec: Boeking, m: b.Antwoord) -> None:
        gemeente, agb = m.header.afzender, m.header.ontvanger
        a = m.antwoord
        c = self._codes(m.standaard)
        vz = self.verzoeken.get((agb, a.referentie_aanbieder))
        if not self._tr("TR355", vz is not None, rec, gemeente, "Antwoord", "een antwoord op een eerder verzoek",
                        f"ReferentieAanbieder {a.referentie_aanbieder} onbekend", historie=True):
            return
        eerder_301 = "301" in vz.antwoorden
        self._regel("TR359", not eerder_301, rec, gemeente, "geen 319 na een 301 op hetzelfde verzoek",
                    "er was al een 301 op dit verzoek")
        onderzoek = a.verzoek_antwoord == c["antwoord.in_onderzoek"]
        if onderzoek:
            self._regel("TR360", not vz.antwoorden, rec, gemeente, "'in onderzoek' alleen als eerste antwoord",
                        f"eerder: {', '.join(vz.antwoorden)}")
        elif vz.antwoorden:
            self._regel("TR365", vz.antwoorden == ["319:2"], rec, gemeente,
                        "een tweede antwoord alleen na 'in onderzoek'", f"eerder: {', '.join(vz.antwoorden)}")
        if a.reden_afwijzing == c["afwijzing.woonplaatsbeginsel"] and vz.nummer == "315":
            goed = rec.datum <= self.p.deadline("woonplaatsbeginsel", vz.datum)
            self._regel("TERMIJN.woonplaatsbeginsel", goed and (a.woonplaatsbeginsel is not None or m.standaard != IJW),
                        rec, gemeente, "afwijzing op woonplaatsbeginsel binnen de termijn, met de verantwoordelijke gemeente",
                        "te laat" if not goed else "zonder Woonplaatsbeginsel/Gemeente", extra=(vz.ref,))
        self._besluit(rec, agb, a.referentie_aanbieder, "319:2" if onderzoek else "319:1")

    def _besluit(self, rec: Boeking, agb: str, referentie: str, wat: str) -> None:
        """A 301 or 319 answering verzoek ``referentie``: deadlines, must-reject rules, whole-request rule."""
        vz = self.verzoeken.get((agb, referentie))
        if vz is None:
            return
        eerste = not vz.antwoorden
        if vz.nummer == "317" and wat == "301" and self.p.regel("vow_alleen_geheel"):  # off: answering in parts is allowed
            self._regel("PROT.vow_geheel", "301" not in vz.antwoorden, rec, vz.gemeente,
                        "één 301 voor het hele verzoek om wijziging", "een tweede 301 op hetzelfde verzoek", extra=(vz.ref,))
        vz.antwoorden.append(wat)
        if eerste:
            self._vervul(("besluit", agb, referentie), rec.datum, _ref(rec))
        if vz.onderzoek and wat != "319:2":
            self._vervul(("onderzoek", agb, referentie), rec.datum, _ref(rec))
        if wat == "319:2" and not vz.onderzoek:
            vz.onderzoek = True
            self._verwacht(("onderzoek", agb, referentie), Verwachting(
                "TERMIJN.onderzoek", self.p.deadline("onderzoek", vz.dagtekening), vz.gemeente, vz.bsn,
                (vz.ref, _ref(rec)), "een 301 of 319 'afgewezen'", vz.traject, vz.route))
        if wat in ("301", "319:1"):
            self.open_verzoek.pop((agb, vz.gemeente, vz.bsn), None)
            if vz.moet_afwijzen:
                self._regel(vz.moet_afwijzen, wat == "319:1", rec, vz.gemeente, "een 319 'verzoek afgewezen'",
                            "het verzoek werd toegewezen (301)", bsn=vz.bsn, extra=(vz.ref,))
            if vz.nummer == "317" and wat == "301" and not self.p.regel("vow_terugwerkend_toewijzen"):
                self._vow_niet_terugwerkend(rec, vz)

    def _vow_niet_terugwerkend(self, rec: Boeking, vz: Verzoek) -> None:
        # the toewijzingen this verzoek's 301s made today (indexed: a scan over every toewijzing made the check
        # quadratic in the length of the run)
        kandidaten = (self.toewijzingen[k] for k in dict.fromkeys(self.per_referentie.get((vz.agb, vz.referentie), ())))
        nieuw = [tw for tw in kandidaten
                 if tw.tp.referentie_aanbieder == vz.referentie and tw.agb == vz.agb and tw.eerste_301 == rec.datum]
        terug = [tw.tp.toewijzingnummer for tw in nieuw if tw.tp.ingangsdatum < rec.datum]
        self._regel("PROT.vow_niet_terugwerkend", not terug, rec, vz.gemeente,
                    "een ingangsdatum op of na de datum van de 301", f"terugwerkend: {', '.join(terug)}", bsn=vz.bsn)

    # ==========================================================================================
    # 305 / 307
    # ==========================================================================================
    def _bij_305(self, rec: Boeking, m: b.Start) -> None:
        agb, gemeente = m.header.afzender, m.header.ontvanger
        c = self._codes(m.standaard)
        self._onderaannemer_stuurt_niet(rec, m.client.bsn, agb, "305")
        for sp in m.client.producten:
            klasse = f"StartProduct {sp.toewijzingnummer}"
            self._specifiek(rec, m.standaard, sp.product, None, agb, "StartProduct", omvang_nodig=False)
            tw = self.toewijzingen.get((gemeente, sp.toewijzingnummer or ""))
            hoort = tw is not None and tw.agb == agb and tw.bsn == m.client.bsn
            self._regel("PROT.305_na_toewijzing", hoort, rec, agb, "een 305 op een ontvangen toewijzing",
                        f"toewijzing {sp.toewijzingnummer} onbekend voor deze cliënt/aanbieder", historie=True)
            if not self._tr("TR019", hoort, rec, agb, klasse, "gerelateerd aan een toewijzing",
                            f"toewijzing {sp.toewijzingnummer}", historie=True):
                continue
            startsleutel = (sp.begindatum, sp.product)
            if sp.status_aanlevering == c["status.verwijderen"]:
                ok = startsleutel in tw.starts  # an earlier 305 with this key, current or already stopped
                self._regel("TR063", ok, rec, agb, "verwijderen van een eerder gestuurde 305", "geen eerdere 305", historie=True)
                if not ok:
                    continue
                # TR071: a start whose care was stopped (a 307 on it, not withdrawn) can no longer be withdrawn
                gestopt = [s for s in tw.stops if s.begindatum == sp.begindatum]
                if not self._tr("TR071", not gestopt, rec, agb, klasse,
                                "geen verwijdering van een 305 waarop al een 307 kwam",
                                f"307 op deze start (einddatum {gestopt[-1].einddatum.isoformat()})" if gestopt
                                else ""):
                    continue
                tw.starts.discard(startsleutel)
                if tw.huidige_305 == sp.begindatum:
                    tw.huidige_305 = None
                continue
            if sp.status_aanlevering != c["status.eerste"]:
                continue
            # TR074: the key (Bsn, ToewijzingNummer, Product, Begindatum) is new among the 305s received
            if not self._tr("TR074", startsleutel not in tw.starts, rec, agb, klasse,
                            "een startbericht met een sleutel die nog niet ontvangen is",
                            f"al een 305 met begindatum {sp.begindatum.isoformat()} en dit product"):
                continue
            actueel = tw.huidige_305 is not None
            self._regel("PROT.een_actuele_305", not actueel, rec, agb, "geen tweede actuele 305",
                        f"305 met begindatum {tw.huidige_305} is nog actueel" if actueel else "")
            if not self._tr("TR326", not actueel, rec, agb, klasse, "geen actuele 305", "er is al een actuele 305"):
                continue
            # deadlines
            if not tw.ooit_gestart:
                vervalt = self.p.deadline("toewijzing_vervalt", max(tw.tp.ingangsdatum, tw.eerste_301))
                self._regel("PROT.start_binnen_vervaltermijn", rec.datum <= vervalt, rec, agb,
                            f"een eerste 305 uiterlijk {vervalt.isoformat()}", f"op {rec.datum.isoformat()}")
            sleutel, basis = self._start_termijn(tw, sp.begindatum)
            grens = self.p.deadline(sleutel, basis)
            if ("sut_305", agb, gemeente, sp.toewijzingnummer) in self.open:  # an aanbieder SUT: the real start
                self._vervul(("sut_305", agb, gemeente, sp.toewijzingnummer), rec.datum, _ref(rec))
            else:
                self._regel(f"TERMIJN.{sleutel}", rec.datum <= grens, rec, agb,
                            f"uiterlijk {grens.isoformat()} ({self.p.termijnen[sleutel].beschrijving()})",
                            f"op {rec.datum.isoformat()} ({_te_laat(self.p, grens, rec.datum)})")
            tw.huidige_305 = sp.begindatum
            tw.starts.add(startsleutel)
            tw.ooit_gestart = True

    def _bij_307(self, rec: Boeking, m: b.Stop) -> None:
        agb, gemeente = m.header.afzender, m.header.ontvanger
        c = self._codes(m.standaard)
        self._onderaannemer_stuurt_niet(rec, m.client.bsn, agb, "307")
        for sp in m.client.producten:
            klasse = f"StopProduct {sp.toewijzingnummer}"
            tw = self.toewijzingen.get((gemeente, sp.toewijzingnummer or ""))
            if tw is None or tw.agb != agb:
                self._tr("TR019", False, rec, agb, klasse, "gerelateerd aan een toewijzing",
                         f"toewijzing {sp.toewijzingnummer}", historie=True)
                continue
            if sp.status_aanlevering == c["status.verwijderen"]:
                eerder = [s for s in tw.stops if s.begindatum == sp.begindatum]
                self._regel("TR063", bool(eerder), rec, agb, "verwijderen van een eerder gestuurde 307", "geen eerdere 307",
                            historie=True)
                if eerder:
                    tw.stops.remove(eerder[-1])
                    tw.huidige_305 = sp.begindatum
                    tw.hersteld = rec.datum
                continue
            tijdelijk = c["beeindiging.tijdelijk"]
            stop = StopSleutel(sp.begindatum, sp.reden_beeindiging, sp.einddatum, sp.product)
            # TR074: the key (Bsn, ToewijzingNummer, Product, Begindatum, RedenBeeindiging, Einddatum) is new
            if not self._tr("TR074", stop not in tw.stops, rec, agb, klasse,
                            "een stopbericht met een sleutel die nog niet ontvangen is",
                            "een gelijke 307 is al ontvangen"):
                continue
            # the 305 this 307 stops: one received (and not withdrawn) with the same Begindatum; it is current,
            # or it was stopped before and this 307 follows that stop (TR413–TR415 say which may)
            gestart = {p for d, p in tw.starts if d == sp.begindatum}
            heeft = bool(gestart)
            self._regel("PROT.geen_307_zonder_305", heeft, rec, agb, "een 307 op een ontvangen 305 met dezelfde begindatum",
                        f"geen 305 met begindatum {sp.begindatum.isoformat()}", historie=True)
            if not heeft:
                self._verwacht_code(rec, klasse, _retourcode(self.codelijsten, m.standaard, "TR069"))
                continue
            # TR382: the key elements of the 305 (Product, Begindatum) unchanged in the 307
            if not self._tr("TR382", sp.product in gestart, rec, agb, klasse,
                            "het product van de 305: " + _product(next(iter(gestart))),
                            "product " + _product(sp.product)):
                continue
            eerder = [s for s in tw.stops if s.begindatum == sp.begindatum]  # stops on this start, oldest first
            if not self._stop_na_stop(rec, agb, klasse, sp, eerder, tijdelijk):
                continue
            if not eerder:
                if sp.reden_beeindiging == tijdelijk:
                    # known only once the full calendar month(s) without care have passed (§6.4, tijdelijk_stoppen_na)
                    sleutel, basis = "stop_307_tijdelijk", self._tijdelijk_basis(sp.einddatum)
                else:
                    sleutel = "stop_307"
                    basis = max(sp.einddatum, tw.einde_bekend, tw.hersteld or sp.einddatum)
                grens = self.p.deadline(sleutel, basis)
                open_ = self.open.get(("sut_307", agb, gemeente, sp.toewijzingnummer))
                if open_ is not None and open_.regel == f"TERMIJN.{sleutel}":  # an aanbieder SUT: the real end
                    self._vervul(("sut_307", agb, gemeente, sp.toewijzingnummer), rec.datum, _ref(rec))
                else:
                    self._regel(f"TERMIJN.{sleutel}", rec.datum <= grens, rec, agb,
                                f"uiterlijk {grens.isoformat()} ({self.p.termijnen[sleutel].beschrijving()})",
                                f"op {rec.datum.isoformat()} ({_te_laat(self.p, grens, rec.datum)})")
            # else: a definitive stop straight after a temporary one (allowed since 3.2) is due 5 werkdagen after
            # it became known that the care ended for good, which no message shows: its deadline is not judged
            tw.hersteld = None
            tw.stops.append(stop)
            if tw.huidige_305 == sp.begindatum:
                tw.huidige_305 = None

    def _stop_na_stop(self, rec: Boeking, agb: str, klasse: str, sp: b.StopProduct, eerder: list[StopSleutel],
                      tijdelijk: str) -> bool:
        """TR413–TR415 for a 307 on a start that has stops already (``eerder``): only a temporary stop may be
        followed, by one definitive stop, with an einddatum not before it.  TR415 holds for every 307.  False
        when a rule is broken (the receiver rejects the 307, so it does not count)."""
        definitief = [s for s in eerder if s.reden != tijdelijk]
        goed = self._tr("TR415", not definitief, rec, agb, klasse, "geen 307 na een definitieve 307 op dezelfde start",
                        f"al een 307 met reden {definitief[0].reden}" if definitief else "")
        if not eerder:
            return goed
        if sp.reden_beeindiging == tijdelijk:
            ok = not any(s.reden == tijdelijk for s in eerder)
            if not self._tr("TR413", ok, rec, agb, klasse,
                            "na een tijdelijke stop een definitieve (reden ≠ tijdelijk)", "opnieuw 'tijdelijk beëindigd'"):
                goed = False
        vorige = eerder[-1].einddatum
        if not self._tr("TR414", sp.einddatum >= vorige, rec, agb, klasse,
                        f"einddatum ≥ {vorige.isoformat()} (de vorige 307)", f"einddatum {sp.einddatum.isoformat()}"):
            goed = False
        return goed

    # ==========================================================================================
    # 323 / 325
    # ==========================================================================================
    def _bij_323(self, rec: Boeking, m: b.Declaratie) -> None:
        agb, gemeente = m.header.afzender, m.header.ontvanger
        std = m.standaard
        c = self._codes(std)
        d = m.declaratie
        nummer_sleutel = (agb, std.naam, d.nummer)
        uniek = nummer_sleutel not in self.declaratienummers
        self._tr("TR333", uniek, rec, agb, "Declaratie", "een uniek DeclaratieNummer", f"{d.nummer} al eerder gebruikt")
        self.declaratienummers.add(nummer_sleutel)
        self._declaratieperiode(rec, m)
        in_bericht: set[str] = set()
        for cl in d.clienten:
            self._onderaannemer_stuurt_niet(rec, cl.bsn, agb, "323")
            bekend = bool(self.per_client.get((gemeente, agb, cl.bsn, std.naam)))
            self._tr("TR304", bekend, rec, agb, f"Client {cl.bsn}", "een cliënt met een toewijzing bij deze aanbieder",
                     f"BSN {cl.bsn} onbekend", bsn=cl.bsn, historie=True)
            for p in cl.prestaties:
                self._prestatie(rec, m, cl.bsn, p, in_bericht, c)
                in_bericht.add(p.referentie.nummer)
        verwacht = self.verwachte_codes.get((rec.afzender, rec.identificatie), {})
        if "Header" in verwacht:  # rejected as a message (TR416, 0001): the 325 is only a Header, no class codes
            self.verwachte_codes[(rec.afzender, rec.identificatie)] = {"Header": verwacht["Header"]}
        self.declaraties[(agb, rec.identificatie)] = {
            "totaal": d.totaal_cent, "gemeente": gemeente, "datum": rec.datum, "nummer": d.nummer,
            "xsd_versie": m.header.xsd_versie,
            "prestaties": {p.referentie.nummer: p.bedrag_cent for cl in d.clienten for p in cl.prestaties},
        }

    def _declaratieperiode(self, rec: Boeking, m: b.Declaratie) -> None:
        """TR318: DeclaratiePeriode follows the previous one (the same again is a second batch); it may
        skip months only when there was no care to declare in them — care of a skipped month declared
        now, on a toewijzing dated before that month ended, shows there was."""
        agb, gemeente, d = m.header.afzender, m.header.ontvanger, m.declaratie
        sleutel = (agb, gemeente, m.standaard.naam)
        q = d.periode.begindatum.replace(day=1)
        vorige = self.laatste_periode.get(sleutel)
        if vorige is None:
            self.laatste_periode[sleutel] = q
            return
        overgeslagen = sorted({p.periode.begindatum.strftime("%Y-%m") for cl in d.clienten for p in cl.prestaties
                               if p.bedrag_cent >= 0 and vorige < p.periode.begindatum.replace(day=1) < q
                               and (tw := self.toewijzingen.get((gemeente, p.toewijzingnummer))) is not None
                               and p.periode.einddatum >= tw.tp.toewijzingsdatum})
        goed = q >= vorige and not overgeslagen
        self._tr("TR318", goed, rec, agb, "Declaratie", f"DeclaratiePeriode {vorige:%Y-%m} of de maand erna "
                 "(later alleen over maanden zonder zorg)",
                 f"{q:%Y-%m}" + (f", zorg in {', '.join(overgeslagen)} overgeslagen" if overgeslagen else ""),
                 historie=True)
        self.laatste_periode[sleutel] = max(q, vorige)

    def _prestatie(self, rec: Boeking, m: b.Declaratie, bsn: str, p: b.Prestatie, in_bericht: set[str],
                   c: Codes) -> None:
        """Judge one prestatie and expect the retourcodes the gemeente must give it.  ``in_bericht``: the
        ReferentieNummers of the prestaties before it in this 323."""
        agb, gemeente = m.header.afzender, m.header.ontvanger
        ref = p.referentie.nummer
        klasse = f"Prestatie {ref}"
        credit = p.bedrag_cent < 0
        self._tr("TR314", (agb, ref) not in self.prestaties and ref not in in_bericht, rec, agb, klasse,
                 "een nieuw ReferentieNummer", f"{ref} al eerder aangeleverd", bsn=bsn)
        tw = self.toewijzingen.get((gemeente, p.toewijzingnummer))
        if not self._tr("TR338", tw is not None and tw.agb == agb and tw.bsn == bsn, rec, agb, klasse,
                        "een prestatie op een toegewezen product",
                        f"toewijzing {p.toewijzingnummer} onbekend voor deze cliënt/aanbieder",
                        bsn=bsn, historie=True):
            self._regel("PROT.declaratie_met_toewijzing", False, rec, agb, "een ontvangen toewijzing",
                        f"geen toewijzing {p.toewijzingnummer}", bsn=bsn, historie=True)
            return
        self._regel("PROT.declaratie_met_toewijzing", tw.eerste_301 < rec.datum, rec, agb,
                    "declareren na ontvangst van de toewijzing", f"301 van {tw.eerste_301.isoformat()}", bsn=bsn)
        tp = tw.tp
        self._tr("TR384", tp.reden_wijziging != c["wijziging.verwijderd"], rec, agb, klasse,
                 "geen declaratie op een verwijderde toewijzing", "RedenWijziging 13", bsn=bsn)
        if tp.product is not None:
            self._tr("TR339", p.product.categorie == tp.product.categorie, rec, agb, klasse,
                     f"categorie {tp.product.categorie}", p.product.categorie, bsn=bsn)
            if tp.product.code:
                self._tr("TR340", p.product.code == tp.product.code, rec, agb, klasse, f"productcode {tp.product.code}",
                         str(p.product.code), bsn=bsn)
        volume = 0
        b_p, e_p = p.periode.begindatum, p.periode.einddatum
        if tp.omvang is not None:
            uur = tp.omvang.eenheid == c["eenheid.uur"]
            minuten = bool(self.p.regel("declareren_uren_in_minuten"))
            # TR341 "past bij": for hours the region accepts only minutes (Annex 4 §7 note 13)
            past = p.eenheid in (({c["eenheid.minuut"]} if minuten else {c["eenheid.minuut"], c["eenheid.uur"]})
                                 if uur else {tp.omvang.eenheid})
            self._tr("TR341", past, rec, agb, klasse, f"eenheid passend bij {tp.omvang.eenheid}", p.eenheid,
                     bsn=bsn)
            verwacht_eenheid = c["eenheid.minuut"] if (uur and minuten) else tp.omvang.eenheid
            self._regel("PROT.eenheid_minuten", p.eenheid == verwacht_eenheid, rec, agb,
                        f"eenheid {verwacht_eenheid}", f"eenheid {p.eenheid}", bsn=bsn)
            if past and not credit:  # TR321/TR322: the volume fits the Omvang (judged in a fitting unit only)
                eenheid = c["eenheid.minuut"] if uur else tp.omvang.eenheid
                volume = p.volume * (60 if uur and p.eenheid == c["eenheid.uur"] else 1)
                grens = max_per_periode(tp.omvang, b_p, e_p, eenheid, c)
                self._tr("TR321", volume <= grens, rec, agb, klasse,
                         f"hoogstens {grens} (eenheid {eenheid}) in de ProductPeriode", str(volume), bsn=bsn)
                tw.gedeclareerd_volume += volume
                totaal = max_loopduur(tp.omvang, tp.ingangsdatum, tp.einddatum, eenheid, c)
                if totaal is not None:
                    self._tr("TR322", tw.gedeclareerd_volume <= totaal, rec, agb, klasse,
                             f"samen hoogstens {totaal} (eenheid {eenheid})", f"samen {tw.gedeclareerd_volume}",
                             bsn=bsn)
        b_, e_ = p.periode.begindatum, p.periode.einddatum
        self._tr("TR307", b_ >= tp.ingangsdatum, rec, agb, klasse, f"begindatum ≥ {tp.ingangsdatum.isoformat()}",
                 b_.isoformat(), bsn=bsn)
        if tp.einddatum:
            self._tr("TR308", e_ <= tp.einddatum, rec, agb, klasse, f"einddatum ≤ {tp.einddatum.isoformat()}",
                     e_.isoformat(), bsn=bsn)
        maand_begin = date(b_.year, b_.month, 1)
        self._tr("TR387", b_ == max(maand_begin, tp.ingangsdatum), rec, agb, klasse,
                 "eerste dag van de maand (of de ingangsdatum)", b_.isoformat(), bsn=bsn)
        maand_eind = einde_maand(b_.year, b_.month)
        self._tr("TR388", e_ == min(maand_eind, tp.einddatum or maand_eind), rec, agb, klasse,
                 "laatste dag van de maand (of de einddatum)", e_.isoformat(), bsn=bsn)
        self._tr("TR319", e_ <= m.declaratie.periode.einddatum, rec, agb, klasse,
                 "een ProductPeriode binnen of vóór de declaratieperiode", f"{b_.isoformat()}…{e_.isoformat()}",
                 bsn=bsn)
        if credit:
            orig = self.prestaties.get((agb, p.referentie.vorig or ""))
            ok = orig is not None and orig.status == "toegekend"
            self._tr("TR323", ok, rec, agb, klasse, "een credit op een goedgekeurde debetprestatie",
                     f"vorig {p.referentie.vorig}", bsn=bsn, historie=orig is None)
            self._tr("TR390", orig is None or orig.status != "gecrediteerd", rec, agb, klasse,
                     "één credit per prestatie", "al gecrediteerd", bsn=bsn)
            if ok:
                orig.status = "gecrediteerd"
                tw.goedgekeurd.discard(orig.referentie)
                tw.gedeclareerd_cent -= orig.bedrag
                tw.gedeclareerd_volume -= orig.volume
                if orig.toegekend_op is not None:
                    grens = self.p.deadline("correctie_goedgekeurd", orig.toegekend_op)
                    self._regel("TERMIJN.correctie_goedgekeurd", rec.datum <= grens, rec, agb,
                                f"credit uiterlijk {grens.isoformat()}", f"op {rec.datum.isoformat()}", bsn=bsn)
        else:
            op_toewijzing = list(self.prestaties_per_toewijzing.get((agb, gemeente, p.toewijzingnummer), {}).values())
            dubbel = [s for s in op_toewijzing if s.periode == (b_, e_) and s.bedrag >= 0 and s.status in ("ingediend", "toegekend")
                      and s.product == p.product]
            # a second debit: sent in an earlier 323 (TR389, berichtoverstijgend) or in this one (TR416, the
            # message's own content: the receiver rejects the whole 323 with 0001)
            eerder = [s.referentie for s in dubbel if s.referentie not in in_bericht]
            hier = [s.referentie for s in dubbel if s.referentie in in_bericht]
            self._tr("TR389", not eerder, rec, agb, klasse, "geen tweede debet zonder credit",
                     f"al in een eerdere 323: {', '.join(eerder)}", bsn=bsn)
            self._tr("TR416", not hier, rec, agb, "Header",
                     "één debet per ProductPeriode, product en toewijzing in de 323",
                     f"ook {', '.join(hier)} in deze 323", bsn=bsn)
            # a correction covers the same toewijzing and month; its ProductPeriode may be the corrected one
            maand = (b_.year, b_.month)
            afgekeurd = [s for s in op_toewijzing if (s.periode[0].year, s.periode[0].month) == maand
                         and s.status == "afgekeurd" and s.afgekeurd_op is not None]
            correctie = bool(afgekeurd) or any(
                (s.periode[0].year, s.periode[0].month) == maand and s.status == "gecrediteerd" for s in op_toewijzing)
            for s in afgekeurd[-1:]:
                grens = self.p.deadline("correctie_afgekeurd", s.afgekeurd_op)
                self._regel("TERMIJN.correctie_afgekeurd", rec.datum <= grens, rec, agb,
                            f"correctie uiterlijk {grens.isoformat()}", f"op {rec.datum.isoformat()}", bsn=bsn)
                s.status = "gecorrigeerd"
            product = self._product(p.product.code)
            if product is not None and p.tarief_cent is not None:
                contract = product.declaratietarief_cent(bool(self.p.regel("declareren_uren_in_minuten")))
                if p.eenheid == product.eenheid:
                    contract = product.tarief_cent
                self._tr("TR418", p.tarief_cent == contract, rec, agb, klasse, f"contracttarief {contract}",
                         str(p.tarief_cent), bsn=bsn)
            tw.gedeclareerd_cent += p.bedrag_cent
            if tp.budget is not None:
                self._tr("TR369", tw.gedeclareerd_cent <= tp.budget, rec, agb, klasse,
                         f"samen binnen het budget {tp.budget}", f"samen {tw.gedeclareerd_cent}", bsn=bsn)
            if not correctie:  # a correction is judged by the correctie_* deadlines
                self._declaratietermijn(rec, tw, p, bsn)
            self.open.pop(("sut_323", agb, gemeente, p.toewijzingnummer, f"{b_:%Y-%m}"), None)  # declared
        if not tw.ooit_gestart and tw.tp.ingangsdatum:
            vervalt = self.p.deadline("toewijzing_vervalt", max(tw.tp.ingangsdatum, tw.eerste_301))
            self._regel("PROT.start_binnen_vervaltermijn", rec.datum <= vervalt, rec, agb,
                        "geen declaratie op een vervallen toewijzing", f"declaratie op {rec.datum.isoformat()}", bsn=bsn)
        self._bewaar_prestatie(PrestatieStaat(ref, agb, (gemeente, p.toewijzingnummer), (b_, e_), p.bedrag_cent,
                                              vorig=p.referentie.vorig, volume=volume, product=p.product))

    def _bewaar_prestatie(self, staat: PrestatieStaat) -> None:
        """Store a prestatie in ``self.prestaties`` and its per-toewijzing index, keeping both in one order."""
        sleutel = (staat.agb, staat.referentie)
        emmer = (staat.agb, *staat.toewijzing)
        oud = self.prestaties.get(sleutel)
        self.prestaties[sleutel] = staat  # a reused referentie keeps its first position (dict semantics)
        if oud is None or (oud.agb, *oud.toewijzing) == emmer:
            self.prestaties_per_toewijzing[emmer][staat.referentie] = staat
            return
        # rare (TR314: a referentie reused on another toewijzing): rebuild both buckets in global order
        oude_emmer = (oud.agb, *oud.toewijzing)
        for e in (oude_emmer, emmer):
            self.prestaties_per_toewijzing[e] = {s.referentie: s for s in self.prestaties.values()
                                                 if (s.agb, *s.toewijzing) == e}

    def _declaratietermijn(self, rec: Boeking, tw: Toewijzing, p: b.Prestatie, bsn: str) -> None:
        sleutel, vanaf = declaratie_termijn(p.periode.einddatum, tw.eerste_301, self._sggz_declaratie(tw))
        grens = self.p.deadline(sleutel, vanaf)
        self._regel(f"TERMIJN.{sleutel}", rec.datum <= grens, rec, tw.agb, f"gedeclareerd uiterlijk {grens.isoformat()}",
                    f"op {rec.datum.isoformat()} ({_te_laat(self.p, grens, rec.datum)})", bsn=bsn)

    def _bij_325(self, rec: Boeking, m: b.DeclaratieAntwoord) -> None:
        gemeente, agb = m.header.afzender, m.header.ontvanger
        decl = self.declaraties.pop((agb, m.declaratie_identificatie), None)
        ontvangen = self.heen.get((agb, m.declaratie_identificatie), ("",))[0].endswith("323")
        if not self._regel("TR337", ontvangen, rec, gemeente, "een antwoord op een ontvangen declaratie",
                           f"declaratie {m.declaratie_identificatie} onbekend", historie=True):
            return  # (RETOUR.een_op_een would say the same again; a second 325 on a known 323 is its case)
        gevonden: dict[str, set[str]] = {}
        neutraal = self._neutraal(m.standaard)
        if set(m.retourcodes) - neutraal:
            gevonden["Header"] = set(m.retourcodes)
        if decl is not None:
            # TR371: XsdVersieDeclaratie is the XsdVersie of the 323 it answers
            self._regel("TR371", m.xsd_versie_declaratie == decl["xsd_versie"], rec, gemeente,
                        f"XsdVersieDeclaratie {_versie(decl['xsd_versie'])} (die van de 323)",
                        _versie(m.xsd_versie_declaratie))
        if decl is not None and m.antwoord is not None:
            # TR376: the DeclaratieNummer of the declaration this 325 answers
            self._regel("TR376", m.antwoord.declaratienummer == decl["nummer"], rec, gemeente,
                        f"DeclaratieNummer {decl['nummer']}", m.antwoord.declaratienummer)
        if decl is not None and m.antwoord is None and "Header" in gevonden:
            # only a Header with a rejection (0001, e.g. TR416): the 323 is rejected as a whole
            self._afgekeurd_of_toegekend(rec, agb, decl, set(decl["prestaties"]))
        if decl is not None and m.antwoord is not None:
            a = m.antwoord
            afgekeurd = {}
            geheel = set(a.retourcodes) - neutraal  # the Declaratie as a whole rejected (e.g. 9333)
            if geheel:
                gevonden["Declaratie"] = geheel
                afgekeurd = dict(decl["prestaties"])
            geen_opmerking = {self._codes(m.standaard)["retour.geen_opmerking"]}
            for cl in a.clienten:
                if set(cl.retourcodes) - geen_opmerking:
                    gevonden[f"Client {cl.bsn}"] = set(cl.retourcodes) - geen_opmerking
                for p in cl.prestaties:
                    codes = set(p.retourcodes) - geen_opmerking
                    gevonden[f"Prestatie {p.referentie.nummer}"] = codes
                    origineel = decl["prestaties"].get(p.referentie.nummer)
                    self._regel("TR366", origineel is not None, rec, gemeente, "een prestatie uit de declaratie",
                                p.referentie.nummer)
                    if origineel is not None:  # (an unknown prestatie is TR366's case, not a different value)
                        self._regel("TR367", origineel == p.bedrag_cent, rec, gemeente, f"bedrag {origineel}",
                                    str(p.bedrag_cent))
                    if codes:
                        afgekeurd[p.referentie.nummer] = p.bedrag_cent
            toegekend = decl["totaal"] - sum(afgekeurd.values())
            goed = a.totaal_ingediend_cent == decl["totaal"] and a.totaal_toegekend_cent == toegekend
            self._regel("PROT.325_volledig", goed, rec, gemeente,
                        f"ingediend {decl['totaal']}, toegekend {toegekend} (regels 100 % goed- of afgekeurd)",
                        f"ingediend {a.totaal_ingediend_cent}, toegekend {a.totaal_toegekend_cent}")
            self._afgekeurd_of_toegekend(rec, agb, decl, set(afgekeurd))
        self._retourbericht(rec, m, m.declaratie_identificatie, gevonden)

    def _afgekeurd_of_toegekend(self, rec: Boeking, agb: str, decl: dict[str, Any], afgekeurd: set[str]) -> None:
        """Record the 325's verdict on every prestatie of the declaration it answers."""
        for ref in decl["prestaties"]:
            s = self.prestaties.get((agb, ref))
            if s is None or s.status != "ingediend":
                continue
            if ref in afgekeurd:
                s.status, s.afgekeurd_op = "afgekeurd", rec.datum
                tw = self.toewijzingen.get(s.toewijzing)
                if tw is not None and s.bedrag >= 0:
                    tw.gedeclareerd_cent -= s.bedrag
                    tw.gedeclareerd_volume -= s.volume
            else:
                s.status, s.toegekend_op = "toegekend", rec.datum
                tw = self.toewijzingen.get(s.toewijzing)
                if tw is not None and s.bedrag >= 0:
                    tw.goedgekeurd.add(ref)

    # -- retours ----------------------------------------------------------------------------------
    def _bij_retour(self, rec: Boeking, m) -> None:
        gevonden: dict[str, set[str]] = {}
        if m.retour.retourcodes:
            gevonden["Header"] = set(m.retour.retourcodes)
        body = getattr(m, "client", None) if not isinstance(m, b.AntwoordRetour) else m.antwoord
        if body is not None:
            for naam, k in _klassen(body):
                gevonden[naam] = set(k.retourcodes)
        self._retourbericht(rec, m, m.header.identificatie, gevonden)

    _bij_302 = _bij_306 = _bij_308 = _bij_316 = _bij_318 = _bij_320 = _bij_retour

    # ==========================================================================================
    def _tags(self, product: b.Product | None) -> set[str]:
        p = self._product(product.code if product else None)
        return set(p.tags) if p else set()

    def _start_termijn(self, tw: Toewijzing, begindatum: date) -> tuple[str, date]:
        """The deadline of the 305 of care starting on ``begindatum`` and the date it runs from: care that
        began before the toewijzing (retroactive, sGGZ) runs from its first 301."""
        if begindatum < tw.eerste_301:
            sggz = "sggz" in " ".join(self._tags(tw.tp.product))
            return ("start_305_sggz" if sggz else "start_305_terugwerkend"), tw.eerste_301
        return "start_305", begindatum

    def _tijdelijk_basis(self, laatste_zorgdag: date) -> date:
        """A temporary stop is known only once the full calendar month(s) without care have passed
        (§6.4, tijdelijk_stoppen_na): its 307's deadline runs from then."""
        return _einde_volle_maanden(laatste_zorgdag, int(self.p.regel("tijdelijk_stoppen_na")))

    def _sggz_declaratie(self, tw: Toewijzing) -> bool:
        """Care before the toewijzing of an sGGZ product has its own declaration deadline (declaratie_sggz)."""
        return any(t.startswith("sggz") for t in self._tags(tw.tp.product))

    def _product(self, code: str | None):
        if not code:
            return None
        try:
            return self.catalogus.per_code(code)
        except KeyError:
            return None

    def sluit(self, einde: date | None = None, compleet: bool = True) -> Uitslag:
        """Judge what is still open: a deadline before the last date seen fails; later is inconclusive."""
        laatste = einde or self.laatste_datum or date.min
        for actor in sorted(self.sut_afzenders - set(self.sut_stil) - set(self.sut_opgegeven)):
            self._pass("SUT.lockstep")  # a SUT that took part and answered every day
        self.sut_afzenders.clear()
        for v in sorted(self.open.values(), key=lambda v: (v.deadline, v.regel)):
            if not self.historie_compleet:
                self._oordeel(v.regel, ONBESLIST, v.deadline, v.actor, v.bsn, v.berichten, v.verwacht,
                              "het antwoord zit niet in de invoer", v.traject, v.route)
            elif v.deadline < laatste and self._sut_reden(v, laatste):
                self._oordeel(v.regel, ONBESLIST, v.deadline, v.actor, v.bsn, v.berichten, v.verwacht,
                              self._sut_reden(v, laatste), v.traject, v.route)
            elif v.deadline < laatste:
                self._oordeel(v.regel, FAIL, v.deadline, v.actor, v.bsn, v.berichten, v.verwacht,
                              f"niet ontvangen (termijn verliep {v.deadline.isoformat()})", v.traject, v.route)
            else:
                reden = "de run eindigde vóór de termijn" if compleet else "de run werd onderbroken vóór de termijn"
                self._oordeel(v.regel, ONBESLIST, v.deadline, v.actor, v.bsn, v.berichten, v.verwacht,
                              f"nog niet ontvangen: {reden} ({v.deadline.isoformat()})", v.traject, v.route)
        self.open.clear()
        self.uitslag.tel_op()
        return self.uitslag


# ==============================================================================================
def _ref(rec: Boeking) -> str:
    return f"{rec.berichttype} {rec.afzender}/{rec.identificatie}"


def _versie(x: b.XsdVersie) -> str:
    return f"basisschema {x.basisschema}, bericht {x.bericht}"


def _product(p: b.Product | None) -> str:
    return "geen" if p is None else f"{p.categorie}/{p.code or '-'}"


def _geldig_op(tp: b.ToegewezenProduct, d: date) -> bool:
    return not vervallen(tp) and (tp.einddatum is None or tp.einddatum >= d)


def declaratie_termijn(einde: date, eerste_301: date | None, sggz: bool) -> tuple[str, date]:
    """The deadline of the 323 declaring care up to ``einde`` and the date it runs from: "na maand van
    levering", the end of the month of the ProductPeriode; care before the toewijzing (crisis, sGGZ:
    ``sggz``) is declared soon after the toewijzing's first 301."""
    if eerste_301 is not None and einde < eerste_301:
        return ("declaratie_sggz" if sggz else "declaratie_323"), eerste_301
    return "declaratie_323", einde_maand(einde.year, einde.month)


def _einde_volle_maanden(laatste_zorgdag: date, n: int) -> date:
    """The end of the ``n``-th full calendar month after the last day of care."""
    volgende = laatste_zorgdag + timedelta(days=1)
    eerste_volle = volgende if volgende.day == 1 else add_maanden(volgende.replace(day=1), 1)
    laatste_volle = add_maanden(eerste_volle, n - 1)
    return einde_maand(laatste_volle.year, laatste_volle.month)


def _te_laat(p: Profiel, grens: date, datum: date) -> str:
    if datum <= grens:
        return "op tijd"
    return f"{p.kalender.werkdagen_between(grens, datum)} werkdag(en) te laat"


def _retourcode(codelijsten: Codelijsten, standaard, tr: str) -> str | None:
    try:
        return retourcode_voor_regel(codelijsten, standaard, tr)
    except KeyError:
        return None


def _klassen(body) -> list[tuple[str, Any]]:
    """(name, object) of every berichtklasse in a retour body, named as the checker names them."""
    uit = []
    if isinstance(body, b.AntwoordInhoud):
        uit.append(("Antwoord", body))
        if body.woonplaatsbeginsel is not None:
            uit.append(("Woonplaatsbeginsel", body.woonplaatsbeginsel))
        return uit
    uit.append(("Client", body))
    for p in getattr(body, "producten", ()):
        nr = getattr(p, "toewijzingnummer", None) or getattr(p, "referentie_aanbieder", "")
        uit.append((f"{type(p).__name__} {nr}", p))
    verzoek = getattr(body, "verzoek", None)
    if verzoek is not None:
        uit.append(("Verzoek", verzoek))
        for p in verzoek.te_wijzigen:
            uit.append((f"TeWijzigenProduct {p.toewijzingnummer}", p))
        for p in verzoek.ongewijzigd:
            uit.append((f"OngewijzigdProduct {p.toewijzingnummer}", p))
        for p in verzoek.nieuw:
            uit.append(("NieuwProduct", p))
    for r in getattr(body, "relaties", ()):
        uit.append((f"Relatie {r.nummer}", r))
    for i, ct in enumerate(getattr(body, "contactgegevens", ())):
        uit.append((f"Contact {i}", ct))
    return uit
