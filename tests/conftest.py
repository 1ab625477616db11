"""Shared fixtures. No test ever touches the developer's real keyring or data folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports keyring: the default backend for every test (and subprocess) is `fail`.
# Tests that need a real Secret Service start their own (fixture `secret_service`).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LANG"] = os.environ["LC_ALL"] = "C.UTF-8"  # tests read the English interface

import keyring.backends.fail

from desktop.secrets.keyring_store import KeyringStore
from desktop.services.workspace import WorkspaceService
from tests.llm_server.fixtures import *  # noqa: F403 (llm_server, llm_server_factory, remote_pki)
from tests.platform_servers.fixtures import *  # noqa: F403 (platform_pki, shopify_server, woo_server…)
from tests.servers.fixtures import *  # noqa: F403 (dovecot, dovecot_factory, dovecot_session, smtp_server…)

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def no_keyring_service() -> WorkspaceService:
    """A workspace service on a machine without any keyring (the `fail` backend)."""
    return WorkspaceService(KeyringStore(keyring.backends.fail.Keyring(), timeout=5))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


class SecretService:
    """A private D-Bus session bus with gnome-keyring's Secret Service, unlocked, on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        home = root / "home"
        home.mkdir(parents=True)
        self.env = {
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(root / "run"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
        }
        (root / "run").mkdir(mode=0o700)
        base = {**os.environ, **self.env}
        base.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=base,
        )
        assert self.bus.stdout is not None
        address = self.bus.stdout.readline().strip()
        if not address:
            self.stop()
            raise RuntimeError("dbus-daemon did not start")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        base["DBUS_SESSION_BUS_ADDRESS"] = address
        self.daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=base,
        )
        assert self.daemon.stdin is not None
        self.daemon.stdin.write(b"throwaway-test-keyring-password")  # no newline: it would be part of it
        self.daemon.stdin.close()
        self._wait_ready(base)

    def _wait_ready(self, env: dict[str, str]) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"],
                capture_output=True, text=True, env=env, check=False,
            )
            if "boolean true" in probe.stdout:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gnome-keyring-daemon did not register the Secret Service")

    def backend(self) -> object:
        from keyring.backends import SecretService

        return SecretService.Keyring()

    def subprocess_env(self) -> dict[str, str]:
        env = dict(self.env)
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
        return env

    def stop(self) -> None:
        for proc in (getattr(self, "daemon", None), self.bus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.bus.stdout is not None:
            self.bus.stdout.close()


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A real Secret Service (gnome-keyring under its own dbus session), for this test only."""
    missing = [tool for tool in ("dbus-daemon", "gnome-keyring-daemon", "dbus-send") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian: dbus, gnome-keyring); the README's test command "
                    "installs them")
    service = SecretService(tmp_path / "secret-service")
    for key, value in service.env.items():
        monkeypatch.setenv(key, value)
    try:
        yield service
    finally:
        service.stop()
