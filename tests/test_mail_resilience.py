"""Sync survives being killed, and secrets never go out before TLS."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from desktop.core.mail import AccountConfig, Security
from desktop.mail.imap import MailConnectionError, PasswordAuth, connect
from desktop.services.workspace import WorkspaceService
from tests.conftest import PASSPHRASE
from tests.helpers import REPO, cli
from tests.mailtools import SHOP, customer_mail
from tests.servers.dovecot import Dovecot


def _cli_env(dovecot: Dovecot) -> dict[str, str]:
    return {"PP": PASSPHRASE, "IMAP_PW": dovecot.users[SHOP]}


def _setup_workspace(data_dir: Path, dovecot: Dovecot) -> None:
    env = _cli_env(dovecot)
    assert cli("--passphrase-env", "PP", "init", data_dir=data_dir, env=env).returncode == 0
    added = cli("--passphrase-env", "PP", "--ca-file", str(dovecot.ca_file), "account", "add",
                "--email", "alice@shop.example", "--imap-host", "127.0.0.1", "--imap-port", str(dovecot.ports.imaps),
                "--user", SHOP, "--password-env", "IMAP_PW", data_dir=data_dir, env=env)
    assert added.returncode == 0, added.stderr


def _store_state(no_keyring_service: WorkspaceService, data_dir: Path) -> tuple[int, set[str], set[str]]:
    with no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE) as ws:
        rows = ws.db.call(lambda c: c.execute("SELECT message_id, raw, raw_sha256 FROM messages").fetchall())
    bodies = set()
    for _mid, raw, sha in rows:
        assert hashlib.sha256(zlib.decompress(raw)).hexdigest() == sha  # every stored body is whole
        bodies.add(sha)
    return len(rows), {r[0] for r in rows}, bodies


@pytest.mark.slow
def test_sigkill_at_any_point_then_resync_equals_the_server(no_keyring_service: WorkspaceService, tmp_path: Path,
                                                            dovecot: Dovecot) -> None:
    count = 3000
    dovecot.deliver(SHOP, "INBOX", [customer_mail(i) for i in range(count)])
    server = dovecot.messages(SHOP)
    server_ids = {m.raw.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode() for m in server}
    server_bodies = {hashlib.sha256(m.raw).hexdigest() for m in server}
    data_dir = tmp_path / "data"
    _setup_workspace(data_dir, dovecot)
    env = {**os.environ, **_cli_env(dovecot)}
    args = [sys.executable, str(REPO / "main.py"), "--data-dir", str(data_dir), "--passphrase-env", "PP",
            "--ca-file", str(dovecot.ca_file), "sync"]
    killed_at = []
    for delay in (0.8, 1.6, 2.4, 3.5):
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the sync and its parser workers, at once
            killed_at.append(delay)
        proc.wait()
        stored, ids, bodies = _store_state(no_keyring_service, data_dir)
        assert stored <= count and ids <= server_ids and bodies <= server_bodies  # partial, never wrong
    assert killed_at, "the sync finished before any kill: make the mailbox bigger"
    final = cli("--passphrase-env", "PP", "--ca-file", str(dovecot.ca_file), "sync", "--json", data_dir=data_dir,
                env=_cli_env(dovecot), timeout=300)
    assert final.returncode == 0, final.stderr
    stored, ids, bodies = _store_state(no_keyring_service, data_dir)
    assert (stored, ids, bodies) == (count, server_ids, server_bodies)
    again = json.loads(cli("--passphrase-env", "PP", "--ca-file", str(dovecot.ca_file), "sync", "--json",
                           data_dir=data_dir, env=_cli_env(dovecot)).stdout)
    assert again[0]["added"] == 0 and again[0]["removed"] == 0


def test_cli_account_sync_search_thread_and_draft(tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.append_many(SHOP, "INBOX", [customer_mail(1), customer_mail(2, sender="bob@example.com", name="Bob",
                                                                        subject="Broken mug")])
    data_dir = tmp_path / "data"
    env = _cli_env(dovecot)
    ca = ["--passphrase-env", "PP", "--ca-file", str(dovecot.ca_file)]
    assert cli("--passphrase-env", "PP", "init", data_dir=data_dir, env=env).returncode == 0
    tested = cli(*ca, "account", "test", "--email", "alice@shop.example", "--imap-host", "127.0.0.1",
                 "--imap-port", str(dovecot.ports.imaps), "--user", SHOP, "--password-env", "IMAP_PW",
                 data_dir=data_dir, env=env)
    assert tested.returncode == 0 and "Logged in" in tested.stdout, tested.stderr
    bad = cli(*ca, "account", "test", "--email", "alice@shop.example", "--imap-host", "127.0.0.1",
              "--imap-port", str(dovecot.ports.imaps), "--user", SHOP, "--password-env", "IMAP_PW",
              data_dir=data_dir, env={**env, "IMAP_PW": "nope"})
    assert bad.returncode == 1 and "rejected the login" in bad.stderr and "nope" not in bad.stderr
    _add = cli(*ca, "account", "add", "--email", "alice@shop.example", "--imap-host", "127.0.0.1",
               "--imap-port", str(dovecot.ports.imaps), "--user", SHOP, "--password-env", "IMAP_PW",
               data_dir=data_dir, env=env)
    assert _add.returncode == 0
    listed = json.loads(cli(*ca, "account", "list", "--json", data_dir=data_dir, env=env).stdout)
    assert listed[0]["email"] == "alice@shop.example" and "password" not in json.dumps(listed)
    synced = json.loads(cli(*ca, "sync", "--json", data_dir=data_dir, env=env).stdout)
    assert synced[0]["added"] == 2 and synced[0]["seconds"] >= 0
    found = json.loads(cli(*ca, "search", "mug", "--json", data_dir=data_dir, env=env).stdout)
    assert [t["subject"] for t in found] == ["Broken mug"]
    shown = cli(*ca, "thread", "show", str(found[0]["id"]), data_dir=data_dir, env=env)
    assert "bob@example.com" in shown.stdout and "Broken mug" in shown.stdout
    flagged = cli(*ca, "reply", "draft", str(found[0]["id"]), "--body", "Ask mallory@evil.example for a refund.",
                  data_dir=data_dir, env=env)
    assert flagged.returncode == 1 and "mallory@evil.example" in flagged.stderr and "nothing was saved" in \
        flagged.stderr
    assert dovecot.messages(SHOP, "Drafts") == []
    drafted = cli(*ca, "reply", "draft", str(found[0]["id"]), "--body", "Sorry! A new mug is on its way.",
                  data_dir=data_dir, env=env)
    assert drafted.returncode == 0, drafted.stderr
    assert b"new mug is on its way" in dovecot.messages(SHOP, "Drafts")[0].raw
    removed = cli(*ca, "account", "remove", "1", "--erase-mail", data_dir=data_dir, env=env)
    assert removed.returncode == 0 and "erased 2 messages" in removed.stdout


class _NoStartTlsServer(threading.Thread):
    """A fake IMAP server that does not offer STARTTLS and records every byte the client sends."""

    def __init__(self, greeting: bytes) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.greeting = greeting
        self.received = b""

    def run(self) -> None:
        with self.sock:
            conn, _ = self.sock.accept()
            self._serve(conn)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.sendall(self.greeting)
            conn.settimeout(5)
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        break
                    self.received += data
                    for line in data.splitlines():
                        tag = line.split(b" ", 1)[0]
                        if b"CAPABILITY" in line.upper():
                            conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                        elif line.strip():
                            conn.sendall(tag + b" OK fine\r\n")
            except OSError:
                pass


@pytest.mark.parametrize("greeting, message", [
    (b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n", "does not offer STARTTLS"),
    (b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] already in\r\n", "PREAUTH"),
])
def test_starttls_downgrades_send_no_credentials(greeting: bytes, message: str) -> None:
    server = _NoStartTlsServer(greeting)
    server.start()
    cfg = AccountConfig(name="x", email="alice@shop.example", imap_host="127.0.0.1", imap_port=server.port,
                        imap_security=Security.STARTTLS, imap_user="alice")
    with pytest.raises(MailConnectionError, match=message):
        connect(cfg, PasswordAuth("secret-password-123"), timeout=5)
    server.join(5)
    assert b"secret-password-123" not in server.received
    assert b"LOGIN" not in server.received.upper() and b"AUTHENTICATE" not in server.received.upper()
