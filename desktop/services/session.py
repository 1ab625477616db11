"""What the UI and the CLI do with an unlocked workspace: settings, inbox, customers, chats, stats.

Every method reads or writes through the workspace's DB thread and blocks until done: call it from a
background operation (GUI) or directly (CLI), never from the UI thread.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.errors import UserFacingError
from desktop.core.models import CustomerSummary, ThreadDetail, ThreadSummary, WorkspaceStats
from desktop.core.settings import REGISTRY
from desktop.services.assistant import AssistantService
from desktop.services.mail import MailService
from desktop.services.platforms import PlatformService
from desktop.services.workspace import Workspace, save_ui_language
from desktop.store import assistant_repo
from desktop.store import repositories as repo
from desktop.store.connection import DatabaseError

if TYPE_CHECKING:
    from desktop.services.erase import EraseReport
    from desktop.services.retention import RetentionPlan


class Session:
    """The services of one open workspace."""

    def __init__(self, workspace: Workspace, *, ca_file: str | None = None) -> None:
        self.workspace = workspace
        self.db = workspace.db
        self.ca_file = ca_file
        self._mail: MailService | None = None
        self._platforms: PlatformService | None = None
        self._assistant: AssistantService | None = None
        self._open_dir: Path | None = None

    @property
    def platforms(self) -> PlatformService:
        """Connected shops and customers' orders for this workspace."""
        if self._platforms is None:
            self._platforms = PlatformService(self.db, verify=self.ca_file or True)
        return self._platforms

    @property
    def assistant(self) -> AssistantService:
        """Triage, reply drafts and the merchant's chat (any OpenAI-compatible LLM; templates without one)."""
        if self._assistant is None:
            self._assistant = AssistantService(self.db, self.platforms, ca_file=self.ca_file)
        return self._assistant

    @property
    def mail(self) -> MailService:
        """Mail accounts, sync, drafts and sending for this workspace."""
        if self._mail is None:
            self._mail = MailService(self.db, ca_file=self.ca_file)
        return self._mail

    def close(self) -> None:
        if self._open_dir is not None:
            shutil.rmtree(self._open_dir, ignore_errors=True)
            self._open_dir = None
        if self._mail is not None:
            self._mail.close()
        self.workspace.close()

    # settings
    def get_setting(self, key: str) -> Any:
        return self.db.call(lambda c: repo.get_setting(c, key))

    def set_setting(self, key: str, value: Any) -> None:
        REGISTRY[key].validate(value)
        self.db.write(lambda c: repo.set_setting(c, key, value))

    def set_ui_language(self, language: str) -> None:
        """Change the interface language (stored in the database and mirrored for the next start)."""
        self.set_setting("ui.language", language)
        save_ui_language(self.workspace, language)

    def all_settings(self) -> dict[str, Any]:
        return self.db.call(repo.all_settings)

    # inbox
    def threads(self, *, limit: int = 200, offset: int = 0, query: str = "",
                intent: str | None = None) -> list[ThreadSummary]:
        return self.db.call(lambda c: repo.list_threads(c, limit=limit, offset=offset, query=query,
                                                                 intent=intent))

    def thread_count(self) -> int:
        return self.db.call(repo.count_threads)

    def thread(self, thread_id: int) -> ThreadDetail | None:
        return self.db.call(lambda c: repo.thread_detail(c, thread_id))

    def thread_with_fresh_orders(self, thread_id: int, *, refresh: bool = False) -> ThreadDetail | None:
        """The thread with its customer's orders asked from the shops when the cache is stale (network)."""
        detail = self.thread(thread_id)
        if detail is None or detail.customer_id is None or not self.platforms.shops():
            return detail
        result = self.platforms.customer_orders(detail.customer_id, refresh=refresh)
        again = self.thread(thread_id) or detail
        age = result.age_seconds
        note = ""
        if age is not None:
            note = f"checked {int(age // 60)} min ago" if age >= 60 else "checked just now"
        if result.error:
            note = f"shown from the cache ({note or 'never checked'}): {result.error}"
        return replace(again, orders_note=note)

    def add_message(self, *, subject: str, body_text: str, from_addr: str, from_name: str = "", date: str = "",
                    thread_id: int | None = None) -> int:
        """Store a message (a new thread unless `thread_id`); returns the thread id."""

        def _add(conn: Any) -> int:
            tid = thread_id or repo.insert_thread(conn, subject=subject, date=date)
            repo.insert_message(conn, thread_id=tid, subject=subject, body_text=body_text, from_addr=from_addr,
                                from_name=from_name, date=date)
            return tid

        return self.db.write(_add)

    def draft_text(self, thread_id: int) -> str:
        """The merchant's unsent reply for this thread, if any (kept as they type)."""
        found = self.db.call(lambda c: assistant_repo.current_draft(c, thread_id))
        return str(found["body"]) if found else ""

    def keep_draft_text(self, thread_id: int, body: str) -> None:
        """Save the reply being typed (locally, encrypted); nothing leaves the computer."""

        def _keep(conn: Any) -> None:
            found = assistant_repo.current_draft(conn, thread_id)
            if found:
                conn.execute("UPDATE drafts SET body = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') "
                             "WHERE id = ?", (body, found["id"]))
            else:
                conn.execute("INSERT INTO drafts(thread_id, body) VALUES (?, ?)", (thread_id, body))

        self.db.write(_keep)

    def open_attachment(self, attachment_id: int) -> Path:
        """Write one attachment to a private temporary folder so the merchant's viewer can open it.

        Only on the merchant's click; the folder (0700) is removed when the workspace closes.
        """
        row = self.db.call(lambda c: c.execute("SELECT filename, content FROM attachments WHERE id = ?",
                                               (attachment_id,)).fetchone())
        if row is None or row[1] is None:
            raise UserFacingError("This attachment is no longer in the workspace.", "Sync the mailbox again.")
        if self._open_dir is None:
            self._open_dir = Path(tempfile.mkdtemp(prefix="comptoir-open-"))
        name = Path(str(row[0] or "attachment")).name.lstrip(".") or "attachment"
        target = self._open_dir / f"{attachment_id}-{name}"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(row[1]))
        return target

    # customers
    def customers(self) -> list[CustomerSummary]:
        return self.db.call(repo.list_customers)

    # chats
    def add_chat_message(self, chat_id: int | None, role: str, content: str) -> int:
        return self.db.write(lambda c: repo.add_chat_message(c, chat_id, role, content))

    # shop
    def shop_profile(self) -> dict[str, Any]:
        return self.db.call(repo.shop_profile)

    def save_shop_profile(self, values: dict[str, Any]) -> None:
        """Policies, tone, signature, languages and FAQ the assistant writes from."""
        unknown = set(values) - set(assistant_repo.PROFILE_FIELDS)
        if unknown:
            raise UserFacingError(f"Unknown shop profile field: {', '.join(sorted(unknown))}.",
                                  "Fields: " + ", ".join(assistant_repo.PROFILE_FIELDS))
        self.db.write(lambda c: assistant_repo.save_shop_profile(c, values))

    # privacy housekeeping
    def housekeeping(self, now: datetime | None = None) -> tuple[EraseReport | None, RetentionPlan | None]:
        """At start and then hourly: finish an erasure a crash interrupted, and purge what retention says
        is too old (at most once a day). Returns what was done (counts only)."""
        from desktop.services.erase import finish_interrupted_erasure
        from desktop.services.retention import retention_due, retention_run

        moment = now or datetime.now(UTC)
        finished = finish_interrupted_erasure(self.workspace)
        purged = retention_run(self, moment) if retention_due(self, moment) else None
        return finished, purged

    # figures
    def stats(self) -> WorkspaceStats:
        counts = self.db.call(repo.table_counts)
        folder = Path(self.workspace.info.path)
        size = sum(p.stat().st_size for p in folder.glob("comptoir.db*") if p.is_file())
        return WorkspaceStats(counts=counts, size_bytes=size)

    def integrity_ok(self) -> bool:
        def _check(conn: Any) -> bool:
            try:
                quick = conn.execute("PRAGMA quick_check").fetchone()[0]
                cipher = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            except DatabaseError:
                return False
            return bool(quick == "ok" and not cipher)

        return self.db.call(_check)
