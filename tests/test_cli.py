"""The command line as a merchant or a script uses it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import PASSPHRASE
from tests.helpers import cli


def test_init_then_status_in_passphrase_mode(data_dir: Path) -> None:
    made = cli("--passphrase-env", "COMPTOIR_PASS", "init", data_dir=data_dir, env={"COMPTOIR_PASS": PASSPHRASE})
    assert made.returncode == 0, made.stderr
    assert "passphrase" in made.stdout
    assert "Recovery key" in made.stderr  # shown once, on the terminal
    assert PASSPHRASE not in made.stdout + made.stderr
    status = cli("--passphrase-env", "COMPTOIR_PASS", "status", "--json", data_dir=data_dir,
                 env={"COMPTOIR_PASS": PASSPHRASE})
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["key_mode"] == "passphrase" and data["counts"]["threads"] == 0
    # the logs hold no secret
    logs = "".join(p.read_text() for p in (data_dir / "logs").glob("*.log*"))
    assert PASSPHRASE not in logs


def test_errors_are_sentences_with_what_to_do(data_dir: Path) -> None:
    missing_var = cli("--passphrase-env", "NOPE_NOT_SET", "init", data_dir=data_dir)
    assert missing_var.returncode == 1
    assert "NOPE_NOT_SET" in missing_var.stderr and "Traceback" not in missing_var.stderr
    no_pass = cli("init", data_dir=data_dir)
    assert no_pass.returncode == 1 and "passphrase is needed" in no_pass.stderr
    assert cli("--passphrase-env", "P", "init", data_dir=data_dir, env={"P": PASSPHRASE}).returncode == 0
    wrong = cli("--passphrase-env", "P", "status", data_dir=data_dir, env={"P": "wrong passphrase"})
    assert wrong.returncode == 1
    assert "not the one for this workspace" in wrong.stderr and "Traceback" not in wrong.stderr
    again = cli("--passphrase-env", "P", "init", data_dir=data_dir, env={"P": PASSPHRASE})
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = cli("--passphrase-env", "P", "settings", "set", "sync.poll_interval_minutes", "soon", data_dir=data_dir,
              env={"P": PASSPHRASE})
    assert bad.returncode == 1 and "whole number" in bad.stderr


def test_recovery_key_from_the_environment_opens_the_workspace(data_dir: Path) -> None:
    made = cli("--passphrase-env", "P", "init", "--json", data_dir=data_dir, env={"P": PASSPHRASE})
    recovery = json.loads(made.stdout)["recovery_key"]
    opened = cli("--recovery-env", "R", "status", data_dir=data_dir, env={"R": recovery})
    assert opened.returncode == 0, opened.stderr


def test_selftest_passes_and_says_why(tmp_path: Path) -> None:
    for args in (["selftest"], ["--selftest"]):
        result = cli(*args, data_dir=tmp_path / "st")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "result: PASS" in result.stdout
        assert "SQLCipher 4." in result.stdout
        assert "keyring.backends.fail.Keyring" in result.stdout  # the probe's verdict is reported
    leftovers = [p for p in (tmp_path / "st" / "cache").iterdir()]
    assert leftovers == []  # the throw-away workspace is gone


def test_settings_round_trip(data_dir: Path) -> None:
    env = {"P": PASSPHRASE}
    assert cli("--passphrase-env", "P", "init", data_dir=data_dir, env=env).returncode == 0
    assert cli("--passphrase-env", "P", "settings", "set", "ui.language", "fr", data_dir=data_dir,
               env=env).returncode == 0
    listed = json.loads(cli("--passphrase-env", "P", "settings", "list", "--json", data_dir=data_dir, env=env).stdout)
    assert listed["ui.language"] == "fr" and listed["retention.orders_days"] == 30
    # mirrored into the bootstrap file so the interface starts in French before unlock
    assert json.loads((data_dir / "workspace.json").read_text())["ui_language"] == "fr"
