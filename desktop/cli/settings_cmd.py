"""`settings list|get|set`: the settings registry from the command line."""

from __future__ import annotations

import argparse

from desktop.cli import CliContext, json_flag
from desktop.core.errors import UserFacingError
from desktop.core.settings import REGISTRY
from desktop.services.session import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("settings", help="list, read or change settings")
    ssub = p.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    q = ssub.add_parser("list", help="every setting with its value and description")
    json_flag(q)
    q.set_defaults(func=cmd_list)
    q = ssub.add_parser("get", help="one setting's value")
    q.add_argument("key")
    json_flag(q)
    q.set_defaults(func=cmd_get)
    q = ssub.add_parser("set", help="change a setting")
    q.add_argument("key")
    q.add_argument("value")
    q.set_defaults(func=cmd_set)


def _setting(key: str) -> None:
    if key not in REGISTRY:
        raise UserFacingError(f"There is no setting called {key!r}.", "See `settings list`.")


def cmd_list(ctx: CliContext) -> int:
    with ctx.open_workspace() as ws:
        values = Session(ws).all_settings()
    ctx.emit(values, [f"{s.key} = {values[s.key]!r}    # {s.description}" for s in REGISTRY])
    return 0


def cmd_get(ctx: CliContext) -> int:
    _setting(ctx.args.key)
    with ctx.open_workspace() as ws:
        value = Session(ws).get_setting(ctx.args.key)
    ctx.emit({ctx.args.key: value}, repr(value))
    return 0


def cmd_set(ctx: CliContext) -> int:
    _setting(ctx.args.key)
    setting = REGISTRY[ctx.args.key]
    try:
        value = setting.parse(ctx.args.value)
    except ValueError as exc:
        raise UserFacingError(str(exc), f"{setting.key}: {setting.description}") from None
    with ctx.open_workspace() as ws:
        session = Session(ws)
        if setting.key == "ui.language":
            session.set_ui_language(value)
        else:
            session.set_setting(setting.key, value)
    ctx.emit({}, f"{setting.key} = {value!r}")
    return 0
