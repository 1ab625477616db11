"""Privacy commands, portability side: export (everything or one customer), import, the egress ledger."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from desktop.cli import CliContext, json_flag
from desktop.core.errors import UserFacingError
from desktop.paths import atomic_write
from desktop.services.export import (
    ENCRYPTED_SUFFIX,
    export_customer,
    export_workspace,
    import_export,
    ledger_csv,
    ledger_entries,
    ledger_totals,
)
from desktop.tasks.cancel import Job, Progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="export the workspace, or one customer's data, to a ZIP")
    p.add_argument("path", type=Path, help=f"the file to write (.zip, or {ENCRYPTED_SUFFIX} when encrypted)")
    p.add_argument("--customer", metavar="EMAIL", help="only what is held about the customer with this address")
    p.add_argument("--encrypt-env", metavar="VAR",
                   help="encrypt the export with the passphrase in this environment variable")
    p.add_argument("--include-secrets", action="store_true",
                   help="also export mailbox, shop and AI-provider passwords and tokens (workspace export only)")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    json_flag(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="create a new workspace from an export of a whole workspace")
    p.add_argument("path", type=Path, help="the export (.zip or .comptoir-export)")
    p.add_argument("--decrypt-env", metavar="VAR",
                   help="name of the environment variable holding the passphrase of an encrypted export")
    p.add_argument("--use-passphrase", action="store_true",
                   help="protect the new workspace's key with a passphrase (--passphrase-env) even if a keyring works")
    json_flag(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("ledger", help="the egress ledger: what left this computer, to whom, why, how much")
    p.add_argument("--destination", metavar="HOST", help="only calls to this destination")
    p.add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD, UTC)")
    p.add_argument("--until", metavar="DATE", help="up to and including this day (YYYY-MM-DD, UTC)")
    p.add_argument("--csv", metavar="PATH", type=Path, help="also write the entries to this CSV file")
    json_flag(p)
    p.set_defaults(func=cmd_ledger)


def _progress(ctx: CliContext) -> Job:
    shown = [-1]

    def show(p: Progress) -> None:
        if ctx.args.json or not sys.stderr.isatty() or not p.total:
            return
        pct = 100 * p.done // p.total
        if pct != shown[0]:
            shown[0] = pct
            print(f"\r{p.label}: {pct}%\033[K", end="", file=sys.stderr, flush=True)

    return Job(on_progress=show)


def _done_progress(ctx: CliContext) -> None:
    if not ctx.args.json and sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def cmd_export(ctx: CliContext) -> int:
    a = ctx.args
    dest: Path = a.path.expanduser()
    if dest.exists() and not a.force:
        raise UserFacingError(f"{dest} already exists.", "Choose another file name, or add --force to replace it.")
    if a.customer and a.include_secrets:
        raise UserFacingError("A customer's export never holds the shop's passwords.",
                              "Leave out --include-secrets, or export the whole workspace.")
    passphrase = ctx.secret_from_env("encrypt-env")
    with ctx.open_workspace() as workspace:
        job = _progress(ctx)
        try:
            if a.customer:
                report = export_customer(workspace, a.customer, dest, job=job, passphrase=passphrase)
            else:
                report = export_workspace(workspace, dest, job=job, include_secrets=a.include_secrets,
                                          passphrase=passphrase)
        finally:
            _done_progress(ctx)
    lines = [f"Exported {sum(report.counts.values())} rows and {report.mbox_messages} messages to {report.path} "
             f"({report.size / 1e6:.1f} MB, {report.seconds:.1f} s)."]
    if report.withheld_messages:
        lines.append(f"{report.withheld_messages} message(s) that name another customer are left out of the mbox "
                     "(their text is in data/messages.json, with the other customers' identifiers redacted).")
    if report.redactions:
        lines.append(f"{report.redactions} identifier(s) of other customers were replaced by [redacted].")
    ctx.emit({**asdict(report), "path": str(report.path)}, lines)
    if report.plaintext:
        print("Warning: this ZIP is not encrypted: anyone who can read the file can read everything in it"
              + (", including your passwords and tokens" if report.secrets_included else "")
              + ". Keep it safe, or export again with --encrypt-env.", file=sys.stderr)
    elif report.secrets_included:
        print("Note: this export holds your passwords and tokens; its passphrase protects them.", file=sys.stderr)
    return 0


def cmd_import(ctx: CliContext) -> int:
    decrypt = ctx.secret_from_env("decrypt-env")
    passphrase = ctx.secret_from_env("passphrase-env")
    job = _progress(ctx)
    try:
        report = import_export(ctx.service, ctx.paths.workspace, ctx.args.path, job=job, passphrase=passphrase,
                               decrypt_passphrase=decrypt, prefer_passphrase=ctx.args.use_passphrase)
    finally:
        _done_progress(ctx)
    info = report.workspace
    where = f"the system keyring ({info.keyring_backend})" if info.key_mode == "keyring" else \
        "your passphrase (Argon2id)"
    ctx.emit({"workspace": info.path, "workspace_id": info.workspace_id, "key_mode": info.key_mode,
              "counts": report.counts, "schema_version": report.schema_version,
              "secrets_included": report.secrets_included, "encrypted": report.encrypted,
              "recovery_key": report.recovery_key if ctx.args.json else None},
             [f"Imported {sum(report.counts.values())} rows into a new workspace in {info.path} "
              f"({report.seconds:.1f} s).", f"Its key is protected by {where}."]
             + ([] if report.secrets_included else
                ["Passwords and tokens were not in the export: enter them again (account add, shop connect)."]))
    if not ctx.args.json:
        # The recovery key goes to the terminal once; it is never logged or stored.
        print("", file=sys.stderr)
        print("Recovery key (write it down and keep it safe; it is shown only once):", file=sys.stderr)
        print(f"    {report.recovery_key}", file=sys.stderr)
    return 0


def cmd_ledger(ctx: CliContext) -> int:
    a = ctx.args
    with ctx.open_workspace() as workspace:
        entries = ledger_entries(workspace, destination=a.destination, since=a.since, until=a.until)
        totals = ledger_totals(workspace, destination=a.destination, since=a.since, until=a.until)
    if a.csv:
        atomic_write(a.csv.expanduser().absolute(), ledger_csv(entries).encode("utf-8"))
    lines = [f"{e.at}  {e.destination:<28} {e.kind:<11} {e.bytes_out:>10} B out {e.bytes_in:>10} B in  "
             f"{e.purpose}{'  (pseudonymised)' if e.pseudonymised else ''}" for e in entries] or ["No entry."]
    if entries:
        lines += ["", "Totals per destination:"]
        lines += [f"  {t.destination:<28} {t.calls:>6} calls {t.bytes_out:>12} B out {t.bytes_in:>12} B in"
                  for t in totals]
    if a.csv:
        lines.append(f"Wrote {len(entries)} entries to {a.csv}.")
    ctx.emit({"entries": [asdict(e) for e in entries], "totals": [t._asdict() for t in totals]}, lines)
    return 0
