"""ChatClient against a real OpenAI-compatible server on loopback (tests/llm_server): streaming, tools in both
dialects, structured output and its fallbacks, every failure a merchant can meet, cancellation, TLS, detection."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from desktop.core.errors import Cancelled, UserFacingError
from desktop.llm.client import ChatClient, ToolCall, detect_local, retry_delay
from desktop.llm.endpoint import PRESETS, Endpoint, host_of, is_loopback, validate_base_url
from desktop.llm.errors import (
    LLMBadResponse,
    LLMModelMissing,
    LLMRateLimited,
    LLMServerError,
    LLMTimeout,
    LLMUnauthorized,
    LLMUnreachable,
)
from desktop.tasks.cancel import CancelToken
from tests.llm_server import Error, JsonReply, LLMServer, Malformed, MidStreamError, Stall, Text, ToolCalls
from tests.servers import free_ports

MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You help the merchant answer customers."},
    {"role": "user", "content": "Où est ma commande #1001 ?"},
]
ORDER_TOOL: dict[str, Any] = {"type": "function", "function": {
    "name": "get_order", "description": "The order of this thread.",
    "parameters": {"type": "object", "properties": {"number": {"type": "string"}}, "required": ["number"]}}}
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["subject", "body"],
    "properties": {"subject": {"type": "string"}, "body": {"type": "string"}}}
DRAFT = {"subject": "Votre commande #1001", "body": "Bonjour, votre colis est parti hier."}
KEY = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture
def client(llm_server: LLMServer) -> Iterator[ChatClient]:
    with ChatClient(Endpoint(llm_server.base_url, timeout=5.0)) as chat_client:
        yield chat_client


def bodies(server: LLMServer) -> list[dict[str, Any]]:
    return [r.json for r in server.chat_requests]


# --- streaming ---------------------------------------------------------------------------------------------------


def test_streamed_text_arrives_in_pieces_in_order(llm_server: LLMServer, client: ChatClient) -> None:
    text = "Bonjour Mme Martin, votre colis est parti hier."
    llm_server.script([Text(text, chunk_size=5, delay=0.1)])
    received: list[tuple[float, str]] = []
    start = time.monotonic()
    result = client.stream(model="test-model", messages=MESSAGES,
                           on_text=lambda piece: received.append((time.monotonic() - start, piece)))
    ended = time.monotonic() - start
    assert [piece for _t, piece in received] == [text[i:i + 5] for i in range(0, len(text), 5)]
    assert result.text == text and result.finish_reason == "stop" and result.tool_calls == ()
    assert received[0][0] < ended - 0.6          # the first words were shown long before the answer ended
    assert result.model == "test-model"
    assert result.usage is not None and result.usage["total_tokens"] > 0
    sent = bodies(llm_server)[-1]
    assert sent["messages"] == MESSAGES and sent["model"] == "test-model"
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert "tool_choice" not in sent and "tools" not in sent


def test_options_are_sent_only_when_given(llm_server: LLMServer, client: ChatClient) -> None:
    client.stream(model="test-model", messages=MESSAGES, temperature=0.2, max_tokens=300)
    sent = bodies(llm_server)[-1]
    assert sent["temperature"] == 0.2 and sent["max_tokens"] == 300


@pytest.mark.parametrize("style", ["openai", "ollama"])
def test_tool_calls_give_the_same_result_in_both_dialects(llm_server: LLMServer, client: ChatClient,
                                                          style: str) -> None:
    llm_server.script([ToolCalls([("get_order", {"number": "#1001"}), ("get_tracking", {"carrier": "colissimo"})],
                                 style=style, chunk_size=3)])
    result = client.stream(model="test-model", messages=MESSAGES, tools=[ORDER_TOOL])
    assert result.tool_calls == (
        ToolCall("call_0", "get_order", json.dumps({"number": "#1001"})),
        ToolCall("call_1", "get_tracking", json.dumps({"carrier": "colissimo"})),
    )
    assert result.finish_reason == "tool_calls"
    sent = bodies(llm_server)[-1]
    assert sent["tools"] == [ORDER_TOOL] and "tool_choice" not in sent


def test_text_before_tool_calls_is_kept(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([ToolCalls([("get_order", {"number": "#1001"})], text="Je regarde…", style="ollama")])
    shown: list[str] = []
    result = client.stream(model="test-model", messages=MESSAGES, tools=[ORDER_TOOL], on_text=shown.append)
    assert result.text == "".join(shown) == "Je regarde…"
    assert [c.name for c in result.tool_calls] == ["get_order"]


def test_bytes_out_is_exactly_what_the_server_received(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([Text("Bonjour.")])
    result = client.stream(model="test-model", messages=MESSAGES, tools=[ORDER_TOOL])
    assert result.bytes_out == len(llm_server.chat_requests[-1].body) > 0
    assert result.bytes_in > len("Bonjour.")


def test_only_the_needed_headers_leave_the_computer(llm_server: LLMServer, client: ChatClient,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Environment credentials must not reach a local server the merchant did not give them to.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-from-the-environment")
    with ChatClient(Endpoint(llm_server.base_url)) as fresh:
        fresh.stream(model="test-model", messages=MESSAGES)
    headers = llm_server.chat_requests[-1].headers
    assert "authorization" not in headers and "openai-organization" not in headers
    assert not [name for name in headers if name.startswith("x-stainless-") and name != "x-stainless-raw-response"]
    assert not any("from-the-environment" in value for value in headers.values())


# --- structured output -------------------------------------------------------------------------------------------


def test_structured_output_asks_for_the_json_schema(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([JsonReply(DRAFT)])
    obj, result = client.structured(model="test-model", messages=MESSAGES, schema=REPLY_SCHEMA, name="draft")
    assert obj == DRAFT
    assert result.bytes_out == len(llm_server.chat_requests[-1].body)
    sent = bodies(llm_server)
    assert len(sent) == 1
    assert sent[0]["response_format"] == {"type": "json_schema",
                                          "json_schema": {"name": "draft", "schema": REPLY_SCHEMA, "strict": True}}
    assert sent[0]["messages"] == MESSAGES


def test_structured_output_falls_back_to_json_mode(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(supports_json_schema=False)
    server.script([JsonReply(DRAFT)])
    with ChatClient(Endpoint(server.base_url)) as client:
        obj, result = client.structured(model="test-model", messages=MESSAGES, schema=REPLY_SCHEMA, name="draft")
    assert obj == DRAFT
    sent = bodies(server)
    assert [b["response_format"]["type"] for b in sent] == ["json_schema", "json_object"]
    assert json.dumps(REPLY_SCHEMA) in sent[1]["messages"][0]["content"]   # the schema is now in the instructions
    assert sent[1]["messages"][1:] == MESSAGES[1:]
    assert result.bytes_out == sum(len(r.body) for r in server.chat_requests)


def test_structured_output_reads_fenced_json_from_a_plain_server(
        llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(supports_json_schema=False, supports_json_object=False)
    server.script([JsonReply(DRAFT, fence=True, prose="Voici le brouillon :\n")])
    with ChatClient(Endpoint(server.base_url)) as client:
        obj, result = client.structured(model="test-model", messages=MESSAGES, schema=REPLY_SCHEMA, name="draft")
    assert obj == DRAFT
    assert result.text.startswith("Voici le brouillon :\n```json")
    assert [b.get("response_format") for b in bodies(server)][2] is None
    assert len(bodies(server)) == 3


def test_structured_output_without_json_is_a_clear_error(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([Text("Désolé, je ne peux pas répondre.")])
    with pytest.raises(LLMBadResponse) as caught:
        client.structured(model="test-model", messages=MESSAGES, schema=REPLY_SCHEMA, name="draft")
    assert caught.value.partial_text == "Désolé, je ne peux pas répondre."   # nothing lost
    assert "JSON" in caught.value.message


# --- HTTP errors and retries -------------------------------------------------------------------------------------


def test_wrong_or_missing_key_is_unauthorized_and_never_shown(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(api_key=KEY)
    wrong = "sk-wrong-KEY-9876543210"
    with ChatClient(Endpoint(server.base_url, api_key=wrong)) as client, pytest.raises(LLMUnauthorized) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    error = caught.value
    shown = " ".join([str(error), error.message, error.hint, error.server_message, repr(error)])
    assert wrong not in shown and "9876543210" not in shown and KEY not in shown
    assert "HTTP 401" in error.message
    assert len(server.chat_requests) == 1                        # a refused key is not retried
    assert wrong in server.chat_requests[0].headers["authorization"]    # (the server did echo it back)

    with ChatClient(Endpoint(server.base_url)) as client, pytest.raises(LLMUnauthorized) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert "API key" in caught.value.message

    with ChatClient(Endpoint(server.base_url, api_key=KEY)) as client:
        assert client.stream(model="test-model", messages=MESSAGES).text
    assert server.chat_requests[-1].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(Endpoint(server.base_url, api_key=KEY))


def test_missing_model(llm_server: LLMServer, client: ChatClient) -> None:
    with pytest.raises(LLMModelMissing) as caught:
        client.stream(model="mistral-small", messages=MESSAGES)
    assert "mistral-small" in caught.value.message and caught.value.status == 404
    report = client.test("mistral-small")
    assert not report.ok and "mistral-small" in report.message
    assert "test-model" in report.message and "llama3.2:latest" in report.message


def test_rate_limit_then_success_honours_retry_after(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([Error(429, "Rate limit reached for requests", "requests", headers={"retry-after-ms": "400"}),
                       Error(429, "Rate limit reached for requests", "requests", headers={"retry-after": "1"}),
                       Text("Bonjour.")])
    result = client.stream(model="test-model", messages=MESSAGES)
    assert result.text == "Bonjour."
    times = [r.time for r in llm_server.chat_requests]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.4 and times[2] - times[1] >= 1.0
    assert result.bytes_out == sum(len(r.body) for r in llm_server.chat_requests)


def test_server_error_twice_then_success(llm_server: LLMServer, client: ChatClient) -> None:
    records: list[tuple[str, str, int, int, str]] = []
    with ChatClient(Endpoint(llm_server.base_url), on_egress=lambda *record: records.append(record)) as chat:
        llm_server.script([Error(500), Error(503, "overloaded"), Text("Enfin.")])
        result = chat.stream(model="test-model", messages=MESSAGES)
    assert result.text == "Enfin." and len(llm_server.chat_requests) == 3
    assert [r[4] for r in records] == ["500", "503", "200"]
    assert {r[0] for r in records} == {host_of(llm_server.base_url)} and {r[1] for r in records} == {"chat"}
    assert sum(r[2] for r in records) == result.bytes_out == sum(len(r.body) for r in llm_server.chat_requests)
    assert sum(r[3] for r in records) == result.bytes_in


def test_server_error_forever_gives_up_after_bounded_retries(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([Error(500, "boom")] * 5)
    with pytest.raises(LLMServerError) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert len(llm_server.chat_requests) == 3                    # one try, max_retries=2
    assert "tried 3 times" in caught.value.message and "boom" in caught.value.message
    assert caught.value.bytes_out == sum(len(r.body) for r in llm_server.chat_requests)

    with ChatClient(Endpoint(llm_server.base_url), max_retries=0) as once, pytest.raises(LLMServerError):
        once.stream(model="test-model", messages=MESSAGES)
    assert len(llm_server.chat_requests) == 4


def test_rate_limited_for_good(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([Error(429, "quota", "requests", headers={"retry-after-ms": "50"})] * 3)
    with pytest.raises(LLMRateLimited) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert len(llm_server.chat_requests) == 3 and "429" in caught.value.message


def test_retry_wait_honours_headers_and_is_capped() -> None:
    assert retry_delay({"retry-after-ms": "250"}, 1) == 0.25
    assert retry_delay({"Retry-After": "3"}, 1) == 3.0
    assert retry_delay({"retry-after-ms": "1500", "retry-after": "9"}, 1) == 1.5   # the precise one wins
    assert retry_delay({"retry-after": "3600"}, 1) == 10.0                          # capped
    assert retry_delay({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 1) == 0.0  # in the past
    assert [retry_delay({}, n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


# --- failures in the middle of the answer ----------------------------------------------------------------------


def test_stall_mid_stream_times_out_and_keeps_the_text(llm_server: LLMServer) -> None:
    llm_server.script([Stall("Bonjour, votre commande", seconds=10)])
    shown: list[str] = []
    start = time.monotonic()
    with ChatClient(Endpoint(llm_server.base_url, timeout=0.5)) as client, pytest.raises(LLMTimeout) as caught:
        client.stream(model="test-model", messages=MESSAGES, on_text=shown.append)
    assert time.monotonic() - start < 3
    assert caught.value.partial_text == "".join(shown) == "Bonjour, votre commande"
    assert len(llm_server.chat_requests) == 1                    # never retried once the answer has begun


def test_broken_chunk_is_a_bad_response(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([Malformed("Bonjour")])
    with pytest.raises(LLMBadResponse) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert caught.value.partial_text == "Bonjour"
    assert len(llm_server.chat_requests) == 1


def test_error_in_the_middle_of_the_stream_is_a_bad_response(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([MidStreamError("CUDA out of memory", after_text="Bonjour Mme")])
    with pytest.raises(LLMBadResponse) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert "CUDA out of memory" in caught.value.message
    assert caught.value.partial_text == "Bonjour Mme"


# --- cancellation ------------------------------------------------------------------------------------------------


def test_cancel_during_a_stall_returns_quickly(llm_server: LLMServer) -> None:
    llm_server.script([Stall("Bonjour", seconds=30)])
    token = CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    shown: list[str] = []

    def show(piece: str) -> None:
        shown.append(piece)
        if len(shown) == 1:
            timer.start()            # the merchant clicks Stop once text has appeared, while the server is silent

    with ChatClient(Endpoint(llm_server.base_url, timeout=60)) as client:
        start = time.monotonic()
        with pytest.raises(Cancelled):
            client.stream(model="test-model", messages=MESSAGES, on_text=show, cancel=token)
        assert time.monotonic() - start < 1.5
        timer.join()
        # The connection was dropped, not left hanging: the client is still fully usable.
        assert client.stream(model="test-model", messages=MESSAGES).text.startswith("You said:")
    assert shown == ["Bonj", "our"]


def test_cancelled_before_start_sends_nothing(llm_server: LLMServer, client: ChatClient) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        client.stream(model="test-model", messages=MESSAGES, cancel=token)
    assert llm_server.chat_requests == []


# --- reaching the server -----------------------------------------------------------------------------------------


def test_unreachable_port() -> None:
    (port,) = free_ports(1)
    with ChatClient(Endpoint(f"http://127.0.0.1:{port}/v1"), max_retries=0) as client, \
            pytest.raises(LLMUnreachable) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert f"127.0.0.1:{port}" in caught.value.message
    assert caught.value.bytes_out == 0


@pytest.mark.parametrize("url", ["http://192.168.1.20:11434/v1", "http://llm.example.com/v1", "http://10.0.0.5",
                                 "ftp://127.0.0.1/v1", "https://user:pw@api.example.com/v1", ""])
def test_unsafe_or_invalid_addresses_are_refused(url: str) -> None:
    with pytest.raises(UserFacingError):
        validate_base_url(url)
    with pytest.raises(UserFacingError):
        ChatClient(Endpoint(url))


@pytest.mark.parametrize(("url", "expected"), [
    ("127.0.0.1:11434", "http://127.0.0.1:11434/v1"),
    ("http://localhost:1234/", "http://localhost:1234/v1"),
    ("https://api.openai.com", "https://api.openai.com/v1"),
    ("https://api.mistral.ai/v1/", "https://api.mistral.ai/v1"),
    ("https://llm.example.com/openai/v1/chat/completions", "https://llm.example.com/openai/v1"),
    ("http://[::1]:8080", "http://[::1]:8080/v1"),
    ("http://127.0.0.2:8080/custom", "http://127.0.0.2:8080/custom"),
])
def test_addresses_are_normalised(url: str, expected: str) -> None:
    assert validate_base_url(url) == expected


def test_presets_loopback_and_ledger_host() -> None:
    assert all(validate_base_url(url) == url for url in PRESETS.values())
    assert is_loopback(PRESETS["ollama"]) and is_loopback("http://[::1]:1/v1") and is_loopback("localhost:1234")
    assert not is_loopback(PRESETS["openai"]) and not is_loopback("http://127.example.com/v1")
    assert host_of(PRESETS["openai"]) == "api.openai.com:443"
    assert host_of("http://[::1]:11434/v1") == "[::1]:11434"


def test_https_with_the_test_authority(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(tls=True, api_key=KEY)
    endpoint = Endpoint(server.base_url.replace("127.0.0.1", "localhost"), api_key=KEY)
    with ChatClient(endpoint, ca_file=server.ca_file) as client:
        assert client.list_models() == server.models
        assert client.stream(model="test-model", messages=MESSAGES).text.startswith("You said:")
    received = len(server.requests)
    with ChatClient(endpoint, max_retries=0) as untrusting, pytest.raises(LLMUnreachable) as caught:
        untrusting.stream(model="test-model", messages=MESSAGES)
    assert "certificate" in caught.value.message
    assert len(server.requests) == received                      # nothing was sent to an unverified server


def test_detect_local_finds_a_running_server(llm_server: LLMServer) -> None:
    (closed,) = free_ports(1)
    start = time.monotonic()
    found = detect_local(ports={"ollama": llm_server.port, "lmstudio": closed})
    assert time.monotonic() - start < 2
    assert [(s.kind, s.base_url, s.models) for s in found] == [("ollama", llm_server.base_url, llm_server.models)]


# --- the connection test ------------------------------------------------------------------------------------------


def test_connection_test_with_tool_support(llm_server: LLMServer, client: ChatClient) -> None:
    llm_server.script([ToolCalls([("ping", {"echo": "comptoir"})], style="ollama")])
    report = client.test("llama3.2")                             # Ollama's name without :latest is the same model
    assert report.ok and report.tools_supported is True
    assert report.models == llm_server.models
    assert bodies(llm_server)[-1]["tools"][0]["function"]["name"] == "ping"


def test_connection_test_says_when_tools_are_missing(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(supports_tools=False)
    with ChatClient(Endpoint(server.base_url)) as client:
        refused = client.test("test-model")
        assert not refused.ok and refused.tools_supported is False and "tools" in refused.message
        server.supports_tools = True
        server.script([Text("Pong!")])                           # answers, but ignores the tool it was told to use
        ignored = client.test("test-model")
    assert not ignored.ok and ignored.tools_supported is False and "tool" in ignored.message


def test_connection_test_explains_unreachable_and_unauthorized(
        llm_server_factory: Callable[..., LLMServer]) -> None:
    (port,) = free_ports(1)
    with ChatClient(Endpoint(f"http://127.0.0.1:{port}/v1"), max_retries=0) as client:
        report = client.test("test-model")
    assert not report.ok and f"127.0.0.1:{port}" in report.message and report.models == []
    server = llm_server_factory(api_key=KEY)
    with ChatClient(Endpoint(server.base_url, api_key="sk-nope-1234")) as client:
        report = client.test("test-model")
    assert not report.ok and "API key" in report.message and "sk-nope-1234" not in report.message
    with ChatClient(Endpoint(server.base_url, api_key=KEY)) as client:
        report = client.test(None)
    assert report.ok and report.tools_supported is None and "2 model(s)" in report.message


# --- a model that is slow to start, and servers that do not stream ----------------------------------------------


def test_silence_before_the_answer_is_a_timeout_and_not_retried(llm_server: LLMServer) -> None:
    llm_server.script([Stall("", seconds=10, before_headers=True)])
    with ChatClient(Endpoint(llm_server.base_url, timeout=0.5)) as client, pytest.raises(LLMTimeout) as caught:
        client.stream(model="test-model", messages=MESSAGES)
    assert "did not start answering" in caught.value.message and caught.value.partial_text == ""
    assert len(llm_server.chat_requests) == 1
    assert caught.value.bytes_out == len(llm_server.chat_requests[0].body)


def test_cancel_while_the_model_is_loading(llm_server: LLMServer) -> None:
    llm_server.script([Stall("", seconds=30, before_headers=True)])
    token = CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    with ChatClient(Endpoint(llm_server.base_url, timeout=60)) as client:
        start = time.monotonic()
        timer.start()
        with pytest.raises(Cancelled):
            client.stream(model="test-model", messages=MESSAGES, cancel=token)
        assert time.monotonic() - start < 1.5
    timer.join()


def test_a_server_that_ignores_stream_still_answers(llm_server_factory: Callable[..., LLMServer]) -> None:
    server = llm_server_factory(supports_streaming=False)
    server.script([Text("Bonjour."), ToolCalls([("get_order", {"number": "#1001"})])])
    shown: list[str] = []
    with ChatClient(Endpoint(server.base_url)) as client:
        assert client.stream(model="test-model", messages=MESSAGES, on_text=shown.append).text == "Bonjour."
        calls = client.stream(model="test-model", messages=MESSAGES, tools=[ORDER_TOOL]).tool_calls
    assert shown == ["Bonjour."]
    assert calls == (ToolCall("call_0", "get_order", json.dumps({"number": "#1001"})),)
