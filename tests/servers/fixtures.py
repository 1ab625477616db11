"""Pytest fixtures for the loopback servers. To make them available to every test, tests/conftest.py has

    from tests.servers.fixtures import *  # noqa: F403  (dovecot, dovecot_factory, dovecot_session, smtp_server…)

(A module of its own rather than tests/servers/__init__.py: a fixture called `dovecot` in the package would clash
with the module `tests.servers.dovecot`.)

- `server_pki` (session): the throwaway CA and certificates (`tests.servers.tls.Pki`).
- `dovecot` (function): a fresh, started Dovecot with empty mailboxes for users alice and bob.
- `dovecot_factory` (function): `dovecot_factory(require_tls=True, users={…}, extra_config=…)` for other set-ups;
  every instance it made is stopped at the end of the test.
- `dovecot_session` (session): one Dovecot for the whole run, for expensive bulk data. Tests share it: add your
  own folder (or user, via `dovecot_factory` instead) and do not change what others rely on.
- `smtp_server` (function): aiosmtpd with implicit TLS (`ports.smtps`) and STARTTLS (`ports.submission`), AUTH.

Servers are skipped, with the reason, only when Dovecot is not installed; tests/run.sh installs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.servers.dovecot import Dovecot, dovecot_binary
from tests.servers.smtp import SmtpServer
from tests.servers.tls import Pki, make_pki

__all__ = ["dovecot", "dovecot_factory", "dovecot_session", "server_pki", "smtp_server"]

MISSING_DOVECOT = ("needs Dovecot (Debian: apt-get install dovecot-imapd); tests/run.sh installs it")


def _require_dovecot() -> None:
    if dovecot_binary() is None:
        pytest.skip(MISSING_DOVECOT)


def _report(server: Dovecot) -> None:
    """Printed at teardown: pytest shows it under "Captured stdout teardown" only when the test failed."""
    print(f"--- dovecot log ({server.root}, imaps {server.ports.imaps}, imap {server.ports.imap}) ---")
    print("\n".join(server.log.splitlines()[-60:]))


@pytest.fixture(scope="session")
def server_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def dovecot_factory(server_pki: Pki) -> Iterator[Callable[..., Dovecot]]:
    _require_dovecot()
    made: list[Dovecot] = []

    def make(**kwargs: Any) -> Dovecot:
        kwargs.setdefault("pki", server_pki)
        server = Dovecot(**kwargs)
        made.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        for server in made:
            _report(server)
            server.close()


@pytest.fixture
def dovecot(dovecot_factory: Callable[..., Dovecot]) -> Dovecot:
    return dovecot_factory()


@pytest.fixture(scope="session")
def dovecot_session(server_pki: Pki) -> Iterator[Dovecot]:
    _require_dovecot()
    server = Dovecot(pki=server_pki)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def smtp_server(server_pki: Pki) -> Iterator[SmtpServer]:
    server = SmtpServer(server_pki)
    server.start()
    try:
        yield server
    finally:
        server.stop()
