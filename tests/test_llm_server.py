"""The OpenAI-compatible test server speaks the wire contract (integrations.md §3.2), checked with raw http.client:
if it drifted from what real servers send, the client tests would prove nothing."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest

from tests.llm_server import Error, LLMServer, Malformed, MidStreamError, Stall, Text, ToolCalls

CHUNK_KEYS = {"id", "object", "created", "model", "system_fingerprint", "choices"}


def connect(server: LLMServer) -> http.client.HTTPConnection:
    if server.tls:
        assert server.pki is not None
        return http.client.HTTPSConnection("localhost", server.port, timeout=10,
                                           context=server.pki.client_context())
    return http.client.HTTPConnection(server.host, server.port, timeout=10)


def post(server: LLMServer, body: dict[str, Any], headers: dict[str, str] | None = None,
         conn: http.client.HTTPConnection | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    own = conn is None
    conn = conn or connect(server)
    try:
        conn.request("POST", "/v1/chat/completions", body=json.dumps(body).encode(),
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response, response.read()
    finally:
        if own:
            conn.close()


def events(data: bytes) -> list[str]:
    """The SSE events' data, checking the framing: `data: <one line>` then a blank line, nothing else."""
    text = data.decode()
    assert text.endswith("\n\n"), text[-80:]
    frames = text.split("\n\n")[:-1]
    for frame in frames:
        assert frame.startswith("data: ") and "\n" not in frame, frame
    return [frame[len("data: "):] for frame in frames]


def chat(stream: bool = True, usage: bool = True, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "test-model", "messages": [{"role": "user", "content": "Bonjour"}],
                            "stream": stream, **extra}
    if stream and usage:
        body["stream_options"] = {"include_usage": True}
    return body


def test_models_are_listed(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(models=["qwen2.5:7b", "llama3.2:latest"])
    with closing(connect(server)) as conn:
        conn.request("GET", "/v1/models")
        response = conn.getresponse()
        payload = json.loads(response.read())
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json; charset=utf-8"
    assert payload["object"] == "list"
    assert [m["id"] for m in payload["data"]] == ["qwen2.5:7b", "llama3.2:latest"]
    assert all(m["object"] == "model" for m in payload["data"])


def test_streamed_text_follows_the_openai_chunk_contract(llm_server: LLMServer) -> None:
    llm_server.script([Text("Votre colis est parti.", chunk_size=6)])
    response, data = post(llm_server, chat())
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    assert response.getheader("Connection") == "close"
    assert response.getheader("Content-Length") is None      # the body ends when the connection closes
    frames = events(data)
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[:-1]]
    for chunk in chunks:
        assert set(chunk) >= CHUNK_KEYS
        assert chunk["object"] == "chat.completion.chunk" and chunk["model"] == "test-model"
        assert isinstance(chunk["created"], int) and chunk["id"] == chunks[0]["id"]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    content = [c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]]
    assert "".join(content) == "Votre colis est parti."
    assert content[1:5] == ["Votre ", "colis ", "est pa", "rti."]
    final = chunks[-2]["choices"][0]
    assert final["delta"] == {} and final["finish_reason"] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-2])
    usage = chunks[-1]
    assert usage["choices"] == [] and set(usage["usage"]) >= {"prompt_tokens", "completion_tokens", "total_tokens"}


def test_usage_chunk_only_when_asked(llm_server: LLMServer) -> None:
    _response, data = post(llm_server, chat(usage=False))
    chunks = [json.loads(f) for f in events(data)[:-1]]
    assert all(c["choices"] for c in chunks)
    assert not any("usage" in c for c in chunks)


def test_each_event_is_sent_as_soon_as_it_is_written(llm_server: LLMServer) -> None:
    llm_server.script([Text("un deux trois quatre cinq six", chunk_size=3, delay=0.1)])
    with closing(connect(llm_server)) as conn:
        conn.request("POST", "/v1/chat/completions", body=json.dumps(chat()).encode(),
                     headers={"Content-Type": "application/json"})
        start = time.monotonic()
        response = conn.getresponse()
        arrivals = []
        while line := response.readline():
            if line.startswith(b"data: "):
                arrivals.append(time.monotonic() - start)
    assert len(arrivals) == 14                        # role, 10 pieces, finish, usage, [DONE]
    assert arrivals[-1] > 0.95                        # the pieces were spread over ten 0.1 s delays…
    assert arrivals[1] < 0.5                          # …and the first one was not held back until the end


def test_openai_style_tool_calls_come_in_fragments_by_index(llm_server: LLMServer) -> None:
    llm_server.script([ToolCalls([("get_order", {"number": "#1001"}), ("get_tracking", {"id": 7})], chunk_size=5)])
    _response, data = post(llm_server, chat(tools=[{"type": "function", "function": {"name": "get_order"}}]))
    chunks = [json.loads(f) for f in events(data)[:-1]]
    fragments = [tc for c in chunks if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    first = fragments[0]
    assert first == {"index": 0, "id": "call_0", "type": "function",
                     "function": {"name": "get_order", "arguments": ""}}
    assert all(set(f) == {"index", "function"} for f in fragments[1:] if "id" not in f)
    args = {0: "", 1: ""}
    for fragment in fragments:
        args[fragment["index"]] += fragment["function"]["arguments"]
    assert json.loads(args[0]) == {"number": "#1001"} and json.loads(args[1]) == {"id": 7}
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[0]["system_fingerprint"] != "fp_ollama"


def test_ollama_style_tool_calls_come_whole_with_role_repeated(llm_server: LLMServer) -> None:
    llm_server.script([ToolCalls([("get_order", {"number": "#1001"})], style="ollama")])
    _response, data = post(llm_server, chat())
    chunks = [json.loads(f) for f in events(data)[:-1]]
    assert all(c["system_fingerprint"] == "fp_ollama" for c in chunks)
    assert all(c["choices"][0]["delta"]["role"] == "assistant" for c in chunks if c["choices"])
    with_calls = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("tool_calls")]
    assert len(with_calls) == 1
    (call,) = with_calls[0]["choices"][0]["delta"]["tool_calls"]
    assert "index" not in call
    assert call["function"] == {"name": "get_order", "arguments": json.dumps({"number": "#1001"})}


def test_non_streamed_answer_is_one_chat_completion_on_a_kept_alive_connection(llm_server: LLMServer) -> None:
    llm_server.script([Text("Bonjour !"), ToolCalls([("ping", {})])])
    with closing(connect(llm_server)) as conn:
        response, data = post(llm_server, chat(stream=False), conn=conn)
        assert response.status == 200 and response.getheader("Content-Length") == str(len(data))
        completion = json.loads(data)
        assert completion["object"] == "chat.completion"
        assert completion["choices"][0]["message"]["content"] == "Bonjour !"
        assert completion["choices"][0]["finish_reason"] == "stop" and completion["usage"]["total_tokens"] > 0
        response, data = post(llm_server, chat(stream=False), conn=conn)    # same connection
    message = json.loads(data)["choices"][0]["message"]
    assert message["tool_calls"][0]["function"] == {"name": "ping", "arguments": "{}"}


def test_api_key_is_checked_with_openai_error_shape(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(api_key="sk-right-0123456789")
    for headers in ({}, {"Authorization": "Bearer sk-wrong"}):
        response, data = post(server, chat(), headers)
        assert response.status == 401
        error = json.loads(data)["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["code"] == "invalid_api_key"
    response, _data = post(server, chat(), {"Authorization": "Bearer sk-right-0123456789"})
    assert response.status == 200
    assert server.requests[-1].headers["authorization"] == "Bearer sk-right-0123456789"


@pytest.mark.parametrize(("reply", "status"), [
    (Error(429, "Rate limit reached", "requests", headers={"retry-after": "2", "retry-after-ms": "2000"}), 429),
    (Error(500, "The server had an error"), 500),
])
def test_scripted_errors_keep_their_status_and_headers(llm_server: LLMServer, reply: Error, status: int) -> None:
    llm_server.script([reply])
    response, data = post(llm_server, chat())
    assert response.status == status
    assert json.loads(data)["error"]["message"] == reply.message
    for name, value in reply.headers.items():
        assert response.getheader(name) == value


def test_unknown_model_and_path_are_404(llm_server: LLMServer) -> None:
    response, data = post(llm_server, {**chat(), "model": "gpt-9"})
    assert response.status == 404 and json.loads(data)["error"]["code"] == "model_not_found"
    with closing(connect(llm_server)) as conn:
        conn.request("GET", "/v1/embeddings/nothing")
        response = conn.getresponse()
        assert response.status == 404 and "error" in json.loads(response.read())


def test_unsupported_features_are_refused_without_using_up_the_script(
        llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(supports_tools=False, supports_json_schema=False)
    server.script([Text("scripted")])
    response, data = post(server, chat(tools=[{"type": "function", "function": {"name": "x"}}]))
    assert response.status == 400 and "does not support tools" in json.loads(data)["error"]["message"]
    schema_format = {"type": "json_schema", "json_schema": {"name": "o", "schema": {}, "strict": True}}
    response, data = post(server, chat(response_format=schema_format))
    assert response.status == 400 and json.loads(data)["error"]["param"] == "response_format"
    response, data = post(server, chat(response_format={"type": "json_object"}))
    assert response.status == 200
    content = "".join(json.loads(f)["choices"][0]["delta"].get("content", "") for f in events(data)[:-2])
    assert content == "scripted"


def test_broken_chunk_and_mid_stream_error(llm_server: LLMServer) -> None:
    llm_server.script([Malformed("Bonjour"), MidStreamError("model crashed", after_text="Bon")])
    _response, data = post(llm_server, chat())
    frames = data.decode().split("\n\n")
    broken = [f for f in frames if f.startswith("data: {") and not _is_json(f[6:])]
    assert len(broken) == 1
    _response, data = post(llm_server, chat())
    frames = events(data)
    assert "[DONE]" not in frames
    assert json.loads(frames[-1]) == {"error": {"message": "model crashed", "type": "server_error", "param": None,
                                                "code": None}}


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def test_stall_is_cut_short_by_stop(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory()
    server.script([Stall("Bonjour", 30)])
    with closing(connect(server)) as conn:
        conn.request("POST", "/v1/chat/completions", body=json.dumps(chat()).encode(),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.readline().startswith(b"data: ")
        start = time.monotonic()
        server.stop()
        assert time.monotonic() - start < 5


def test_tls_with_the_test_pki(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(tls=True)
    assert server.base_url.startswith("https://")
    response, data = post(server, chat())
    assert response.status == 200 and events(data)[-1] == "[DONE]"


def test_requests_are_recorded_with_headers_and_body(llm_server: LLMServer) -> None:
    body = chat()
    post(llm_server, body, {"X-Probe": "1"})
    recorded = llm_server.requests[-1]
    assert recorded.method == "POST" and recorded.path == "/v1/chat/completions"
    assert recorded.headers["x-probe"] == "1"
    assert recorded.json == body and recorded.body == json.dumps(body).encode()
