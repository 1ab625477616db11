"""Mail commands: account add|list|test|remove, sync, search, thread show, reply draft|send."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from desktop.cli import CliContext, json_flag
from desktop.core.errors import UserFacingError
from desktop.core.mail import AccountConfig, Security
from desktop.services.mail import MailService
from desktop.services.session import Session
from desktop.tasks.cancel import Job, Progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("account", help="mail accounts (mailboxes)")
    asub = p.add_subparsers(dest="account_command", required=True, metavar="ACTION")
    for action in ("add", "test"):
        q = asub.add_parser(action, help=f"{action} a mailbox")
        q.add_argument("--name", default="", help="a label, e.g. 'Shop'")
        q.add_argument("--email", required=True, help="the shop's address")
        q.add_argument("--display-name", default="", help="the sender name customers see")
        q.add_argument("--imap-host", required=True)
        q.add_argument("--imap-port", type=int)
        q.add_argument("--imap-security", choices=[s.value for s in Security], default="tls")
        q.add_argument("--user", default="", help="login (default: the e-mail address)")
        q.add_argument("--password-env", required=True, metavar="VAR",
                       help="name of the environment variable holding the password or app password")
        q.add_argument("--smtp-host", default="")
        q.add_argument("--smtp-port", type=int)
        q.add_argument("--smtp-security", choices=[s.value for s in Security], default="tls")
        q.add_argument("--signature", default="")
        q.add_argument("--trust-cert-sha256", metavar="HEX", help="trust this one self-signed certificate")
        json_flag(q)
        q.set_defaults(func=cmd_account_add if action == "add" else cmd_account_test)
    q = asub.add_parser("list", help="list mailboxes")
    json_flag(q)
    q.set_defaults(func=cmd_account_list)
    q = asub.add_parser("folders", help="list the mailbox's folders and choose extra ones to sync")
    q.add_argument("id", type=int)
    q.add_argument("--add", action="append", default=[], metavar="FOLDER", help="also sync this folder")
    q.add_argument("--remove", action="append", default=[], metavar="FOLDER", help="stop syncing this folder")
    json_flag(q)
    q.set_defaults(func=cmd_account_folders)
    q = asub.add_parser("remove", help="remove a mailbox")
    q.add_argument("id", type=int)
    keep = q.add_mutually_exclusive_group(required=True)
    keep.add_argument("--keep-mail", action="store_true", help="keep its mail in Comptoir")
    keep.add_argument("--erase-mail", action="store_true", help="erase its mail from Comptoir too")
    q.set_defaults(func=cmd_account_remove)

    p = sub.add_parser("sync", help="synchronise mailboxes into the encrypted store")
    p.add_argument("--account", type=int, help="only this account (default: all)")
    json_flag(p)
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("search", help="full-text search over mail, customers, order and tracking numbers")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    json_flag(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("thread", help="conversations")
    tsub = p.add_subparsers(dest="thread_command", required=True, metavar="ACTION")
    q = tsub.add_parser("show", help="show a conversation with its customer's orders")
    q.add_argument("id", type=int)
    json_flag(q)
    q.set_defaults(func=cmd_thread_show)

    p = sub.add_parser("reply", help="reply to a conversation")
    rsub = p.add_subparsers(dest="reply_command", required=True, metavar="ACTION")
    for action, helptext in (("draft", "save the reply in the mailbox's Drafts folder"),
                             ("send", "send the reply now (SMTP) and file it in Sent")):
        q = rsub.add_parser(action, help=helptext)
        q.add_argument("thread", type=int)
        src = q.add_mutually_exclusive_group(required=True)
        src.add_argument("--body", help="the reply text")
        src.add_argument("--body-file", help="read the reply text from this file ('-' for stdin)")
        q.add_argument("--despite-warnings", action="store_true",
                       help="save or send even though the safety check flagged something (see the warnings)")
        q.set_defaults(func=cmd_reply)


@contextmanager
def _mail(ctx: CliContext) -> Iterator[tuple[Session, MailService]]:
    with ctx.open_workspace() as workspace:
        service = MailService(workspace.db, ca_file=ctx.args.ca_file)
        try:
            yield Session(workspace), service
        finally:
            service.close()


def _config(ctx: CliContext) -> tuple[AccountConfig, str]:
    a = ctx.args
    password = ctx.secret_from_env("password-env") or ""
    imap_security = Security(a.imap_security)
    smtp_security = Security(a.smtp_security)
    cfg = AccountConfig(
        name=a.name or a.email, email=a.email, display_name=a.display_name, imap_host=a.imap_host,
        imap_port=a.imap_port or (993 if imap_security == Security.TLS else 143), imap_security=imap_security,
        imap_user=a.user, smtp_host=a.smtp_host,
        smtp_port=a.smtp_port or {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}[smtp_security],
        smtp_security=smtp_security, smtp_user=a.user, signature=a.signature,
        trusted_cert_sha256=(a.trust_cert_sha256 or "").lower().replace(":", "") or None,
    )
    return cfg, password


def cmd_account_add(ctx: CliContext) -> int:
    cfg, password = _config(ctx)
    with _mail(ctx) as (_session, mail):
        account_id = mail.add_account(cfg, password)
    ctx.emit({"id": account_id}, f"Added account {account_id}: {cfg.email} ({cfg.imap_host})")
    return 0


def cmd_account_test(ctx: CliContext) -> int:
    cfg, password = _config(ctx)
    with _mail(ctx) as (_session, mail):
        lines = mail.test_account(cfg, password)
    ctx.emit({"ok": True, "details": lines}, lines)
    return 0


def cmd_account_list(ctx: CliContext) -> int:
    with _mail(ctx) as (_session, mail):
        accounts = mail.accounts()
    ctx.emit([asdict(a) for a in accounts],
             [f"{a.id}: {a.email}  IMAP {a.imap_host}:{a.imap_port} ({a.imap_security})"
              + (f"  SMTP {a.smtp_host}:{a.smtp_port} ({a.smtp_security})" if a.smtp_host else "")
              for a in accounts] or ["No mail account yet. Add one with `account add`."])
    return 0


def cmd_account_remove(ctx: CliContext) -> int:
    with _mail(ctx) as (_session, mail):
        erased = mail.remove_account(ctx.args.id, erase_mail=ctx.args.erase_mail)
    ctx.emit({"removed": ctx.args.id, "messages_erased": erased},
             f"Removed account {ctx.args.id}" + (f" and erased {erased} messages." if ctx.args.erase_mail
                                                  else "; its mail stays readable in Comptoir."))
    return 0


def cmd_sync(ctx: CliContext) -> int:
    def show(p: Progress) -> None:
        if not ctx.args.json and sys.stderr.isatty():
            print(f"\r{p.label}", end="", file=sys.stderr, flush=True)

    reports = []
    with _mail(ctx) as (_session, mail):
        ids = [ctx.args.account] if ctx.args.account else [a.id for a in mail.accounts() if a.id is not None]
        if not ids:
            raise UserFacingError("There is no mail account to synchronise.", "Add one with `account add`.")
        for account_id in ids:
            reports.append(mail.sync(account_id, Job(on_progress=show)))
    ctx.emit([r.as_dict() for r in reports],
             [f"account {r.account_id}: {r.added} added, {r.updated} updated, {r.removed} removed "
              f"in {r.seconds:.2f} s ({', '.join(r.folders)})" for r in reports])
    return 0


def cmd_search(ctx: CliContext) -> int:
    with _mail(ctx) as (session, _mail_service):
        threads = session.threads(query=ctx.args.query, limit=ctx.args.limit)
    ctx.emit([asdict(t) for t in threads],
             [f"{t.id:>6}  {t.last_message_at[:10]}  {t.customer_email:<30}  {t.subject}" for t in threads]
             or ["No match."])
    return 0


def cmd_thread_show(ctx: CliContext) -> int:
    with _mail(ctx) as (session, _mail_service):
        detail = session.thread(ctx.args.id)
    if detail is None:
        raise UserFacingError(f"There is no conversation number {ctx.args.id}.", "Use `search` to find one.")
    lines = [f"# {detail.thread.subject}", f"Customer: {detail.thread.customer_name} <{detail.thread.customer_email}>"]
    for o in detail.orders:
        lines.append(f"Order {o.number}: {o.status} {o.total} {o.currency}"
                     + "".join(f" | {t.carrier} {t.number} {t.url}" for t in o.tracking))
    for m in detail.messages:
        lines += ["", f"--- {m.date} {'→' if m.direction == 'out' else '←'} {m.from_name} <{m.from_addr}>",
                  m.body_text]
    ctx.emit(asdict(detail), lines)
    return 0


def cmd_reply(ctx: CliContext) -> int:
    a = ctx.args
    if a.body is not None:
        body = a.body
    elif a.body_file == "-":
        body = sys.stdin.read()
    else:
        body = Path(a.body_file).read_text(encoding="utf-8")
    if not body.strip():
        raise UserFacingError("The reply is empty.", "Write something before saving or sending.")
    with _mail(ctx) as (session, mail):
        warnings = session.assistant.check_reply(a.thread, body)
        if warnings and not a.despite_warnings:
            for w in warnings:
                print(f"⚠ {w['message']}", file=sys.stderr)
            raise UserFacingError("The reply contains details that may not belong to this customer; nothing was "
                                  f"{'saved' if a.reply_command == 'draft' else 'sent'}.",
                                  "Check them, or repeat with --despite-warnings if they are right.")
        if a.reply_command == "draft":
            draft_id = mail.save_draft(a.thread, body)
            ctx.emit({"draft": draft_id, "status": "in_mailbox"}, f"Saved draft {draft_id} in the Drafts folder.")
        else:
            draft_id = mail.send(a.thread, body)
            ctx.emit({"draft": draft_id, "status": "sent"}, f"Sent (draft {draft_id}); a copy is in Sent.")
    return 0


def cmd_account_folders(ctx: CliContext) -> int:
    a = ctx.args
    with _mail(ctx) as (_session, mail):
        for name in a.add:
            mail.choose_folder(a.id, name, selected=True)
        for name in a.remove:
            mail.choose_folder(a.id, name, selected=False)
        folders = mail.folders(a.id)
    ctx.emit(folders, [f"{'[x]' if f['synced'] else '[ ]'} {f['name']}  ({f['role']})" for f in folders])
    return 0
