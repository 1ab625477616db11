"""The chat client for any OpenAI-compatible server (Ollama, LM Studio, llama.cpp, OpenAI, Mistral…).

Every method blocks on the network: call it from a background thread (the network pool). `on_text` fires on
the calling thread, once per piece of text, as soon as it arrives.

How it talks (the wire contract is in the integration notes, §3 "openai + OpenAI-compatible servers"):
- The `openai` package builds and sends the requests (it runs on httpx2); its own retries are off, and the headers
  that describe this computer (`X-Stainless-OS`, `-Arch`, `-Runtime*`) or come from the environment
  (`OpenAI-Organization`, `OpenAI-Project`) are dropped. With no API key, no `Authorization` header is sent at all.
- The stream is read and parsed here, not by the SDK, so that the text received before a failure is kept
  (`LLMError.partial_text`), so that Ollama's tool-call chunks (whole call at once, role repeated, maybe no index)
  are accepted as well as OpenAI's (id and name first, argument fragments later, by `index`), and so that a
  broken chunk or a `data: {"error": …}` in the middle of the stream is a clear `LLMBadResponse`.
  `tool_choice` is never sent: Ollama rejects it.
- Timeouts: 5 s to connect, `endpoint.timeout` of silence while waiting for or reading the answer (a stall in the
  middle of a stream is `LLMTimeout`). Retries, at most `max_retries`, for connection failures, 429 (honouring
  `retry-after-ms` / `retry-after`, capped at 10 s) and 5xx; never once the answer has started.
- Cancellation: the socket reads are sliced into 0.1 s waits that check the job's `CancelToken`, so a cancel is
  honoured within about 0.1 s even while the server is silent (loading a model, or stalled mid-stream), and the
  connection is closed at once. The check runs on the calling thread: no watcher thread, no socket shared between
  threads.
- TLS: the operating system's trust store (as httpx2 does), plus the `ca_file` when given. No redirect is followed,
  no proxy or credential is taken from the environment.
- Egress: `bytes_out` is the exact request bodies sent (every attempt), `bytes_in` the response bodies received
  (before decompression); both are on every `ChatResult` and every `LLMError`, and `on_egress` (optional) hears
  about each attempt: `(host, purpose, bytes_out, bytes_in, status)`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import httpcore2
import httpx2
import openai

from desktop.core.errors import Cancelled, UserFacingError
from desktop.llm.endpoint import Endpoint, host_of, is_loopback, validate_base_url
from desktop.llm.errors import (
    LLMBadResponse,
    LLMError,
    LLMModelMissing,
    LLMNoToolSupport,
    LLMRateLimited,
    LLMRequestRejected,
    LLMServerError,
    LLMTimeout,
    LLMUnauthorized,
    LLMUnreachable,
)
from desktop.tasks.cancel import CancelToken

log = logging.getLogger("comptoir.llm")

# The SDK logs request options (prompts included) at DEBUG when OPENAI_LOG=debug is set; httpx2 logs URLs at INFO.
for _noisy in ("openai", "httpx2", "httpcore2"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

CONNECT_TIMEOUT = 5.0
MAX_RETRY_WAIT = 10.0          # never wait longer than this for one retry, whatever Retry-After says
FIRST_BACKOFF = 0.5            # then 1, 2, 4… seconds (capped at MAX_RETRY_WAIT) without Retry-After
TICK = 0.1                     # how often a silent read looks at the cancel token
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DETECT_PORTS: dict[str, int] = {"ollama": 11434, "lmstudio": 1234, "llamacpp": 8080}

# (host, purpose, bytes_out, bytes_in, status) for each attempt; same shape as the platforms' recorder.
EgressRecorder = Callable[[str, str, int, int, str], None]

# Headers the SDK would send that describe this computer or the SDK, or that it fills from environment variables.
_DROPPED_HEADERS = ("X-Stainless-OS", "X-Stainless-Arch", "X-Stainless-Runtime", "X-Stainless-Runtime-Version",
                    "X-Stainless-Lang", "X-Stainless-Package-Version", "X-Stainless-Async", "X-Stainless-Retry-Count",
                    "X-Stainless-Read-Timeout", "OpenAI-Organization", "OpenAI-Project")
_PLACEHOLDER_KEY = "no-key"    # the SDK insists on a key; with this one, the Authorization header is dropped

_T = TypeVar("_T")


@dataclass(frozen=True)
class ToolCall:
    """A function the model asks for; `arguments` is its raw JSON text (parse and validate it yourself)."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ChatResult:
    """A complete answer. `tool_calls` non-empty means the model wants tools run (whatever `finish_reason` says)."""

    text: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    model: str
    bytes_out: int
    bytes_in: int
    usage: dict[str, Any] | None


@dataclass(frozen=True)
class TestReport:
    """The outcome of `ChatClient.test`: `message` says, in one or two sentences, what works or what is wrong."""

    __test__ = False  # not a pytest test class, whatever its name

    ok: bool
    models: list[str]
    message: str
    tools_supported: bool | None


@dataclass(frozen=True)
class DetectedServer:
    kind: str          # "ollama", "lmstudio" or "llamacpp"
    base_url: str
    models: list[str]


# --- one call's bookkeeping, visible to the transport and the socket reads of the calling thread ---------------


@dataclass
class _Call:
    cancel: CancelToken | None
    bytes_out: int = 0
    bytes_in: int = 0

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.cancelled

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()


_CURRENT: ContextVar[_Call | None] = ContextVar("comptoir_llm_call", default=None)


def _check_cancel() -> None:
    call = _CURRENT.get()
    if call is not None:
        call.check()


class _CancellableStream(httpcore2.NetworkStream):
    """A socket whose reads wait in TICK slices, checking the calling job's cancel token between them.

    A read still times out after the full `timeout` of silence, exactly as before; only the waiting is sliced.
    Raising Cancelled from a read makes httpcore close the connection (it closes on any exception).
    """

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            _check_cancel()
            step = TICK
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise httpcore2.ReadTimeout("timed out")
                step = min(TICK, remaining)
            try:
                return self._inner.read(max_bytes, timeout=step)
            except httpcore2.ReadTimeout:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _check_cancel()
        self._inner.write(buffer, timeout=timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore2.NetworkStream:
        return _CancellableStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _CancellableBackend(httpcore2.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore2.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None) -> httpcore2.NetworkStream:
        _check_cancel()
        return _CancellableStream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None
                            ) -> httpcore2.NetworkStream:
        return _CancellableStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CountingStream(httpx2.SyncByteStream):
    """A response body that adds what it yields to the current call's `bytes_in`."""

    def __init__(self, inner: httpx2.SyncByteStream) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            call = _CURRENT.get()
            if call is not None:
                call.bytes_in += len(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _Transport(httpx2.HTTPTransport):
    """httpx2's transport with the cancellable sockets, and counting of the bytes that went out and came in."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        limits = httpx2.Limits(max_connections=4, max_keepalive_connections=2, keepalive_expiry=30.0)
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        # httpx2 does not let a transport choose its network backend; its pool is rebuilt with ours.
        self._pool = httpcore2.ConnectionPool(
            ssl_context=ssl_context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CancellableBackend())

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = request.read()
        call = _CURRENT.get()
        try:
            response = super().handle_request(request)
        except (httpx2.ConnectError, httpx2.ConnectTimeout):
            raise  # not connected: nothing went out
        except BaseException:
            if call is not None:
                call.bytes_out += len(body)
            raise
        if call is not None:
            call.bytes_out += len(body)
        stream = response.stream
        assert isinstance(stream, httpx2.SyncByteStream)
        return httpx2.Response(status_code=response.status_code, headers=response.headers,
                               stream=_CountingStream(stream), extensions=response.extensions)


_CONTEXTS: dict[tuple[str, float], ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The OS trust store (as httpx2 uses it), plus `ca_file`; built once per file (and modification time)."""
    mtime = 0.0
    if ca_file:
        try:
            mtime = Path(ca_file).stat().st_mtime
        except OSError:
            mtime = -1.0
    key = (ca_file or "", mtime)
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(key)
    if cached is not None:
        return cached
    context = httpcore2.default_ssl_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise UserFacingError(
                f"The certificate authority file {ca_file} could not be read ({type(exc).__name__}).",
                "Check the file, or remove it from the settings to use the system's authorities.") from None
    with _CONTEXTS_LOCK:
        _CONTEXTS[key] = context
    return context


# --- the stream parser ------------------------------------------------------------------------------------------


class _Broken(Exception):
    """The answer does not follow the protocol; `detail` says how, for the merchant's message."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _ServerSaid(Exception):
    """A `data: {"error": …}` event in the middle of the stream."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _PendingCall:
    id: str
    name: str
    arguments: str


@dataclass
class _Accumulator:
    on_text: Callable[[str], None] | None
    parts: list[str] = field(default_factory=list)
    calls: list[_PendingCall] = field(default_factory=list)
    slots: dict[int, int] = field(default_factory=dict)   # tool-call index (or position) -> place in `calls`
    finish_reason: str = ""
    model: str = ""
    usage: dict[str, Any] | None = None
    done: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def feed(self, chunk: Any) -> None:
        """One `chat.completion.chunk` (or a whole non-streamed `chat.completion`)."""
        if not isinstance(chunk, dict):
            raise _Broken("a piece of the answer is not a JSON object")
        error = chunk.get("error")
        if error:
            raise _ServerSaid(_error_text(error))
        if isinstance(chunk.get("model"), str) and chunk["model"]:
            self.model = chunk["model"]
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        choices = chunk.get("choices")
        if choices is None:
            return
        if not isinstance(choices, list):
            raise _Broken("“choices” is not a list")
        for choice in choices:
            if not isinstance(choice, dict):
                raise _Broken("a choice is not a JSON object")
            if choice.get("index", 0) not in (0, None):
                continue  # we ask for one answer; ignore any other
            delta = choice.get("delta")
            if delta is None:
                delta = choice.get("message")  # a non-streamed answer
            if delta is not None and not isinstance(delta, dict):
                raise _Broken("a delta is not a JSON object")
            if delta:
                self._feed_delta(delta)
            finish = choice.get("finish_reason")
            if isinstance(finish, str) and finish:
                self.finish_reason = finish

    def _feed_delta(self, delta: dict[str, Any]) -> None:
        content = delta.get("content")
        if isinstance(content, str) and content:
            self.parts.append(content)
            if self.on_text is not None:
                self.on_text(content)
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            if not isinstance(tool_calls, list):
                raise _Broken("“tool_calls” is not a list")
            for position, fragment in enumerate(tool_calls):
                self._feed_tool_fragment(position, fragment)

    def _feed_tool_fragment(self, position: int, fragment: Any) -> None:
        if not isinstance(fragment, dict):
            raise _Broken("a tool call is not a JSON object")
        function = fragment.get("function") or {}
        if not isinstance(function, dict):
            raise _Broken("a tool call's “function” is not a JSON object")
        index = fragment.get("index")
        key = index if isinstance(index, int) and not isinstance(index, bool) else position
        raw_id, raw_name = fragment.get("id"), function.get("name")
        call_id = raw_id if isinstance(raw_id, str) else ""
        name = raw_name if isinstance(raw_name, str) else ""
        arguments = function.get("arguments")
        if isinstance(arguments, dict | list):
            arguments = json.dumps(arguments, ensure_ascii=False)  # some servers send the object itself
        elif not isinstance(arguments, str):
            arguments = ""
        slot = self.slots.get(key)
        if slot is not None and call_id and self.calls[slot].id and call_id != self.calls[slot].id:
            slot = None  # a new call at an index already used (Ollama numbers the calls of each chunk from 0)
        if slot is None:
            self.calls.append(_PendingCall(call_id, name, arguments))
            self.slots[key] = len(self.calls) - 1
            return
        pending = self.calls[slot]
        if call_id and not pending.id:
            pending.id = call_id
        if name and not pending.name:
            pending.name = name
        pending.arguments += arguments

    def tool_calls(self) -> tuple[ToolCall, ...]:
        calls = []
        for number, pending in enumerate(self.calls):
            if not pending.name:
                raise _Broken("the model asked for a tool without naming it")
            calls.append(ToolCall(pending.id or f"call_{number}", pending.name, pending.arguments or "{}"))
        return tuple(calls)


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        message = error.get("message") or error.get("error") or error.get("type") or ""
        return str(message)
    return str(error)


_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


def extract_json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's answer: the whole text, a ```json fenced block, or the first {…} that parses.

    Reasoning blocks (`<think>…</think>`, which some local models put in the content) are skipped first.
    """
    cleaned = _THINK_RE.sub("", text).strip()
    candidates = [cleaned, *(m.group(1).strip() for m in _FENCE_RE.finditer(cleaned))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    start = cleaned.find("{")
    while start != -1:
        try:
            value, _end = decoder.raw_decode(cleaned, start)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
        start = cleaned.find("{", start + 1)
    return None


# --- retries --------------------------------------------------------------------------------------------------------


def retry_delay(headers: Mapping[str, str], attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1, 2…): `retry-after-ms`, else `retry-after` (seconds or an
    HTTP date), else 0.5, 1, 2… seconds; never more than MAX_RETRY_WAIT."""
    lowered = {name.lower(): value for name, value in headers.items()}
    delay: float | None = None
    milliseconds = lowered.get("retry-after-ms")
    if milliseconds:
        try:
            delay = float(milliseconds) / 1000
        except ValueError:
            delay = None
    seconds = lowered.get("retry-after")
    if delay is None and seconds:
        try:
            delay = float(seconds)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(seconds)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                delay = (when - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError):
                delay = None
    if delay is None or delay != delay:  # absent, unreadable or NaN
        delay = FIRST_BACKOFF * 2 ** max(0, attempt - 1)
    return min(MAX_RETRY_WAIT, max(0.0, delay))


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 12:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the client ---------------------------------------------------------------------------------------------------

_PROBE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "ping",
        "description": "Connection test. Call it with echo set to \"comptoir\".",
        "parameters": {"type": "object", "properties": {"echo": {"type": "string"}}, "required": ["echo"]},
    },
}
_PROBE_MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You are a connection test. Do not write any text: call the function `ping` "
                                  "with echo set to \"comptoir\"."},
    {"role": "user", "content": "Call ping now."},
]


class ChatClient:
    """One endpoint. Thread-safe; each call blocks (run it on the network pool). Close it when done."""

    def __init__(self, endpoint: Endpoint, *, ca_file: str | None = None, max_retries: int = 2,
                 connect_timeout: float = CONNECT_TIMEOUT, on_egress: EgressRecorder | None = None) -> None:
        self.endpoint = endpoint
        self.base_url = validate_base_url(endpoint.base_url)
        self.host = host_of(self.base_url)
        self.max_retries = max(0, int(max_retries))
        self.on_egress = on_egress
        self._key = endpoint.api_key
        timeout = httpx2.Timeout(endpoint.timeout, connect=connect_timeout)
        self._http = httpx2.Client(transport=_Transport(_tls_context(ca_file)), timeout=timeout,
                                   follow_redirects=False, trust_env=False)
        self._sdk = openai.OpenAI(api_key=endpoint.api_key or _PLACEHOLDER_KEY, base_url=self.base_url,
                                  max_retries=0, timeout=timeout, http_client=self._http)
        # Sent with every request: the SDK only honours a removed header when the request itself removes it.
        headers: dict[str, Any] = {name: openai.Omit() for name in _DROPPED_HEADERS}
        if not endpoint.api_key:
            headers["Authorization"] = openai.Omit()
        self._headers = cast(dict[str, str], headers)

    def __repr__(self) -> str:
        return f"ChatClient({self.base_url!r})"

    # --- public calls -----------------------------------------------------------------------------------------

    def list_models(self, *, cancel: CancelToken | None = None) -> list[str]:
        """The model names the server offers (GET /v1/models), in its order."""
        call = _Call(cancel)

        def send() -> AbstractContextManager[Any]:
            return self._sdk.models.with_streaming_response.list(extra_headers=self._headers)

        def consume(http: httpx2.Response) -> list[str]:
            try:
                data = json.loads(self._read_body(http))
            except ValueError:
                raise _Broken("the model list is not JSON") from None
            entries = data.get("data", data.get("models")) if isinstance(data, dict) else None
            if not isinstance(entries, list):
                raise _Broken("the answer is not a model list")
            names = []
            for entry in entries:
                name = entry.get("id") or entry.get("name") or entry.get("model") if isinstance(entry, dict) else entry
                if isinstance(name, str) and name:
                    names.append(name)
            return names

        try:
            return self._exchange(call, "models", send, consume)
        except LLMModelMissing as exc:
            error = LLMUnreachable(f"{self.host} answers, but offers no model list at {self.base_url}/models "
                                   "(HTTP 404).",
                                   "Check the address: for OpenAI-compatible servers it usually ends in /v1.",
                                   status=404, server_message=exc.server_message)
            raise self._with_bytes(error, call) from None

    def stream(self, *, model: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               on_text: Callable[[str], None] | None = None, cancel: CancelToken | None = None,
               temperature: float | None = None, max_tokens: int | None = None) -> ChatResult:
        """Ask for an answer, streamed: `on_text` gets each piece of text as it arrives (on this thread)."""
        return self._chat(_Call(cancel), "chat", model=model, messages=messages, tools=tools, on_text=on_text,
                          temperature=temperature, max_tokens=max_tokens)

    def structured(self, *, model: str, messages: list[dict[str, Any]], schema: dict[str, Any], name: str,
                   cancel: CancelToken | None = None) -> tuple[dict[str, Any], ChatResult]:
        """An answer as a JSON object following `schema`.

        Asks for `response_format` json_schema (strict); a server that refuses it (HTTP 400/422) is asked again
        with json_object, then without response_format. Those two fallbacks add the schema to the instructions.
        The object is read tolerantly (```json fences, text around it). The caller still validates it.
        """
        call = _Call(cancel)
        formats: list[dict[str, Any] | None] = [
            {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}},
            {"type": "json_object"},
            None,
        ]
        for number, response_format in enumerate(formats):
            sent = messages if number == 0 else _with_schema_instruction(messages, schema)
            try:
                result = self._chat(call, "structured", model=model, messages=sent, response_format=response_format)
            except LLMRequestRejected as exc:
                if exc.status not in (400, 422) or number == len(formats) - 1:
                    raise
                kind = response_format["type"] if response_format else "plain"
                log.info("%s refused response_format %s (HTTP %s); trying a simpler one", self.host, kind, exc.status)
                continue
            parsed = extract_json_object(result.text)
            if parsed is None:
                error = LLMBadResponse(f"The model “{model}” did not answer with a JSON object.",
                                       "Try again, or pick a model that follows instructions more closely.",
                                       partial_text=result.text)
                raise self._with_bytes(error, call)
            return parsed, result
        raise AssertionError("unreachable: the last format either returns or raises")

    def test(self, model: str | None = None) -> TestReport:
        """Check the endpoint, step by step, and say precisely what is wrong.

        1. GET /v1/models: unreachable, bad certificate, refused key (401/403)… A server without a model list
           (404) is not an error in itself.
        2. `model` in that list (Ollama's `name` and `name:latest` are the same model); if not, the available
           ones are named.
        3. A tiny streamed request offering one tool (`ping`) and asking the model to call it. A 400 that
           mentions tools, or an answer without any tool call, means no tool support (tools_supported=False).
           That second rule is a heuristic: a model that supports tools but ignores a direct order to use one
           is not reliable enough for the assistant either.
        `ok` is True when everything the assistant needs works, tools included. Without `model`, only steps 1
        and 2 run. Never raises (except Cancelled, which cannot happen here: there is no token).
        """
        try:
            models = self.list_models()
        except LLMUnreachable as exc:
            if exc.status != 404 or model is None:
                return TestReport(False, [], _sentence(exc), None)
            models = []
        except UserFacingError as exc:
            return TestReport(False, [], _sentence(exc), None)
        if model is None:
            listed = ", ".join(models[:8]) + ("…" if len(models) > 8 else "")
            what = f"{len(models)} model(s) available: {listed}." if models else "No model is installed yet."
            return TestReport(bool(models), models, f"Connected to {self.host}. {what}", None)
        if models and not any(_same_model(model, m) for m in models):
            listed = ", ".join(models[:12]) + ("…" if len(models) > 12 else "")
            hint = f"Pick one of: {listed}." if models else ""
            if is_loopback(self.base_url) and self.base_url.endswith(":11434/v1"):
                hint += f" Or install it with: ollama pull {model}"
            return TestReport(False, models, f"The model “{model}” is not available on {self.host}. {hint}".strip(),
                              None)
        try:
            result = self.stream(model=model, messages=_PROBE_MESSAGES, tools=[_PROBE_TOOL], max_tokens=256)
        except LLMNoToolSupport as exc:
            return TestReport(False, models, _sentence(exc), False)
        except UserFacingError as exc:
            return TestReport(False, models, _sentence(exc), None)
        if any(call.name == "ping" for call in result.tool_calls):
            return TestReport(True, models, f"“{model}” on {self.host} answers and can use tools.", True)
        return TestReport(False, models,
                          f"“{model}” on {self.host} answers, but did not use a tool when told to; it probably "
                          "does not support tools. Pick a model that does (for example qwen2.5, llama3.1 or "
                          "mistral-nemo).", False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- the chat request ------------------------------------------------------------------------------------

    def _chat(self, call: _Call, purpose: str, *, model: str, messages: list[dict[str, Any]],
              tools: list[dict[str, Any]] | None = None, on_text: Callable[[str], None] | None = None,
              temperature: float | None = None, max_tokens: int | None = None,
              response_format: dict[str, Any] | None = None) -> ChatResult:
        body: dict[str, Any] = {"model": model, "messages": messages, "stream": True,
                                "stream_options": {"include_usage": True}}
        if tools:
            body["tools"] = tools
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if response_format is not None:
            body["response_format"] = response_format
        accumulator = _Accumulator(on_text)
        outcome: list[tuple[ToolCall, ...]] = []

        def send() -> AbstractContextManager[Any]:
            return self._sdk.chat.completions.with_streaming_response.create(**body, extra_headers=self._headers)

        def consume(http: httpx2.Response) -> None:
            try:
                self._read_chat(http, accumulator, call)
                outcome.append(accumulator.tool_calls())
            except Cancelled:
                raise
            except _Broken as exc:
                raise LLMBadResponse(f"The model server at {self.host} sent a broken answer ({exc.detail}).",
                                     "Try again; if it keeps happening, update the model server or pick another "
                                     "model.", partial_text=accumulator.text) from None
            except _ServerSaid as exc:
                said = self._scrub(_shorten(exc.message))
                raise LLMBadResponse(f"The model server at {self.host} stopped with an error in the middle of the "
                                     f"answer: {said or 'no details'}.",
                                     "The text received so far is kept. Try again in a moment.",
                                     partial_text=accumulator.text, server_message=said) from None
            except httpx2.TimeoutException:
                raise LLMTimeout(f"The model at {self.host} went silent for more than "
                                 f"{_seconds(self.endpoint.timeout)} while answering.",
                                 "The text received so far is kept. Try again; a slow or busy computer may need a "
                                 "longer timeout in the settings.", partial_text=accumulator.text) from None
            except httpx2.HTTPError:
                raise LLMUnreachable(f"The connection to {self.host} was cut while the model was answering.",
                                     "The text received so far is kept. Try again in a moment.",
                                     partial_text=accumulator.text) from None

        self._exchange(call, purpose, send, consume, tools_sent=bool(tools), model=model)
        return ChatResult(text=accumulator.text, tool_calls=outcome[0] if outcome else (),
                          finish_reason=accumulator.finish_reason, model=accumulator.model or model,
                          bytes_out=call.bytes_out, bytes_in=call.bytes_in, usage=accumulator.usage)

    def _read_chat(self, http: httpx2.Response, accumulator: _Accumulator, call: _Call) -> None:
        content_type = http.headers.get("content-type", "").lower()
        if "text/event-stream" not in content_type:
            # The server ignored stream=true and sent the whole chat.completion at once: accept it.
            try:
                whole = json.loads(self._read_body(http))
            except ValueError:
                raise _Broken(f"the answer is neither a stream nor JSON ({content_type or 'no type'})") from None
            accumulator.feed(whole)
            accumulator.done = True
            return
        data: list[str] = []
        for line in http.iter_lines():
            call.check()
            if call.bytes_in > MAX_RESPONSE_BYTES:
                raise _Broken(f"the answer is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB")
            if line == "":
                if data:
                    self._dispatch("\n".join(data), accumulator)
                    data = []
                    if accumulator.done:
                        return
                continue
            if line.startswith(":"):
                continue  # an SSE comment (keep-alive)
            name, _sep, value = line.partition(":")
            if name == "data":
                data.append(value[1:] if value.startswith(" ") else value)
        if data:  # the stream ended without the blank line after its last event
            self._dispatch("\n".join(data), accumulator)
        if not accumulator.done and not accumulator.finish_reason:
            raise _Broken("the answer was cut short")

    @staticmethod
    def _dispatch(data: str, accumulator: _Accumulator) -> None:
        if data.strip() == "[DONE]":
            accumulator.done = True
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise _Broken("a piece of the answer is not valid JSON") from None
        accumulator.feed(chunk)

    @staticmethod
    def _read_body(http: httpx2.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in http.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise _Broken(f"the answer is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB")
            chunks.append(chunk)
        return b"".join(chunks)

    # --- one exchange, with retries ------------------------------------------------------------------------

    def _exchange(self, call: _Call, purpose: str, send: Callable[[], AbstractContextManager[Any]],
                  consume: Callable[[httpx2.Response], _T], *, tools_sent: bool = False,
                  model: str | None = None) -> _T:
        token = _CURRENT.set(call)
        try:
            attempt = 0
            while True:
                attempt += 1
                call.check()
                before = (call.bytes_out, call.bytes_in)
                status = "failed"
                wait: float | None = None
                try:
                    with send() as api_response:
                        http = cast(httpx2.Response, api_response.http_response)
                        status = str(http.status_code)
                        try:
                            return consume(http)
                        except _Broken as exc:
                            status = "bad answer"
                            raise LLMBadResponse(f"{self.host} answered something unexpected: {exc.detail}.",
                                                 "Check the address: it should be an OpenAI-compatible server "
                                                 "(usually ending in /v1).") from None
                        except LLMTimeout:
                            status = "timeout"
                            raise
                        except LLMUnreachable:
                            status = "connection lost"
                            raise
                        except LLMError:
                            status = "bad answer"
                            raise
                except openai.APIStatusError as exc:
                    status = str(exc.status_code)
                    if (exc.status_code == 429 or exc.status_code >= 500) and attempt <= self.max_retries:
                        wait = retry_delay(exc.response.headers, attempt)
                    else:
                        raise self._status_error(exc, attempt, tools_sent=tools_sent, model=model) from None
                except openai.APIConnectionError as exc:
                    if call.cancelled:
                        status = "cancelled"
                        raise Cancelled() from None
                    error, retryable, status = self._connection_error(exc)
                    if retryable and attempt <= self.max_retries:
                        wait = FIRST_BACKOFF * 2 ** (attempt - 1)
                    else:
                        raise error from None
                except Cancelled:
                    status = "cancelled"
                    raise
                finally:
                    self._record(purpose, call.bytes_out - before[0], call.bytes_in - before[1], status)
                log.info("%s answered %s; retry %d of %d in %.1f s", self.host, status, attempt, self.max_retries,
                         wait)
                if call.cancel is not None:
                    if call.cancel.wait(wait):
                        raise Cancelled()
                else:
                    time.sleep(wait)
        except LLMError as exc:
            raise self._with_bytes(exc, call) from None
        except Cancelled:
            raise
        except Exception:
            if call.cancelled:  # whatever a cut connection raised on its way out
                raise Cancelled() from None
            raise
        finally:
            _CURRENT.reset(token)

    def _record(self, purpose: str, bytes_out: int, bytes_in: int, status: str) -> None:
        if self.on_egress is None:
            return
        try:
            self.on_egress(self.host, purpose, bytes_out, bytes_in, status)
        except Exception as exc:  # the ledger must not break the answer; say so loudly
            log.error("egress recorder failed for %s (%s)", self.host, type(exc).__name__)

    @staticmethod
    def _with_bytes(error: LLMError, call: _Call) -> LLMError:
        error.bytes_out, error.bytes_in = call.bytes_out, call.bytes_in
        return error

    def _scrub(self, text: str) -> str:
        if self._key and len(self._key) >= 4:
            text = text.replace(self._key, "***")
        return text

    def _server_message(self, response: httpx2.Response) -> str:
        try:
            body = response.content
        except httpx2.ResponseNotRead:
            return ""
        text = ""
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("error", "message", "detail"):
                if data.get(key):
                    text = _error_text(data[key])
                    break
        elif body.strip() and b"<html" not in body[:2048].lower():
            text = body[:1000].decode("utf-8", "replace")
        return self._scrub(_shorten(text))

    def _status_error(self, exc: openai.APIStatusError, tries: int, *, tools_sent: bool,
                      model: str | None) -> LLMError:
        status = exc.status_code
        said = self._server_message(exc.response)
        suffix = f": {said}" if said else ""
        kwargs: dict[str, Any] = {"status": status, "server_message": said}
        if status in (401, 403):
            # The server's words are not quoted: some echo the key they received.
            if self._key:
                return LLMUnauthorized(f"{self.host} refused the API key (HTTP {status}).",
                                       "Check the API key in the AI settings (copy it again from the provider's "
                                       "site), and that it is allowed to use this model.", **kwargs)
            return LLMUnauthorized(f"{self.host} asks for an API key (HTTP {status}).",
                                   "Enter the API key in the AI settings.", **kwargs)
        if status == 404:
            what = f"The model “{model}” is not available on {self.host}" if model else \
                f"{self.host} has nothing at this address"
            return LLMModelMissing(f"{what} (HTTP 404){suffix}.",
                                   "Check the model name (Test connection lists the installed ones) and that the "
                                   "address ends in /v1. For Ollama, install a model with: ollama pull <name>",
                                   **kwargs)
        if status == 429:
            return LLMRateLimited(f"{self.host} is limiting requests (HTTP 429) and still was after {tries} "
                                  f"tries{suffix}.",
                                  "Wait a minute and try again; check the plan or quota with the provider.", **kwargs)
        if status >= 500:
            return LLMServerError(f"The model server at {self.host} had a problem (HTTP {status}, tried {tries} "
                                  f"times){suffix}.",
                                  "Try again in a moment; if it persists, look at the server's log (for Ollama: "
                                  "ollama serve).", **kwargs)
        if tools_sent and "tool" in said.lower():
            return LLMNoToolSupport(f"The model “{model}” cannot use tools{suffix}.",
                                    "Pick a model that supports tools (for example qwen2.5, llama3.1 or "
                                    "mistral-nemo).", **kwargs)
        return LLMRequestRejected(f"{self.host} refused the request (HTTP {status}){suffix}.",
                                  "Check the model name and the AI settings; a very long conversation may not fit "
                                  "in the model's context.", **kwargs)

    def _connection_error(self, exc: openai.APIConnectionError) -> tuple[LLMError, bool, str]:
        """(error, worth retrying, ledger status) for a failure before any answer arrived."""
        causes = _causes(exc)
        host = self.host
        for cause in causes:
            if isinstance(cause, ssl.SSLCertVerificationError):
                reason = cause.verify_message or cause.reason or "verification failed"
                return (LLMUnreachable(f"The certificate of {host} is not valid: {reason}.",
                                       "Nothing was sent. If this is your own server with its own certificate "
                                       "authority, add the authority's file in the AI settings."), False, "tls error")
        for cause in causes:
            if isinstance(cause, socket.gaierror):
                return (LLMUnreachable(f"The address {host} could not be found.",
                                       "Check the address and that this computer is online."), False, "dns error")
            if isinstance(cause, ConnectionRefusedError):
                hint = ("Start the model server (Ollama, LM Studio's local server, llama-server) or check the port."
                        if is_loopback(self.base_url) else "Check the address; the server may be down.")
                return LLMUnreachable(f"Nothing answers at {host}.", hint), True, "refused"
        for cause in causes:
            if isinstance(cause, ssl.SSLError):
                reason = cause.reason or type(cause).__name__
                return (LLMUnreachable(f"A secure connection to {host} could not be set up ({reason}).",
                                       "Check that the address serves HTTPS on this port (a model running on this "
                                       "computer usually uses http://)."), False, "tls error")
        if any(isinstance(c, httpx2.ConnectTimeout | httpx2.PoolTimeout) for c in causes):
            return (LLMUnreachable(f"{host} could not be reached in time.",
                                   "Check the address and that this computer is online."), True, "timeout")
        if any(isinstance(c, httpx2.TimeoutException) for c in causes):
            return (LLMTimeout(f"The model at {host} did not start answering within "
                               f"{_seconds(self.endpoint.timeout)}.",
                               "A local model may still be loading (the first request takes longest), or the "
                               "computer is busy. Try again, or raise the timeout in the AI settings."),
                    False, "timeout")
        if any(isinstance(c, httpx2.RemoteProtocolError | httpx2.ReadError | httpx2.WriteError) for c in causes):
            return (LLMUnreachable(f"The connection to {host} was cut before the model answered.",
                                   "Try again in a moment."), True, "connection lost")
        oserror = next((c for c in causes if isinstance(c, OSError) and c.strerror), None)
        detail = f" ({oserror.strerror})" if oserror is not None else ""
        return (LLMUnreachable(f"{host} could not be reached{detail}.",
                               "Check the address and that this computer is online."), True, "unreachable")


def _with_schema_instruction(messages: list[dict[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages, with an instruction to answer in JSON following `schema` (for servers without json_schema)."""
    instruction = ("Answer with one JSON object only, no other text, that follows this JSON Schema:\n"
                   + json.dumps(schema, ensure_ascii=False))
    if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        first = dict(messages[0])
        first["content"] = f"{first['content']}\n\n{instruction}"
        return [first, *messages[1:]]
    return [{"role": "system", "content": instruction}, *messages]


def _same_model(wanted: str, listed: str) -> bool:
    def norm(name: str) -> str:
        return name[: -len(":latest")] if name.endswith(":latest") else name

    return wanted == listed or norm(wanted) == norm(listed)


def _seconds(value: float) -> str:
    return "1 second" if value == 1 else f"{value:g} seconds"


def _sentence(error: UserFacingError) -> str:
    return f"{error.message} {error.hint}".strip()


def detect_local(timeout: float = 0.5, ports: dict[str, int] | None = None) -> list[DetectedServer]:
    """Model servers running on this computer: GET /v1/models on 127.0.0.1 at each kind's usual port.

    `ports` ({"ollama": 11434, …}) replaces the default set (DETECT_PORTS). The probes run in parallel, so this
    takes about `timeout` at worst. A port that answers something other than a model list is not reported.
    """
    targets = dict(DETECT_PORTS if ports is None else ports)
    if not targets:
        return []

    def probe(kind: str, port: int) -> DetectedServer | None:
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            with ChatClient(Endpoint(base_url, name=kind, timeout=timeout), max_retries=0,
                            connect_timeout=timeout) as client:
                return DetectedServer(kind, base_url, client.list_models())
        except LLMError:
            return None

    with ThreadPoolExecutor(max_workers=len(targets), thread_name_prefix="llm-detect") as pool:
        found = list(pool.map(lambda item: probe(*item), targets.items()))
    return [server for server in found if server is not None]
