"""The assistant: triage, order-grounded reply drafts and the merchant's chat, over any OpenAI-compatible LLM.

Safety is built in by code, not asked of the model:
- the model's tools are read-only; the drafting order tools take no customer: the thread binds it;
- customer mail goes in as delimited data, cleaned of hidden text and invisible characters;
- to a provider that is not on this computer, personal data is replaced by placeholders, and the call is
  not made if a scan still finds an identifier; a customer flagged "no AI processing" is never sent;
- a draft naming someone else's address, phone, order or tracking number, or an unknown link, is flagged;
- every call is written in the egress ledger.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.core.drafting import (
    CHAT_SYSTEM,
    TOOLS_CHAT,
    TOOLS_DRAFT,
    Prepared,
    draft_messages,
    prepare_mails,
)
from desktop.core.errors import Cancelled, UserFacingError
from desktop.core.platforms import Order, normalize_order_number
from desktop.core.pseudonym import PLACEHOLDER_INSTRUCTIONS, KnownValues, Pseudonymiser, Restorer
from desktop.core.safety import Allowed, check_draft, extract_identifiers, extract_links
from desktop.core.templates import DEFAULT_TEMPLATES, TemplateSpec, pick_template, render, template_values
from desktop.core.triage import TRIAGE_SCHEMA, Triage, classify, detect_language, parse_llm_triage, triage_prompt
from desktop.llm.client import ChatClient, ChatResult, TestReport, ToolCall, detect_local
from desktop.llm.endpoint import PRESETS, Endpoint, host_of, is_loopback, validate_base_url
from desktop.llm.errors import LLMError
from desktop.services.platforms import PlatformService
from desktop.store import assistant_repo as repo
from desktop.store import repositories as store
from desktop.store.database import Database
from desktop.tasks.cancel import CancelToken, Job

log = logging.getLogger("comptoir.assistant")

TextSink = Callable[[str], None]
MAX_TOOL_ROUNDS = 4
LLM_TRIAGE_LIMIT = 40      # newest untriaged threads refined by the model per run; the rules sort every one
AUTO_DRAFT_DAYS = 7        # automatic drafts only for conversations active in the last week…
AUTO_DRAFT_LIMIT = 20      # …and at most this many per run (never sent)


@dataclass(frozen=True)
class DraftOutcome:
    """A prepared reply: the text (plain), the safety flags, and what it was grounded on."""

    thread_id: int
    text: str
    warnings: tuple[dict[str, str], ...]
    provenance: dict[str, Any]
    source: str                          # 'llm' | 'template' | 'empty'
    notices: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"thread_id": self.thread_id, "text": self.text, "warnings": list(self.warnings),
                "grounded_on": self.provenance, "source": self.source, "notices": list(self.notices)}


@dataclass(frozen=True)
class ChatOutcome:
    chat_id: int
    text: str
    tools_used: tuple[str, ...] = ()


@dataclass
class _DraftContext:
    thread_id: int
    subject: str
    customer: repo.CustomerFacts | None
    prepared: Prepared
    language: str
    intent: str | None
    orders: list[dict[str, Any]]
    profile: dict[str, Any]
    template: TemplateSpec | None
    rendered_template: str | None
    allowed: Allowed
    shop_addresses: list[str]
    previous_draft: str
    extra_instructions: str
    provenance: dict[str, Any] = field(default_factory=dict)


def order_dict(order: Order, shop_name: str = "") -> dict[str, Any]:
    """An order as the model and the templates see it."""
    tracking = [{"number": f.tracking_number, "url": f.tracking_url, "carrier": f.carrier}
                for f in order.fulfillments if f.tracking_number or f.tracking_url]
    return {
        "number": order.number, "status": order.status, "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status, "placed_at": order.created_at,
        "total": f"{order.total} {order.currency}".strip(), "shop": shop_name,
        "items": [{"title": i.title, "quantity": i.quantity} for i in order.items],
        "tracking": tracking,
        "shipping_address": {k: v for k, v in order.shipping_address.items() if v},
        "cancelled_at": order.cancelled_at, "fulfilled_at": order.fulfilled_at,
        "refunds": [{"amount": r.amount, "created_at": r.created_at} for r in order.refunds],
    }


def _address_lines(orders: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for o in orders:
        addr = o.get("shipping_address") or {}
        for key in ("address1", "address2", "street", "line1", "line2"):
            if addr.get(key):
                out.append(str(addr[key]))
        city = " ".join(str(addr[k]) for k in ("zip", "postcode", "city") if addr.get(k))
        if city:
            out.append(city)
        for key in ("name", "first_name", "last_name"):
            if addr.get(key):
                out.append(str(addr[key]))
    return out


class AssistantService:
    """Args:
        db: the workspace database.
        platforms: the store-platform service (orders, scoped to a customer by code).
        ca_file: a CA to trust for HTTPS providers (company proxies, tests), besides the system's.
        read_timeout: seconds of silence from a provider before the call is given up (a stalled stream).
    """

    def __init__(self, db: Database, platforms: PlatformService, *, ca_file: str | None = None,
                 read_timeout: float = 60.0) -> None:
        self.db = db
        self.platforms = platforms
        self.ca_file = ca_file
        self.read_timeout = read_timeout

    # --- providers --------------------------------------------------------------------------------

    def add_provider(self, kind: str, *, base_url: str | None = None, api_key: str | None = None,
                     model: str = "", model_triage: str = "", model_chat: str = "", name: str = "",
                     check: bool = True) -> int:
        """Add an endpoint and make it the active one. With `check`, the server must answer and have the model."""
        url = validate_base_url(base_url or PRESETS.get(kind, ""))
        if not url:
            raise UserFacingError("The provider needs a base URL.", "For example: https://api.example.com/v1")
        if not is_loopback(url) and not api_key and kind in ("openai", "mistral"):
            raise UserFacingError(f"{kind.capitalize()} needs an API key.", "Create one in the provider's console.")
        if check:
            with ChatClient(Endpoint(url, api_key or "", name, timeout=self.read_timeout),
                            ca_file=self.ca_file) as client:
                models = client.list_models()
            if not model:
                if not models:
                    raise UserFacingError("The server lists no model.", "Download or load a model first.")
                model = models[0]
            for wanted in (model, model_triage, model_chat):
                if wanted and models and wanted not in models:
                    raise UserFacingError(f"The model “{wanted}” is not available on this server.",
                                          "Available: " + ", ".join(models[:12]))
        if not model:
            raise UserFacingError("Choose the model used for drafting.", "For example: llama3.1:8b")
        label = name or f"{kind} ({host_of(url)})"
        return self.db.write(lambda c: repo.add_provider(
            c, name=label, kind=kind, base_url=url, api_key=api_key, model_draft=model,
            model_triage=model_triage, model_chat=model_chat))

    def providers(self) -> list[repo.ProviderRow]:
        return self.db.call(repo.providers)

    def active_provider(self) -> repo.ProviderRow | None:
        return self.db.call(repo.active_provider)

    def set_active(self, provider_id: int) -> None:
        self.db.write(lambda c: repo.set_active_provider(c, provider_id))

    def remove_provider(self, provider_id: int) -> int:
        return self.db.write(lambda c: repo.remove_provider(c, provider_id))

    def test_provider(self, provider_id: int) -> TestReport:
        row = self.db.call(lambda c: repo.provider(c, provider_id))
        if row is None:
            raise UserFacingError(f"There is no provider {provider_id}.", "See `llm list`.")
        with self._client(row) as client:
            return client.test(row.model_draft or None)

    def detect_local(self, ports: dict[str, int] | None = None) -> list[Any]:
        return detect_local(ports=ports)

    def _client(self, row: repo.ProviderRow) -> ChatClient:
        key = self.db.call(lambda c: repo.provider_key(c, row.id))
        return ChatClient(Endpoint(row.base_url, key, row.name, timeout=self.read_timeout), ca_file=self.ca_file)

    # --- triage -----------------------------------------------------------------------------------

    def triage_thread(self, thread_id: int, *, use_llm: bool = True, cancel: CancelToken | None = None) -> Triage:
        """Intent, language and urgency of the thread's latest customer mail: rules first, the LLM refines."""
        found = self.db.call(lambda c: repo.triage_input(c, thread_id))
        if found is None:
            raise UserFacingError(f"Conversation {thread_id} has no customer mail to triage.", "")
        subject, body = found
        result = classify(subject, body)
        provider = self.active_provider() if use_llm else None
        customer = self.db.call(lambda c: repo.thread_customer(c, thread_id))
        if provider is not None and not (customer and customer.no_ai):
            try:
                result = self._llm_triage(provider, thread_id, customer, subject, body, result, cancel)
            except Cancelled:
                raise
            except UserFacingError as exc:
                log.warning("triage by the model failed, the offline result is kept: %s", exc.message)
        self.db.write(lambda c: repo.set_triage(c, thread_id, intent=str(result.intent), confidence=result.confidence,
                                                 language=result.language, urgency=result.urgency,
                                                 source=result.source))
        return result

    def _llm_triage(self, provider: repo.ProviderRow, thread_id: int, customer: repo.CustomerFacts | None,
                    subject: str, body: str, offline: Triage, cancel: CancelToken | None) -> Triage:
        messages = triage_prompt(subject, body)
        guard = self._guard(provider, thread_id, customer, orders=[])
        sent = guard.outgoing(messages) if guard else messages
        model = provider.model_for("triage")
        started = time.monotonic()
        try:
            with self._client(provider) as client:
                obj, res = client.structured(model=model, messages=sent, schema=TRIAGE_SCHEMA, name="triage",
                                             cancel=cancel)
        except LLMError as exc:
            self._ledger(provider, "triage", model, "customer mail", exc.bytes_out, exc.bytes_in, guard is not None,
                         customer, thread_id, f"failed: {type(exc).__name__}")
            raise
        self._ledger(provider, "triage", model, "customer mail", res.bytes_out, res.bytes_in, guard is not None,
                     customer, thread_id, "ok")
        log.debug("triage by model in %.0f ms", (time.monotonic() - started) * 1000)
        return parse_llm_triage(obj, offline)

    def triage_pending(self, job: Job | None = None, *, use_llm: bool = True, limit: int = 20_000,
                       llm_limit: int = LLM_TRIAGE_LIMIT) -> list[tuple[int, Triage]]:
        """Triage every customer thread that has no intent yet (new mail), newest first. The rules sort all of
        them; the model refines only the `llm_limit` newest, so a first sync of years of mail does not queue
        thousands of model calls."""
        ids = self.db.call(lambda c: repo.untriaged_threads(c, limit))
        out = []
        for n, tid in enumerate(ids):
            if job:
                job.progress(n, len(ids), "triage")
            out.append((tid, self.triage_thread(tid, use_llm=use_llm and n < llm_limit,
                                                cancel=job.token if job else None)))
        return out

    def after_sync(self, job: Job | None = None, *, now: datetime | None = None) -> dict[str, int]:
        """What happens when mail arrives: triage new threads; prepare drafts if the merchant asked (never sent) —
        for open conversations whose last message is the customer's, of the last days, a few per run."""
        triaged = self.triage_pending(job)
        prepared = 0
        if bool(self.db.call(lambda c: store.get_setting(c, "drafting.auto_prepare"))):
            since = ((now or datetime.now(UTC)) - timedelta(days=AUTO_DRAFT_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
            todo = self.db.call(lambda c: repo.auto_draft_candidates(c, [t for t, _ in triaged], since,
                                                                     AUTO_DRAFT_LIMIT))
            for tid in todo:
                try:
                    self.draft(tid, cancel=job.token if job else None)
                    prepared += 1
                except Cancelled:
                    raise
                except UserFacingError as exc:
                    log.warning("a draft could not be prepared for a new conversation: %s", exc.message)
        return {"triaged": len(triaged), "drafts_prepared": prepared}

    def set_intent(self, thread_id: int, intent: str) -> None:
        """The merchant's own choice; triage never overrides it."""
        def _set(conn: Any) -> None:
            conn.execute("UPDATE threads SET intent = ?, intent_source = 'merchant', intent_confidence = 1.0 "
                         "WHERE id = ?", (intent, thread_id))
        self.db.write(_set)

    # --- drafting ---------------------------------------------------------------------------------

    def _context(self, thread_id: int, instruction: str | None = None) -> _DraftContext:
        def _gather(conn: Any) -> tuple[Any, ...]:
            subject = repo.thread_subject(conn, thread_id)
            if subject is None:
                raise UserFacingError(f"There is no conversation {thread_id}.", "See the inbox for its number.")
            return (subject, repo.thread_customer(conn, thread_id), repo.thread_messages(conn, thread_id),
                    repo.thread_triage(conn, thread_id) or {}, store.shop_profile(conn), repo.templates(conn),
                    repo.shop_addresses(conn), repo.current_draft(conn, thread_id),
                    str(store.get_setting(conn, "assistant.extra_instructions") or ""))

        subject, customer, messages, triage, profile, templates, shop_addrs, draft, extra = self.db.call(_gather)
        orders: list[dict[str, Any]] = []
        if customer is not None:
            cached = self.platforms.cached_orders(customer.id)
            orders = [order_dict(c.order, c.shop_name) for c in cached]
        prepared = prepare_mails((m.direction, m.date, m.body_text, m.hidden_content) for m in messages)
        last_in = next((m for m in reversed(messages) if m.direction == "in"), None)
        language = str(triage.get("language") or "") or detect_language(last_in.body_text if last_in else subject)
        intent = triage.get("intent")
        specs = [TemplateSpec(t["name"], t["intent"], t["language"], t["subject"], t["body"]) for t in templates]
        template = pick_template(specs, intent, language) if intent else None
        if template is None and intent:
            template = pick_template(list(DEFAULT_TEMPLATES), intent, language)
        rendered = None
        first_order = orders[0] if orders else None
        if template is not None:
            values = template_values(
                customer={"first_name": customer.first_name, "last_name": customer.last_name,
                          "display_name": customer.display_name,
                          "email": customer.emails[0] if customer.emails else ""} if customer else None,
                order=first_order, shop=profile)
            rendered = render(template.body, values).text
        allowed = self._allowed(customer, orders, profile, shop_addrs, [m.body_text for m in messages])
        provenance: dict[str, Any] = {
            "thread_id": thread_id, "messages": len(messages), "language": language, "intent": intent,
            "customer_id": customer.id if customer else None,
            "orders": [o["number"] for o in orders],
            "shop_profile": [k for k in ("shipping_policy", "returns_policy", "refunds_policy", "tone", "faq",
                                         "signature") if str(profile.get(k) or "").strip() not in ("", "[]")],
            "template": template.name if template else None,
            "instruction": instruction or None,
        }
        return _DraftContext(thread_id, subject, customer, prepared, language, intent, orders, profile, template,
                             rendered, allowed, shop_addrs, (draft or {}).get("body") or "", extra, provenance)

    @staticmethod
    def _allowed(customer: repo.CustomerFacts | None, orders: list[dict[str, Any]], profile: dict[str, Any],
                 shop_addrs: list[str], thread_texts: list[str]) -> Allowed:
        emails = {e.casefold() for e in shop_addrs}
        phones: set[str] = set()
        numbers: set[str] = set()
        tracking: set[str] = set()
        links: set[str] = set()
        if customer:
            emails |= {e.casefold() for e in customer.emails}
            if customer.phone:
                phones.add(customer.phone)
        for o in orders:
            numbers.add(str(o["number"]))
            if (o.get("shipping_address") or {}).get("phone"):
                phones.add(str(o["shipping_address"]["phone"]))
            for t in o.get("tracking", []):
                if t.get("number"):
                    tracking.add(str(t["number"]))
                if t.get("url"):
                    links.add(str(t["url"]))
        profile_text = "\n".join(str(v) for v in profile.values() if isinstance(v, str))
        shop_ids = extract_identifiers(profile_text)
        emails |= {e.casefold() for e in shop_ids.emails}
        phones |= set(shop_ids.phones)
        links |= extract_links(profile_text)
        if profile.get("website"):
            links.add(str(profile["website"]))
        for text in thread_texts:
            links |= extract_links(text)
        return Allowed(frozenset(emails), frozenset(phones), frozenset(numbers), frozenset(tracking),
                       frozenset(links))

    def check_reply(self, thread_id: int, text: str) -> list[dict[str, str]]:
        """The safety flags for a reply as the merchant edited it (checked again before saving or sending)."""
        ctx = self._context(thread_id)
        warnings = [_warning(w) for w in check_draft(text, ctx.allowed)]
        self.db.write(lambda c: repo.set_draft_warnings(c, thread_id, warnings))
        return warnings

    def preview_request(self, thread_id: int, instruction: str | None = None) -> dict[str, Any]:
        """Exactly what a draft request would send (after pseudonymisation), without sending it."""
        ctx = self._context(thread_id, instruction)
        provider = self.active_provider()
        if provider is None:
            return {"provider": None, "note": "No AI provider is configured: drafts come from templates only."}
        if ctx.customer and ctx.customer.no_ai:
            return {"provider": provider.name, "note": "This customer asked that their data not be processed by AI: "
                                                       "nothing is sent."}
        guard = self._guard(provider, thread_id, ctx.customer, ctx.orders)
        messages = self._draft_prompt(ctx, instruction, guard)
        body = {"model": provider.model_for("draft"), "messages": guard.outgoing(messages) if guard else messages,
                "tools": TOOLS_DRAFT, "stream": True}
        return {"provider": provider.name, "host": host_of(provider.base_url),
                "pseudonymised": guard is not None, "request": body}

    def _draft_prompt(self, ctx: _DraftContext, instruction: str | None, guard: _Guard | None) -> list[dict[str, Any]]:
        name = ctx.customer.first_name or ctx.customer.display_name if ctx.customer else ""
        return draft_messages(
            prepared=ctx.prepared, subject=ctx.subject, customer_name=name, language=ctx.language,
            profile=ctx.profile, orders=ctx.orders, template=ctx.rendered_template, instruction=instruction,
            previous_draft=ctx.previous_draft, extra_instructions=ctx.extra_instructions,
            placeholder_rule=PLACEHOLDER_INSTRUCTIONS if guard else None)

    def draft(self, thread_id: int, *, instruction: str | None = None, on_text: TextSink | None = None,
              cancel: CancelToken | None = None, use_llm: bool = True) -> DraftOutcome:
        """Prepare (or regenerate) the reply. Streams into `on_text`; stores it locally; never sends."""
        ctx = self._context(thread_id, instruction)
        notices = list(ctx.prepared.notices)
        provider = self.active_provider() if use_llm else None
        if ctx.customer is not None and ctx.customer.no_ai:
            notices.append("This customer asked that their data not be processed by AI: the draft comes from a "
                           "template, and nothing was sent to any AI provider.")
            provider = None
        if provider is None:
            text = ctx.rendered_template or ""
            source = "template" if ctx.rendered_template else "empty"
            if source == "empty":
                notices.append("No template matches this conversation and no AI provider is configured.")
            if on_text and text:
                on_text(text)
            ctx.provenance.update(source=source)
        else:
            text = self._llm_draft(provider, ctx, instruction, on_text, cancel)
            source = "llm"
        warnings = [_warning(w) for w in check_draft(text, ctx.allowed)]
        ctx.provenance["at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        ctx.provenance["notices"] = notices
        self.db.write(lambda c: repo.store_draft(c, thread_id, text, ctx.provenance, warnings))
        return DraftOutcome(thread_id, text, tuple(warnings), ctx.provenance, source, tuple(notices))

    def _llm_draft(self, provider: repo.ProviderRow, ctx: _DraftContext, instruction: str | None,
                   on_text: TextSink | None, cancel: CancelToken | None) -> str:
        guard = self._guard(provider, ctx.thread_id, ctx.customer, ctx.orders)
        messages = self._draft_prompt(ctx, instruction, guard)
        model = provider.model_for("draft")
        tools_called: list[str] = []
        refused: list[str] = []

        def run_tool(call: ToolCall) -> str:
            content, ok = self._draft_tool(ctx, call)
            (tools_called if ok else refused).append(call.name)
            return content

        text = self._converse(provider, model, messages, guard, TOOLS_DRAFT, run_tool, on_text, cancel,
                              purpose="draft reply", customer=ctx.customer, thread_id=ctx.thread_id,
                              categories="customer mail, orders, shop profile")
        final = text
        ctx.provenance.update(source="llm", provider=provider.name, host=host_of(provider.base_url), model=model,
                              pseudonymised=guard is not None, tools_called=tools_called, tools_refused=refused)
        return final.strip()

    def _draft_tool(self, ctx: _DraftContext, call: ToolCall) -> tuple[str, bool]:
        """Run a drafting tool, bound to the thread's customer. Returns (content, allowed)."""
        try:
            args = json.loads(call.arguments or "{}")
        except ValueError:
            args = {}
        if not isinstance(args, dict):
            args = {}
        if call.name == "customer_orders":
            if ctx.customer is None:
                return json.dumps({"orders": [], "note": "The sender is not a known customer."}), True
            if not ctx.orders and self.platforms.shops():
                fresh = self.platforms.customer_orders(ctx.customer.id)
                ctx.orders = [order_dict(c.order, c.shop_name) for c in fresh.orders]
                ctx.allowed = self._allowed(ctx.customer, ctx.orders, ctx.profile, ctx.shop_addresses, [])
                ctx.provenance["orders"] = [o["number"] for o in ctx.orders]
            return json.dumps({"orders": ctx.orders}, ensure_ascii=False), True
        if call.name == "order_details":
            wanted = normalize_order_number(str(args.get("number", "")))
            for o in ctx.orders:
                if wanted and normalize_order_number(str(o["number"])) == wanted:
                    return json.dumps(o, ensure_ascii=False), True
            if wanted and ctx.customer is not None and self.platforms.shops():
                found = self.platforms.order_for_customer(wanted, list(ctx.customer.emails))
                if found is not None:
                    shop, order = found
                    entry = order_dict(order, shop.name)
                    ctx.orders.append(entry)
                    ctx.provenance["orders"] = [o["number"] for o in ctx.orders]
                    return json.dumps(entry, ensure_ascii=False), True
            return json.dumps({"error": "No order with this number belongs to this conversation's customer."}), False
        log.warning("the model asked for a tool that does not exist: refused")
        return json.dumps({"error": f"There is no tool named {call.name!r}. You can only read this customer's "
                                    "orders; you cannot send, delete, move or change anything."}), False

    # --- the merchant's chat ----------------------------------------------------------------------

    def chats(self, query: str = "") -> list[repo.ChatRow]:
        return self.db.call(lambda c: repo.chats(c, query))

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return self.db.call(lambda c: repo.chat_messages(c, chat_id))

    def rename_chat(self, chat_id: int, title: str) -> None:
        self.db.write(lambda c: repo.rename_chat(c, chat_id, title.strip() or "Conversation"))

    def delete_chat(self, chat_id: int) -> None:
        self.db.write(lambda c: repo.delete_chat(c, chat_id))

    def chat(self, chat_id: int | None, text: str, *, on_text: TextSink | None = None,
             cancel: CancelToken | None = None, on_created: Callable[[int], None] | None = None) -> ChatOutcome:
        """Send the merchant's message; the answer streams into `on_text` and is kept with the conversation.
        Without `chat_id` a conversation is created (`on_created` gets its id at once, before any answer)."""
        text = text.strip()
        if not text:
            raise UserFacingError("Write a message first.", "")
        provider = self.active_provider()
        if provider is None:
            raise UserFacingError("No AI provider is configured.",
                                  "Add one in Settings → Assistant (a local Ollama, LM Studio or llama.cpp server "
                                  "is found automatically).")
        cid = chat_id
        if cid is None:
            cid = self.db.write(lambda c: repo.create_chat(c, text[:60]))
            if on_created is not None:
                on_created(cid)
        history = self.db.call(lambda c: repo.chat_messages(c, cid))
        self.db.write(lambda c: repo.add_chat_message(c, cid, "user", text))
        messages: list[dict[str, Any]] = [{"role": "system", "content": CHAT_SYSTEM}]
        messages += [{"role": m["role"], "content": m["content"]} for m in history
                     if m["role"] in ("user", "assistant") and m["content"]]
        messages.append({"role": "user", "content": text})
        guard = None if is_loopback(provider.base_url) else _Guard(Pseudonymiser(KnownValues(), {}))
        model = provider.model_for("chat")
        used: list[str] = []

        def run_tool(call: ToolCall) -> str:
            used.append(call.name)
            return self._chat_tool(call, guard)

        answer = self._converse(provider, model, messages, guard, TOOLS_CHAT, run_tool, on_text, cancel,
                                purpose="assistant chat", customer=None, thread_id=None,
                                categories="merchant's messages, workspace data returned by tools")
        final = answer.strip()
        self.db.write(lambda c: repo.add_chat_message(c, cid, "assistant", final,
                                                      [{"name": n} for n in used] or None))
        return ChatOutcome(cid, final, tuple(used))

    def _chat_tool(self, call: ToolCall, guard: _Guard | None) -> str:
        try:
            args = json.loads(call.arguments or "{}")
        except ValueError:
            args = {}
        if not isinstance(args, dict):
            args = {}
        if call.name == "search_mail":
            rows = self.db.call(lambda c: store.list_threads(c, limit=10, query=str(args.get("query", ""))))
            out: Any = []
            for t in rows:
                found = self._customer(t.customer_email)
                if found is not None and found.no_ai:
                    continue
                if guard and found is not None:
                    guard.learn(found)  # so that their name is masked too, not only their address
                out.append({"id": t.id, "subject": t.subject, "customer": t.customer_name,
                            "email": t.customer_email, "last_message_at": t.last_message_at, "intent": t.intent,
                            "status": t.status, "snippet": t.snippet})
        elif call.name in ("customer_summary", "customer_orders"):
            email = str(args.get("email", ""))
            customer = self.db.call(lambda c: repo.customer_by_email(c, email))
            if customer is None:
                out = {"error": "No customer with this address."}
            elif customer.no_ai:
                out = {"error": "This customer asked that their data not be processed by AI."}
            else:
                orders = [order_dict(c.order, c.shop_name) for c in self.platforms.cached_orders(customer.id)]
                if call.name == "customer_orders":
                    out = {"orders": orders}
                else:
                    out = {"name": customer.display_name, "emails": list(customer.emails),
                           **self.db.call(lambda c: repo.customer_overview(c, customer.id))}
                if guard:
                    guard.learn(customer, orders)
        elif call.name == "open_threads_by_intent":
            days = int(args.get("days", 7) or 7)
            since = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
            out = dict(self.db.call(lambda c: repo.open_threads_by_intent(c, since)))
        else:
            out = {"error": f"There is no tool named {call.name!r}; the tools are read-only."}
        return json.dumps(out, ensure_ascii=False)

    def _customer(self, email: str) -> repo.CustomerFacts | None:
        return self.db.call(lambda c: repo.customer_by_email(c, email)) if email else None

    # --- calls, pseudonymisation and the ledger ---------------------------------------------------

    def _guard(self, provider: repo.ProviderRow, thread_id: int | None, customer: repo.CustomerFacts | None,
               orders: list[dict[str, Any]]) -> _Guard | None:
        """Pseudonymisation toward a provider that is not on this computer (None for loopback)."""
        if is_loopback(provider.base_url):
            return None
        mapping = self.db.call(lambda c: repo.pseudonym_mapping(c, thread_id))
        guard = _Guard(Pseudonymiser(_known(customer, orders, self.db.call(repo.shop_addresses)), mapping))
        guard.thread_id = thread_id
        return guard

    def _converse(self, provider: repo.ProviderRow, model: str, messages: list[dict[str, Any]], guard: _Guard | None,
                  tools: list[dict[str, Any]], run_tool: Callable[[ToolCall], str], on_text: TextSink | None,
                  cancel: CancelToken | None, *, purpose: str, customer: repo.CustomerFacts | None,
                  thread_id: int | None, categories: str) -> str:
        """The model's turns, with its tool calls run by `run_tool`, until it answers; returns the answer restored
        (placeholders back to the real values) — streamed into `on_text` as it comes."""
        restorer = Restorer(guard.pseudonymiser.mapping) if guard else None

        def sink(chunk: str) -> None:
            shown = restorer.feed(chunk) if restorer else chunk
            if on_text is not None and shown:
                on_text(shown)

        text = ""
        with self._client(provider) as client:
            for _round in range(MAX_TOOL_ROUNDS):
                result = self._call(client, provider, model, messages, guard, tools, sink, cancel,
                                    purpose=purpose, customer=customer, thread_id=thread_id, categories=categories)
                text += result.text
                if not result.tool_calls:
                    break
                messages.append(_assistant_turn(result))
                for call in result.tool_calls:
                    real = ToolCall(call.id, call.name, guard.restore(call.arguments)) if guard else call
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": run_tool(real)})
        if restorer is not None and on_text is not None:
            tail = restorer.flush()
            if tail:
                on_text(tail)
        return guard.restore(text) if guard else text

    def _call(self, client: ChatClient, provider: repo.ProviderRow, model: str, messages: list[dict[str, Any]],
              guard: _Guard | None, tools: list[dict[str, Any]], sink: TextSink, cancel: CancelToken | None, *,
              purpose: str, customer: repo.CustomerFacts | None, thread_id: int | None,
              categories: str) -> ChatResult:
        sent = guard.outgoing(messages) if guard else messages
        if guard:
            self.db.write(lambda c: repo.save_pseudonyms(c, guard.thread_id, guard.pseudonymiser.mapping))
        try:
            result = client.stream(model=model, messages=sent, tools=tools, on_text=sink, cancel=cancel)
        except Cancelled:
            # what reached the provider before the cancel is not known exactly: count the request once
            self._ledger(provider, purpose, model, categories, _size(sent), 0, guard is not None, customer,
                         thread_id, "cancelled")
            raise
        except LLMError as exc:
            self._ledger(provider, purpose, model, categories, exc.bytes_out, exc.bytes_in, guard is not None,
                         customer, thread_id, f"failed: {type(exc).__name__}")
            raise
        self._ledger(provider, purpose, model, categories, result.bytes_out, result.bytes_in, guard is not None,
                     customer, thread_id, "ok")
        return result

    def _ledger(self, provider: repo.ProviderRow, purpose: str, model: str, categories: str, bytes_out: int,
                bytes_in: int, pseudonymised: bool, customer: repo.CustomerFacts | None, thread_id: int | None,
                status: str) -> None:
        self.db.write(lambda c: repo.record_llm_call(
            c, destination=host_of(provider.base_url), purpose=purpose, model=model, categories=categories,
            bytes_out=bytes_out, bytes_in=bytes_in, pseudonymised=pseudonymised,
            customer_id=customer.id if customer else None, thread_id=thread_id, status=status))

    # --- for Settings → Assistant ---------------------------------------------------------------------

    def list_models(self, kind: str, base_url: str | None = None, api_key: str | None = None) -> list[str]:
        """The models a server offers, before it is added (the "Load models" button)."""
        url = validate_base_url(base_url or PRESETS.get(kind, ""))
        with ChatClient(Endpoint(url, api_key or "", timeout=self.read_timeout), ca_file=self.ca_file) as client:
            return client.list_models()

    def templates(self) -> list[dict[str, Any]]:
        """The merchant's own templates (the built-in ones are `DEFAULT_TEMPLATES`)."""
        return self.db.call(repo.templates)

    def save_template(self, *, template_id: int | None, name: str, intent: str | None, language: str,
                      subject: str, body: str) -> int:
        if not name.strip():
            raise UserFacingError("The template needs a name.", "For example: Where is my order (fr).")
        if not body.strip():
            raise UserFacingError("The template is empty.", "Write the reply, with variables like "
                                                            "{{customer.first_name}} where needed.")
        return self.db.write(lambda c: repo.save_template(
            c, template_id=template_id, name=name.strip(), intent=intent or None, language=language.strip() or "en",
            subject=subject.strip(), body=body))

    def delete_template(self, template_id: int) -> None:
        self.db.write(lambda c: repo.delete_template(c, template_id))


class _Guard:
    """Masks what goes to a remote provider and refuses the call if an identifier is still visible."""

    def __init__(self, pseudonymiser: Pseudonymiser) -> None:
        self.pseudonymiser = pseudonymiser
        self.thread_id: int | None = None

    def learn(self, customer: repo.CustomerFacts, orders: list[dict[str, Any]] | None = None) -> None:
        """Add a customer the conversation came across (a tool result) to what is masked."""
        known = _known(customer, orders or [], [])
        self.pseudonymiser = Pseudonymiser(_merge(self.pseudonymiser.known, known), self.pseudonymiser.mapping)

    def outgoing(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        masked = self.pseudonymiser.mask_messages(messages)
        kinds: set[str] = set()
        for m in masked:
            content = m.get("content")
            if isinstance(content, str):
                kinds |= {f.kind for f in self.pseudonymiser.scan(content)}
                kinds |= _compact_leaks(content, self.pseudonymiser.known)
        if kinds:
            raise UserFacingError(
                "Nothing was sent: personal data (" + ", ".join(sorted(kinds)) + ") could not be hidden from the "
                "AI provider.", "Use a local model for this conversation, or remove the data from the text.")
        return masked

    def restore(self, text: str) -> str:
        return Restorer(self.pseudonymiser.mapping).restore(text)


def _known(customer: repo.CustomerFacts | None, orders: list[dict[str, Any]], shop_addrs: list[str]) -> KnownValues:
    names: list[str] = []
    emails: list[str] = []
    phones: list[str] = []
    if customer:
        names += [n for n in (customer.display_name, f"{customer.first_name} {customer.last_name}".strip(),
                              customer.first_name, customer.last_name) if n]
        emails += list(customer.emails)
        if customer.phone:
            phones.append(customer.phone)
    emails += shop_addrs
    numbers = [str(o["number"]) for o in orders]
    tracking = [str(t["number"]) for o in orders for t in o.get("tracking", []) if t.get("number")]
    for o in orders:
        phone = (o.get("shipping_address") or {}).get("phone")
        if phone:
            phones.append(str(phone))
    return KnownValues(names=tuple(dict.fromkeys(names)), emails=tuple(dict.fromkeys(emails)),
                       phones=tuple(dict.fromkeys(phones)), addresses=tuple(dict.fromkeys(_address_lines(orders))),
                       order_numbers=tuple(numbers), tracking_numbers=tuple(tracking))


_NOT_ALNUM = re.compile(r"[\W_]+")


def _compact_leaks(text: str, known: KnownValues) -> set[str]:
    """Known values still present once spaces and punctuation are ignored ("t h e o . l @ example . fr",
    "06-12-34-56-78" split oddly): the masker only replaces the forms it recognises, so this second look fails
    closed on the others."""
    compact = _NOT_ALNUM.sub("", text.casefold())
    found: set[str] = set()
    candidates = [("email", e) for e in known.emails] + [("tracking", t) for t in known.tracking_numbers]
    candidates += [("order", o) for o in known.order_numbers]
    candidates += [("name", n) for n in known.names if " " in n.strip()]
    for kind, value in candidates:
        key = _NOT_ALNUM.sub("", value.casefold())
        if len(key) >= 6 and key in compact:
            found.add(kind)
    for phone in known.phones:
        digits = re.sub(r"\D", "", phone)[-9:]
        if len(digits) >= 8 and digits in re.sub(r"\D", "", text):
            found.add("phone")
    return found


def _merge(a: KnownValues, b: KnownValues) -> KnownValues:
    return KnownValues(names=a.names + b.names, emails=a.emails + b.emails, phones=a.phones + b.phones,
                       addresses=a.addresses + b.addresses, order_numbers=a.order_numbers + b.order_numbers,
                       tracking_numbers=a.tracking_numbers + b.tracking_numbers, other=a.other + b.other)


def _assistant_turn(result: ChatResult) -> dict[str, Any]:
    return {"role": "assistant", "content": result.text or None,
            "tool_calls": [{"id": t.id, "type": "function", "function": {"name": t.name, "arguments": t.arguments}}
                           for t in result.tool_calls]}


def _warning(w: Any) -> dict[str, str]:
    return {"kind": w.kind, "value": w.value, "message": w.message}


def _size(messages: list[dict[str, Any]]) -> int:
    return len(json.dumps({"messages": messages}, ensure_ascii=False).encode())
