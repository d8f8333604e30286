"""The rule catalogue: every rule the checker judges, with a stable id, a one-line statement, its
source, the messages it concerns, its severity, the role that must keep it and — for a rule the
receiver enforces — the retourcode the receiver must use.

Three kinds of rules:

* ``TERMIJN.<key>`` — a deadline of the protocol; the amount comes from the profile (so the rule
  text and its source follow the profile the checks run with);
* ``PROT.<name>`` — a state rule of the regional protocol (Annex 4) that spans messages;
* ``TR###`` — an iStandaarden technische regel, "berichtoverstijgend" (across messages; and TR416,
  the in-message twin of TR389); its official title, controleniveau and retourcode are read from the
  schema folder's ``regels.csv`` at run time;
* ``RETOUR.<name>`` / ``XSD`` — the retour discipline and the technical validity of each message.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from simulator.profiel import Profiel
from simulator.schemas import IJW, SchemaRegistry

FOUT, WAARSCHUWING = "fout", "waarschuwing"
AANBIEDER, GEMEENTE, ZENDER, ONTVANGER, SUT = "aanbieder", "gemeente", "zender", "ontvanger", "sut"


@dataclass(frozen=True)
class Regel:
    id: str
    stelling: str
    bron: str
    berichten: tuple[str, ...]
    rol: str  # who must keep it: aanbieder | gemeente | zender | ontvanger
    ernst: str = FOUT
    retourcode: str | None = None  # the code a receiver uses when the rule is broken
    profielsleutel: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, ())} | {"berichten": list(self.berichten)}


# -- deadlines: profile key → (role, messages, what must happen) -----------------------------
TERMIJNEN: dict[str, tuple[str, tuple[str, ...], str]] = {
    "retour_302": (AANBIEDER, ("301", "302"), "de aanbieder stuurt een 302 op iedere 301"),
    "retour_306": (GEMEENTE, ("305", "306"), "de gemeente stuurt een 306 op iedere 305"),
    "retour_308": (GEMEENTE, ("307", "308"), "de gemeente stuurt een 308 op iedere 307"),
    "retour_316": (GEMEENTE, ("315", "316"), "de gemeente stuurt een 316 op iedere 315"),
    "retour_318": (GEMEENTE, ("317", "318"), "de gemeente stuurt een 318 op iedere 317"),
    "retour_320": (AANBIEDER, ("319", "320"), "de aanbieder stuurt een 320 op iedere 319"),
    "besluit_vot": (GEMEENTE, ("315", "301", "319"), "de gemeente beantwoordt een 315 met een 301 of 319"),
    "besluit_vow": (GEMEENTE, ("317", "301", "319"), "de gemeente beantwoordt een 317 met een 301 of 319"),
    "onderzoek": (GEMEENTE, ("315", "317", "319", "301"),
                  "na 319 'aanvraag in onderzoek' volgt een 301 of een 319 'afgewezen'"),
    "woonplaatsbeginsel": (GEMEENTE, ("315", "319"),
                           "een afwijzing op het woonplaatsbeginsel (met de verantwoordelijke gemeente)"),
    "toewijzing_toegang": (GEMEENTE, ("301",), "de gemeente stuurt de 301 na verwijzing door de toegang"),
    "vot_na_intake": (AANBIEDER, ("315",), "de aanbieder stuurt de 315 na de intake"),
    "vot_sggz": (AANBIEDER, ("315",), "sGGZ: de aanbieder stuurt de 315 na start diagnostiek"),
    "vot_crisis": (AANBIEDER, ("315",), "crisis: de aanbieder stuurt de 315 na het eerste cliëntcontact"),
    "start_305": (AANBIEDER, ("305",), "de aanbieder stuurt de 305 na de start van de zorg"),
    "start_305_terugwerkend": (AANBIEDER, ("301", "305"),
                               "bij een toewijzing met terugwerkende kracht: 305 na ontvangst van de 301"),
    "start_305_sggz": (AANBIEDER, ("301", "305"), "sGGZ: de aanbieder stuurt de 305 na ontvangst van de 301"),
    "stop_307": (AANBIEDER, ("307",), "de aanbieder stuurt de 307 na het einde van de zorg"),
    "stop_307_tijdelijk": (AANBIEDER, ("307",), "de aanbieder meldt een tijdelijke stop (reden 'tijdelijk beëindigd')"),
    "declaratie_323": (AANBIEDER, ("323",), "de aanbieder declareert een maand uiterlijk aan het einde van de volgende maand"),
    "declaratie_sggz": (AANBIEDER, ("301", "323"), "sGGZ: de aanbieder declareert na ontvangst van de 301"),
    "antwoord_325": (GEMEENTE, ("323", "325"), "de gemeente beantwoordt iedere 323 met een 325"),
    "correctie_afgekeurd": (AANBIEDER, ("325", "323"),
                            "een afgekeurde regel wordt in dezelfde of de direct volgende periode gecorrigeerd"),
    "correctie_goedgekeurd": (AANBIEDER, ("325", "323"), "een goedgekeurde regel wordt gecorrigeerd (credit)"),
    "afhandeling_zonder_bsn": (GEMEENTE, (), "de gemeente bevestigt een melding buiten het berichtenverkeer"),
}
# Not a TERMIJN rule: the profile key ``toewijzing_vervalt`` (3 months without a 305) asks no message by a
# date — the toewijzing simply lapses.  A 305 or declaration on a lapsed toewijzing is the deviation, and
# PROT.start_binnen_vervaltermijn judges it with that key; a TERMIJN rule as well would fire twice for one.

_PROT = [
    Regel("PROT.een_actuele_305", "Bij een toewijzing is hoogstens één startbericht (305) actueel.",
          "Annex 4 §6.1", ("305",), AANBIEDER),
    Regel("PROT.geen_307_zonder_305", "Zonder startbericht (305) kan niet gestopt worden (307).",
          "Annex 4 §6.1", ("305", "307"), AANBIEDER),
    Regel("PROT.305_na_toewijzing", "Een startbericht hoort bij een toewijzing (301) die de aanbieder ontving.",
          "Annex 4 §4, §5; TR019", ("301", "305"), AANBIEDER),
    Regel("PROT.start_binnen_vervaltermijn", "Een toewijzing zonder 305 binnen drie maanden is vervallen: er wordt "
          "niet meer op gestart of gedeclareerd.", "Annex 4 §5", ("301", "305", "323"), AANBIEDER,
          profielsleutel="toewijzing_vervalt"),
    Regel("PROT.declaratie_met_toewijzing", "Er wordt alleen gedeclareerd op een toewijzing die de aanbieder "
          "ontving (crisis: na de 301 met terugwerkende kracht).", "Annex 4 §5, Bijlage 1.5", ("301", "323"), AANBIEDER),
    Regel("PROT.eenheid_minuten", "Wat in uren is toegewezen wordt in minuten gedeclareerd; andere eenheden in de "
          "toegewezen eenheid.", "Annex 4 §7 voetnoot 13", ("301", "323"), AANBIEDER),
    Regel("PROT.325_volledig", "De gemeente keurt iedere declaratieregel 100 % goed of af; het antwoord bevat de "
          "afgekeurde regels en de juiste totalen.", "Annex 4 §7.1; IV087", ("323", "325"), GEMEENTE),
    Regel("PROT.vow_ingang_toekomst", "De gewenste ingangsdatum van een verzoek om wijziging ligt in de toekomst.",
          "Annex 4 §8.1", ("317",), AANBIEDER, ernst=WAARSCHUWING),
    Regel("PROT.vow_niet_terugwerkend", "Op een verzoek om wijziging wijst de gemeente niet met terugwerkende "
          "kracht toe.", "Annex 4 §8.1", ("317", "301"), GEMEENTE, profielsleutel="vow_terugwerkend_toewijzen"),
    Regel("PROT.vow_geheel", "Op een verzoek om wijziging volgt voor het hele verzoek één 301 of één 319.",
          "Annex 4 §2.3", ("317", "301", "319"), GEMEENTE, profielsleutel="vow_alleen_geheel"),
    Regel("PROT.vervallen_zonder_declaratie", "Een toewijzing vervalt (einddatum = ingangsdatum) alleen als er "
          "nog niet op gedeclareerd is.", "Annex 4 §8.2; TR385", ("301", "323"), GEMEENTE,
          profielsleutel="vervallen_alleen_zonder_declaratie"),
    Regel("PROT.toewijzingsduur", "Een toewijzing loopt hoogstens de maximale toewijzingsduur vanaf haar "
          "ingangsdatum (tenzij het profiel de einddatum vastlegt, zoals bij aspecifiek toewijzen).", "Annex 4 §4.1",
          ("301",), GEMEENTE, profielsleutel="maximale_toewijzingsduur"),
    Regel("PROT.verlenging_eenmaal", "Een aanbieder vraagt op basis van een toewijzing hoogstens één keer verlenging "
          "aan met een 315; nooit voor crisis of diagnostiek.", "Annex 4 §4.1", ("315",), AANBIEDER,
          profielsleutel="max_verlengingen_via_315"),
    Regel("PROT.verlenging_medisch_verwijzer", "Een aanbieder vraagt alleen verlenging aan met een 315 wanneer "
          "sprake is van een medisch verwijzer (o.a. huisarts, medisch specialist).", "Annex 4 §8.2", ("315",),
          AANBIEDER, profielsleutel="verlenging_via_315_verwijzers"),
    Regel("PROT.afwijzen_wmo315", "De gemeente wijst een WMO315 af.", "Annex 4 §4 (aanvulling)", ("315", "319"),
          GEMEENTE, profielsleutel="wmo315_afwijzen"),
    Regel("PROT.afwijzen_wmo317", "De gemeente wijst een WMO317 af.", "Annex 4 §8.1", ("317", "319"), GEMEENTE,
          profielsleutel="wmo317_afwijzen"),
    Regel("PROT.afwijzen_gi_bepaling", "De gemeente wijst een 315 af voor hulp op basis van een bepaling jeugdhulp "
          "door een gecertificeerde instelling.", "Annex 4 §4, §11", ("315", "319"), GEMEENTE,
          profielsleutel="gi_bepaling_315_afwijzen"),
    Regel("PROT.onderaannemer_stuurt_niet", "Een onderaannemer stuurt geen start-, stop- of declaratieberichten "
          "(305, 307, 323): de hoofdaannemer meldt de start en de stop van de zorg bij beide en declareert voor "
          "beide. (Een 315 van een onderaannemer wijst de gemeente af: PROT.afwijzen_onderaannemer.)",
          "Annex 4 §11.2, §11.3", ("305", "307", "323"), AANBIEDER),
    Regel("PROT.afwijzen_onderaannemer", "De gemeente wijst een 315 af van een onderaannemer die zij kent: een "
          "niet-gecontracteerde derde, ingezet na afstemming met haar toegang (§11).", "Annex 4 §11, §11.1",
          ("315", "319"), GEMEENTE, profielsleutel="onderaannemer_315_afwijzen"),
    Regel("PROT.afwijzen_geen_contract", "De gemeente wijst een 315 af van een aanbieder die zij voor dat domein "
          "niet gecontracteerd heeft.", "Annex 4 §4 (gecontracteerde aanbieder en contract)", ("315", "319"),
          GEMEENTE, profielsleutel="contract_315_afwijzen"),
    Regel("PROT.afwijzen_stapeling", "De gemeente wijst een 315 af voor een product dat de cliënt bij die aanbieder "
          "al toegewezen heeft in een overlappende periode (stapeling).", "Annex 4 §4 (stapeling van producten)",
          ("315", "319"), GEMEENTE, profielsleutel="stapeling_315_afwijzen"),
    Regel("PROT.specifiek_gevuld", "Bij specifiek toewijzen zijn productcategorie, productcode, eenheid, volume en "
          "frequentie gevuld (en in 305/307 categorie en code).", "Annex 4 §3, §4, §5, §6.1",
          ("315", "301", "305", "307"), ZENDER),
    Regel("PROT.aspecifiek_gevuld", "Bij aspecifiek toewijzen (profiel [toewijzing]) is alleen de productcategorie "
          "gevuld, met budget waar het profiel dat voorschrijft, zonder productcode en omvang (ook in 305/307); de "
          "einddatum volgt uit het verzoek om toewijzing (LTA: 365 dagen na de VOT).", "VNG LTA 2021 §2.1.1 tabel 1",
          ("315", "301", "305", "307"), ZENDER),
    Regel("PROT.301_volledig", "Een 301 bevat alle toewijzingen van de cliënt bij die aanbieder die op of na de "
          "aanmaakdatum geldig zijn, plus de gewijzigde.", "Annex 4 §5", ("301",), GEMEENTE),
]

_RETOUR = [
    Regel("SUT.lockstep", "Een systeem onder test beantwoordt iedere toegekende werkdag (klok) binnen de time-out en "
          "neemt de berichten van die dag aan; anders zijn zijn termijnen van die dagen niet te beoordelen.",
          "ketensim SUT-API v1 (docs/sut-api.yaml, docs/sut.md)", (), SUT),
    Regel("XSD", "Ieder bericht is technisch in orde (UTF-8, geen BOM/DTD, welgevormd) en valideert tegen zijn XSD.",
          "iStandaarden iJw/iWmo 3.2 XSD; IV028 controleniveau 1", (), ZENDER),
    Regel("RETOUR.een_op_een", "Een retourbericht beantwoordt precies één eerder ontvangen heenbericht waarnaar het "
          "verwijst (IdentificatieRetour hoort bij de header van dat heenbericht); ieder heenbericht krijgt er één.",
          "IV028; OP090", ("302", "306", "308", "316", "318", "320", "325"), ONTVANGER),
    Regel("RETOUR.code_zonder_oorzaak", "Een retourcode die een afkeur aangeeft hoort bij een regel die het "
          "heenbericht werkelijk breekt.", "IV028", ("302", "306", "308", "316", "318", "320", "325"), ONTVANGER),
    Regel("RETOUR.oorzaak_zonder_code", "Breekt een heenbericht een regel die de ontvanger afdwingt, dan staat de "
          "retourcode van die regel in het retourbericht.", "IV028",
          ("302", "306", "308", "316", "318", "320", "325"), ONTVANGER),
]

#: iStandaarden TRs the checker judges (every berichtoverstijgende one of iJw/iWmo 3.2), and who must keep each
_TR_ROL: dict[str, str] = {
    "TR019": AANBIEDER, "TR056": ZENDER, "TR063": AANBIEDER, "TR071": AANBIEDER, "TR074": AANBIEDER,
    "TR304": AANBIEDER, "TR307": AANBIEDER, "TR308": AANBIEDER, "TR314": AANBIEDER, "TR318": AANBIEDER,
    "TR319": AANBIEDER, "TR321": AANBIEDER, "TR322": AANBIEDER, "TR323": AANBIEDER, "TR326": AANBIEDER,
    "TR332": GEMEENTE, "TR333": AANBIEDER, "TR337": GEMEENTE, "TR338": AANBIEDER, "TR339": AANBIEDER,
    "TR340": AANBIEDER, "TR341": AANBIEDER, "TR347": AANBIEDER, "TR349": AANBIEDER, "TR350": AANBIEDER,
    "TR351": AANBIEDER, "TR355": GEMEENTE, "TR357": AANBIEDER, "TR359": GEMEENTE, "TR360": GEMEENTE,
    "TR361": AANBIEDER, "TR365": GEMEENTE, "TR366": GEMEENTE, "TR367": GEMEENTE, "TR369": AANBIEDER,
    "TR373": AANBIEDER, "TR374": AANBIEDER, "TR375": AANBIEDER, "TR376": GEMEENTE, "TR379": GEMEENTE,
    "TR382": AANBIEDER, "TR384": AANBIEDER, "TR385": GEMEENTE, "TR387": AANBIEDER, "TR388": AANBIEDER,
    "TR389": AANBIEDER, "TR390": AANBIEDER, "TR411": AANBIEDER, "TR412": AANBIEDER, "TR413": AANBIEDER,
    "TR414": AANBIEDER, "TR415": AANBIEDER, "TR418": AANBIEDER, "TR371": GEMEENTE,
    # not berichtoverstijgend but "bericht inhoud (xslt)": two debits for one ProductPeriode within one 323
    # (TR389 is the same across messages); regels.csv lists it for WMO323 only, also in the iJw release
    "TR416": AANBIEDER,
}


@cache
def _tr_csv(pad: Path) -> dict[str, dict[str, str]]:
    with pad.open(encoding="utf-8", newline="") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def tr_regels(registry: SchemaRegistry) -> list[Regel]:
    """The TRs the checker judges, with the official title, controleniveau and retourcode from regels.csv."""
    rijen = _tr_csv(registry.root / IJW.map / "regels" / "regels.csv")
    uit = []
    for tr, rol in _TR_ROL.items():
        r = rijen.get(tr, {})
        # the message numbers, from JW… names (or WMO… where the row names only those, as for TR416)
        berichten = tuple(dict.fromkeys(b.removeprefix("JW").removeprefix("WMO") for b in r.get("berichten", "").split()))
        niveau = r.get("controleniveau") or "berichtoverstijgend"
        uit.append(Regel(tr, r.get("titel", "(titel niet in regels.csv)").strip(), f"iStandaarden {tr} ({niveau})",
                         berichten, rol, retourcode=r.get("retourcode") or None))
    return uit


def termijnregels(profiel: Profiel) -> list[Regel]:
    uit = []
    for sleutel, (rol, berichten, wat) in TERMIJNEN.items():
        d = profiel.termijnen.get(sleutel)
        if d is None:
            continue
        uit.append(Regel(f"TERMIJN.{sleutel}", f"{wat}: binnen {d.beschrijving()}.", d.bron, berichten, rol,
                         profielsleutel=sleutel))
    return uit


def catalogus(profiel: Profiel, registry: SchemaRegistry) -> dict[str, Regel]:
    """Every rule, by id, for this profile (deadline texts and sources follow the profile)."""
    regels = termijnregels(profiel) + [_met_bron(r, profiel) for r in _PROT] + _RETOUR + tr_regels(registry)
    return {r.id: r for r in regels}


#: profile rules whose rule is switched off by ``true`` (the others: by ``false``)
_UIT_BIJ_WAAR = frozenset({"vow_terugwerkend_toewijzen"})


def uit_in_profiel(r: Regel, profiel: Profiel) -> bool:
    """The profile switches this rule off (e.g. ``wmo317_afwijzen = false``): the checker does not judge
    it, so its verdict is "not applicable", and the reference actors do what it would forbid."""
    regel = profiel.regels.get(r.profielsleutel or "")
    if regel is None or not isinstance(regel.waarde, bool):
        return False
    return regel.waarde == (r.profielsleutel in _UIT_BIJ_WAAR)


def _met_bron(r: Regel, profiel: Profiel) -> Regel:
    """A profile rule's source is the profile's own ``bron`` for it, when it has one; a rule the profile
    switches off says so, with the key and value as the reason."""
    if r.profielsleutel and r.profielsleutel in profiel.regels:
        regel = profiel.regels[r.profielsleutel]
        r = replace(r, bron=regel.bron)
        if uit_in_profiel(r, profiel):
            r = replace(r, stelling=f"{r.stelling} Uit in profiel {profiel.naam} ({r.profielsleutel} = "
                                    f"{str(regel.waarde).lower()}): niet beoordeeld.")
    return r
