"""Pytest fixtures for the OpenAI-compatible test server. tests/conftest.py has

    from tests.llm_server.fixtures import *  # noqa: F403  (llm_server, llm_server_factory)

- `llm_server` (function): a started plain-HTTP `LLMServer` with the default models, no API key.
- `remote_pki` (function): the PKI when this machine has a non-loopback address (else the test is skipped, saying
  why); then `llm_server_factory(remote=True)` stands in for a cloud provider.
- `llm_server_factory` (function): `llm_server_factory(tls=True, api_key="sk-…", models=[…], …)` (keyword arguments
  go to `LLMServer`; TLS uses the session's `server_pki`). Every server made is stopped at the end of the test.

At teardown a server that raised inside its own code (a bug in the fake, not in the client) fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.llm_server.server import LLMServer
from tests.servers.tls import Pki

__all__ = ["llm_server", "llm_server_factory", "remote_pki"]

NO_REMOTE_ADDRESS = (
    "this machine has no network address besides loopback, so no test server can stand in for a provider that is "
    "not on this computer (only those get pseudonymised data); any machine with a network interface runs it")


@pytest.fixture
def llm_server_factory(server_pki: Pki) -> Iterator[Callable[..., LLMServer]]:
    made: list[LLMServer] = []

    def make(**kwargs: Any) -> LLMServer:
        kwargs.setdefault("pki", server_pki)
        server = LLMServer(**kwargs)
        made.append(server)
        return server.start()

    try:
        yield make
    finally:
        errors = []
        for server in made:
            server.stop()
            errors.extend(server.errors)
        if errors:
            pytest.fail("the test LLM server failed internally:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def llm_server(llm_server_factory: Callable[..., LLMServer]) -> LLMServer:
    return llm_server_factory()


@pytest.fixture
def remote_pki(server_pki: Pki) -> Pki:
    """The test PKI, with a certificate for this machine's non-loopback address: `llm_server_factory(remote=True)`."""
    if server_pki.remote_ip is None:
        pytest.skip(NO_REMOTE_ADDRESS)
    return server_pki
