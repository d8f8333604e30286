"""What the HTML report reads from a run's ledger: per client trajectory its messages and events,
days-to-answer per message type, declaration timeliness per aanbieder × gemeente × month (§13.3),
and the exact XML of the few messages the report shows.

Two streaming passes: the first keeps only a small summary of every message (no XML), the
second fetches the XML of the messages the report will show, up to a size budget.  The checker's
verdicts are not recomputed here: this module only describes the traffic.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from simulator.ledger import Boeking, Gebeurtenis, open_ledger
from simulator.profiel import Profiel

from .controle import RETOUR_TERMIJN, declaratie_termijn

#: events that are bookkeeping of the harness, not part of a client's story
_STILLE_GEBEURTENISSEN = frozenset({"fout_ingeschakeld"})


def bericht_ref(berichttype: str, afzender: str, identificatie: str) -> str:
    """The reference the checker uses for a message (``Oordeel.berichten``)."""
    return f"{berichttype} {afzender}/{identificatie}"


@dataclass(frozen=True, slots=True)
class BerichtInfo:
    """One message without its XML."""

    seq: int
    datum: date
    afzender: str
    ontvanger: str
    berichttype: str
    identificatie: str
    heen: str | None
    bsn: str | None
    traject: str | None
    route: str | None
    toewijzingnummers: tuple[str, ...]

    @property
    def ref(self) -> str:
        return bericht_ref(self.berichttype, self.afzender, self.identificatie)

    @property
    def nummer(self) -> str:
        return self.berichttype[-3:]


@dataclass(frozen=True, slots=True)
class GebeurtenisInfo:
    seq: int
    datum: date
    wat: str
    actor: str | None
    naar: str | None  # the aanbieder a verwijzing sends the client to


@dataclass
class TrajectInfo:
    id: str
    bsn: str | None = None
    route: str | None = None
    gemeente: str | None = None
    aanbieder: str | None = None
    berichten: list[int] = field(default_factory=list)  # seqs of its own messages
    gebeurtenissen: list[GebeurtenisInfo] = field(default_factory=list)
    toewijzingnummers: set[str] = field(default_factory=set)


@dataclass
class Antwoordtijden:
    """Days-to-answer for one heenbericht number: werkdagen from receipt to answer, and whether late."""

    heen: str  # "301"
    retour: str  # "302"
    termijn: str  # profile key
    beschrijving: str
    dagen: list[tuple[int, bool]] = field(default_factory=list)  # (werkdagen, te laat)
    limieten: Counter = field(default_factory=Counter)  # werkdagen allowed → how often
    zonder_antwoord: int = 0

    @property
    def limiet(self) -> int | None:
        return self.limieten.most_common(1)[0][0] if self.limieten else None


@dataclass
class Declaratiecel:
    prestaties: int = 0
    te_laat: int = 0

    @property
    def aandeel(self) -> float:
        return self.te_laat / self.prestaties if self.prestaties else 0.0


@dataclass
class LedgerBeeld:
    pad: Path
    compleet: bool
    waarschuwingen: list[str]
    berichten: dict[str, BerichtInfo]  # ref → info
    per_seq: dict[int, BerichtInfo]
    trajecten: dict[str, TrajectInfo]
    per_bsn: dict[str, list[str]]  # bsn → traject ids
    per_toewijzing: dict[str, list[str]]  # toewijzingnummer → traject ids
    antwoordtijden: dict[str, Antwoordtijden]
    declaraties: dict[tuple[str, str, str], Declaratiecel]  # (aanbieder, gemeente, "2026-03") → cell
    declaratie_fouten: int = 0  # 323s that could not be read (counted, not judged here)
    xml: dict[str, bytes] = field(default_factory=dict)
    xml_weggelaten: int = 0
    run: dict = field(default_factory=dict)  # the ledger's run header

    def berichten_van(self, t: TrajectInfo) -> list[BerichtInfo]:
        """A trajectory's own messages plus the 323/325 batches that declare on its toewijzingen."""
        seqs = set(t.berichten)
        uit = [self.per_seq[s] for s in t.berichten]
        for info in self._batches.get_for(t.toewijzingnummers):
            if info.seq not in seqs:
                seqs.add(info.seq)
                uit.append(info)
        return sorted(uit, key=lambda i: i.seq)

    _batches: "_Batches" = field(default=None, repr=False)  # type: ignore[assignment]

    def traject_van(self, traject: str | None, bsn: str | None, berichten: tuple[str, ...] = ()) -> str | None:
        """The trajectory a judgement concerns: its own, else the one of its client (by BSN), else the
        one whose toewijzing its message concerns."""
        if traject and traject in self.trajecten:
            return traject
        kandidaten = self.per_bsn.get(bsn or "", [])
        if len(kandidaten) == 1:
            return kandidaten[0]
        for ref in berichten:
            info = self.berichten.get(ref)
            if info is None:
                continue
            for nr in info.toewijzingnummers:
                for t in self.per_toewijzing.get(nr, []):
                    if not kandidaten or t in kandidaten:
                        return t
        return kandidaten[0] if kandidaten else None


class _Batches:
    """323/325 messages per toewijzingnummer (they cover many clients, so they carry no trajectory)."""

    def __init__(self) -> None:
        self.per_nummer: dict[str, list[BerichtInfo]] = defaultdict(list)

    def voeg_toe(self, info: BerichtInfo) -> None:
        for nr in info.toewijzingnummers:
            self.per_nummer[nr].append(info)

    def get_for(self, nummers: set[str]) -> list[BerichtInfo]:
        uit: list[BerichtInfo] = []
        for nr in sorted(nummers):
            uit.extend(self.per_nummer.get(nr, ()))
        return uit


def lees_ledger(pad: Path, profiel: Profiel | None, registry=None) -> LedgerBeeld:
    """First pass: the summary of every message, the trajectories, answer times and (with a schema
    registry) the declaration timeliness of every 323."""
    led = open_ledger(pad)
    berichten: dict[str, BerichtInfo] = {}
    per_seq: dict[int, BerichtInfo] = {}
    trajecten: dict[str, TrajectInfo] = {}
    per_bsn: dict[str, list[str]] = defaultdict(list)
    per_toewijzing: dict[str, list[str]] = defaultdict(list)
    batches = _Batches()
    heen: dict[tuple[str, str], tuple[str, date]] = {}  # (afzender, id) → (nummer, datum)
    tijden: dict[str, Antwoordtijden] = {}
    eerste_301: dict[str, date] = {}
    declaraties: dict[tuple[str, str, str], Declaratiecel] = defaultdict(Declaratiecel)
    declaratie_fouten = 0
    gedeclareerd: set = set()
    catalogus = _catalogus(registry)

    def traject(tid: str) -> TrajectInfo:
        t = trajecten.get(tid)
        if t is None:
            t = trajecten[tid] = TrajectInfo(tid)
        return t

    for rec in led.records():
        if isinstance(rec, Gebeurtenis):
            if rec.traject and rec.wat not in _STILLE_GEBEURTENISSEN:
                t = traject(rec.traject)
                t.bsn = t.bsn or rec.bsn
                t.route = t.route or rec.route
                naar = rec.gegevens.get("aanbieder") if isinstance(rec.gegevens, dict) else None
                t.gebeurtenissen.append(GebeurtenisInfo(rec.seq, rec.datum, rec.wat, rec.actor,
                                                        str(naar) if naar else None))
                if rec.bsn and rec.traject not in per_bsn[rec.bsn]:
                    per_bsn[rec.bsn].append(rec.traject)
            continue
        info = BerichtInfo(rec.seq, rec.datum, rec.afzender, rec.ontvanger, rec.berichttype, rec.identificatie,
                           rec.heen, rec.bsn, rec.traject, rec.route, tuple(rec.toewijzingnummers))
        berichten.setdefault(info.ref, info)
        per_seq[info.seq] = info
        nummer = info.nummer
        if rec.traject:
            t = traject(rec.traject)
            t.berichten.append(rec.seq)
            t.bsn = t.bsn or rec.bsn
            t.route = t.route or rec.route
            gemeente, aanbieder = _partijen(rec.afzender, rec.ontvanger)
            t.gemeente = t.gemeente or gemeente
            t.aanbieder = t.aanbieder or aanbieder
            for nr in rec.toewijzingnummers:
                if nr not in t.toewijzingnummers:
                    t.toewijzingnummers.add(nr)
                    per_toewijzing[nr].append(rec.traject)
            if rec.bsn and rec.traject not in per_bsn[rec.bsn]:
                per_bsn[rec.bsn].append(rec.traject)
        elif nummer in ("323", "325"):
            batches.voeg_toe(info)
        if nummer == "301":
            for nr in rec.toewijzingnummers:
                eerste_301.setdefault(nr, rec.datum)
        if profiel is not None:
            _antwoordtijd(rec, nummer, heen, tijden, profiel)
        if nummer == "323" and profiel is not None and registry is not None:
            if not _declaratie(rec, registry, profiel, eerste_301, declaraties, gedeclareerd, catalogus):
                declaratie_fouten += 1
    for (afz, _), (nummer, _) in heen.items():  # heenberichten never answered
        if nummer in tijden:
            tijden[nummer].zonder_antwoord += 1
    beeld = LedgerBeeld(led.pad, led.compleet, list(led.waarschuwingen), berichten, per_seq, trajecten, dict(per_bsn),
                        dict(per_toewijzing), dict(sorted(tijden.items())), dict(declaraties), declaratie_fouten)
    beeld._batches = batches
    beeld.run = dict(led.run)
    return beeld


def _catalogus(registry):
    if registry is None:
        return None
    from simulator.codelijsten import Codelijsten
    from simulator.synthetisch import Productcatalogus

    return Productcatalogus(codelijsten=Codelijsten(registry))


def _partijen(afzender: str, ontvanger: str) -> tuple[str | None, str | None]:
    """(gemeente, aanbieder) of a message: a gemeentecode has 4 digits, an AGB code 8."""
    gemeente = next((p for p in (afzender, ontvanger) if len(p) == 4), None)
    aanbieder = next((p for p in (afzender, ontvanger) if len(p) == 8), None)
    return gemeente, aanbieder


def _antwoordtijd(rec: Boeking, nummer: str, heen: dict, tijden: dict[str, Antwoordtijden], profiel: Profiel) -> None:
    if nummer in RETOUR_TERMIJN:
        heen[(rec.afzender, rec.identificatie)] = (nummer, rec.datum)
        return
    if rec.heen is None:
        return
    gevonden = heen.pop((rec.ontvanger, rec.heen), None)
    if gevonden is None:
        return
    h_nummer, h_datum = gevonden
    sleutel = RETOUR_TERMIJN[h_nummer]
    if sleutel not in profiel.termijnen:
        return
    a = tijden.get(h_nummer)
    if a is None:
        retour = "325" if h_nummer == "323" else str(int(h_nummer) + 1)
        a = tijden[h_nummer] = Antwoordtijden(h_nummer, retour, sleutel, profiel.termijnen[sleutel].beschrijving())
    grens = profiel.deadline(sleutel, h_datum)
    k = profiel.kalender
    a.dagen.append((k.werkdagen_between(h_datum, rec.datum), rec.datum > grens))
    a.limieten[k.werkdagen_between(h_datum, grens)] += 1


def _declaratie(rec: Boeking, registry, profiel: Profiel, eerste_301: dict[str, date],
                cellen: dict[tuple[str, str, str], Declaratiecel], gezien: set, catalogus) -> bool:
    """§13.3: every first debet prestatie of a 323, declared on time or late (per aanbieder, gemeente
    and month of delivery), judged as the checker judges TERMIJN.declaratie_323: the deadline runs
    from the end of the month of delivery, or — for care delivered before the toewijzing (crisis,
    sGGZ) — from the date of the first 301.  Credits and corrections (a period declared again) have
    their own deadlines and are left out."""
    from simulator.reader import LeesFout, lees

    if "declaratie_323" not in profiel.termijnen:
        return True
    try:
        m = lees(rec.xml, registry)
    except (LeesFout, ValueError, KeyError):
        return False
    decl = getattr(m, "declaratie", None)
    if decl is None:
        return False
    for cl in decl.clienten:
        for p in cl.prestaties:
            sleutel = (rec.afzender, p.toewijzingnummer, f"{p.periode.begindatum:%Y-%m}")  # a correction: same month
            if p.bedrag_cent < 0 or p.referentie.vorig or sleutel in gezien:
                gezien.add(sleutel)
                continue
            gezien.add(sleutel)
            einde = p.periode.einddatum
            eerste = eerste_301.get(p.toewijzingnummer)
            sggz = _is_sggz(catalogus, p.product.code) and "declaratie_sggz" in profiel.termijnen
            termijn, vanaf = declaratie_termijn(einde, eerste, sggz)
            grens = profiel.deadline(termijn, vanaf)
            cel = cellen[(rec.afzender, rec.ontvanger, f"{p.periode.begindatum:%Y-%m}")]
            cel.prestaties += 1
            cel.te_laat += rec.datum > grens
    return True


def _is_sggz(catalogus, code: str | None) -> bool:
    try:
        return catalogus is not None and bool(code) and any(t.startswith("sggz") for t in catalogus.per_code(code).tags)
    except KeyError:
        return False


def haal_xml(beeld: LedgerBeeld, refs: list[str], budget: int) -> None:
    """Second pass: the XML of the wanted messages, in the order given, up to ``budget`` bytes."""
    gewenst: dict[int, str] = {}
    for ref in refs:
        info = beeld.berichten.get(ref)
        if info is not None and info.seq not in gewenst:
            gewenst[info.seq] = ref
    if not gewenst:
        return
    gevonden: dict[str, bytes] = {}
    for rec in open_ledger(beeld.pad).berichten():
        if rec.seq in gewenst:
            gevonden[gewenst[rec.seq]] = rec.xml
    gebruikt = 0
    for ref in dict.fromkeys(gewenst.values()):
        xml = gevonden.get(ref)
        if xml is None:
            continue
        if gebruikt + len(xml) > budget:
            beeld.xml_weggelaten += 1
            continue
        beeld.xml[ref] = xml
        gebruikt += len(xml)
