"""``ketensim sut-check URL``: a handshake with a SUT's HTTP endpoint before a long run.

Speaks the SUT API v1 (docs/sut-api.yaml) itself with http.client: GET info, PUT a run, POST one
example message to the inbox (for an aanbieder also one care event: POST zorg), POST the clock, GET
the outbox, DELETE the run. Every step is judged
and the list of what is wrong is printed; exit code 0 when everything is right, 1 otherwise.
Nothing the SUT answers escapes as a traceback: each failure is a finding with a reason.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import uuid
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from .cli_typen import positief_getal

EXIT_OK, EXIT_FOUT, EXIT_USAGE = 0, 1, 2
BASIS = "/ketensim/v1"
MAX_ANTWOORD = 10 * 1024 * 1024
DATUM = date(2026, 4, 1)   # a werkdag
AANBIEDER = "42420001"    # the aanbieder sending the example 315, contracted in the PUT


@dataclass
class Bevinding:
    stap: str
    ok: bool
    tekst: str


@dataclass
class Antwoord:
    status: int
    content_type: str
    body: bytes

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


class Verbinding:
    """One HTTP call at a time to the SUT; failures are returned as text, never raised."""

    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        delen = urlsplit(url)
        if delen.scheme not in ("http", "https") or not delen.hostname:
            raise ValueError(f"geen http(s)-URL: {url!r}")
        self.schema, self.host, self.port = delen.scheme, delen.hostname, delen.port
        self.prefix = delen.path.rstrip("/")
        self.token, self.timeout = token, timeout
        self.aanroepen: list[tuple[str, str, str | None]] = []  # (methode, pad, content-type) for tests

    def roep(self, methode: str, pad: str, body: bytes | None = None,
             content_type: str | None = None) -> Antwoord | str:
        klasse = http.client.HTTPSConnection if self.schema == "https" else http.client.HTTPConnection
        conn = klasse(self.host, self.port, timeout=self.timeout)
        koppen = {"Accept": "application/json"}
        if content_type:
            koppen["Content-Type"] = content_type
        if self.token:
            koppen["Authorization"] = f"Bearer {self.token}"
        self.aanroepen.append((methode, pad, content_type))
        try:
            conn.request(methode, self.prefix + pad, body=body, headers=koppen)
            r = conn.getresponse()
            data = r.read(MAX_ANTWOORD + 1)
            if len(data) > MAX_ANTWOORD:
                return f"antwoord groter dan {MAX_ANTWOORD} bytes"
            return Antwoord(r.status, (r.getheader("Content-Type") or "").split(";")[0].strip().lower(), data)
        except (socket.timeout, TimeoutError):
            return f"geen antwoord binnen {self.timeout:g} s"
        except ConnectionRefusedError:
            return f"verbinding geweigerd ({self.host}:{self.port}): draait de SUT en luistert hij op deze poort?"
        except (OSError, http.client.HTTPException) as exc:
            return f"verbindingsfout: {type(exc).__name__}: {exc}"
        finally:
            conn.close()


def _json_antwoord(stap: str, a: Antwoord | str, verwacht: int) -> tuple[object | None, Bevinding | None]:
    """The JSON body of a call that must answer `verwacht`, or the finding of what is wrong."""
    if isinstance(a, str):
        return None, Bevinding(stap, False, a)
    if a.status != verwacht:
        return None, Bevinding(stap, False, f"HTTP {a.status}, verwacht {verwacht}: {a.body[:300]!r}")
    if a.content_type != "application/json":
        return None, Bevinding(stap, False, f"Content-Type {a.content_type or '(geen)'}, verwacht application/json")
    try:
        return a.json(), None
    except (UnicodeDecodeError, ValueError):
        return None, Bevinding(stap, False, f"body is geen JSON: {a.body[:300]!r}")


def _voorbeeldbericht(rol: str, code: str, schemas: str | None) -> tuple[bytes, dict | None]:
    """A schema-valid example message for the SUT's role — a 315 to a gemeente, a 301 to an aanbieder —
    and for an aanbieder a care event (POST zorg): the intake of the 301's client."""
    import dataclasses

    from simulator.genereer import genereer
    from simulator.render import render
    from simulator.schemas import SchemaRegistry
    registry = SchemaRegistry.load(schemas)
    bericht = genereer("JW315" if rol == "gemeente" else "JW301", 1, registry)
    afzender = AANBIEDER if rol == "gemeente" else "0200"
    header = dataclasses.replace(bericht.header, afzender=afzender, ontvanger=code, dagtekening=DATUM)
    xml = render(dataclasses.replace(bericht, header=header), registry)
    if rol == "gemeente":
        return xml, None
    c, tp = bericht.client, bericht.client.producten[0]
    intake = {
        "soort": "intake", "datum": DATUM.isoformat(), "gemeente": "0200", "bsn": c.bsn, "standaard": "iJw",
        "client": {"bsn": c.bsn, "geslachtsnaam": c.naam.geslachtsnaam, "voorvoegsel": c.naam.voorvoegsel,
                   "voorletters": c.naam.voorletters, "geboortedatum": c.geboortedatum.datum.isoformat(),
                   "geslacht": c.geslacht, "adres": None, "gezagsdrager_bekend": True},
        "verwijzer": {"type": "02", "naam": "huisarts Voorbeeld", "zorgverlenercode": None},  # 02 huisarts
        "zorg": [{"product": {"categorie": tp.product.categorie, "code": tp.product.code,
                              "eenheid": tp.omvang.eenheid if tp.omvang else "14", "volume": tp.omvang.volume if tp.omvang else 1,
                              "frequentie": tp.omvang.frequentie if tp.omvang else "2"},
                  "ingangsdatum": tp.ingangsdatum.isoformat(),
                  "einddatum": (tp.einddatum or tp.ingangsdatum).isoformat()}],
    }
    return xml, intake


def controleer(url: str, token: str | None = None, timeout: float = 10.0, rol: str | None = None,
               code: str | None = None, schemas: str | None = None,
               verbinding: Verbinding | None = None) -> list[Bevinding]:
    """Run the handshake; the findings in order (ok ones too). Stops at the first step others need."""
    v = verbinding or Verbinding(url, token, timeout)
    uit: list[Bevinding] = []

    info, fout = _json_antwoord("GET info", v.roep("GET", f"{BASIS}/info"), 200)
    if fout:
        return uit + [fout]
    rollen: list[str] = []
    if not isinstance(info, dict):
        return uit + [Bevinding("GET info", False, "antwoord is geen JSON-object")]
    problemen = []
    if info.get("api") != "ketensim-sut/1":
        problemen.append(f"api is {info.get('api')!r}, verwacht 'ketensim-sut/1'")
    for veld in ("naam", "versie"):
        if not isinstance(info.get(veld), str) or not info.get(veld):
            problemen.append(f"{veld} ontbreekt of is geen tekst")
    if isinstance(info.get("rollen"), list):
        rollen = [r for r in info["rollen"] if r in ("gemeente", "aanbieder")]
    if not rollen or len(rollen) != len(info.get("rollen") or []):
        problemen.append(f"rollen {info.get('rollen')!r}: verwacht een niet-lege lijst uit 'gemeente', 'aanbieder'")
    uit.append(Bevinding("GET info", not problemen, "; ".join(problemen) or
                         f"{info.get('naam')} {info.get('versie')}, rollen {', '.join(rollen)}"))
    if problemen and not rollen:
        return uit

    rol = rol or rollen[0]
    if rol not in rollen:
        uit.append(Bevinding("rol", False, f"de SUT noemt rol {rol!r} niet (rollen: {', '.join(rollen)})"))
    code = code or ("0200" if rol == "gemeente" else "12345678")
    run = "sutcheck-" + uuid.uuid4().hex[:12]
    start = {"rol": rol, "code": code, "profiel": "mijov-2024", "startdatum": DATUM.isoformat(),
             "contracten": [{"aanbieder": AANBIEDER, "gecontracteerd": True, "domeinen": ["jeugd", "wmo"],
                             "producten": []}] if rol == "gemeente" else
             [{"aanbieder": code, "gemeente": "0200", "gecontracteerd": True, "domeinen": ["jeugd", "wmo"],
               "producten": []}]}
    body, fout = _json_antwoord("PUT run", v.roep("PUT", f"{BASIS}/runs/{run}", json.dumps(start).encode(),
                                                  "application/json"), 201)
    if fout:
        return uit + [fout]
    ok = isinstance(body, dict) and body.get("run") == run
    uit.append(Bevinding("PUT run", ok, f"run {run} gestart" if ok else f"antwoord {body!r}, verwacht {{'run': '{run}'}}"))

    try:
        xml, zorg = _voorbeeldbericht(rol, code, schemas)
    except Exception as exc:  # noqa: BLE001 - a missing release folder is a finding
        uit.append(Bevinding("POST inbox", False, f"geen voorbeeldbericht te lezen: {exc}"))
        xml = zorg = None
    if xml is not None:
        a = v.roep("POST", f"{BASIS}/runs/{run}/inbox?datum={DATUM.isoformat()}", xml, "application/xml")
        body, fout = _json_antwoord("POST inbox", a, 202)
        if fout and isinstance(a, Antwoord) and a.status == 400:
            fout.tekst = "de SUT weigert het voorbeeldbericht (400): " + a.body[:300].decode("utf-8", "replace")
        uit.append(fout or Bevinding("POST inbox", isinstance(body, dict) and body.get("ontvangen") is True,
                                     f"antwoord {body!r}"))
    if zorg is not None:  # an aanbieder: one care event (an intake: the SUT should send a 315 for it)
        a = v.roep("POST", f"{BASIS}/runs/{run}/zorg?datum={DATUM.isoformat()}", json.dumps(zorg).encode(),
                   "application/json")
        body, fout = _json_antwoord("POST zorg", a, 202)
        if fout and isinstance(a, Antwoord) and a.status == 404:
            fout.tekst += " (een aanbieder-SUT moet POST …/zorg kennen: docs/sut-api.yaml)"
        uit.append(fout or Bevinding("POST zorg", isinstance(body, dict) and body.get("ontvangen") is True,
                                     f"antwoord {body!r}"))

    body, fout = _json_antwoord("POST klok", v.roep("POST", f"{BASIS}/runs/{run}/klok",
                                                    json.dumps({"datum": DATUM.isoformat()}).encode(),
                                                    "application/json"), 200)
    ok = isinstance(body, dict) and body.get("datum") == DATUM.isoformat() and body.get("klaar") is True
    uit.append(fout or Bevinding("POST klok", ok, f"antwoord {body!r}" + ("" if ok else
                                 f", verwacht {{'datum': '{DATUM.isoformat()}', 'klaar': true}}")))

    body, fout = _json_antwoord("GET outbox", v.roep("GET", f"{BASIS}/runs/{run}/outbox?datum={DATUM.isoformat()}"), 200)
    if fout is None:
        berichten = body.get("berichten") if isinstance(body, dict) else None
        if not isinstance(berichten, list) or not all(isinstance(b, dict) and isinstance(b.get("xml"), str)
                                                      for b in berichten):
            fout = Bevinding("GET outbox", False, f"antwoord {str(body)[:300]}: verwacht "
                             "{'datum': ..., 'berichten': [{'xml': '...'}, ...]}")
        else:
            uit.append(Bevinding("GET outbox", True, f"{len(berichten)} bericht(en) op {DATUM.isoformat()}"))
    if fout:
        uit.append(fout)

    a = v.roep("DELETE", f"{BASIS}/runs/{run}")
    if isinstance(a, str):
        uit.append(Bevinding("DELETE run", False, a))
    else:
        uit.append(Bevinding("DELETE run", a.status == 204, f"HTTP {a.status}" + ("" if a.status == 204 else ", verwacht 204")))
    return uit


def voeg_toe(sub) -> None:
    p = sub.add_parser(
        "sut-check", help="handshake with a SUT's HTTP endpoint: tells what is wrong before a long run",
        description="Call every operation of the SUT API v1 (docs/sut-api.yaml) once - GET info, PUT a run, "
                    "POST an example message (and, for an aanbieder, a care event: POST zorg), POST the clock, "
                    "GET the outbox, DELETE the run - and list what is wrong. Exit code 0 when all is right, "
                    "1 otherwise.")
    p.add_argument("url", metavar="URL", help="the SUT's base URL, e.g. http://127.0.0.1:8080")
    p.add_argument("--token", help="bearer token the SUT requires")
    p.add_argument("--timeout", type=positief_getal, default=10.0, metavar="S", help="seconds per call (default 10)")
    p.add_argument("--rol", choices=("gemeente", "aanbieder"), help="role to test (default: the first the SUT names)")
    p.add_argument("--code", help="gemeentecode or AGB-code the SUT plays (default 0200 / 12345678)")
    p.add_argument("--schemas", metavar="DIR", help="iStandaarden release folder (example messages)")
    p.set_defaults(func=cmd_sutcheck)


def cmd_sutcheck(args: argparse.Namespace) -> int:
    try:
        bevindingen = controleer(args.url, args.token, args.timeout, args.rol, args.code, args.schemas)
    except ValueError as exc:
        print(f"sut-check: {exc}")
        return EXIT_USAGE
    for b in bevindingen:
        print(f"{'ok  ' if b.ok else 'FOUT'} {b.stap:11} {b.tekst}")
    fout = [b for b in bevindingen if not b.ok]
    print(f"sut-check: {'in orde' if not fout else f'{len(fout)} probleem/problemen'} ({args.url})")
    return EXIT_FOUT if fout else EXIT_OK
