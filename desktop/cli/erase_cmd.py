"""Privacy commands: erase (everything, or one customer), customer find|show|rectify|restrict, retention.

`erase --all --yes` never needs the workspace key: it works on a workspace that cannot be unlocked (the
Windows uninstaller runs it). Only `--drafts-on-server` unlocks, to reach the mailbox first.

For tests only: with the environment variable COMPTOIR_TEST_PAUSE_AT set to a step name of a per-customer
erasure ("in-transaction", "committed", "exported", "staged", "swapped", "promoted", "finished"), the
command prints `paused at STEP` on stderr when it reaches that step and waits there until it is killed.
tests/test_erase.py uses it to SIGKILL the process at precise points. Unset, it changes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

from desktop.cli import CliContext, json_flag
from desktop.core.errors import UserFacingError
from desktop.services.erase import (
    EraseReport,
    StepHook,
    customer_by_email,
    customer_holdings,
    erase_customer,
    erase_everything,
    find_customers,
    finish_interrupted_erasure,
    rectify_customer,
    restrict_customer,
)
from desktop.services.retention import retention_preview, retention_run
from desktop.services.session import Session
from desktop.services.workspace import Workspace

PAUSE_ENV = "COMPTOIR_TEST_PAUSE_AT"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("erase", help="erase everything, or one customer (GDPR art. 17)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true",
                       help="the whole workspace, its key, caches, logs and backups: Comptoir returns to first run")
    which.add_argument("--customer", metavar="EMAIL", help="one customer, found by one of their addresses")
    p.add_argument("--yes", action="store_true", help="confirm: without it nothing is erased")
    p.add_argument("--drafts-on-server", action="store_true",
                   help="with --all: also remove Comptoir's own drafts from the mailbox's Drafts folder")
    json_flag(p)
    p.set_defaults(func=cmd_erase)

    p = sub.add_parser("customer", help="find a customer, see what is held, rectify, restrict")
    csub = p.add_subparsers(dest="customer_command", metavar="ACTION", required=True)
    q = csub.add_parser("find", help="customers whose name, address or phone matches")
    q.add_argument("query")
    json_flag(q)
    q.set_defaults(func=cmd_find)
    q = csub.add_parser("show", help="everything held about one customer (GDPR art. 15)")
    q.add_argument("email")
    json_flag(q)
    q.set_defaults(func=cmd_show)
    q = csub.add_parser("rectify", help="correct a customer's name, phone or addresses (GDPR art. 16)")
    q.add_argument("email")
    q.add_argument("--name", help="the name shown in Comptoir")
    q.add_argument("--first-name")
    q.add_argument("--last-name")
    q.add_argument("--phone")
    q.add_argument("--add-email", action="append", default=[], metavar="EMAIL")
    q.add_argument("--remove-email", action="append", default=[], metavar="EMAIL")
    json_flag(q)
    q.set_defaults(func=cmd_rectify)
    q = csub.add_parser("restrict", help="no AI processing, no newsletters (GDPR art. 18, 21)")
    q.add_argument("email")
    q.add_argument("--no-ai", choices=["on", "off"], help="never send this customer's data to an AI provider")
    q.add_argument("--no-marketing", choices=["on", "off"], help="leave this customer out of newsletters")
    json_flag(q)
    q.set_defaults(func=cmd_restrict)

    p = sub.add_parser("retention", help="what the retention purge removes, or run it now")
    rsub = p.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    for action, helptext in (("preview", "what the next purge removes"), ("run", "purge now")):
        q = rsub.add_parser(action, help=helptext)
        json_flag(q)
        q.set_defaults(func=cmd_retention)


def _pause_hook() -> StepHook | None:
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted:
        return None

    def _hook(name: str) -> None:
        if name == wanted:
            print(f"paused at {name}", file=sys.stderr, flush=True)
            while True:  # until the test kills the process
                time.sleep(3600)

    return _hook


def _show_report(ctx: CliContext, report: EraseReport) -> None:
    ctx.emit(report.as_dict(), report.lines())
    if report.recovery_key and not getattr(ctx.args, "json", False):
        # Like `init`: the recovery key goes to the terminal once; it is never logged or stored.
        print("", file=sys.stderr)
        print("New recovery key (write it down; the old one no longer opens this workspace):", file=sys.stderr)
        print(f"    {report.recovery_key}", file=sys.stderr)


def cmd_erase(ctx: CliContext) -> int:
    if ctx.args.all:
        return _erase_all(ctx)
    if ctx.args.drafts_on_server:
        raise UserFacingError("--drafts-on-server goes with --all.", "Use `erase --all --yes --drafts-on-server`.")
    return _erase_customer(ctx)


def _erase_all(ctx: CliContext) -> int:
    if not ctx.args.yes:
        print(f"This erases the Comptoir workspace in {ctx.paths.workspace} (mail, orders, drafts, chats, settings, "
              "backups), its key, the demo workspace, caches and logs. It cannot be undone.", file=sys.stderr)
        print("Run again with --yes to erase.", file=sys.stderr)
        return 1
    if not ctx.args.drafts_on_server:
        report = erase_everything(ctx.paths, ctx.service)
    else:
        workspace = ctx.open_workspace()
        session = Session(workspace, ca_file=ctx.args.ca_file)
        try:
            report = erase_everything(ctx.paths, ctx.service, workspace=workspace,
                                      remove_server_drafts=session.mail.delete_own_drafts)
        finally:
            session.close()
    _show_report(ctx, report)
    return 0


def _customer_id(ctx: CliContext, workspace: Workspace, email: str) -> int:
    found = customer_by_email(workspace, email)
    if found is None:
        raise UserFacingError(f"No customer has the address {email}.", "Find them with `customer find NAME`.")
    return found


def _erase_customer(ctx: CliContext) -> int:
    email = ctx.args.customer
    hook = _pause_hook()
    with ctx.open_workspace() as workspace:
        customer = customer_by_email(workspace, email)
        if customer is None:
            # Run again after a crash: the rows went in the committed transaction; finish the re-key.
            finished = finish_interrupted_erasure(workspace, on_step=hook) if ctx.args.yes else None
            if finished is not None:
                print("An interrupted erasure was completed.", file=sys.stderr)
                _show_report(ctx, finished)
                return 0
            raise UserFacingError(f"No customer has the address {email}.", "Find them with `customer find NAME`.")
        if not ctx.args.yes:
            counts = customer_holdings(workspace, customer).counts()
            print(f"This erases the customer with {', '.join(f'{v} {k}' for k, v in counts.items())}, then rewrites "
                  "the database under a new key. It cannot be undone.", file=sys.stderr)
            print("Run again with --yes to erase.", file=sys.stderr)
            return 1
        report = erase_customer(workspace, customer, on_step=hook)
    _show_report(ctx, report)
    return 0


def cmd_find(ctx: CliContext) -> int:
    with ctx.open_workspace() as workspace:
        found = find_customers(workspace, ctx.args.query)
    lines = [f"{c.display_name or '(no name)'} <{', '.join(c.emails)}>: {c.thread_count} conversation(s), "
             f"{c.order_count} order(s){' · no AI' if c.no_ai else ''}{' · no marketing' if c.no_marketing else ''}"
             for c in found] or [f"No customer matches {ctx.args.query!r}."]
    ctx.emit([asdict(c) for c in found], lines)
    return 0 if found else 1


def cmd_show(ctx: CliContext) -> int:
    with ctx.open_workspace() as workspace:
        held = customer_holdings(workspace, _customer_id(ctx, workspace, ctx.args.email))
    c = held.customer
    lines = [f"{c.display_name or '(no name)'} — {', '.join(c.emails)}",
             f"First name: {c.first_name or '-'}; last name: {c.last_name or '-'}; phone: {c.phone or '-'}",
             f"No AI processing: {'yes' if c.no_ai else 'no'}; no marketing: {'yes' if c.no_marketing else 'no'}",
             "Held: " + ", ".join(f"{v} {k}" for k, v in held.counts().items())]
    lines += [f"  conversation {t.id}: {t.subject} ({t.message_count} message(s), last {t.last_message_at})"
              for t in held.threads]
    lines += [f"  order {o.number}: {o.status or '-'} {o.total} {o.currency} (cached {o.fetched_at})"
              for o in held.orders]
    lines += [f"  chat {m.chat_id}, message {m.chat_message_id} ({m.role}): …{m.excerpt}…" for m in held.chat_mentions]
    lines += [f"  ledger {e.at}: {e.kind} → {e.destination} ({e.purpose}, {e.bytes_out} bytes)" for e in held.ledger]
    ctx.emit(held.as_dict(), lines)
    return 0


def cmd_rectify(ctx: CliContext) -> int:
    a = ctx.args
    with ctx.open_workspace() as workspace:
        record = rectify_customer(workspace, _customer_id(ctx, workspace, a.email), display_name=a.name,
                                  first_name=a.first_name, last_name=a.last_name, phone=a.phone,
                                  add_emails=a.add_email, remove_emails=a.remove_email)
    ctx.emit(asdict(record), [f"Corrected: {record.display_name} <{', '.join(record.emails)}>, "
                              f"first name {record.first_name or '-'}, last name {record.last_name or '-'}, "
                              f"phone {record.phone or '-'}."])
    return 0


def cmd_restrict(ctx: CliContext) -> int:
    a = ctx.args
    if a.no_ai is None and a.no_marketing is None:
        raise UserFacingError("Say what to restrict.", "Use --no-ai on|off and/or --no-marketing on|off.")
    with ctx.open_workspace() as workspace:
        record = restrict_customer(workspace, _customer_id(ctx, workspace, a.email),
                                   no_ai=None if a.no_ai is None else a.no_ai == "on",
                                   no_marketing=None if a.no_marketing is None else a.no_marketing == "on")
    flags = f"no AI processing {'on' if record.no_ai else 'off'}, no marketing {'on' if record.no_marketing else 'off'}"
    ctx.emit(asdict(record), [f"{record.display_name or ', '.join(record.emails)}: {flags}."])
    return 0


def cmd_retention(ctx: CliContext) -> int:
    now = datetime.now(UTC)
    with ctx.open_workspace() as workspace:
        plan = retention_run(workspace, now) if ctx.args.retention_command == "run" else \
            retention_preview(workspace, now)
    ctx.emit(plan.as_dict(), plan.lines())
    return 0
