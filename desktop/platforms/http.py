"""The HTTP part the platform adapters share: one verified httpx client, precise errors, retries, egress records.

- HTTPS only, except to a loopback host (127.0.0.1, localhost, ::1), where plain HTTP is allowed for local tools.
- Certificates are verified: the system's and certifi's authorities, plus a CA file when one is given.
  `verify=False` is refused unless the host is loopback.
- Redirects are never followed: a redirect could carry a credential to another host, or downgrade to HTTP.
  The merchant is told where the site redirects instead.
- Connect and read timeouts, a cap on the size of an answer, JSON decoding with a clear message.
- Every attempt (retries included) is reported to the egress recorder: host, purpose, sizes, status. Never the
  payload, never a header value.
- 429 and 5xx answers are retried a bounded number of times, honouring `Retry-After`; waiting goes through the
  injected `sleep` so tests can record it.
- No secret reaches a message: the session scrubs every text it builds from a server's answer.
"""

from __future__ import annotations

import email.utils
import html
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import certifi
import httpx

from desktop.core.platforms import EgressRecorder, PlatformError

log = logging.getLogger("comptoir.platforms")

# httpx logs every request line at INFO, URL included; in WooCommerce's query-string auth mode that URL holds the
# consumer secret. Our handlers only listen to `comptoir`, but a host application's root handler would not.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_ATTEMPTS = 4            # one try and three retries for 429 / 5xx / a dropped connection
MAX_WAIT = 30.0             # never block longer than this on one Retry-After
DEFAULT_RETRY_AFTER = 2.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Comptoir (local desktop app)"

Sleep = Callable[[float], None]


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def parse_base_url(url: str, label: str) -> httpx.URL:
    """Validate a base address: https (or http to loopback), a plausible host, no credentials in it."""
    text = (url or "").strip()
    if not text:
        raise PlatformError(f"No address was given for {label}.", "Enter the shop's address.")
    if "://" not in text:
        text = "https://" + text
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL:
        raise PlatformError(f"“{_shorten(url)}” is not a valid web address.",
                            "Enter the address as it appears in the browser, e.g. https://www.example.com") from None
    host = parsed.host
    if parsed.scheme not in ("https", "http") or not host:
        raise PlatformError(f"“{_shorten(url)}” is not a valid web address.",
                            "Enter the address as it appears in the browser, e.g. https://www.example.com")
    if parsed.userinfo:
        raise PlatformError("The address contains a user name or password.",
                            "Enter the address without credentials; the keys go in their own fields.")
    if not is_loopback(host) and not _valid_hostname(host):
        raise PlatformError(f"“{_shorten(host)}” is not a valid host name.",
                            "Enter the address as it appears in the browser, e.g. https://www.example.com")
    if parsed.scheme == "http" and not is_loopback(host):
        raise PlatformError(f"Comptoir only talks to {label} over HTTPS, and this address starts with http://.",
                            "Use the https:// address of the site: keys and customer data must not travel "
                            "unencrypted.")
    return parsed


def _valid_hostname(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    return len(ascii_host) <= 253 and "." in ascii_host and bool(_HOST_RE.match(ascii_host))


def host_label(url: httpx.URL) -> str:
    """`shop.example.com`, or `127.0.0.1:8443` when the port is not the scheme's default."""
    host = url.host
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{url.port}" if url.port is not None else host


_CONTEXTS: dict[tuple[str, float], ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def tls_context(verify: str | bool) -> ssl.SSLContext:
    """A verifying context: certifi's and the system's authorities, plus `verify` when it names a CA file.

    Loading ~170 authorities costs ~60 ms of CPU (bench/platforms.py), so a context is built once per CA file
    (and its modification time, so a replaced file is read again) and shared; SSLContext is thread-safe.
    """
    key = (verify if isinstance(verify, str) else "", _mtime(verify) if isinstance(verify, str) else 0.0)
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(key)
    if cached is not None:
        return cached
    ctx = _build_context(verify)
    with _CONTEXTS_LOCK:
        _CONTEXTS[key] = ctx
    return ctx


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return -1.0


def _build_context(verify: str | bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=certifi.where())
    ctx.load_default_certs()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if isinstance(verify, str):
        try:
            ctx.load_verify_locations(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise PlatformError(f"The certificate authority file {verify} could not be read ({type(exc).__name__}).",
                                "Check the file, or remove it from the settings to use the system's "
                                "authorities.") from None
    return ctx


def make_client(base: httpx.URL, *, verify: str | bool = True, timeout: float = READ_TIMEOUT) -> httpx.Client:
    """An httpx client: timeouts, verified TLS, small pool, no redirects, no proxy from the environment."""
    if verify is False and not is_loopback(base.host):
        raise ValueError("certificate verification can only be switched off for a loopback host")
    ssl_verify: ssl.SSLContext | bool = False if verify is False else tls_context(verify)
    return httpx.Client(
        verify=ssl_verify,
        timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2, keepalive_expiry=30),
        follow_redirects=False,
        trust_env=False,   # no proxy or .netrc credentials picked up behind the merchant's back
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    )


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, read in full (within the size cap)."""

    status: int
    headers: httpx.Headers
    body: bytes
    attempts: int = 1

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", "")).split(";")[0].strip().lower()


class NotJson(Exception):
    """The body is not JSON (HTML error page, truncated answer…)."""


def decode_json(body: bytes) -> Any:
    if not body.strip():
        raise NotJson("empty")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NotJson("invalid") from None


def html_title(body: bytes) -> str:
    """The <title> of an HTML page, cleaned and shortened, or ''."""
    match = re.search(rb"<title[^>]*>(.*?)</title>", body[:65536], re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    text = html.unescape(match.group(1).decode("utf-8", "replace"))
    return _shorten(" ".join(text.split()), 80)


def _shorten(text: str, limit: int = 120) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 12:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def explain_transport_error(exc: Exception, host: str, label: str, timeout: float) -> tuple[PlatformError, str]:
    """An httpx failure as a merchant sentence, plus a short status for the egress ledger."""
    causes = list(_chain(exc))
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or "verification failed"
            return (PlatformError(f"The certificate of {host} is not valid: {reason}.",
                                  "Nothing was sent. Check the address; if it is right, the site's certificate "
                                  "must be fixed by whoever runs it."), "tls error")
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return (PlatformError(f"The address {host} could not be found.",
                                  "Check the address (for Shopify: yourshop.myshopify.com) and that this computer "
                                  "is online."), "dns error")
        if isinstance(cause, ConnectionRefusedError):
            return (PlatformError(f"{host} refused the connection.",
                                  "Check the address and port; the site may be down."), "refused")
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            reason = cause.reason or type(cause).__name__
            return (PlatformError(f"A secure connection to {host} could not be set up ({reason}).",
                                  "Check that the address serves HTTPS (https://) on this port."), "tls error")
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return (PlatformError(f"{host} could not be reached in time.",
                              "Check the address and that this computer is online, or try again later."), "timeout")
    if isinstance(exc, httpx.TimeoutException):
        return (PlatformError(f"{label} did not answer within {timeout:g} seconds.",
                              "The site may be overloaded; try again in a moment."), "timeout")
    if isinstance(exc, httpx.ConnectError):
        oserr = next((c for c in causes if isinstance(c, OSError) and c.strerror), None)
        detail = f" ({oserr.strerror})" if oserr is not None else ""
        return (PlatformError(f"{host} could not be reached{detail}.",
                              "Check the address and that this computer is online."), "unreachable")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return (PlatformError(f"The connection to {host} was cut before {label} answered.",
                              "Try again in a moment."), "connection lost")
    return (PlatformError(f"Talking to {host} failed ({type(exc).__name__}).", "Try again in a moment."), "failed")


def parse_retry_after(value: str | None, *, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); `default` when absent or unreadable."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def backoff(attempt: int, *, base: float = 1.0, cap: float = MAX_WAIT) -> float:
    """1, 2, 4, 8… seconds for attempts 1, 2, 3, 4…, at most `cap`."""
    return float(min(cap, base * (2 ** max(0, attempt - 1))))


class HttpSession:
    """One platform's HTTP connection: base address, client, egress recording, retries, error wording."""

    def __init__(self, base: httpx.URL, *, label: str, platform: str, verify: str | bool = True,
                 timeout: float = READ_TIMEOUT, on_call: EgressRecorder | None = None, sleep: Sleep = time.sleep,
                 max_attempts: int = MAX_ATTEMPTS, max_wait: float = MAX_WAIT) -> None:
        self.base = base
        self.base_text = str(base).rstrip("/")
        self.host = host_label(base)
        self.label = label
        self.platform = platform
        self.timeout = float(timeout)
        self.on_call = on_call
        self.sleep = sleep
        self.max_attempts = max(1, max_attempts)
        self.max_wait = max_wait
        self._secrets: list[str] = []
        self.client = make_client(base, verify=verify, timeout=self.timeout)

    def __repr__(self) -> str:
        return f"HttpSession({self.platform!r}, {self.host!r})"

    # --- secrets --------------------------------------------------------------------------------------

    def add_secret(self, value: str | None) -> None:
        """Remember a credential so that no message built from a server's answer can echo it."""
        if value and len(value) >= 4 and value not in self._secrets:
            self._secrets.append(value)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    # --- requests -------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_text + (path if path.startswith("/") else "/" + path)

    def request(self, method: str, path: str, *, purpose: str, headers: Mapping[str, str] | None = None,
                params: Mapping[str, str | int] | None = None, json_body: Any = None,
                form: Mapping[str, str] | None = None, retry_statuses: frozenset[int] = RETRY_STATUSES,
                auth: httpx.Auth | None = None) -> Reply:
        """Send a request, retrying 429/5xx and dropped connections a bounded number of times.

        Returns the last answer, whatever its status (the caller words 4xx); raises PlatformError for network
        failures, oversized answers and a Retry-After longer than we are willing to wait.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                reply = self._send_once(method, path, purpose=purpose, headers=headers, params=params,
                                        json_body=json_body, form=form, auth=auth)
            except _Retryable as exc:
                if attempt >= self.max_attempts:
                    raise exc.error from None
                self.sleep(backoff(attempt))
                continue
            if reply.status in retry_statuses and attempt < self.max_attempts:
                self.sleep(self._retry_delay(reply, attempt))
                continue
            return Reply(reply.status, reply.headers, reply.body, attempt)

    def _retry_delay(self, reply: Reply, attempt: int) -> float:
        header = reply.headers.get("retry-after")
        if reply.status == 429 or header:
            delay = parse_retry_after(header, default=DEFAULT_RETRY_AFTER if reply.status == 429 else backoff(attempt))
        else:
            delay = backoff(attempt)
        if delay > self.max_wait:
            raise PlatformError(f"{self.label} asks Comptoir to wait {delay:.0f} seconds before the next request "
                                f"(HTTP {reply.status}).", "Try again in a few minutes.")
        return delay

    def _send_once(self, method: str, path: str, *, purpose: str, headers: Mapping[str, str] | None,
                   params: Mapping[str, str | int] | None, json_body: Any, form: Mapping[str, str] | None,
                   auth: httpx.Auth | None) -> Reply:
        request = self.client.build_request(method, self.url(path), headers=dict(headers or {}),
                                            params=dict(params) if params else None, json=json_body, data=form)
        bytes_out = _request_size(request)
        bytes_in = 0
        status = "failed"
        try:
            try:
                response = self.client.send(request, stream=True, auth=auth)
            except httpx.HTTPError as exc:
                error, status = explain_transport_error(exc, self.host, self.label, self.timeout)
                if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError) and method in ("GET", "POST"):
                    raise _Retryable(error) from None
                raise error from None
            try:
                body = self._read_body(response)
                status = str(response.status_code)
            finally:
                bytes_in = response.num_bytes_downloaded
                response.close()
            return Reply(response.status_code, response.headers, body)
        finally:
            self._record(purpose, bytes_out, bytes_in, status)

    def _read_body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + max(3 * self.timeout, 10.0)
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise self._too_large()
                if time.monotonic() > deadline:
                    raise PlatformError(f"{self.label} is sending its answer too slowly.", "Try again in a moment.")
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            error, _status = explain_transport_error(exc, self.host, self.label, self.timeout)
            if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
                raise _Retryable(error) from None
            raise error from None
        return b"".join(chunks)

    def _too_large(self) -> PlatformError:
        return PlatformError(f"{self.label} sent an answer larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB; "
                             "Comptoir stopped reading it.", "Try again; if it happens again, report it.")

    def _record(self, purpose: str, bytes_out: int, bytes_in: int, status: str) -> None:
        if self.on_call is None:
            return
        try:
            self.on_call(self.host, purpose, bytes_out, bytes_in, status)
        except Exception as exc:  # the ledger must not break the lookup; say so loudly
            log.error("egress recorder failed for %s (%s)", self.host, type(exc).__name__)

    # --- answers --------------------------------------------------------------------------------------

    def json(self, reply: Reply, *, hint: str = "") -> Any:
        """The answer's JSON, or a PlatformError naming what came back instead."""
        try:
            return decode_json(reply.body)
        except NotJson:
            raise self.not_json(reply, hint=hint) from None

    def not_json(self, reply: Reply, *, hint: str = "") -> PlatformError:
        title = self.scrub(html_title(reply.body))
        if title:
            what = f"a web page titled “{title}”"
        elif not reply.body.strip():
            what = "an empty answer"
        elif b"<html" in reply.body[:2048].lower() or reply.content_type == "text/html":
            what = "a web page"
        elif "json" in reply.content_type:
            what = "the answer is cut short or garbled"
        else:
            what = "unreadable data"
        return PlatformError(
            f"{self.label} answered with something that is not JSON (HTTP {reply.status}): {what}.",
            hint or "A proxy, firewall or maintenance page may have answered instead of the API. Try again later; "
                    "if it persists, check the address.")

    def redirect_error(self, reply: Reply) -> PlatformError:
        location = reply.headers.get("location", "")
        try:
            target = httpx.URL(location)
            where = f"{target.scheme}://{host_label(target)}" if target.host else ""
        except httpx.InvalidURL:
            where = ""
        if where:
            return PlatformError(f"{self.host} redirects to {where} (HTTP {reply.status}).",
                                 f"Enter {where} as the address, exactly as the browser shows it.")
        return PlatformError(f"{self.host} redirects elsewhere (HTTP {reply.status}).",
                             "Enter the address exactly as the browser shows it after opening the site.")

    def generic_error(self, reply: Reply, detail: str = "") -> PlatformError:
        """Wording for statuses the adapter has no special words for (3xx, 429, 5xx, other 4xx)."""
        detail = self.scrub(_shorten(detail, 200)) if detail else ""
        suffix = f": {detail}" if detail else ""
        if 300 <= reply.status < 400:
            return self.redirect_error(reply)
        if reply.status == 429:
            return PlatformError(f"{self.label} is limiting requests (HTTP 429) and still was after "
                                 f"{reply.attempts} tries.", "Wait a minute and try again.")
        if reply.status >= 500:
            if decode_json_or_none(reply.body) is None:
                return self.not_json(reply, hint=f"{self.label} has a problem on its side (tried {reply.attempts} "
                                                 "times). Try again in a few minutes.")
            return PlatformError(f"{self.label} had a problem on its side (HTTP {reply.status}, tried "
                                 f"{reply.attempts} times){suffix}.", "Try again in a few minutes.")
        return PlatformError(f"{self.label} refused the request (HTTP {reply.status}){suffix}.",
                             "Check the connection settings, then try again.")

    # --- lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class _Retryable(Exception):
    """A dropped connection: worth one more try; carries the words to use if it keeps happening."""

    def __init__(self, error: PlatformError) -> None:
        super().__init__(error.message)
        self.error = error


def decode_json_or_none(body: bytes) -> Any:
    try:
        return decode_json(body)
    except NotJson:
        return None


def _request_size(request: httpx.Request) -> int:
    """Bytes on the wire, near enough: request line, headers and body (values are counted, never kept)."""
    line = len(request.method) + len(request.url.raw_path) + len(" HTTP/1.1\r\n") + 1
    headers = sum(len(k) + len(v) + 4 for k, v in request.headers.raw)
    body = len(request.content) if isinstance(request.stream, httpx.ByteStream) else 0
    return line + headers + 2 + body
