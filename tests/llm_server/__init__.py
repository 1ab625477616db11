"""A real OpenAI-compatible model server on loopback, for the tests (see `server.py`; fixtures in `fixtures.py`)."""

from __future__ import annotations

from tests.llm_server.server import (
    Error,
    JsonReply,
    LLMServer,
    Malformed,
    MidStreamError,
    RecordedRequest,
    Reply,
    Stall,
    Text,
    ToolCalls,
)

__all__ = ["Error", "JsonReply", "LLMServer", "Malformed", "MidStreamError", "RecordedRequest", "Reply", "Stall",
           "Text", "ToolCalls"]
