"""`--selftest`: prove this installation works, on a throw-away workspace, and say so in a few lines."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from desktop import __version__
from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService
from desktop.store.connection import file_looks_encrypted
from desktop.store.migrate import latest_version


@dataclass
class SelfTestReport:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))

    @property
    def ok(self) -> bool:
        return all(ok for name, ok, _detail in self.checks if not name.startswith("keyring"))

    def lines(self) -> list[str]:
        out = [f"Comptoir {__version__} self-test"]
        for name, ok, detail in self.checks:
            mark = "ok  " if ok else ("info" if name.startswith("keyring") else "FAIL")
            out.append(f"  [{mark}] {name}{': ' + detail if detail else ''}")
        out.append("result: " + ("PASS" if self.ok else "FAIL"))
        return out


def _assistant_check() -> tuple[bool, str]:
    """Offline triage and templates work, and the LLM client goes through a whole request (to a closed port)."""
    from desktop.core.templates import render
    from desktop.core.triage import classify
    from desktop.llm.client import ChatClient
    from desktop.llm.endpoint import Endpoint
    from desktop.llm.errors import LLMUnreachable

    triage = classify("Où est ma commande ?", "Bonjour, je n'ai toujours pas reçu ma commande 1042.")
    rendered = render('Bonjour {{customer.first_name | "Madame, Monsieur"}}', {}).text
    try:
        with ChatClient(Endpoint("http://127.0.0.1:9/v1", timeout=2.0), max_retries=0) as client:
            client.list_models()
        reached = "a server answered on port 9"
    except LLMUnreachable:
        reached = "client ok"
    ok = str(triage.intent) == "where_is_my_order" and triage.language == "fr" and rendered.endswith("Monsieur")
    return ok, f"triage {triage.intent}/{triage.language}, template ok, LLM {reached}"


def run_selftest(service: WorkspaceService, scratch_parent: Path | None = None) -> SelfTestReport:
    """Create a throw-away encrypted workspace, migrate, probe the keyring, write and read back a record."""
    report = SelfTestReport()
    status = service.probe_keyring()
    report.add("keyring", status.usable,
               f"{status.backend} usable" if status.usable else f"{status.backend or 'none'}: {status.reason} "
               "(passphrase mode will be used)")
    with tempfile.TemporaryDirectory(prefix="comptoir-selftest-", dir=scratch_parent) as tmp:
        folder = Path(tmp) / "ws"
        started = time.perf_counter()
        workspace = service.create_ephemeral(folder)
        try:
            session = Session(workspace)
            version = workspace.db.call(lambda c: int(c.execute("PRAGMA user_version").fetchone()[0]))
            report.add("migrations", version == latest_version(), f"schema {version}")
            cipher = workspace.db.call(lambda c: c.execute("PRAGMA cipher_version").fetchone()[0])
            report.add("encryption", bool(cipher), f"SQLCipher {cipher}")
            canary = "selftest-record"
            chat = session.add_chat_message(None, "user", canary)
            back = workspace.db.call(
                lambda c: c.execute("SELECT content FROM chat_messages WHERE chat_id = ?", (chat,)).fetchone()[0])
            report.add("write and read back", back == canary)
            report.add("integrity", session.integrity_ok())
            report.add("file encrypted", file_looks_encrypted(folder / "comptoir.db"))
            report.add("assistant", *_assistant_check())
            report.add("time", True, f"{(time.perf_counter() - started) * 1000:.0f} ms")
        finally:
            workspace.close()
    return report
