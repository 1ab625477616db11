"""A real OpenAI-compatible chat server on 127.0.0.1, speaking the wire contract of integrations.md §3.2.

stdlib `ThreadingHTTPServer`, HTTP/1.1, optionally TLS with the tests' throwaway PKI. Endpoints:

- `GET /v1/models`: `{"object":"list","data":[{"id",…}]}` from `server.models`.
- `POST /v1/chat/completions`: with `"stream": true`, `text/event-stream`: one `data: <json>` line and a blank line
  per event, written and flushed one by one, `data: [DONE]`, then the connection is closed (no Content-Length,
  `Connection: close`). The final usage chunk (`choices: []`) comes only with `stream_options.include_usage`.
  Without stream, one `chat.completion` JSON (keep-alive).
- Anything else: 404 in OpenAI's error shape `{"error":{"message","type","param","code"}}`.

What the server checks before answering, like real ones do:
- `api_key` set: a missing or wrong `Authorization: Bearer …` gets 401 (the message echoes the key received, as
  some proxies do, so tests can check the client never repeats it).
- `models` non-empty: an unknown model gets 404 `model_not_found` (`name` also finds `name:latest`, as in Ollama).
- `supports_tools=False`: a request with `tools` gets 400 "… does not support tools" (Ollama's words).
- `supports_json_schema=False` / `supports_json_object=False`: that `response_format` gets 400, like an old server.
- `supports_streaming=False`: `"stream": true` is ignored and one `chat.completion` JSON comes back.
These checks come before the reply is chosen, so a rejected request does not use up a scripted reply.

The answer comes from `server.script([...])` (successive requests get successive replies) and, when the script is
empty, from `server.responder(request_body) -> Reply` (default: echo the last user message). Replies:
`Text`, `ToolCalls` (style "openai": id and name first, argument fragments by index; style "ollama": the whole
calls in one chunk, role repeated in every delta, no index, `system_fingerprint: "fp_ollama"`), `JsonReply`,
`Error`, `Stall`, `Malformed`, `MidStreamError`.

Everything received is in `requests` (`RecordedRequest`: method, path, lower-cased headers as sent — key
included —, raw body, parsed JSON). An exception in the server's own code answers 500 and is kept in `errors`;
the fixtures fail the test if there is any.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.servers.tls import Pki

HOST = "127.0.0.1"
JSON_TYPE = "application/json; charset=utf-8"
SSE_TYPE = "text/event-stream; charset=utf-8"


# --- replies ---------------------------------------------------------------------------------------------------


@dataclass
class Text:
    """Plain text, streamed in pieces of `chunk_size` characters, `delay` seconds apart."""

    text: str
    chunk_size: int = 4
    delay: float = 0.0
    style: str = "openai"           # "ollama": role repeated in every delta, fp_ollama
    finish_reason: str = "stop"


@dataclass
class ToolCalls:
    """The model asks for tools: `[(name, arguments), …]`, after `text` if any."""

    calls: list[tuple[str, dict[str, Any]]]
    style: str = "openai"           # "openai": fragments by index; "ollama": whole calls in one chunk, no index
    chunk_size: int = 8             # openai style: size of the argument fragments
    text: str = ""


@dataclass
class JsonReply:
    """A JSON object. With a json_schema/json_object `response_format` it is sent bare (constrained decoding);
    without one, `prose` comes first and `fence` wraps it in a ```json block, as chatty models do."""

    obj: Any
    fence: bool = False
    prose: str = ""
    chunk_size: int = 16


@dataclass
class Error:
    """An HTTP error in OpenAI's shape, with extra headers (e.g. retry-after, retry-after-ms)."""

    status: int
    message: str = "The server had an error while processing your request."
    type: str = "server_error"
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    param: str | None = None


@dataclass
class Stall:
    """Stream `after_text`, go silent for `seconds` (cut short by stop()), then finish with `rest`.

    `before_headers=True`: go silent before sending anything at all (a model still loading), then answer.
    """

    after_text: str
    seconds: float
    rest: str = ""
    before_headers: bool = False


@dataclass
class Malformed:
    """Stream `after_text`, then an event whose JSON is cut in the middle."""

    after_text: str = ""


@dataclass
class MidStreamError:
    """Stream `after_text`, then `data: {"error": {…}}` and close, without [DONE]."""

    message: str
    after_text: str = ""


Reply = Text | ToolCalls | JsonReply | Error | Stall | Malformed | MidStreamError
Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class RecordedRequest:
    method: str
    path: str                     # without the query string
    headers: dict[str, str]       # lower-cased names, values as sent (Authorization included)
    body: bytes
    json: Any                     # the parsed body, or None
    time: float                   # time.monotonic() when it arrived


def echo_responder(request: dict[str, Any]) -> Reply:
    """The default: repeat the last user message."""
    said = ""
    for message in reversed(request.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            said = content if isinstance(content, str) else json.dumps(content)
            break
    return Text(f"You said: {said}")


def error_body(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i:i + size] for i in range(0, len(text), size)]


def _words(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_words(v) for v in value)
    if isinstance(value, dict):
        return sum(_words(v) for v in value.values())
    return 0


class _ClientGone(Exception):
    """The client closed the connection, or the server is stopping: stop writing."""


# --- HTTP plumbing ---------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # each event goes out at once
    timeout = 30                     # idle keep-alive connections are closed after this
    server: _HTTPServer

    def version_string(self) -> str:
        return "comptoir-test-llm"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.app._serve(self)

    def do_POST(self) -> None:
        self.server.app._serve(self)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True            # server_close() joins the request threads: nothing outlives stop()

    def __init__(self, app: LLMServer, context: ssl.SSLContext | None) -> None:
        self.app = app
        self.context = context
        super().__init__((app.host, app.requested_port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        conn = request
        self.app._track(conn, add=True)
        try:
            if self.context is not None:
                request.settimeout(10)
                conn = self.context.wrap_socket(request, server_side=True)
                self.app._track(conn, add=True)
            if not self.app._stopping.is_set():
                self.RequestHandlerClass(conn, client_address, self)
        except OSError:
            pass  # handshake refused by the client, client gone…
        finally:
            self.app._track(request, add=False)
            self.app._track(conn, add=False)
            with contextlib.suppress(OSError):
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.app.errors.append(traceback.format_exc())


# --- the server ------------------------------------------------------------------------------------------------


class LLMServer:
    """See the module docstring. `start()`/`stop()`, or use it as a context manager."""

    def __init__(self, *, models: list[str] | None = None, api_key: str | None = None, tls: bool = False,
                 pki: Pki | None = None, port: int = 0, responder: Responder | None = None,
                 supports_tools: bool = True, supports_json_schema: bool = True,
                 supports_json_object: bool = True, supports_streaming: bool = True, remote: bool = False) -> None:
        if (tls or remote) and pki is None:
            raise ValueError("TLS needs the test PKI (fixture server_pki)")
        if remote and (pki is None or pki.remote is None or pki.remote_ip is None):
            raise ValueError("this machine has no non-loopback address for a 'remote' server")
        self.models: list[str] = list(models) if models is not None else ["test-model", "llama3.2:latest"]
        self.api_key = api_key
        # remote: HTTPS on this machine's non-loopback address, standing in for a cloud provider
        self.tls = tls or remote
        self.pki = pki
        self.remote = remote
        self.host = pki.remote_ip if remote and pki and pki.remote_ip else HOST
        self.requested_port = port
        self.responder: Responder = responder or echo_responder
        self.supports_tools = supports_tools
        self.supports_json_schema = supports_json_schema
        self.supports_json_object = supports_json_object
        self.supports_streaming = supports_streaming
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        self._script: list[Reply] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._connections: set[Any] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._counter = 0

    # --- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> LLMServer:
        context = None
        if self.tls:
            assert self.pki is not None
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            pair = self.pki.remote if self.remote and self.pki.remote else self.pki.server
            context.load_cert_chain(pair.cert, pair.key)
        self._stopping.clear()
        self._httpd = _HTTPServer(self, context)
        self._port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"LLMServer:{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        self._stopping.set()  # wakes stalls and delays
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._port is not None, "server not started"
        return self._port

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}/v1"

    @property
    def ca_file(self) -> str:
        assert self.pki is not None
        return str(self.pki.ca_file)

    def _track(self, conn: Any, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # --- scripting and log -------------------------------------------------------------------------------------

    def script(self, replies: list[Reply]) -> None:
        """Answer the next chat requests with these replies, in order (then the responder again)."""
        with self._lock:
            self._script.extend(replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._script:
                return self._script.pop(0)
        return self.responder(body)

    # --- serving -----------------------------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        arrived = time.monotonic()
        path = urlsplit(handler.path).path
        headers = {name.lower(): value for name, value in handler.headers.items()}
        try:
            body = _read_body(handler, headers)
        except (ValueError, OSError):
            handler.close_connection = True
            return
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, path, headers, body, parsed, arrived))
        try:
            self._route(handler, path, headers, body, parsed)
        except _ClientGone:
            handler.close_connection = True
        except Exception:
            self.errors.append(traceback.format_exc())
            with contextlib.suppress(Exception):
                self._send_json(handler, 500, error_body("internal error in the test server", "server_error"))

    def _route(self, handler: _Handler, path: str, headers: dict[str, str], body: bytes, parsed: Any) -> None:
        if self.api_key is not None and path.startswith("/v1/"):
            auth = headers.get("authorization", "")
            if auth != f"Bearer {self.api_key}":
                received = auth.removeprefix("Bearer ").strip()
                message = (f"Incorrect API key provided: {received}." if received else
                           "You didn't provide an API key. You need to provide your API key in an Authorization "
                           "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
                self._send_json(handler, 401, error_body(message, "invalid_request_error", "invalid_api_key"))
                return
        if handler.command == "GET" and path == "/v1/models":
            created = 1_700_000_000
            self._send_json(handler, 200, {"object": "list", "data": [
                {"id": name, "object": "model", "created": created, "owned_by": "library"} for name in self.models]})
            return
        if handler.command == "POST" and path == "/v1/chat/completions":
            self._chat(handler, body, parsed)
            return
        self._send_json(handler, 404, error_body(f"Unknown request URL: {handler.command} {path}.",
                                                 "invalid_request_error", "unknown_url"))

    def _chat(self, handler: _Handler, body: bytes, request: Any) -> None:
        if not isinstance(request, dict):
            self._send_json(handler, 400, error_body("We could not parse the JSON body of your request.",
                                                     "invalid_request_error"))
            return
        model = request.get("model")
        if not isinstance(model, str) or not isinstance(request.get("messages"), list):
            self._send_json(handler, 400, error_body("'model' and 'messages' are required.",
                                                     "invalid_request_error", param="model"))
            return
        if self.models and model not in self.models and f"{model}:latest" not in self.models:  # Ollama's rule
            self._send_json(handler, 404, error_body(
                f"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error",
                "model_not_found"))
            return
        if request.get("tools") and not self.supports_tools:
            self._send_json(handler, 400, error_body(f"registry.ollama.ai/library/{model} does not support tools",
                                                     "invalid_request_error"))
            return
        response_format = request.get("response_format")
        format_type = response_format.get("type") if isinstance(response_format, dict) else None
        if (format_type == "json_schema" and not self.supports_json_schema) or (
                format_type == "json_object" and not self.supports_json_object):
            self._send_json(handler, 400, error_body(
                f"Invalid parameter: 'response_format' of type '{format_type}' is not supported with this model.",
                "invalid_request_error", param="response_format"))
            return
        reply = self._next_reply(request)
        if isinstance(reply, Stall) and reply.before_headers:
            if self._stopping.wait(reply.seconds):
                raise _ClientGone()
            reply = Text(reply.after_text + reply.rest)
        if isinstance(reply, Error):
            self._send_json(handler, reply.status, error_body(reply.message, reply.type, reply.code, reply.param),
                            reply.headers)
            return
        with self._lock:
            self._counter += 1
            completion_id = f"chatcmpl-test{self._counter:04d}"
        if request.get("stream") is True and self.supports_streaming:
            options = request.get("stream_options")
            usage = isinstance(options, dict) and options.get("include_usage") is True
            _Streamer(self, handler, completion_id, model, request, usage).play(reply, format_type)
        else:
            self._complete(handler, completion_id, model, request, reply, format_type)

    def _complete(self, handler: _Handler, completion_id: str, model: str, request: dict[str, Any], reply: Reply,
                  format_type: str | None) -> None:
        """A non-streamed `chat.completion`."""
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        finish = "stop"
        if isinstance(reply, Text):
            message["content"], finish = reply.text, reply.finish_reason
        elif isinstance(reply, JsonReply):
            message["content"] = json_text(reply, format_type)
        elif isinstance(reply, ToolCalls):
            message["content"] = reply.text or None
            message["tool_calls"] = [
                {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                for i, (name, args) in enumerate(reply.calls)]
            finish = "tool_calls"
        elif isinstance(reply, Stall):
            if self._stopping.wait(reply.seconds):
                raise _ClientGone()
            message["content"] = reply.after_text + reply.rest
        elif isinstance(reply, Malformed):
            self._send(handler, 200, b'{"id":"' + completion_id.encode() + b'","object":"chat.completion","choi',
                       JSON_TYPE)
            return
        elif isinstance(reply, MidStreamError):
            self._send_json(handler, 500, error_body(reply.message, "server_error"))
            return
        completion = {
            "id": completion_id, "object": "chat.completion", "created": int(time.time()), "model": model,
            "system_fingerprint": "fp_test",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": usage_of(request, str(message.get("content") or "")),
        }
        self._send_json(handler, 200, completion)

    def _send_json(self, handler: _Handler, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(handler, status, json.dumps(payload).encode(), JSON_TYPE, headers)

    @staticmethod
    def _send(handler: _Handler, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
        except OSError:
            raise _ClientGone() from None


def json_text(reply: JsonReply, format_type: str | None) -> str:
    if format_type in ("json_schema", "json_object"):
        return json.dumps(reply.obj)
    text = json.dumps(reply.obj, indent=2)
    if reply.fence:
        text = f"```json\n{text}\n```"
    return f"{reply.prose}{text}"


def usage_of(request: dict[str, Any], answer: str) -> dict[str, Any]:
    prompt = _words(request.get("messages"))
    completion = len(answer.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "completion_tokens_details": {"reasoning_tokens": 0}}


class _Streamer:
    """Writes one streamed answer: SSE events, each flushed on its own, then [DONE] and close."""

    def __init__(self, server: LLMServer, handler: _Handler, completion_id: str, model: str,
                 request: dict[str, Any], include_usage: bool) -> None:
        self.server = server
        self.handler = handler
        self.id = completion_id
        self.model = model
        self.request = request
        self.include_usage = include_usage
        self.created = int(time.time())
        self.style = "openai"
        self.sent_text: list[str] = []

    # --- low level -------------------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
        except OSError:
            raise _ClientGone() from None

    def event(self, payload: Any) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        self._write(b"data: " + data.encode() + b"\n\n")

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> None:
        if self.style == "ollama":
            delta = {"role": "assistant", **delta}
        self.event({
            "id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
            "system_fingerprint": "fp_ollama" if self.style == "ollama" else "fp_test",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        })

    def wait(self, seconds: float) -> None:
        if seconds > 0 and self.server._stopping.wait(seconds):
            raise _ClientGone()

    def start(self) -> None:
        self.handler.send_response(200)
        self.handler.send_header("Content-Type", SSE_TYPE)
        self.handler.send_header("Cache-Control", "no-cache")
        self.handler.send_header("Connection", "close")
        self.handler.end_headers()
        self.handler.close_connection = True
        if self.style == "openai":
            self.chunk({"role": "assistant", "content": "", "refusal": None})
        else:
            self.handler.wfile.flush()

    def text(self, text: str, size: int, delay: float = 0.0) -> None:
        for piece in pieces(text, size):
            self.wait(delay)
            self.chunk({"content": piece})
            self.sent_text.append(piece)

    def finish(self, reason: str) -> None:
        self.chunk({"content": ""} if self.style == "ollama" else {}, reason)
        if self.include_usage:
            self.event({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                        "model": self.model, "system_fingerprint": "fp_ollama" if self.style == "ollama" else
                        "fp_test", "choices": [], "usage": usage_of(self.request, "".join(self.sent_text))})
        self.event("[DONE]")

    # --- replies ---------------------------------------------------------------------------------------------

    def play(self, reply: Reply, format_type: str | None) -> None:
        if isinstance(reply, Text | ToolCalls):
            self.style = reply.style
        self.start()
        if isinstance(reply, Text):
            self.text(reply.text, reply.chunk_size, reply.delay)
            self.finish(reply.finish_reason)
        elif isinstance(reply, ToolCalls):
            self._tool_calls(reply)
        elif isinstance(reply, JsonReply):
            self.text(json_text(reply, format_type), reply.chunk_size)
            self.finish("stop")
        elif isinstance(reply, Stall):
            self.text(reply.after_text, 4)
            self.wait(reply.seconds)
            self.text(reply.rest, 4)
            self.finish("stop")
        elif isinstance(reply, Malformed):
            self.text(reply.after_text, 4)
            self._write(b'data: {"id":"' + self.id.encode() + b'","object":"chat.completion.chunk","choices":'
                        b'[{"index":0,"delta":{"content":"tru\n\n')
            self.event("[DONE]")
        elif isinstance(reply, MidStreamError):
            self.text(reply.after_text, 4)
            self.event(error_body(reply.message, "server_error"))
        else:  # pragma: no cover - Error is answered before streaming
            raise TypeError(f"cannot stream {reply!r}")

    def _tool_calls(self, reply: ToolCalls) -> None:
        if reply.text:
            self.text(reply.text, 4)
        if reply.style == "ollama":
            self.chunk({"content": "", "tool_calls": [
                {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                for i, (name, args) in enumerate(reply.calls)]})
        else:
            for i, (name, args) in enumerate(reply.calls):
                self.chunk({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                                            "function": {"name": name, "arguments": ""}}]})
                for fragment in pieces(json.dumps(args), reply.chunk_size):
                    self.chunk({"tool_calls": [{"index": i, "function": {"arguments": fragment}}]})
        self.finish("tool_calls")


def _read_body(handler: _Handler, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(headers.get("content-length", "0") or "0")
    return handler.rfile.read(length) if length > 0 else b""
