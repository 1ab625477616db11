"""Assistant commands: llm add|list|test|remove|use|detect, triage, draft THREAD_ID, chat "…", profile, templates."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from desktop.cli import CliContext, json_flag
from desktop.core.errors import UserFacingError
from desktop.core.triage import INTENT_LABELS, Intent
from desktop.services.session import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("llm", help="AI providers (any OpenAI-compatible server; local by default)")
    lsub = p.add_subparsers(dest="llm_command", required=True, metavar="ACTION")
    q = lsub.add_parser("add", help="add a provider and make it the active one")
    q.add_argument("kind", choices=["ollama", "lmstudio", "llamacpp", "openai", "mistral", "custom"])
    q.add_argument("--base-url", help="e.g. https://llm.example.com/v1 (required for custom)")
    q.add_argument("--key-env", metavar="VAR", help="env var holding the API key (cloud providers)")
    q.add_argument("--model", default="", help="model for drafting (default: the first the server lists)")
    q.add_argument("--triage-model", default="", help="a smaller model for triage (optional)")
    q.add_argument("--chat-model", default="", help="model for the assistant chat (optional)")
    q.add_argument("--name", default="")
    q.add_argument("--no-check", action="store_true", help="save without asking the server")
    json_flag(q)
    q.set_defaults(func=cmd_llm_add)
    q = lsub.add_parser("list", help="configured providers")
    json_flag(q)
    q.set_defaults(func=cmd_llm_list)
    q = lsub.add_parser("test", help="check a provider: reachable, key, model, tool support")
    q.add_argument("id", type=int)
    json_flag(q)
    q.set_defaults(func=cmd_llm_test)
    q = lsub.add_parser("use", help="make a provider the active one")
    q.add_argument("id", type=int)
    q.set_defaults(func=cmd_llm_use)
    q = lsub.add_parser("remove", help="remove a provider (its API key is deleted)")
    q.add_argument("id", type=int)
    q.set_defaults(func=cmd_llm_remove)
    q = lsub.add_parser("detect", help="find local servers (Ollama, LM Studio, llama.cpp) on this computer")
    json_flag(q)
    q.set_defaults(func=cmd_llm_detect)

    p = sub.add_parser("triage", help="intent, language and urgency of customer conversations")
    p.add_argument("--thread", type=int, metavar="ID", help="one conversation (default: every untriaged one)")
    p.add_argument("--no-llm", action="store_true", help="offline rules only")
    json_flag(p)
    p.set_defaults(func=cmd_triage)

    p = sub.add_parser("draft", help="prepare the reply to a conversation (kept locally; never sent)")
    p.add_argument("thread_id", type=int)
    p.add_argument("--instruction", default=None, help='regenerate with an instruction: "shorter", "more formal"…')
    p.add_argument("--no-llm", action="store_true", help="from the matching template only")
    p.add_argument("--preview", action="store_true", help="show exactly what would be sent to the AI provider")
    json_flag(p)
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("chat", help="ask the assistant (read-only tools over your mail and orders)")
    p.add_argument("message")
    p.add_argument("--chat", type=int, metavar="ID", help="continue this conversation")
    json_flag(p)
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("chats", help="your conversations with the assistant")
    p.add_argument("--search", default="")
    json_flag(p)
    p.set_defaults(func=cmd_chats)

    p = sub.add_parser("profile", help="the shop profile the assistant writes from (policies, tone, signature)")
    p.add_argument("--set", nargs=2, action="append", metavar=("FIELD", "VALUE"), default=[],
                   help="shop_name, website, tone, signature, languages, shipping_policy, returns_policy, "
                        "refunds_policy, faq (JSON list of {question, answer})")
    json_flag(p)
    p.set_defaults(func=cmd_profile)


@contextmanager
def _session(ctx: CliContext) -> Iterator[Session]:
    workspace = ctx.open_workspace()
    session = Session(workspace, ca_file=ctx.args.ca_file)
    try:
        yield session
    finally:
        session.close()


def cmd_llm_add(ctx: CliContext) -> int:
    a = ctx.args
    with _session(ctx) as s:
        pid = s.assistant.add_provider(a.kind, base_url=a.base_url, api_key=ctx.secret_from_env("key-env"),
                                       model=a.model, model_triage=a.triage_model, model_chat=a.chat_model,
                                       name=a.name, check=not a.no_check)
        row = next(p for p in s.assistant.providers() if p.id == pid)
    ctx.emit(row.as_dict(), f"Added provider {pid}: {row.name}, model {row.model_draft}. It is now the active one.")
    return 0


def cmd_llm_list(ctx: CliContext) -> int:
    with _session(ctx) as s:
        rows = s.assistant.providers()
    lines = [f"{'*' if r.active else ' '} {r.id}  {r.name}  {r.base_url}  draft={r.model_draft}"
             + (f" triage={r.model_triage}" if r.model_triage else "")
             + (f" chat={r.model_chat}" if r.model_chat else "") for r in rows]
    if not lines:
        lines = ["No AI provider: drafts come from templates. Add one with `llm add ollama`."]
    ctx.emit([r.as_dict() for r in rows], lines)
    return 0


def cmd_llm_test(ctx: CliContext) -> int:
    with _session(ctx) as s:
        report = s.assistant.test_provider(ctx.args.id)
    data = {"ok": report.ok, "message": report.message, "models": report.models,
            "tools_supported": report.tools_supported}
    ctx.emit(data, [report.message] + ([f"models: {', '.join(report.models[:12])}"] if report.models else []))
    return 0 if report.ok else 1


def cmd_llm_use(ctx: CliContext) -> int:
    with _session(ctx) as s:
        s.assistant.set_active(ctx.args.id)
    ctx.emit({"active": ctx.args.id}, f"Provider {ctx.args.id} is now the active one.")
    return 0


def cmd_llm_remove(ctx: CliContext) -> int:
    with _session(ctx) as s:
        n = s.assistant.remove_provider(ctx.args.id)
    if not n:
        raise UserFacingError(f"There is no provider {ctx.args.id}.", "See `llm list`.")
    ctx.emit({"removed": ctx.args.id}, f"Removed provider {ctx.args.id} and its key.")
    return 0


def cmd_llm_detect(ctx: CliContext) -> int:
    with _session(ctx) as s:
        found = s.assistant.detect_local()
    data = [{"kind": d.kind, "base_url": d.base_url, "models": list(d.models)} for d in found]
    lines = [f"{d.kind}: {d.base_url} ({', '.join(d.models[:6]) or 'no model loaded'})" for d in found] or [
        "No local AI server found (Ollama :11434, LM Studio :1234, llama.cpp :8080)."]
    ctx.emit(data, lines)
    return 0


def _label(intent: str | None) -> str:
    try:
        return INTENT_LABELS[Intent(intent or "")][0]
    except (ValueError, KeyError):
        return intent or "untriaged"


def cmd_triage(ctx: CliContext) -> int:
    a = ctx.args
    with _session(ctx) as s:
        if a.thread is not None:
            results = [(a.thread, s.assistant.triage_thread(a.thread, use_llm=not a.no_llm))]
        else:
            results = s.assistant.triage_pending(use_llm=not a.no_llm)
    data = [{"thread_id": tid, "intent": str(t.intent), "confidence": round(t.confidence, 2), "language": t.language,
             "urgency": t.urgency, "source": t.source} for tid, t in results]
    lines = [f"{tid:>6}  {_label(str(t.intent)):<28} {t.language}  urgency {t.urgency}  ({t.source})"
             for tid, t in results] or ["Nothing to triage: every customer conversation has an intent."]
    ctx.emit(data, lines)
    return 0


def cmd_draft(ctx: CliContext) -> int:
    a = ctx.args
    with _session(ctx) as s:
        if a.preview:
            preview = s.assistant.preview_request(a.thread_id, a.instruction)
            print(json.dumps(preview, indent=2, ensure_ascii=False), file=ctx.out)
            return 0
        stream = None if a.json else _printer(ctx)
        outcome = s.assistant.draft(a.thread_id, instruction=a.instruction, on_text=stream, use_llm=not a.no_llm)
    if a.json:
        ctx.emit(outcome.as_dict(), "")
        return 0
    print("", file=ctx.out)
    lines = ["", "— grounded on: " + _grounding(outcome.provenance)]
    lines += [f"! {n}" for n in outcome.notices]
    lines += [f"⚠ {w['message']}" for w in outcome.warnings]
    lines.append("Kept as the conversation's draft (not sent). Save it to the mailbox with `reply draft`.")
    ctx.emit({}, lines)
    return 0


def _grounding(prov: dict[str, Any]) -> str:
    parts = [f"{prov.get('messages', 0)} message(s)"]
    if prov.get("orders"):
        parts.append("orders " + ", ".join(map(str, prov["orders"])))
    if prov.get("shop_profile"):
        parts.append("shop profile (" + ", ".join(prov["shop_profile"]) + ")")
    if prov.get("template"):
        parts.append(f"template “{prov['template']}”")
    if prov.get("model"):
        parts.append(f"model {prov['model']} at {prov.get('host')}"
                     + (", pseudonymised" if prov.get("pseudonymised") else ""))
    return "; ".join(parts)


def _printer(ctx: CliContext) -> Any:
    def show(chunk: str) -> None:
        ctx.out.write(chunk)
        ctx.out.flush()
    return show


def cmd_chat(ctx: CliContext) -> int:
    a = ctx.args
    with _session(ctx) as s:
        outcome = s.assistant.chat(a.chat, a.message, on_text=None if a.json else _printer(ctx))
    if a.json:
        ctx.emit({"chat_id": outcome.chat_id, "text": outcome.text, "tools_used": list(outcome.tools_used)}, "")
    else:
        print(f"\n— conversation {outcome.chat_id}" + (f"; tools: {', '.join(outcome.tools_used)}"
                                                       if outcome.tools_used else ""), file=ctx.out)
    return 0


def cmd_chats(ctx: CliContext) -> int:
    with _session(ctx) as s:
        rows = s.assistant.chats(ctx.args.search)
    ctx.emit([{"id": r.id, "title": r.title, "updated_at": r.updated_at, "messages": r.message_count} for r in rows],
             [f"{r.id:>5}  {r.updated_at}  {r.title}  ({r.message_count} messages)" for r in rows]
             or ["No conversation yet."])
    return 0


def cmd_profile(ctx: CliContext) -> int:
    with _session(ctx) as s:
        if ctx.args.set:
            s.save_shop_profile(dict(ctx.args.set))
        profile = s.shop_profile()
    ctx.emit(profile, [f"{k}: {v}" for k, v in profile.items() if k not in ("id",)])
    return 0
