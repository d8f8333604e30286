"""A small configurable fake SUT speaking the SUT API v1, for sut-check and hostile-SUT tests.

In a test: ``with FakeSut(gedrag={"klok": "hang"}) as sut: ... sut.url ... sut.aanroepen``.
As a process (to be killed mid-run): ``python tests/fake_sut.py --port 0 [--gedrag op=wat ...]``
prints ``listening on http://127.0.0.1:PORT`` first.

gedrag per operation (info, start, inbox, toegang, zorg, klok, outbox, einde):
  "ok" (default), "500", "hang" (answer after `hang_s`), "sluit" (close without answering),
  "geen-json" (200 text/html), "groot" (an oversized body).
outbox: a function datum -> list of XML strings the SUT "sent" on that day.
``verkeer`` keeps every request and the answer given (for checks against docs/sut-api.yaml); what the
harness sent is also kept as ``runs`` (run id → the PUT body) and ``per_dag`` (datum → {"inbox":
[bytes], "zorg": [dict]}).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlsplit

RUN = re.compile(r"/ketensim/v1/runs/([A-Za-z0-9_-]{1,64})(/inbox|/toegang|/zorg|/klok|/outbox)?")
INFO = {"api": "ketensim-sut/1", "naam": "fake-sut", "versie": "0", "rollen": ["gemeente"]}


@dataclass
class Verkeer:
    """One request the fake SUT received and what it answered (status None: no answer)."""

    methode: str
    pad: str
    query: str
    content_type: str | None
    body: bytes
    status: int | None = None
    antwoord_type: str | None = None
    antwoord: bytes = b""


class FakeSut:
    def __init__(self, gedrag: dict[str, str] | None = None, info: dict | None = None,
                 outbox: Callable[[str], list[str]] | None = None, hang_s: float = 5.0,
                 port: int = 0) -> None:
        self.gedrag = dict(gedrag or {})
        self.info = info if info is not None else dict(INFO)
        self.outbox = outbox or (lambda datum: [])
        self.hang_s = hang_s
        self.aanroepen: list[tuple[str, str, str | None]] = []  # (methode, pad, content-type)
        self.ontvangen: list[bytes] = []
        self.verkeer: list[Verkeer] = []
        self.runs: dict[str, dict] = {}
        self.per_dag: dict[str, dict[str, list]] = {}
        self._stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a) -> None:  # quiet
                pass

            def _doe(self, methode: str) -> None:
                fake._behandel(self, methode)

            def do_GET(self) -> None:  # noqa: N802
                self._doe("GET")

            def do_PUT(self) -> None:  # noqa: N802
                self._doe("PUT")

            def do_POST(self) -> None:  # noqa: N802
                self._doe("POST")

            def do_DELETE(self) -> None:  # noqa: N802
                self._doe("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> "FakeSut":
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    # -- one request -------------------------------------------------------------------
    def _behandel(self, h: BaseHTTPRequestHandler, methode: str) -> None:
        delen = urlsplit(h.path)
        lengte = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(lengte) if lengte else b""
        ctype = (h.headers.get("Content-Type") or "").split(";")[0] or None
        self.aanroepen.append((methode, delen.path, ctype))
        verkeer = Verkeer(methode, delen.path, delen.query, ctype, body)
        self.verkeer.append(verkeer)
        datum = (parse_qs(delen.query).get("datum") or [""])[0]
        if delen.path == "/ketensim/v1/info" and methode == "GET":
            op, antwoord = "info", (200, self.info)
        else:
            m = RUN.fullmatch(delen.path)
            deel = m.group(2) if m else None
            if m is None:
                op, antwoord = "?", (404, {"fout": "onbekend pad"})
            elif methode == "PUT" and deel is None:
                op, antwoord = "start", (201, {"run": m.group(1)})
                self.runs[m.group(1)] = json.loads(body or b"{}")
            elif methode == "DELETE" and deel is None:
                op, antwoord = "einde", (204, None)
            elif methode == "POST" and deel in ("/inbox", "/toegang", "/zorg"):
                op, antwoord = deel[1:], (202, {"ontvangen": True})
                dag = self.per_dag.setdefault(datum, {"inbox": [], "zorg": []})
                if deel == "/inbox":
                    self.ontvangen.append(body)
                    dag["inbox"].append(body)
                elif deel == "/zorg":
                    dag["zorg"].append(json.loads(body or b"{}"))
            elif methode == "POST" and deel == "/klok":
                datum = json.loads(body or b"{}").get("datum", "")
                op, antwoord = "klok", (200, {"datum": datum, "klaar": True})
            elif methode == "GET" and deel == "/outbox":
                op, antwoord = "outbox", (200, {"datum": datum, "berichten": [{"xml": x} for x in self.outbox(datum)]})
            else:
                op, antwoord = "?", (405, {"fout": "niet toegestaan"})
        wat = self.gedrag.get(op, "ok")
        if wat == "hang":
            self._stop.wait(self.hang_s)
        elif wat == "sluit":
            h.close_connection = True
            h.connection.close()
            return
        elif wat == "500":
            antwoord = (500, {"fout": "interne fout"})
        elif wat == "geen-json":
            return self._stuur(h, 200, b"<html>hallo</html>", "text/html", verkeer)
        elif wat == "groot":
            return self._stuur(h, 200, b'{"x": "' + b"a" * (11 * 1024 * 1024) + b'"}', "application/json", verkeer)
        status, data = antwoord
        self._stuur(h, status, b"" if data is None else json.dumps(data).encode(), "application/json", verkeer)

    @staticmethod
    def _stuur(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, verkeer: Verkeer) -> None:
        verkeer.status, verkeer.antwoord_type, verkeer.antwoord = status, ctype if body else None, body
        try:
            h.send_response(status)
            if body:
                h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="fake SUT for ketensim's hostile-SUT tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--gedrag", action="append", default=[], metavar="OP=WAT")
    args = ap.parse_args(argv)
    sut = FakeSut(dict(g.split("=", 1) for g in args.gedrag), port=args.port)
    print(f"listening on {sut.url}", flush=True)
    with sut:
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
