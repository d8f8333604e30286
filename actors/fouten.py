"""Fault switches: deliberate deviations of a reference actor, to prove each rule fires.

A run with ``--fault NAAM`` (``RunInstellingen.fouten``) makes the reference actor of the named
role break one rule; ``tests/test_fouten.py`` runs every fault and asserts that exactly the rules
listed here fire, and ``ketensim rules --coverage`` shows which rule a fault test proves.

A fault applies to the first ``hoe_vaak`` opportunities (default: every one) of the run, so one
faulty message stands among correct ones — as with a real system that fails now and then.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fout:
    naam: str
    rol: str  # aanbieder | gemeente
    beschrijving: str
    regels: tuple[str, ...]  # the rules this fault must make fire (and no other)
    scenario: str = "toegang"
    gebeurtenissen: dict[str, float] = field(default_factory=dict)  # special events the test switches on
    hoe_vaak: int = 3
    profiel: str = "mijov-2024"  # the profile the test runs under (a rule of one protocol only)


FOUTEN: dict[str, Fout] = {f.naam: f for f in (
    # -- aanbieder ---------------------------------------------------------------------------
    Fout("laat_302", "aanbieder", "de 302 komt 3 werkdagen na de termijn retour_302", ("TERMIJN.retour_302",)),
    Fout("geen_302", "aanbieder", "op een 301 komt geen 302", ("TERMIJN.retour_302",)),
    Fout("laat_305", "aanbieder", "de 305 komt 3 werkdagen na de termijn start_305 (vanaf de start van de zorg)",
         ("TERMIJN.start_305",)),
    Fout("laat_307", "aanbieder", "de 307 komt 4 werkdagen na de termijn stop_307 (vanaf het einde van de zorg)",
         ("TERMIJN.stop_307",)),
    Fout("305_zonder_301", "aanbieder", "een 305 op een toewijzingnummer dat de aanbieder nooit kreeg",
         ("PROT.305_na_toewijzing", "TR019")),
    Fout("dubbele_305", "aanbieder", "een tweede 305 terwijl de eerste nog actueel is",
         ("PROT.een_actuele_305", "TR326")),
    Fout("307_zonder_305", "aanbieder", "een 307 met een begindatum waarvoor geen 305 actueel is",
         ("PROT.geen_307_zonder_305",)),
    Fout("uren_declareren", "aanbieder", "wat in uren is toegewezen wordt in uren gedeclareerd, niet in minuten",
         ("PROT.eenheid_minuten", "TR341")),
    Fout("laat_323", "aanbieder", "de declaratie van een maand komt 3 werkdagen na de termijn declaratie_323",
         ("TERMIJN.declaratie_323",)),
    Fout("verkeerd_tarief", "aanbieder", "een prestatie met een ander dan het contracttarief", ("TR418",),
         hoe_vaak=2),
    # H-fa: the aanbieder's declaration administration (323 and corrections)
    Fout("periode_voor_ingang", "aanbieder", "een ProductPeriode die op de 1e begint, vóór de ingangsdatum halverwege "
         "de maand (dus ook niet de ingangsdatum als begin)", ("TR307", "TR387")),
    Fout("periode_na_einde", "aanbieder", "een ProductPeriode die tot het einde van de maand loopt, na de einddatum "
         "van de toewijzing (dus ook niet de einddatum als einde)", ("TR308", "TR388")),
    Fout("begindatum_niet_eerste", "aanbieder", "een ProductPeriode die op de 2e van de maand begint", ("TR387",)),
    Fout("einddatum_niet_laatste", "aanbieder", "een ProductPeriode die een dag voor het einde van de maand eindigt",
         ("TR388",)),
    Fout("andere_categorie", "aanbieder", "een prestatie met een andere productcategorie dan toegewezen", ("TR339",)),
    Fout("andere_productcode", "aanbieder", "een prestatie met een andere productcode (zelfde categorie) dan toegewezen",
         ("TR340",)),
    Fout("dubbele_referentie", "aanbieder", "een nieuwe prestatie met het ReferentieNummer van een eerdere", ("TR314",)),
    Fout("declaratie_zonder_toewijzing", "aanbieder", "een extra prestatie op een toewijzingnummer dat de aanbieder "
         "nooit kreeg", ("TR338", "PROT.declaratie_met_toewijzing")),
    Fout("tweede_debet", "aanbieder", "een tweede debetprestatie voor dezelfde toewijzing en ProductPeriode",
         ("TR389",)),
    Fout("credit_zonder_debet", "aanbieder", "een creditprestatie die verwijst naar een nooit verzonden debetprestatie",
         ("TR323",)),
    Fout("dubbele_credit", "aanbieder", "een goedgekeurde prestatie wordt twee keer gecrediteerd (de tweede credit "
         "hoort niet meer bij een goedgekeurde debet)", ("TR323", "TR390"), gebeurtenissen={"correctie": 1.0}),
    Fout("dubbel_declaratienummer", "aanbieder", "een 323 met het DeclaratieNummer van de vorige", ("TR333",)),
    Fout("periode_na_declaratieperiode", "aanbieder", "een 323 waarvan de DeclaratiePeriode een maand te vroeg is: "
         "prestaties vallen erna (TR319); de maand van die prestaties is zo nooit DeclaratiePeriode geweest en de "
         "volgende 323 slaat haar over (TR318)", ("TR319", "TR318")),
    Fout("declaratieperiode_overgeslagen", "aanbieder", "een 323 met de maand na die van haar prestaties als "
         "DeclaratiePeriode: de periode met zorg wordt overgeslagen", ("TR318",)),
    Fout("afgekeurd_laat_gecorrigeerd", "aanbieder", "een prestatie met een verkeerd tarief (afgekeurd) wordt pas na "
         "de termijn correctie_afgekeurd gecorrigeerd", ("TR418", "TERMIJN.correctie_afgekeurd"), hoe_vaak=2),
    Fout("goedgekeurd_laat_gecorrigeerd", "aanbieder", "een goedgekeurde prestatie wordt pas 3 werkdagen na de termijn "
         "correctie_goedgekeurd gecrediteerd en opnieuw gedeclareerd", ("TERMIJN.correctie_goedgekeurd",),
         gebeurtenissen={"correctie": 1.0}),
    Fout("laat_declaratie_sggz", "aanbieder", "sGGZ: de zorg vóór de 301 wordt pas 3 werkdagen na de termijn "
         "declaratie_sggz gedeclareerd", ("TERMIJN.declaratie_sggz",), scenario="sggz"),
    Fout("budget_overschrijden", "aanbieder", "LTA: een prestatie die het budget van de aspecifieke toewijzing "
         "overschrijdt", ("TR369",), scenario="extern", profiel="lta-2021", hoe_vaak=2),
    Fout("start_na_vervaltermijn", "aanbieder", "de zorg start, en de 305 komt, pas op de dag dat de toewijzing "
         "zonder start vervalt (3 maanden)", ("PROT.start_binnen_vervaltermijn",), hoe_vaak=2),
    Fout("volume_boven_omvang", "aanbieder", "een prestatie met meer volume dan de omvang (per week/maand/dag) in "
         "de ProductPeriode toestaat", ("TR321",)),
    Fout("som_boven_omvang", "aanbieder", "crisis: een latere prestatie neemt de hele omvang (totaal binnen de "
         "geldigheidsduur), samen met de eerdere te veel", ("TR322",), scenario="crisis"),
    Fout("onbekende_bsn", "aanbieder", "een 323 met een extra Client (BSN van geen cliënt van de aanbieder) met een "
         "kopie van een prestatie", ("TR304", "TR338", "PROT.declaratie_met_toewijzing"), hoe_vaak=2),
    Fout("declaratie_op_verwijderde", "aanbieder", "een dag zorg gedeclareerd op een toewijzing die de gemeente "
         "verwijderde (RedenWijziging 13; gebeurtenis verwijderen)", ("TR384",), gebeurtenissen={"verwijderen": 1.0}),
    Fout("laat_315", "aanbieder", "de 315 komt 4 werkdagen na de termijn vot_na_intake", ("TERMIJN.vot_na_intake",),
         scenario="extern"),
    Fout("vow_verleden", "aanbieder", "een 317 met een gewenste ingangsdatum in het verleden",
         ("PROT.vow_ingang_toekomst",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    # -- gemeente ----------------------------------------------------------------------------
    Fout("laat_316", "gemeente", "de 316 komt 2 werkdagen na de termijn retour_316", ("TERMIJN.retour_316",), scenario="extern"),
    Fout("geen_306", "gemeente", "op een 305 komt geen 306", ("TERMIJN.retour_306",)),
    Fout("laat_besluit", "gemeente", "de 301 op een 315 komt 4 werkdagen na de termijn besluit_vot", ("TERMIJN.besluit_vot",),
         scenario="extern"),
    Fout("laat_325", "gemeente", "de 325 komt 4 werkdagen na de termijn antwoord_325", ("TERMIJN.antwoord_325",)),
    Fout("laat_308", "gemeente", "de 308 komt 2 werkdagen na de termijn retour_308", ("TERMIJN.retour_308",)),
    Fout("vervallen_na_declaratie", "gemeente", "een toewijzing waarvan de laatste maand net is goedgekeurd laat de "
         "gemeente vervallen (einddatum = ingangsdatum)", ("PROT.vervallen_zonder_declaratie",)),
    Fout("vow_in_delen", "gemeente", "een 317 (omvang) beantwoord met twee 301's: eerst de ingekorte, dan de "
         "nieuwe toewijzing", ("PROT.vow_geheel",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("301_onvolledig", "gemeente", "een 301 zonder een nog geldige, ongewijzigde toewijzing van de cliënt",
         ("PROT.301_volledig",), scenario="extern", gebeurtenissen={"verlenging_via_315": 1.0}),
    Fout("vow_terugwerkend", "gemeente", "op een 317 begint de nieuwe toewijzing een week vóór de 301",
         ("PROT.vow_niet_terugwerkend",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("dubbele_identificatie", "gemeente", "een 301 met de BerichtIdentificatie van de vorige 301 aan die aanbieder "
         "(ook RETOUR.een_op_een: de 302 daarop verwijst naar dezelfde identificatie als de eerste 302)",
         ("TR056", "RETOUR.een_op_een")),
    Fout("retour_niet_schemavalide", "gemeente", "een 306 met een element dat de XSD niet kent (daarna de juiste 306)",
         ("XSD",)),
    Fout("wmo317_toekennen", "gemeente", "een WMO317 wordt toegekend in plaats van afgewezen",
         ("PROT.afwijzen_wmo317",), gebeurtenissen={"wmo317": 1.0}),
    Fout("dubbele_afwijzing", "gemeente", "een afwijzende 319 wordt een werkdag later nog eens gestuurd",
         ("TR365",), gebeurtenissen={"wmo315": 1.0}),
    Fout("dubbel_in_onderzoek", "gemeente", "na een 319 'in onderzoek' komt een tweede 319 'in onderzoek'",
         ("TR360",), scenario="extern", gebeurtenissen={"vot_onderzoek": 1.0}),
    Fout("afwijzing_na_toewijzing", "gemeente", "een 319 'afgewezen' een werkdag na de 301 op hetzelfde verzoek "
         "(ook TR365: een tweede antwoord dat niet op 'in onderzoek' volgt)", ("TR359", "TR365"), scenario="extern"),
    Fout("laat_na_onderzoek", "gemeente", "na 'in onderzoek' komt de 301/319 5 werkdagen na de termijn onderzoek",
         ("TERMIJN.onderzoek",), scenario="extern", gebeurtenissen={"vot_onderzoek": 1.0}),
    Fout("woonplaats_zonder_gemeente", "gemeente", "een Jw319 afgewezen op woonplaatsbeginsel zonder de "
         "verantwoordelijke gemeente", ("TERMIJN.woonplaatsbeginsel",), scenario="extern",
         gebeurtenissen={"woonplaatsbeginsel": 1.0}),
    Fout("laat_toewijzing_toegang", "gemeente", "de 301 komt 3 werkdagen na de termijn toewijzing_toegang",
         ("TERMIJN.toewijzing_toegang",)),
    Fout("laat_bevestiging_zonder_bsn", "gemeente", "de ontvangstbevestiging van een melding zonder BSN komt "
         "3 werkdagen na de termijn afhandeling_zonder_bsn", ("TERMIJN.afhandeling_zonder_bsn",), scenario="zonder_bsn"),
    Fout("laat_318", "gemeente", "de 318 komt 2 werkdagen na de termijn retour_318", ("TERMIJN.retour_318",), scenario="extern",
         gebeurtenissen={"vow": 1.0}),
    Fout("laat_besluit_vow", "gemeente", "het besluit (301/319) op een 317 komt 4 werkdagen na de termijn besluit_vow",
         ("TERMIJN.besluit_vow",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("325_half", "gemeente", "een 325 die een regel half toekent (totaal toegekend klopt niet)",
         ("PROT.325_volledig",)),
    Fout("code_zonder_oorzaak", "gemeente", "een 306 met retourcode 9019 op een juiste 305",
         ("RETOUR.code_zonder_oorzaak",)),
    Fout("aspecifiek_met_code", "gemeente", "een aspecifieke toewijzing (LTA) met een productcode",
         ("PROT.aspecifiek_gevuld",), scenario="extern", profiel="lta-2021"),
    Fout("wmo315_toekennen", "gemeente", "een WMO315 wordt toegewezen in plaats van afgewezen",
         ("PROT.afwijzen_wmo315",), gebeurtenissen={"wmo315": 1.0}),
    # -- C3: profile keys that drive behaviour ----------------------------------------------
    Fout("toewijzing_te_lang", "gemeente", "een toewijzing loopt een maand langer dan de maximale toewijzingsduur "
         "van het profiel", ("PROT.toewijzingsduur",), hoe_vaak=2),
)}


#: rules proven by a faulty system under test rather than a reference-actor switch (tests/test_sut_hostile.py:
#: a hanging, crashing or garbage-answering SUT fires it; the example SUT's clean run keeps it silent)
SUT_FOUTEN = {"SUT.lockstep": ["sut:hang", "sut:gesloten_poort", "sut:http_500", "sut:onleesbaar"]}


def dekking() -> dict[str, list[str]]:
    """Rule id → the faults whose test proves it fires."""
    uit: dict[str, list[str]] = {r: list(n) for r, n in SUT_FOUTEN.items()}
    for f in FOUTEN.values():
        for r in f.regels:
            uit.setdefault(r, []).append(f.naam)
    return uit
