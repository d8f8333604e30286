"""Example gemeente back-office with the ketensim SUT HTTP API (v1), as a vendor would write it.

    python examples/gemeente_sut/server.py --port 0 --db /tmp/gemeente.sqlite [--fault NAME] [--token T]
                                           [--schemas DIR] [--host 127.0.0.1]

Prints one first line ``listening on http://HOST:PORT`` and serves until SIGTERM/SIGINT.
``--fault list`` prints the deliberate deviations and the ketensim rule each one breaks.
"""

from __future__ import annotations

import argparse
import hmac
import json
import re
import signal
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from backoffice import FOUTEN, Backoffice, RunOnbekend  # noqa: E402
from opslag import Opslag  # noqa: E402
from xmlbericht import MAX_BYTES, BerichtFout, Schemas  # noqa: E402

NAAM, VERSIE = "voorbeeld-gemeente-backoffice", "1.0"
RUN = re.compile(r"/ketensim/v1/runs/([A-Za-z0-9_-]{1,64})(/inbox|/toegang|/klok|/outbox)?")


class Fout(Exception):
    def __init__(self, status: int, tekst: str) -> None:
        super().__init__(tekst)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    server_version = f"{NAAM}/{VERSIE}"
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send a request
    backoffice: Backoffice
    token: str | None
    slot: threading.Lock
    stil = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if not self.stil:
            super().log_message(format, *args)

    # -- plumbing ------------------------------------------------------------------------------
    def _antwoord(self, status: int, body: dict | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise Fout(411, "Content-Length verplicht")
        try:
            lengte = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise Fout(400, "ongeldige Content-Length") from None
        if lengte > MAX_BYTES:
            if lengte <= 32 * MAX_BYTES:  # read and discard, so the client gets our answer
                while lengte > 0:
                    lengte -= len(self.rfile.read(min(lengte, 65536)) or b"x" * lengte)
            else:
                self.close_connection = True
            raise Fout(413, f"body groter dan {MAX_BYTES} bytes")
        return self.rfile.read(lengte)

    def _json(self) -> dict:
        try:
            waarde = json.loads(self._body() or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Fout(400, "body is geen JSON") from None
        if not isinstance(waarde, dict):
            raise Fout(400, "body moet een JSON-object zijn")
        return waarde

    def _datum(self, tekst: str | None) -> date:
        try:
            return date.fromisoformat(tekst or "")
        except ValueError:
            raise Fout(400, f"ongeldige datum {tekst!r} (YYYY-MM-DD)") from None

    def _query_datum(self) -> date:
        return self._datum((parse_qs(urlsplit(self.path).query).get("datum") or [None])[0])

    def _afhandelen(self, methode: str) -> None:
        try:
            if self.token is not None:
                kop = self.headers.get("Authorization") or ""
                if not hmac.compare_digest(kop.encode(), f"Bearer {self.token}".encode()):
                    raise Fout(401, "ontbrekend of onjuist bearer-token")
            pad = urlsplit(self.path).path.rstrip("/")
            if methode == "GET" and pad == "/ketensim/v1/info":
                return self._antwoord(200, {"api": "ketensim-sut/1", "naam": NAAM, "versie": VERSIE,
                                            "rollen": ["gemeente"]})
            m = RUN.fullmatch(pad)
            if m is None:
                raise Fout(404, f"onbekend pad {pad}")
            run, deel = m.group(1), m.group(2) or ""
            with self.slot:
                try:
                    resultaat = self._route(methode, run, deel)
                    self.backoffice.db.commit()
                except BaseException:
                    self.backoffice.db.rollback()
                    raise
            status, body = resultaat
            self._antwoord(status, body)
        except Fout as f:
            self._antwoord(f.status, {"fout": str(f)})
        except RunOnbekend as r:
            self._antwoord(404, {"fout": f"onbekende run {r}"})
        except (BerichtFout, ValueError, KeyError, TypeError) as exc:
            self._antwoord(400, {"fout": f"{type(exc).__name__}: {exc}"})
        except Exception as exc:  # a bug of ours: answer 500, keep serving
            print(f"interne fout: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            self._antwoord(500, {"fout": f"interne fout: {type(exc).__name__}"})

    def _route(self, methode: str, run: str, deel: str) -> tuple[int, dict | None]:
        bo = self.backoffice
        if methode == "PUT" and deel == "":
            bo.start(run, self._json())
            return 201, {"run": run}
        if methode == "DELETE" and deel == "":
            bo.einde(run)
            return 204, None
        if methode == "POST" and deel == "/inbox":
            datum = self._query_datum()
            bo.ontvang(run, datum, self._body())
            return 202, {"ontvangen": True}
        if methode == "POST" and deel == "/toegang":
            datum = self._query_datum()
            bo.toegang(run, datum, self._json())
            return 202, {"ontvangen": True}
        if methode == "POST" and deel == "/klok":
            datum = self._datum(str(self._json().get("datum")))
            bo.klok(run, datum)
            return 200, {"datum": datum.isoformat(), "klaar": True}
        if methode == "GET" and deel == "/outbox":
            datum = self._query_datum()
            return 200, {"datum": datum.isoformat(), "berichten": [{"xml": x} for x in bo.outbox(run, datum)]}
        raise Fout(405, f"{methode} niet toegestaan op dit pad")

    def do_GET(self) -> None:  # noqa: N802
        self._afhandelen("GET")

    def do_PUT(self) -> None:  # noqa: N802
        self._afhandelen("PUT")

    def do_POST(self) -> None:  # noqa: N802
        self._afhandelen("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._afhandelen("DELETE")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Example gemeente back-office with the ketensim SUT HTTP API.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080, help="0: a free port (printed on the first line)")
    ap.add_argument("--db", default="gemeente_sut.sqlite", help="SQLite file (':memory:' for none)")
    ap.add_argument("--fault", action="append", default=[], metavar="NAME",
                    help="switch on a deliberate deviation; 'list' shows them")
    ap.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every call")
    ap.add_argument("--schemas", type=Path, default=Path(__file__).resolve().parents[2].parent / "shared" / "istandaarden",
                    help="iStandaarden release folder to validate our own messages (default ../shared/istandaarden)")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = ap.parse_args(argv)
    if "list" in args.fault:
        for naam, (regel, wat) in FOUTEN.items():
            print(f"{naam:18} {regel:28} {wat}")
        return 0
    onbekend = [f for f in args.fault if f not in FOUTEN]
    if onbekend:
        print(f"onbekende fault(s): {', '.join(onbekend)}; bekend: {', '.join(FOUTEN)}", file=sys.stderr)
        return 2
    Handler.backoffice = Backoffice(Opslag(args.db), Schemas(args.schemas), set(args.fault))
    Handler.token = args.token
    Handler.slot = threading.Lock()
    Handler.stil = not args.verbose
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
