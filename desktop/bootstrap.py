"""Composition root: arguments, folders, logging, then the CLI or the desktop app.

PySide6 is imported lazily here, only when the GUI starts, so the CLI and `--selftest` run on a
machine without a display (and the services import without Qt at all).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from desktop.logs import close_logging, setup_logging
from desktop.paths import AppPaths


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # every file we create (db, wal, logs, backups, exports) is the merchant's alone
    _no_core_dumps()
    from desktop import cli

    parser = cli.build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    paths = (AppPaths.under(args.data_dir) if args.data_dir else AppPaths.default()).ensure()
    setup_logging(paths.logs, verbose=args.verbose)
    try:
        if args.selftest and not args.command:
            args = parser.parse_args([*(list(sys.argv[1:] if argv is None else argv)), "selftest"])
        if args.command:
            return cli.run(args, paths)
        from desktop.ui.app import run_gui  # lazy: the only place outside ui/ that reaches Qt

        return run_gui(paths, language=args.lang)
    finally:
        close_logging()


def _no_core_dumps() -> None:
    """A core dump would hold the database key in clear: disable them (security.md §8 H36)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
