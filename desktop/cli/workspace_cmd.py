"""Commands for the workspace itself: init, status, demo, selftest."""

from __future__ import annotations

import argparse
import sys

from desktop.cli import CliContext, json_flag
from desktop.services.demo import create_demo
from desktop.services.selftest import run_selftest
from desktop.services.session import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create an encrypted workspace")
    p.add_argument("--use-passphrase", action="store_true",
                   help="protect the key with a passphrase even if a system keyring works")
    p.add_argument("--lang", dest="init_lang", choices=["system", "en", "fr"], default="system")
    json_flag(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("status", help="show the workspace and where its key is protected")
    json_flag(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("demo", help="create a demo workspace with a fictional shop")
    json_flag(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("selftest", help="check this installation on a throw-away workspace")
    json_flag(p)
    p.set_defaults(func=cmd_selftest)


def _print_recovery(ctx: CliContext, recovery_key: str) -> None:
    # The recovery key goes to the terminal once; it is never logged or stored.
    print("", file=sys.stderr)
    print("Recovery key (write it down and keep it safe; it is shown only once):", file=sys.stderr)
    print(f"    {recovery_key}", file=sys.stderr)
    print("It opens this workspace if the keyring entry or the passphrase is lost.", file=sys.stderr)


def cmd_init(ctx: CliContext) -> int:
    passphrase = ctx.secret_from_env("passphrase-env")
    workspace, created = ctx.service.create(
        ctx.paths.workspace, passphrase=passphrase, prefer_passphrase=ctx.args.use_passphrase,
        ui_language=ctx.args.init_lang,
    )
    workspace.close()
    info = created.info
    where = ("the system keyring (" + info.keyring_backend + ")") if info.key_mode == "keyring" else \
        "your passphrase (Argon2id)"
    ctx.emit({"workspace": info.path, "workspace_id": info.workspace_id, "key_mode": info.key_mode,
              "keyring_backend": info.keyring_backend, "recovery_key": created.recovery_key if ctx.args.json
              else None},
             [f"Created an encrypted workspace in {info.path}", f"Its key is protected by {where}."])
    if not ctx.args.json:
        _print_recovery(ctx, created.recovery_key)
    return 0


def cmd_status(ctx: CliContext) -> int:
    info = ctx.service.describe(ctx.paths.workspace)
    if info is None:
        ctx.emit({"workspace": None}, f"No workspace in {ctx.paths.workspace}. Create one with `init`.")
        return 1
    with ctx.open_workspace() as workspace:
        stats = Session(workspace).stats()
    ctx.emit(
        {"workspace": info.path, "key_mode": info.key_mode, "keyring_backend": info.keyring_backend,
         "demo": info.demo, "counts": stats.counts, "size_bytes": stats.size_bytes},
        [f"Workspace: {info.path}{' (demo)' if info.demo else ''}",
         f"Key protected by: {info.key_mode}{' — ' + info.keyring_backend if info.keyring_backend else ''}",
         f"Threads: {stats.counts['threads']}, messages: {stats.counts['messages']}, "
         f"customers: {stats.counts['customers']}, orders: {stats.counts['orders']}",
         f"Size on disk: {stats.size_bytes / 1e6:.1f} MB"],
    )
    return 0


def cmd_demo(ctx: CliContext) -> int:
    workspace, created = create_demo(ctx.service, ctx.paths.workspace,
                                     passphrase=ctx.secret_from_env("passphrase-env"))
    with workspace:
        stats = Session(workspace).stats()
    ctx.emit({"workspace": created.info.path, "key_mode": created.info.key_mode, "counts": stats.counts},
             [f"Created a demo workspace in {created.info.path} ({created.info.key_mode} mode):",
              f"{stats.counts['threads']} threads, {stats.counts['customers']} customers, "
              f"{stats.counts['orders']} orders."])
    if not ctx.args.json:
        _print_recovery(ctx, created.recovery_key)
    return 0


def cmd_selftest(ctx: CliContext) -> int:
    report = run_selftest(ctx.service, scratch_parent=ctx.paths.cache)
    ctx.emit({"ok": report.ok, "checks": [{"name": n, "ok": o, "detail": d} for n, o, d in report.checks]},
             report.lines())
    return 0 if report.ok else 1
