"""Mail use cases: accounts, sync into the encrypted store, drafts to the mailbox, sending.

Everything here blocks (network, parsing, DB): runs on the background pool or in the CLI, never on
the UI thread. One sync per account at a time; a sync is idempotent and resumable, because a message
is identified by (folder, UIDVALIDITY, UID) and folder state is saved only after its messages.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from desktop.core.errors import Cancelled, UserFacingError
from desktop.core.mail import AccountConfig, Address, IncomingMessage, Security
from desktop.mail import imap as imap_mod
from desktop.mail import smtp as smtp_mod
from desktop.mail.compose import build_reply
from desktop.mail.imap import FETCH_BATCH, ImapSession, MailConnectionError, PasswordAuth
from desktop.mail.worker import RawItem, prepare
from desktop.store import mail_repo as repo
from desktop.store.database import Database
from desktop.tasks.cancel import Job

log = logging.getLogger("comptoir.sync")
INLINE_PARSE_BELOW = 64  # small syncs parse in-process: starting workers would cost more than it saves
RETRIES = 3


@dataclass
class SyncReport:
    account_id: int
    added: int = 0
    updated: int = 0
    removed: int = 0
    folders: list[str] = field(default_factory=list)
    seconds: float = 0.0
    retries: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "added": self.added, "updated": self.updated,
                "removed": self.removed, "folders": self.folders, "seconds": round(self.seconds, 3),
                "retries": self.retries}


Connector = Callable[[AccountConfig, str], ImapSession]


class MailService:
    """Args:
        db: the workspace database.
        ca_file: an extra CA to trust (tests, company CAs); system CAs are always trusted.
        parse_workers: processes used to parse large syncs (default: the number of CPUs, at most 4).
    """

    def __init__(self, db: Database, *, ca_file: str | None = None, parse_workers: int | None = None) -> None:
        self.db = db
        self.ca_file = ca_file
        self._workers = parse_workers or max(1, min(4, multiprocessing.cpu_count()))
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # --- accounts ---------------------------------------------------------------------------------

    def add_account(self, cfg: AccountConfig, password: str) -> int:
        _validate(cfg)
        return self.db.write(lambda c: repo.add_account(c, cfg, password))

    def update_account(self, account_id: int, cfg: AccountConfig, password: str | None = None) -> None:
        _validate(cfg)
        self.db.write(lambda c: repo.update_account(c, account_id, cfg, password))

    def accounts(self) -> list[AccountConfig]:
        return self.db.call(repo.accounts)

    def account(self, account_id: int) -> AccountConfig:
        found = self.db.call(lambda c: repo.account(c, account_id))
        if found is None:
            raise UserFacingError(f"There is no mail account number {account_id}.", "See `account list`.")
        return found

    def remove_account(self, account_id: int, *, erase_mail: bool) -> int:
        self.account(account_id)
        return self.db.write(lambda c: repo.remove_account(c, account_id, erase_mail=erase_mail))

    def folders(self, account_id: int) -> list[dict[str, Any]]:
        """The server's folders, with whether Comptoir syncs each (INBOX and Sent always)."""
        cfg, password = self._credentials(account_id)
        session = self._connect(cfg, password)
        try:
            names = [name for _flags, name in session.folders()]
            sent, drafts = session.special_folder("sent"), session.special_folder("drafts")
        finally:
            session.close()
        chosen = {f.name for f in self.db.call(lambda c: repo.folders(c, account_id)) if f.role == "other"}
        out = []
        for name in names:
            role = ("inbox" if name.upper() == "INBOX" else "sent" if name == sent else
                    "drafts" if name == drafts else "other")
            out.append({"name": name, "role": role, "synced": role in ("inbox", "sent") or name in chosen})
        return out

    def choose_folder(self, account_id: int, name: str, *, selected: bool) -> None:
        """Sync (or stop syncing) an extra folder the merchant picked; its messages stay until removed."""
        self.account(account_id)

        def _choose(conn: Any) -> None:
            folder = repo.ensure_folder(conn, account_id, name, "other")
            if folder.role == "other":
                conn.execute("UPDATE folders SET selected = ? WHERE id = ?", (int(selected), folder.id))

        self.db.write(_choose)

    def test_account(self, cfg: AccountConfig, password: str) -> list[str]:
        """Connect, log in, find INBOX/Sent/Drafts; return what was found. Raises MailConnectionError."""
        session = self._connect(cfg, password)
        try:
            found = [f"Logged in to {cfg.imap_host}:{cfg.imap_port} ({cfg.imap_security})."]
            state = session.select("INBOX")
            found.append(f"INBOX holds {state.exists} messages.")
            for role in ("sent", "drafts"):
                name = session.special_folder(role)
                found.append(f"{role.capitalize()} folder: {name or 'not found (will be created when needed)'}.")
            missing = [c for c in ("UIDPLUS",) if c not in session.capabilities]
            if missing:
                found.append(f"Note: the server lacks {', '.join(missing)}; drafts are updated more slowly.")
            return found
        finally:
            session.close()

    def _connect(self, cfg: AccountConfig, password: str) -> ImapSession:
        return imap_mod.connect(cfg, PasswordAuth(password), ca_file=self.ca_file)

    def _credentials(self, account_id: int) -> tuple[AccountConfig, str]:
        cfg = self.account(account_id)
        return cfg, self.db.call(lambda c: repo.account_password(c, account_id))

    # --- sync -------------------------------------------------------------------------------------

    def sync(self, account_id: int, job: Job | None = None) -> SyncReport:
        """Bring the store in line with the server for this account's folders (INBOX, Sent, chosen ones)."""
        job = job or Job()
        lock = self._lock(account_id)
        if not lock.acquire(blocking=False):
            raise UserFacingError("This mailbox is already being synchronised.", "Wait for it to finish.")
        started = time.perf_counter()
        report = SyncReport(account_id)
        try:
            cfg, password = self._credentials(account_id)
            attempt = 0
            while True:
                try:
                    self._sync_once(cfg, password, report, job)
                    break
                except MailConnectionError as exc:
                    attempt += 1
                    if attempt > RETRIES or "rejected the login" in exc.message or "certificate" in exc.message:
                        raise
                    report.retries += 1
                    delay = min(2 ** attempt * 0.5, 8.0)
                    log.warning("sync of account %d interrupted (%s); retrying in %.1f s", account_id,
                                exc.message, delay)
                    if job.token.wait(delay):
                        raise Cancelled() from None
        finally:
            lock.release()
            report.seconds = time.perf_counter() - started
        self.db.write(lambda c: repo.record_egress(
            c, destination=f"{cfg.imap_host}:{cfg.imap_port}", kind="imap", purpose="mail sync",
            categories="commands only", bytes_out=0, bytes_in=0))
        return report

    def _lock(self, account_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(account_id, threading.Lock())

    def _sync_once(self, cfg: AccountConfig, password: str, report: SyncReport, job: Job) -> None:
        assert cfg.id is not None
        account_id = cfg.id
        try:
            session = self._connect(cfg, password)
        except MailConnectionError:
            raise
        try:
            plan = [("INBOX", "inbox")]
            sent = session.special_folder("sent")
            if sent:
                plan.append((sent, "sent"))
            drafts = session.special_folder("drafts")
            def _ensure(conn: Any) -> None:
                for name, role in plan + ([(drafts, "drafts")] if drafts else []):
                    repo.ensure_folder(conn, account_id, name, role)

            self.db.write(_ensure)
            chosen = [(f.name, f.role) for f in self.db.call(lambda c: repo.folders(c, account_id))
                      if f.role in ("other",)]
            for name, role in plan + chosen:
                job.check()
                self._sync_folder(session, cfg, name, role, report, job)
                if name not in report.folders:
                    report.folders.append(name)
        except (OSError, EOFError) as exc:
            raise imap_mod.explain(exc, cfg.imap_host, cfg.imap_port) from None
        except Exception as exc:
            if type(exc).__module__.startswith(("imapclient", "imaplib", "ssl", "socket")):
                raise imap_mod.explain(exc, cfg.imap_host, cfg.imap_port) from None
            raise
        finally:
            session.close()

    def _sync_folder(self, session: ImapSession, cfg: AccountConfig, name: str, role: str, report: SyncReport,
                     job: Job) -> None:
        account_id = cfg.id
        assert account_id is not None
        folder = self.db.write(lambda c: repo.ensure_folder(c, account_id, name, role))
        state = session.select(name)
        if folder.uidvalidity is not None and folder.uidvalidity != state.uidvalidity:
            # RFC 3501 2.3.1.1: every UID we hold is void. Forget them; nothing will act on a stale UID.
            report.removed += self.db.write(lambda c: repo.drop_stale_uidvalidity(c, folder.id, state.uidvalidity))
            folder = self.db.call(lambda c: repo.ensure_folder(c, account_id, name, role))
        local = self.db.call(lambda c: repo.local_uids(c, folder.id, state.uidvalidity))
        unchanged = (folder.uidvalidity == state.uidvalidity and folder.uidnext == state.uidnext
                     and len(local) == state.exists
                     and (state.highestmodseq is None or state.highestmodseq == folder.highestmodseq))
        if unchanged:
            return
        server = set(session.all_uids())
        gone = local - server
        if gone:
            report.removed += self.db.write(lambda c: repo.delete_uids(c, folder.id, state.uidvalidity, gone))
        new = sorted(server - local)
        if new:
            report.added += self._fetch_and_store(session, cfg, folder, role, state.uidvalidity, new, job)
        # Flag changes made in other clients.
        if session.condstore and folder.highestmodseq and folder.uidvalidity == state.uidvalidity:
            changed = session.flags(changed_since=folder.highestmodseq)
        else:
            known = sorted(local & server)
            changed = session.flags(known) if known else {}
        if changed:
            report.updated += self.db.write(lambda c: repo.update_flags(c, folder.id, state.uidvalidity, changed))
        self.db.write(lambda c: repo.save_folder_state(c, folder.id, state.uidvalidity, state.uidnext,
                                                        state.highestmodseq))

    def _fetch_and_store(self, session: ImapSession, cfg: AccountConfig, folder: repo.FolderRow, role: str,
                         uidvalidity: int, uids: list[int], job: Job) -> int:
        account_id, email = cfg.id, cfg.email
        assert account_id is not None
        total, done, added = len(uids), 0, 0
        use_pool = total >= INLINE_PARSE_BELOW
        parsing: deque[concurrent.futures.Future[list[IncomingMessage]]] = deque()
        writing: deque[concurrent.futures.Future[int]] = deque()

        def _store(batch: list[IncomingMessage]) -> concurrent.futures.Future[int]:
            def _write(conn: Any) -> int:
                from desktop.store.database import transaction

                with transaction(conn):
                    threads = [repo.insert_message(conn, account_id, email, folder.id, role, m, refresh=False)
                               for m in batch]
                    touched = {t for t in threads if t is not None}
                    for thread_id in touched:  # once per thread per batch, not once per message
                        repo.refresh_thread(conn, thread_id)
                    return sum(t is not None for t in threads)

            return self.db.submit(_write)

        def _drain(limit: int) -> None:
            nonlocal added, done
            while len(parsing) > limit:
                batch = parsing.popleft().result()
                writing.append(_store(batch))
            while writing and (len(writing) > limit or writing[0].done()):
                added += writing.popleft().result()

        for batch_uids in _chunks(uids, FETCH_BATCH):
            job.check()
            fetched = session.fetch(batch_uids)
            items: list[RawItem] = [(m.uid, m.raw, m.flags, m.internal_date, m.modseq) for m in fetched]
            if use_pool:
                parsing.append(self._parse_pool().submit(prepare, uidvalidity, items))
            else:
                done_future: concurrent.futures.Future[list[IncomingMessage]] = concurrent.futures.Future()
                done_future.set_result(prepare(uidvalidity, items))
                parsing.append(done_future)
            done += len(batch_uids)
            job.progress(done, total, f"{folder.name}: {done} / {total}")
            _drain(2)
        _drain(0)
        while writing:
            added += writing.popleft().result()
        return added

    def _parse_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context(method))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def watch(self, account_id: int, job: Job, on_change: Callable[[SyncReport], None], *,
              poll_seconds: float = 300.0) -> None:
        """Keep syncing: IDLE where the server has it (re-issued every 25 min), else poll. Stops on cancel."""
        while not job.token.cancelled:
            try:
                report = self.sync(account_id, job)
            except MailConnectionError as exc:  # offline, server down…: say so in the log and try again later
                log.warning("watching account %d: %s", account_id, exc.message)
                job.token.wait(min(poll_seconds, 60.0))
                continue
            if report.added or report.removed or report.updated:
                on_change(report)
            cfg, password = self._credentials(account_id)
            try:
                session = self._connect(cfg, password)
                try:
                    state = session.select("INBOX")
                    known = self.db.call(lambda c: repo.folder_by_role(c, account_id, "inbox"))
                    if known is None or (known.uidnext, known.highestmodseq) != (state.uidnext, state.highestmodseq):
                        continue  # something arrived between the sync and now: sync again at once
                    if session.idle_supported:
                        deadline = time.monotonic() + 25 * 60
                        while not job.token.cancelled and time.monotonic() < deadline:
                            if session.idle_wait(min(30.0, poll_seconds), stop=lambda: job.token.cancelled):
                                break
                    else:
                        job.token.wait(poll_seconds)
                finally:
                    session.close()
            except (MailConnectionError, OSError, EOFError) as exc:
                reason = exc.message if isinstance(exc, MailConnectionError) else type(exc).__name__
                log.warning("watching account %d: %s", account_id, reason)
                job.token.wait(min(poll_seconds, 60.0))
            except Exception as exc:
                if not type(exc).__module__.startswith(("imapclient", "imaplib")):
                    raise
                log.warning("watching account %d: the server connection failed (%s)", account_id,
                            type(exc).__name__)
                job.token.wait(min(poll_seconds, 60.0))

    # --- replies ----------------------------------------------------------------------------------

    def _reply(self, thread_id: int, body: str) -> tuple[repo.ReplyContext, AccountConfig, str, Any, str, int]:
        ctx = self.db.call(lambda c: repo.reply_context(c, thread_id))
        if ctx is None:
            raise UserFacingError("This conversation has no customer message from a mail account to reply to.",
                                  "Sync the mailbox first.")
        cfg, password = self._credentials(ctx.account_id)
        msg, mid = build_reply(
            sender=Address(cfg.display_name or cfg.name, cfg.email), to=Address(ctx.to_name, ctx.to_email),
            subject=ctx.subject, body=body, in_reply_to=ctx.message_id, references=ctx.references,
            signature=cfg.signature)
        draft_id = self.db.write(lambda c: repo.save_draft(c, thread_id, ctx.account_id, ctx.reply_to_id,
                                                            ctx.to_email, str(msg["Subject"]), body))
        return ctx, cfg, password, msg, mid, draft_id

    def save_draft(self, thread_id: int, body: str) -> int:
        """Put the reply in the mailbox's Drafts folder (\\Draft), replacing the previous version. Returns its id."""
        ctx, cfg, password, msg, _mid, draft_id = self._reply(thread_id, body)
        previous = self.db.call(lambda c: repo.draft(c, draft_id)) or {}
        session = self._connect(cfg, password)
        try:
            name = session.special_folder("drafts") or "Drafts"
            folder = self.db.write(lambda c: repo.ensure_folder(c, ctx.account_id, name, "drafts"))
            uid = session.append(name, msg.as_bytes(), flags=("\\Draft", "\\Seen"))
            old_uid, old_folder = previous.get("imap_uid"), previous.get("imap_folder_id")
            if old_uid and old_folder == folder.id and old_uid != uid:
                # Replace the previous version, unless the folder's UIDs changed meanwhile (stale UID).
                session.delete(name, int(old_uid), expected_uidvalidity=folder.uidvalidity)
            state = session.select(name)
            self.db.write(lambda c: repo.remember_uidvalidity(c, folder.id, state.uidvalidity))
        finally:
            session.close()
        size = len(msg.as_bytes())

        def _saved(conn: Any) -> None:
            repo.set_draft_status(conn, draft_id, "in_mailbox", imap_folder_id=folder.id, imap_uid=uid)
            repo.record_egress(conn, destination=f"{cfg.imap_host}:{cfg.imap_port}", kind="imap",
                               purpose="save draft", categories="reply text, customer address", bytes_out=size,
                               thread_id=thread_id)

        self.db.write(_saved)
        return draft_id

    def delete_own_drafts(self, job: Job | None = None) -> int:
        """Remove from the mailboxes' Drafts folders the drafts Comptoir put there (the privacy center's
        "erase everything", when asked). Only UIDs Comptoir recorded at APPEND, and only while the
        folder's UIDVALIDITY is still the one recorded; returns how many were removed. Network."""
        job = job or Job()
        rows = self.db.call(lambda c: c.execute(
            "SELECT d.account_id, f.name, f.uidvalidity, d.imap_uid FROM drafts d JOIN folders f "
            "ON f.id = d.imap_folder_id WHERE d.imap_uid IS NOT NULL AND d.account_id IS NOT NULL "
            "ORDER BY d.account_id, f.name").fetchall())
        by_account: dict[int, list[tuple[str, int | None, int]]] = {}
        for account_id, folder, uidvalidity, uid in rows:
            by_account.setdefault(int(account_id), []).append((str(folder), uidvalidity, int(uid)))
        removed = 0
        for account_id, drafts in by_account.items():
            job.check()
            cfg, password = self._credentials(account_id)
            session = self._connect(cfg, password)
            try:
                for folder, uidvalidity, uid in drafts:
                    if uidvalidity is None:
                        continue  # never act on a UID whose folder generation we do not know
                    if session.delete(folder, uid, expected_uidvalidity=int(uidvalidity)):
                        removed += 1
            finally:
                session.close()
        return removed

    def send(self, thread_id: int, body: str) -> int:
        """Send the reply by SMTP — only ever called on the merchant's explicit click — then file it in Sent."""
        _ctx, cfg, password, msg, _mid, draft_id = self._reply(thread_id, body)
        in_mailbox = self.db.call(lambda c: repo.draft(c, draft_id)) or {}
        self.db.write(lambda c: repo.set_draft_status(c, draft_id, "sending"))
        try:
            sent_bytes = smtp_mod.send(cfg, password, msg, ca_file=self.ca_file)
        except UserFacingError as exc:
            reason = exc.message
            self.db.write(lambda c: repo.set_draft_status(c, draft_id, "failed", error=reason))
            raise

        def _sent(conn: Any) -> None:
            repo.set_draft_status(conn, draft_id, "sent")
            conn.execute("UPDATE threads SET status = 'answered' WHERE id = ? AND status = 'open'", (thread_id,))
            repo.record_egress(conn, destination=f"{cfg.smtp_host}:{cfg.smtp_port}", kind="smtp",
                               purpose="send reply", categories="reply text, customer address",
                               bytes_out=sent_bytes, thread_id=thread_id)

        self.db.write(_sent)
        try:  # the copy in Sent; the mail is already gone, so a failure here is reported but not fatal
            session = self._connect(cfg, password)
            try:
                sent_folder = session.special_folder("sent") or "Sent"
                session.append(sent_folder, msg.as_bytes(), flags=("\\Seen",), when=datetime.now(UTC))
                drafts_folder = session.special_folder("drafts")
                if in_mailbox.get("imap_uid") and drafts_folder:
                    known = self.db.call(lambda c: repo.folder_by_role(c, cfg.id or 0, "drafts"))
                    session.delete(drafts_folder, int(in_mailbox["imap_uid"]),
                                   expected_uidvalidity=known.uidvalidity if known else None)
            finally:
                session.close()
        except MailConnectionError as exc:
            log.warning("sent, but the copy in Sent could not be saved: %s", exc.message)
        return draft_id


def _validate(cfg: AccountConfig) -> None:
    if not cfg.email or "@" not in cfg.email:
        raise UserFacingError("The account needs the shop's e-mail address.", "For example: hello@myshop.fr")
    if not cfg.imap_host:
        raise UserFacingError("The account needs the incoming mail server (IMAP).", "For example: imap.myshop.fr")
    for label, security, host in (("incoming", cfg.imap_security, cfg.imap_host),
                                  ("outgoing", cfg.smtp_security, cfg.smtp_host)):
        if host and security == Security.NONE and not imap_mod.is_loopback(host):
            raise UserFacingError(f"The {label} server must be reached with TLS or STARTTLS.",
                                  "Unencrypted connections are only allowed to this computer.")


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
