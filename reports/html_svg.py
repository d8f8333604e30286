"""SVG drawings of the HTML report, drawn by the project (no chart library): the sequence diagram of
one client trajectory and the histogram of days-to-answer of one message type.

Every piece of text is escaped; the result is :class:`markupsafe.Markup` for the template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

ROOD, GRIJS, BLAUW, INKT = "#c62828", "#9e9e9e", "#1565c0", "#212121"


def anker(soort: str, tekst: str) -> str:
    """An HTML id: ``soort-`` plus the text with anything but letters, digits, ``_`` and ``-`` as ``-``."""
    return f"{soort}-{re.sub(r'[^A-Za-z0-9_-]', '-', tekst)}"


@dataclass(frozen=True)
class Lijn:
    """A lane of the sequence diagram: one party."""

    sleutel: str  # the code as the ledger names it: gemeentecode, AGB, "huisarts", "toegang X"
    rol: str  # verwijzer | toegang | gemeente | aanbieder | school
    naam: str


@dataclass(frozen=True)
class Pijl:
    """One row: a message (van → naar) or an event (van only, ``naar`` None)."""

    van: str
    naar: str | None
    label: str
    datum: date
    href: str | None = None  # link target (message viewer)
    fout: str | None = None  # rule ids of the deviations on this row
    uitleg: str = ""  # tooltip
    stippel: bool = False


def _t(x: float, y: float, tekst: str, **attr: str) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attr.items())
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{escape(tekst)}</text>'


def volgordediagram(id_: str, titel: str, lijnen: list[Lijn], rijen: list[Pijl], weggelaten: int = 0) -> Markup:
    """A sequence diagram: parties as vertical lanes, messages as arrows in time order, labelled
    with type and date; deviations in red with their rule ids; events as dots on their lane."""
    breedte_lijn, links, boven, hoog, rechts = 250, 10, 60, 32, 230
    x = {l.sleutel: links + breedte_lijn * i + breedte_lijn / 2 for i, l in enumerate(lijnen)}
    w = links + rechts + breedte_lijn * max(1, len(lijnen))
    extra = 14  # a row with a deviation gets a second line for its rule ids
    h = boven + hoog * (len(rijen) + (1 if weggelaten else 0)) + extra * sum(1 for r in rijen if r.fout) + 20
    pijl_id = anker("pijl", id_)
    rood_id = anker("pijlrood", id_)
    uit = [f'<svg xmlns="http://www.w3.org/2000/svg" class="volgorde" id="{escape(anker("svg", id_))}" '
           f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(titel)}">',
           f'<title>{escape(titel)}</title>',
           '<defs>'
           f'<marker id="{pijl_id}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
           f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INKT}"/></marker>'
           f'<marker id="{rood_id}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
           f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ROOD}"/></marker>'
           '</defs>']
    for l in lijnen:
        cx = x[l.sleutel]
        uit.append(f'<rect x="{cx - 110:.0f}" y="4" width="220" height="38" rx="4" fill="#eceff1" stroke="{GRIJS}"/>')
        uit.append(_t(cx, 20, l.rol, text_anchor="middle", font_weight="bold", font_size="12"))
        uit.append(_t(cx, 35, l.naam[:34], text_anchor="middle", font_size="11"))
        uit.append(f'<line x1="{cx:.0f}" y1="42" x2="{cx:.0f}" y2="{h - 8}" stroke="{GRIJS}" stroke-dasharray="4 3"/>')
    y = boven + 10 - hoog
    for r in rijen:
        y += hoog
        kleur = ROOD if r.fout else INKT
        label = f"{r.label} · {r.datum:%d-%m-%Y}"
        foutlabel = f"✗ {r.fout}" if r.fout else ""
        stuk = [f'<title>{escape(r.uitleg or label)}</title>']
        x1 = x.get(r.van)
        x2 = x.get(r.naar) if r.naar else None
        if x1 is None:
            continue
        if x2 is not None and x2 != x1:
            marker = rood_id if r.fout else pijl_id
            streep = ' stroke-dasharray="5 3"' if r.stippel else ""
            stuk.append(f'<line x1="{x1:.0f}" y1="{y}" x2="{x2:.0f}" y2="{y}" stroke="{kleur}" '
                        f'stroke-width="{2.5 if r.fout else 1.4}"{streep} '
                        f'marker-end="url(#{marker})"/>')
            stuk.append(_t((x1 + x2) / 2, y - 4, label, text_anchor="middle", font_size="11", fill=kleur,
                           font_weight="bold" if r.fout else "normal"))
            if foutlabel:
                stuk.append(_t((x1 + x2) / 2, y + 13, foutlabel, text_anchor="middle", font_size="11", fill=ROOD,
                               font_weight="bold", class_="regel-id"))
        else:
            stuk.append(f'<circle cx="{x1:.0f}" cy="{y}" r="4" fill="{kleur if r.fout else GRIJS}"/>')
            stuk.append(_t(x1 + 8, y + 4, label, font_size="11", fill=kleur, font_style="italic"))
            if foutlabel:
                stuk.append(_t(x1 + 8, y + 17, foutlabel, font_size="11", fill=ROOD, font_weight="bold",
                               class_="regel-id"))
        if r.fout:
            y += extra
        inhoud = "".join(stuk)
        klasse = "rij fout" if r.fout else "rij"
        if r.href:
            uit.append(f'<a href="#{escape(r.href)}" class="{klasse}">{inhoud}</a>')
        else:
            uit.append(f'<g class="{klasse}">{inhoud}</g>')
    if weggelaten:
        y += hoog
        uit.append(_t(links, y, f"… {weggelaten} latere regel(s) niet getekend", font_size="11", fill=GRIJS))
    uit.append("</svg>")
    return Markup("".join(uit))


def histogram(id_: str, titel: str, dagen: list[tuple[int, bool]], limiet: int | None, max_dag: int = 30) -> Markup:
    """Days-to-answer as bars (answers on time in blue, late in red) with the deadline as a line."""
    w, h, links, onder, boven = 460, 210, 40, 34, 26
    bovengrens = max_dag if limiet is None else max(min(max_dag, 3 * limiet + 3), limiet + 3)
    op_tijd = [0] * (bovengrens + 1)
    laat = [0] * (bovengrens + 1)
    for d, te_laat in dagen:
        i = min(max(d, 0), bovengrens)
        (laat if te_laat else op_tijd)[i] += 1
    hoogste = max([a + b for a, b in zip(op_tijd, laat)] + [1])
    bw = (w - links - 10) / (bovengrens + 1)
    ph = h - onder - boven
    uit = [f'<svg xmlns="http://www.w3.org/2000/svg" class="grafiek" id="{escape(anker("grafiek", id_))}" '
           f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(titel)}">',
           f'<title>{escape(titel)}</title>',
           _t(links, 16, titel, font_size="12", font_weight="bold"),
           f'<line x1="{links}" y1="{h - onder}" x2="{w - 10}" y2="{h - onder}" stroke="{INKT}"/>',
           f'<line x1="{links}" y1="{boven}" x2="{links}" y2="{h - onder}" stroke="{INKT}"/>',
           _t(links - 4, boven + 8, str(hoogste), text_anchor="end", font_size="10"),
           _t(links - 4, h - onder, "0", text_anchor="end", font_size="10")]
    for i in range(bovengrens + 1):
        x0 = links + i * bw + 1
        y = h - onder
        for n, kleur in ((op_tijd[i], BLAUW), (laat[i], ROOD)):
            if n:
                bh = ph * n / hoogste
                y -= bh
                uit.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(bw - 2, 1):.1f}" height="{bh:.1f}" fill="{kleur}">'
                           f'<title>{i}{"+" if i == bovengrens else ""} werkdagen: {n} '
                           f'{"te laat" if kleur == ROOD else "op tijd"}</title></rect>')
        if i % max(1, (bovengrens + 1) // 10) == 0 or i == bovengrens:
            uit.append(_t(x0 + bw / 2, h - onder + 13, f"{i}{'+' if i == bovengrens else ''}", text_anchor="middle",
                          font_size="10"))
    uit.append(_t((w + links) / 2, h - 6, "werkdagen tot het antwoord", text_anchor="middle", font_size="11"))
    if limiet is not None and limiet <= bovengrens:
        lx = links + (limiet + 1) * bw
        uit.append(f'<line class="termijnlijn" x1="{lx:.1f}" y1="{boven - 4}" x2="{lx:.1f}" y2="{h - onder}" '
                   f'stroke="{ROOD}" stroke-width="2" stroke-dasharray="6 3"/>')
        uit.append(_t(lx + 3, boven + 4, f"termijn {limiet}", font_size="10", fill=ROOD))
    uit.append("</svg>")
    return Markup("".join(uit))
