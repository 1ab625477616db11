"""The headless command line: the same services as the GUI, for tests, benchmarks and power users.

`python main.py [--data-dir DIR] COMMAND …`. One module per command group registers its commands;
later capabilities add theirs (account, sync, search, shop, orders, llm, draft, export, erase).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from desktop.core.errors import UserFacingError
from desktop.paths import AppPaths
from desktop.services.workspace import Workspace, WorkspaceService


@dataclass
class CliContext:
    """What every command gets: parsed args, folders, the workspace service and the output stream."""

    args: argparse.Namespace
    paths: AppPaths
    service: WorkspaceService
    out: TextIO = field(default_factory=lambda: sys.stdout)

    def secret_from_env(self, option: str) -> str | None:
        """Read a secret from the environment variable *named* by `--<option>` (never from argv)."""
        var = getattr(self.args, option.replace("-", "_"), None)
        if not var:
            return None
        value = os.environ.get(var)
        if value is None:
            raise UserFacingError(f"The environment variable {var} (named by --{option}) is not set.",
                                  f"Set it, e.g. `read -s {var}; export {var}`.")
        return value

    def open_workspace(self) -> Workspace:
        return self.service.unlock(
            self.paths.workspace,
            passphrase=self.secret_from_env("passphrase-env"),
            recovery_key=self.secret_from_env("recovery-env"),
        )

    def emit(self, data: Any, text: str | list[str]) -> None:
        """Print `data` as JSON with --json, else the human-readable `text`."""
        if getattr(self.args, "json", False):
            print(json.dumps(data, indent=2, ensure_ascii=False, default=str), file=self.out)
        else:
            lines = [text] if isinstance(text, str) else text
            for line in lines:
                print(line, file=self.out)


Command = Callable[[CliContext], int]


def build_parser() -> argparse.ArgumentParser:
    from desktop.cli import assistant_cmd, erase_cmd, export_cmd, mail_cmd, settings_cmd, shop_cmd, workspace_cmd

    parser = argparse.ArgumentParser(
        prog="comptoir",
        description="Comptoir: the customer-mail assistant that keeps its data at home. "
        "Without a command, the desktop app starts.",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="keep the workspace, cache and logs in DIR (default: the per-user folders)")
    parser.add_argument("--passphrase-env", metavar="VAR",
                        help="name of the environment variable holding the workspace passphrase")
    parser.add_argument("--recovery-env", metavar="VAR",
                        help="name of the environment variable holding the recovery key")
    parser.add_argument("--ca-file", metavar="PEM",
                        help="also trust this certificate authority for mail servers and shops (company or test CAs)")
    parser.add_argument("--selftest", action="store_true", help="check this installation and exit (0 = ok)")
    parser.add_argument("--lang", choices=["en", "fr"], help="language of the interface for this run")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (never secrets)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (workspace_cmd, settings_cmd, mail_cmd, shop_cmd, assistant_cmd, export_cmd, erase_cmd):
        module.register(sub)
    return parser


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, paths: AppPaths, service: WorkspaceService | None = None) -> int:
    """Run the command in `args`; print a merchant-readable message on a UserFacingError."""
    ctx = CliContext(args, paths, service or WorkspaceService())
    command: Command = args.func
    try:
        return command(ctx)
    except UserFacingError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"       {exc.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
