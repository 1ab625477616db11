"""`llm`, `triage`, `draft`, `chat`, `chats` and `profile` from the command line, against the local LLM server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import PASSPHRASE
from tests.helpers import cli
from tests.llm_server.server import LLMServer, Text, ToolCalls


def _tools_then_text(request: dict[str, Any]) -> Any:
    if request.get("tools") and not any(m["role"] == "tool" for m in request["messages"]):
        return ToolCalls([(request["tools"][0]["function"]["name"], {})])
    return Text("Bonjour, votre colis est en route.")


def test_assistant_commands(tmp_path: Path, llm_server_factory: Any) -> None:
    data = tmp_path / "data"
    env = {"PP": PASSPHRASE, "LLM_KEY": "sk-local-test-key-42"}
    base = ["--passphrase-env", "PP"]
    assert cli(*base, "demo", data_dir=data, env=env).returncode == 0
    server: LLMServer = llm_server_factory(api_key="sk-local-test-key-42")
    server.responder = _tools_then_text

    none = cli(*base, "llm", "list", data_dir=data, env=env)
    assert none.returncode == 0 and "No AI provider" in none.stdout
    added = cli(*base, "llm", "add", "custom", "--base-url", server.base_url, "--key-env", "LLM_KEY", "--json",
                data_dir=data, env=env)
    assert added.returncode == 0, added.stderr
    pid = json.loads(added.stdout)["id"]
    assert json.loads(added.stdout)["model_draft"] == "test-model"  # the first model the server lists
    listed = cli(*base, "llm", "list", "--json", data_dir=data, env=env)
    assert "sk-local-test-key-42" not in listed.stdout and json.loads(listed.stdout)[0]["active"] is True
    tested = cli(*base, "llm", "test", str(pid), data_dir=data, env=env)
    assert tested.returncode == 0, tested.stdout + tested.stderr

    triaged = cli(*base, "triage", "--no-llm", "--json", data_dir=data, env=env)
    assert triaged.returncode == 0, triaged.stderr

    thread = json.loads(cli(*base, "search", "commande", "--json", data_dir=data, env=env).stdout)[0]["id"]
    drafted = cli(*base, "draft", str(thread), "--json", data_dir=data, env=env)
    assert drafted.returncode == 0, drafted.stderr
    draft = json.loads(drafted.stdout)
    assert draft["text"] == "Bonjour, votre colis est en route." and draft["source"] == "llm"
    assert draft["grounded_on"]["model"] == "test-model" and draft["grounded_on"]["tools_called"]
    human = cli(*base, "draft", str(thread), "--instruction", "shorter", data_dir=data, env=env)
    assert human.returncode == 0 and "grounded on:" in human.stdout and "not sent" in human.stdout
    preview = cli(*base, "draft", str(thread), "--preview", data_dir=data, env=env)
    assert json.loads(preview.stdout)["request"]["model"] == "test-model"

    said = cli(*base, "chat", "Bonjour", "--json", data_dir=data, env=env)
    assert said.returncode == 0, said.stderr
    chat_id = json.loads(said.stdout)["chat_id"]
    chats = json.loads(cli(*base, "chats", "--json", data_dir=data, env=env).stdout)
    assert [c["id"] for c in chats] == [chat_id]

    profile = cli(*base, "profile", "--set", "returns_policy", "30 days, free returns", "--json", data_dir=data,
                  env=env)
    assert json.loads(profile.stdout)["returns_policy"] == "30 days, free returns"
    wrong = cli(*base, "profile", "--set", "colour", "blue", data_dir=data, env=env)
    assert wrong.returncode == 1 and "Unknown shop profile field" in wrong.stderr

    ledger = cli(*base, "ledger", "--json", data_dir=data, env=env)
    assert ledger.returncode == 0
    assert "sk-local-test-key-42" not in ledger.stdout

    server.stop()
    dead = cli(*base, "draft", str(thread), data_dir=data, env=env)
    assert dead.returncode == 1 and "Nothing answers" in dead.stderr
    removed = cli(*base, "llm", "remove", str(pid), data_dir=data, env=env)
    assert removed.returncode == 0
    logs = "".join(p.read_text() for p in (data / "logs").glob("*.log*"))
    assert "sk-local-test-key-42" not in logs
