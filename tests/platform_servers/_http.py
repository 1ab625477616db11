"""The part the fake Shopify and WooCommerce servers share: a real HTTP/1.1 server on loopback, in threads, over
TLS with a certificate from the test PKI, with a request log and scripted failures.

A subclass implements `dispatch(request) -> Response` and, for the failure controls, the bodies its platform
sends (`rate_limit_response`, `unavailable_response`, `html_error_response`, `malformed_response`).

The failure controls queue faults that the next matching requests consume, in order:

- `rate_limit_next(n, retry_after=1.0)`: HTTP 429 with `Retry-After`;
- `unavailable_next(n, retry_after=None)`: HTTP 503 (with `Retry-After` if given);
- `html_error_next(n, status=502)`: an HTML error page, as a proxy in front of the platform sends;
- `malformed_next(n)`: HTTP 200 whose JSON body is cut short;
- `delay_next(seconds, n=1)`: the request is answered normally, but only after `seconds` (for timeout tests);
- `drop_next(n)`: the connection is closed without any answer.

`retry_after` may be a number (sent as the platform formats it) or a string (sent verbatim, e.g. an HTTP date).
Each control takes `on=`, a predicate name the subclass defines (`"api"` by default: the platform's data endpoints,
not the token endpoint), so a fault does not hit a request it was not meant for.

Everything that arrives is in `requests` (`LoggedRequest`: method, path, query, lower-cased headers as sent —
secrets included, so tests can check them —, body, monotonic arrival time, response status). An exception in the
server's own code answers 500 and is kept in `errors`; the fixtures fail the test if there is any.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers import HOST
from tests.servers.tls import Pki

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class LoggedRequest:
    method: str
    path: str                       # without the query string
    query: dict[str, list[str]]     # parsed query string (blank values kept)
    headers: dict[str, str]         # lower-cased names, as the client sent them (Authorization included)
    body: bytes
    time: float                     # time.monotonic() when the request line arrived
    wall: float                     # time.time() at the same moment
    status: int | None = None       # what the server answered (None: dropped, or still being answered)
    fault: str | None = None        # the scripted fault that answered it, if any

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = JSON_TYPE
    drop: bool = False               # close the connection without answering

    @classmethod
    def json(cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(status, body, list(headers or []))

    @classmethod
    def html(cls, status: int, page: str, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, page.encode(), list(headers or []), content_type="text/html; charset=UTF-8")


@dataclass
class Fault:
    kind: str
    on: str
    retry_after: float | str | None = None
    status: int = 0
    seconds: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as real clients use it
    disable_nagle_algorithm = True  # headers and body are written apart: no 40 ms delayed-ACK stall
    timeout = 30                    # an idle keep-alive connection is closed after this
    server: _Server

    def version_string(self) -> str:
        return self.server.app.server_header

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.app._serve(self)

    def do_POST(self) -> None:
        self.server.app._serve(self)

    def do_PUT(self) -> None:
        self.server.app._serve(self)

    def do_PATCH(self) -> None:
        self.server.app._serve(self)

    def do_DELETE(self) -> None:
        self.server.app._serve(self)

    def do_HEAD(self) -> None:
        self.server.app._serve(self)

    def do_OPTIONS(self) -> None:
        self.server.app._serve(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins the request threads: nothing outlives stop()

    def __init__(self, app: PlatformServer, context: ssl.SSLContext | None) -> None:
        self.app = app
        self.context = context
        super().__init__((app.host, 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Runs in the request's own thread, so a slow or failed handshake does not hold up the accept loop.
        conn = request
        self.app._track(conn, add=True)  # so that stop() can cut a handshake or an idle keep-alive short
        try:
            if self.context is not None:
                request.settimeout(10)
                self.app._track(request, add=False)
                conn = self.context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
                self.app._track(conn, add=True)
                if self.app._stopping.is_set():  # tracked too late for stop() to see it
                    return
                try:
                    conn.do_handshake()
                except (OSError, ValueError):  # the client refused our certificate, spoke plain HTTP, went away…
                    return
            elif self.app._stopping.is_set():
                return
            self.RequestHandlerClass(conn, client_address, self)
        except OSError:
            pass  # the client went away (timeout tests do that on purpose)
        finally:
            self.app._track(conn, add=False)
            with contextlib.suppress(OSError):
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.app.errors.append(traceback.format_exc())


class PlatformServer:
    """Base class; see the module docstring. Use as a context manager, or start()/stop()."""

    server_header = "nginx"
    default_on = "api"

    def __init__(self, pki: Pki, *, cert: str = "server", tls: bool = True) -> None:
        self.pki = pki
        self.tls = tls
        self.cert_name = cert
        self.host = HOST
        self.requests: list[LoggedRequest] = []
        self.errors: list[str] = []
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._connections: set[Any] = set()
        self._httpd: _Server | None = None
        self._address: tuple[str, int] | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle ---------------------------------------------------------------------------------------------

    def start(self) -> PlatformServer:
        context = None
        if self.tls:
            pair = self.pki.by_name(self.cert_name)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(pair.cert, pair.key)
        self._stopping.clear()
        self._httpd = _Server(self, context)
        self._address = (self.host, int(self._httpd.server_address[1]))
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{type(self).__name__}:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        self._stopping.set()  # wakes delayed answers
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:  # idle keep-alive connections would otherwise hold server_close() up
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> PlatformServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._address is not None, "server not started"
        return self._address[1]

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.netloc}"

    @property
    def ca_file(self) -> str:
        return str(self.pki.ca_file)

    def _track(self, conn: Any, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # --- request log --------------------------------------------------------------------------------------------

    def requests_to(self, fragment: str = "") -> list[LoggedRequest]:
        """Logged requests whose path contains `fragment` (all of them for "")."""
        with self._lock:
            return [r for r in self.requests if fragment in r.path]

    @property
    def last_request(self) -> LoggedRequest:
        with self._lock:
            return self.requests[-1]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- failure controls ---------------------------------------------------------------------------------------

    def _queue(self, n: int, fault: Fault) -> None:
        with self._lock:
            self._faults.extend(Fault(**fault.__dict__) for _ in range(n))

    def rate_limit_next(self, n: int = 1, retry_after: float | str | None = 1.0, *, on: str | None = None) -> None:
        self._queue(n, Fault("rate_limit", on or self.default_on, retry_after=retry_after))

    def unavailable_next(self, n: int = 1, retry_after: float | str | None = None, *, on: str | None = None) -> None:
        self._queue(n, Fault("unavailable", on or self.default_on, retry_after=retry_after))

    def html_error_next(self, n: int = 1, status: int = 502, *, on: str | None = None) -> None:
        self._queue(n, Fault("html_error", on or self.default_on, status=status))

    def malformed_next(self, n: int = 1, *, on: str | None = None) -> None:
        self._queue(n, Fault("malformed", on or self.default_on))

    def delay_next(self, seconds: float, n: int = 1, *, on: str | None = None) -> None:
        self._queue(n, Fault("delay", on or self.default_on, seconds=seconds))

    def drop_next(self, n: int = 1, *, on: str | None = None) -> None:
        self._queue(n, Fault("drop", on or self.default_on))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, request: LoggedRequest) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if self.fault_applies(fault.on, request):
                    return self._faults.pop(index)
        return None

    # --- for subclasses -----------------------------------------------------------------------------------------

    def fault_applies(self, on: str, request: LoggedRequest) -> bool:
        return on == "any"

    def dispatch(self, request: LoggedRequest) -> Response:
        raise NotImplementedError

    def format_retry_after(self, value: float) -> str:
        return f"{float(value):.1f}"

    def rate_limit_response(self, request: LoggedRequest) -> Response:
        return Response.json(429, {"errors": "Too Many Requests"})

    def unavailable_response(self, request: LoggedRequest) -> Response:
        return Response.html(503, "<html><body><h1>503 Service Unavailable</h1></body></html>")

    def html_error_response(self, request: LoggedRequest, status: int) -> Response:
        return Response.html(status, _NGINX_PAGE.format(status=status, reason=_REASONS.get(status, "Error")))

    def malformed_response(self, request: LoggedRequest) -> Response:
        return Response(200, b'{"data":{"orders":{"nodes":[{"id":"gid://shop')

    # --- serving ------------------------------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        arrived, wall = time.monotonic(), time.time()
        split = urlsplit(handler.path)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        try:
            body = _read_body(handler, headers)
        except (ValueError, OSError):
            handler.close_connection = True
            return
        request = LoggedRequest(handler.command, split.path, parse_qs(split.query, keep_blank_values=True),
                                headers, body, arrived, wall)
        with self._lock:
            self.requests.append(request)
        response: Response | None = None
        fault = self._take_fault(request)
        if fault is not None:
            request.fault = fault.kind
            if fault.kind == "delay":
                if self._stopping.wait(fault.seconds):
                    response = Response(0, drop=True)  # stopped meanwhile: nobody is waiting any more
            else:
                response = self._fault_response(fault, request)
        if response is None:
            try:
                response = self.dispatch(request)
            except Exception:
                self.errors.append(traceback.format_exc())
                response = Response.json(500, {"error": "internal error in the test server (see server.errors)"})
        if response.drop:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        request.status = response.status
        handler.send_response(response.status)
        if response.content_type:
            handler.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(response.body)))
        if handler.headers.get("Connection", "").lower() == "close":
            handler.close_connection = True
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(response.body)
        handler.wfile.flush()

    def _fault_response(self, fault: Fault, request: LoggedRequest) -> Response:
        if fault.kind == "drop":
            return Response(0, drop=True)
        if fault.kind == "html_error":
            return self.html_error_response(request, fault.status)
        if fault.kind == "malformed":
            return self.malformed_response(request)
        if fault.kind == "rate_limit":
            response = self.rate_limit_response(request)
        else:
            response = self.unavailable_response(request)
        retry_after = fault.retry_after
        if retry_after is not None:
            value = retry_after if isinstance(retry_after, str) else self.format_retry_after(retry_after)
            response.headers.append(("Retry-After", value))
        return response


def _read_body(handler: _Handler, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out",
            429: "Too Many Requests", 403: "Forbidden", 404: "Not Found"}

_NGINX_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
