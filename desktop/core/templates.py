"""Reply templates with order variables: `{{order.tracking_url}}`, with fallbacks, and the built-in templates.

A variable is `{{name}}` or `{{name | "fallback"}}` (single or double quotes; `\\"` inside). Rendering is one
pass of plain substitution: a value is never parsed again and nothing is evaluated. A variable with no value
and no fallback renders as a visible marker, `[order.tracking_url?]`, and is reported in `Rendered.missing`
so the editor can point at it before anything is sent. Text that is not exactly this syntax is left as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop.core.triage import Intent

# name: what the merchant reads in the "insert variable" menu
KNOWN_VARIABLES: dict[str, str] = {
    "customer.first_name": "Customer's first name",
    "customer.last_name": "Customer's last name",
    "customer.name": "Customer's full name",
    "customer.email": "Customer's e-mail address",
    "order.number": "Order number, as the customer sees it (#1001)",
    "order.status": "Order status in the customer's words (shipped, being prepared…)",
    "order.fulfillment_status": "Fulfilment status from the shop",
    "order.tracking_number": "Tracking number(s)",
    "order.tracking_url": "Tracking link(s)",
    "order.carrier": "Carrier(s)",
    "order.placed_at": "Date the order was placed",
    "order.items": "Items and quantities",
    "order.total": "Order total with currency",
    "shop.name": "Shop name",
    "shop.signature": "Signature",
    "shop.website": "Shop website",
    "shop.returns_policy": "Returns policy",
    "shop.refunds_policy": "Refunds policy",
    "shop.shipping_policy": "Shipping policy",
}

_VARIABLE = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*"
    r"(?:\|\s*(?:\"(?P<dq>(?:[^\"\\]|\\.)*)\"|'(?P<sq>(?:[^'\\]|\\.)*)')\s*)?\}\}"
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_AFTER_EMPTY = ",.;:!?)]»\n\r\t "


@dataclass(frozen=True)
class Rendered:
    """A rendered template.

    Attributes:
        text: the text, with `[name?]` where a value is missing and there is no fallback.
        missing: variables shown as markers (no value, no fallback), in order of first appearance.
        used: variables filled from the values given (fallbacks not counted), in order of first appearance.
    """

    text: str
    missing: tuple[str, ...]
    used: tuple[str, ...]


def marker(name: str) -> str:
    """What a missing variable renders as."""
    return f"[{name}?]"


def variables_in(text: str) -> list[str]:
    """Variable names in `text`, in order of first appearance, without repeats."""
    return list(dict.fromkeys(m.group("name") for m in _VARIABLE.finditer(text or "")))


def render(text: str, values: Mapping[str, str]) -> Rendered:
    """`text` with its variables replaced by `values` (an empty value counts as no value).

    Where a value renders empty (an empty fallback, `{{order.number | ""}}`), the space before it goes too, so
    "your order {{order.number | ""}}:" reads "your order:" and "Bonjour {{customer.first_name | ""}}," reads
    "Bonjour,".
    """
    text = text or ""
    out: list[str] = []
    missing: dict[str, None] = {}
    used: dict[str, None] = {}
    pos = 0
    for m in _VARIABLE.finditer(text):
        out.append(text[pos:m.start()])
        pos = m.end()
        name = m.group("name")
        value = values.get(name)
        fallback = m.group("dq") if m.group("dq") is not None else m.group("sq")
        if isinstance(value, str) and value.strip():
            replacement = value
            used.setdefault(name, None)
        elif fallback is not None:
            replacement = _ESCAPE.sub(r"\1", fallback)
        else:
            replacement = marker(name)
            missing.setdefault(name, None)
        if not replacement:
            following = text[pos:pos + 1]
            if (not following or following in _AFTER_EMPTY) and out and out[-1].endswith(" "):
                out[-1] = out[-1][:-1]
        out.append(replacement)
    out.append(text[pos:])
    return Rendered(text="".join(out), missing=tuple(missing), used=tuple(used))


# --- values from the shop's data ---------------------------------------------------------------------------------

_STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {"unfulfilled": "being prepared", "fulfilled": "shipped", "partially fulfilled": "partly shipped",
           "partially_fulfilled": "partly shipped", "processing": "being prepared", "on-hold": "on hold",
           "completed": "shipped", "in transit": "in transit", "in_transit": "in transit"},
    "fr": {"unfulfilled": "en préparation", "being prepared": "en préparation", "processing": "en préparation",
           "fulfilled": "expédiée", "shipped": "expédiée", "completed": "expédiée",
           "partially fulfilled": "partiellement expédiée", "partially_fulfilled": "partiellement expédiée",
           "partly shipped": "partiellement expédiée", "delivered": "livrée", "in transit": "en cours d'acheminement",
           "in_transit": "en cours d'acheminement", "out for delivery": "en cours de livraison",
           "cancelled": "annulée", "canceled": "annulée", "paid": "payée", "pending": "en attente de paiement",
           "refunded": "remboursée", "partially refunded": "partiellement remboursée", "on-hold": "en attente",
           "on hold": "en attente"},
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}


def _get(source: Any, key: str) -> Any:
    """`source[key]` for a mapping, `source.key` for an object (the core's dataclasses), else None."""
    if source is None:
        return None
    if isinstance(source, Mapping):
        return source.get(key)
    return getattr(source, key, None)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _first_name(display_name: str) -> str:
    if not display_name or "@" in display_name or " " not in display_name.strip():
        return ""
    return display_name.split()[0]


def format_date(value: Any, language: str = "en") -> str:
    """'12 March 2025' / '12 mars 2025' from a date, datetime or ISO-8601 text; other text as given."""
    when: date | None = None
    if isinstance(value, datetime | date):
        when = value if not isinstance(value, datetime) else value.date()
    elif isinstance(value, str) and value.strip():
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            return value.strip()
    if when is None:
        return ""
    months = _MONTHS.get(language, _MONTHS["en"])
    day = "1er" if language == "fr" and when.day == 1 else str(when.day)
    return f"{day} {months[when.month - 1]} {when.year}"


def customer_status(status: str, language: str = "en") -> str:
    """A shop's status words ('fulfilled', 'paid · shipped') in the customer's language where we know them."""
    words = _STATUS_WORDS.get(language, _STATUS_WORDS["en"])
    parts = [p.strip() for p in re.split(r"\s*[·|,]\s*", status or "") if p.strip()]
    return " · ".join(words.get(p.lower(), p) for p in parts)


def _trackings(order: Any) -> list[tuple[str, str, str]]:
    """(number, url, carrier) of each parcel, from a plain dict, a platform `Order` or an `OrderView`."""
    found: list[tuple[str, str, str]] = []
    for item in _get(order, "tracking") or ():
        found.append((_text(_get(item, "number")), _text(_get(item, "url")), _text(_get(item, "carrier"))))
    for item in _get(order, "fulfillments") or ():
        found.append((_text(_get(item, "tracking_number")), _text(_get(item, "tracking_url")),
                      _text(_get(item, "carrier"))))
    return [t for t in found if any(t)]


def _items(order: Any) -> str:
    lines = []
    for item in _get(order, "items") or ():
        if isinstance(item, str):            # OrderView: already "2 × Mug"
            if item.strip():
                lines.append(item.strip())
            continue
        title = _text(_get(item, "title"))
        if not title:
            continue
        quantity = _get(item, "quantity")
        lines.append(f"{quantity} × {title}" if quantity not in (None, "", 1, "1") else title)
    return ", ".join(lines)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def template_values(*, customer: Mapping[str, Any] | Any | None = None, order: Mapping[str, Any] | Any | None = None,
                    shop: Mapping[str, Any] | Any | None = None, language: str = "en") -> dict[str, str]:
    """The values `render` needs, from plain dicts or the core's objects; absent data gives no key.

    Args:
        customer: first_name, last_name, display_name, email (or a `CustomerSummary`: display_name, emails).
        order: number, status, fulfillment_status, tracking [{number, url, carrier}], placed_at,
            items [{title, quantity}], total, currency — or a platform `Order` / an `OrderView`.
        shop: shop_name, signature, returns_policy, refunds_policy, shipping_policy, website (the shop_profile
            row).
        language: the reply's language, for dates and status words ('en' or 'fr'; others get English).
    """
    values: dict[str, str] = {}

    def put(name: str, value: Any) -> None:
        text = _text(value)
        if text:
            values[name] = text

    first = _text(_get(customer, "first_name"))
    last = _text(_get(customer, "last_name"))
    display = _text(_get(customer, "display_name")) or _text(_get(customer, "name"))
    put("customer.first_name", first or _first_name(display))
    put("customer.last_name", last)
    put("customer.name", display or " ".join(p for p in (first, last) if p))
    emails = _get(customer, "emails")
    put("customer.email", _get(customer, "email") or (emails[0] if emails else ""))

    if order is not None:
        put("order.number", _get(order, "number"))
        fulfillment = _text(_get(order, "fulfillment_status"))
        status = _text(_get(order, "status"))
        if _text(_get(order, "cancelled_at")):
            status = "cancelled"
        put("order.status", customer_status(status or fulfillment, language))
        put("order.fulfillment_status", customer_status(fulfillment, language))
        trackings = _trackings(order)
        put("order.tracking_number", ", ".join(_unique(t[0] for t in trackings)))
        put("order.tracking_url", "\n".join(_unique(t[1] for t in trackings)))
        put("order.carrier", ", ".join(_unique(t[2] for t in trackings)))
        put("order.placed_at", format_date(_get(order, "placed_at") or _get(order, "created_at"), language))
        put("order.items", _items(order))
        total, currency = _text(_get(order, "total")), _text(_get(order, "currency"))
        put("order.total", f"{total} {currency}".strip() if total else "")

    put("shop.name", _get(shop, "shop_name") or _get(shop, "name"))
    put("shop.signature", _get(shop, "signature") or _get(shop, "shop_name") or _get(shop, "name"))
    for key in ("website", "returns_policy", "refunds_policy", "shipping_policy"):
        put(f"shop.{key}", _get(shop, key))
    return values


# --- built-in templates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSpec:
    """A reply template: `intent` is an `Intent` value, `language` an ISO 639-1 code."""

    name: str
    intent: str
    language: str
    subject: str
    body: str


_HELLO = {"en": 'Hello {{customer.first_name | "there"}},\n\n', "fr": 'Bonjour {{customer.first_name | ""}},\n\n'}
_BYE = {"en": '\n\nKind regards,\n{{shop.signature | "The customer service team"}}',
        "fr": '\n\nBien cordialement,\n{{shop.signature | "Le service client"}}'}


def _spec(name: str, intent: Intent, language: str, subject: str, middle: str) -> TemplateSpec:
    return TemplateSpec(name=name, intent=intent.value, language=language, subject=subject,
                        body=_HELLO[language] + middle.strip("\n") + _BYE[language])


DEFAULT_TEMPLATES: list[TemplateSpec] = [
    _spec("Where is my order — tracking", Intent.WHERE_IS_MY_ORDER, "en", 'Your order {{order.number | ""}}',
          'Thank you for getting in touch. Here is the latest on your order {{order.number | ""}}:\n\n'
          'Status: {{order.status | "we are checking it"}}\n'
          'Carrier: {{order.carrier | "to be confirmed"}}\n'
          'Tracking number: {{order.tracking_number | "not available yet"}}\n'
          'Follow your parcel: {{order.tracking_url | "we will e-mail you the link as soon as it ships"}}\n\n'
          "If anything looks wrong, just reply to this e-mail."),
    _spec("Où est ma commande — suivi", Intent.WHERE_IS_MY_ORDER, "fr", 'Votre commande {{order.number | ""}}',
          'Merci pour votre message. Voici où en est votre commande {{order.number | ""}} :\n\n'
          'Statut : {{order.status | "en cours de vérification"}}\n'
          'Transporteur : {{order.carrier | "à confirmer"}}\n'
          'Numéro de suivi : {{order.tracking_number | "pas encore disponible"}}\n'
          "Suivre le colis : {{order.tracking_url | \"nous vous enverrons le lien dès l'expédition\"}}\n\n"
          "Si quelque chose vous semble anormal, il vous suffit de répondre à ce message."),
    _spec("Delivery problem — photos", Intent.DELIVERY_PROBLEM, "en", 'Your order {{order.number | ""}}',
          'We are very sorry that your order {{order.number | ""}} did not arrive as it should have.\n\n'
          "So that we can put this right quickly, could you reply with:\n"
          "- a few photos of the item(s) and of the packaging, if anything is damaged;\n"
          "- the item(s) concerned, if something is missing or is not what you ordered.\n\n"
          "As soon as we have them, we will come back to you with a solution: a replacement or a refund."),
    _spec("Problème de livraison — photos", Intent.DELIVERY_PROBLEM, "fr", 'Votre commande {{order.number | ""}}',
          'Nous sommes vraiment désolés que votre commande {{order.number | ""}} ne soit pas arrivée comme '
          "elle le devait.\n\n"
          "Pour régler cela rapidement, pourriez-vous nous répondre avec :\n"
          "- quelques photos du ou des articles et de l'emballage, si quelque chose est abîmé ;\n"
          "- le ou les articles concernés, s'il manque quelque chose ou si ce n'est pas ce que vous aviez "
          "commandé.\n\n"
          "Dès réception, nous reviendrons vers vous avec une solution : un remplacement ou un remboursement."),
    _spec("Return", Intent.RETURN_REQUEST, "en", 'Return for order {{order.number | ""}}',
          'Thank you for your message. Of course, you can return the item(s) from your order '
          '{{order.number | ""}}.\n\n'
          '{{shop.returns_policy | "Please tell us which item(s) you would like to return, and why, and we will '
          'send you the return instructions."}}'),
    _spec("Retour", Intent.RETURN_REQUEST, "fr", 'Retour de la commande {{order.number | ""}}',
          'Merci pour votre message. Bien sûr, vous pouvez nous retourner le ou les articles de votre commande '
          '{{order.number | ""}}.\n\n'
          "{{shop.returns_policy | \"Indiquez-nous simplement le ou les articles concernés et la raison du retour, "
          "et nous vous enverrons la marche à suivre.\"}}"),
    _spec("Refund request", Intent.REFUND_REQUEST, "en", 'Refund for order {{order.number | ""}}',
          'Thank you for your message about your order {{order.number | ""}}. We have passed your refund '
          "request on and will confirm it shortly.\n\n"
          '{{shop.refunds_policy | "We will tell you the amount and the date of the refund in our next '
          'message."}}'),
    _spec("Demande de remboursement", Intent.REFUND_REQUEST, "fr",
          'Remboursement de la commande {{order.number | ""}}',
          'Merci pour votre message concernant votre commande {{order.number | ""}}. Nous avons bien pris en '
          "compte votre demande de remboursement et vous la confirmerons très vite.\n\n"
          '{{shop.refunds_policy | "Nous vous indiquerons le montant et la date du remboursement dans notre '
          'prochain message."}}'),
    _spec("Refund status", Intent.REFUND_STATUS, "en", 'Your refund for order {{order.number | ""}}',
          'Thank you for your patience. We are checking the refund for your order {{order.number | ""}} and '
          "will come back to you with the date it was issued.\n\n"
          "Please note that once a refund has been issued, banks usually take a few working days to show it on "
          "your statement."),
    _spec("Suivi du remboursement", Intent.REFUND_STATUS, "fr",
          'Votre remboursement — commande {{order.number | ""}}',
          'Merci pour votre patience. Nous vérifions le remboursement de votre commande {{order.number | ""}} '
          "et revenons vers vous avec la date à laquelle il a été effectué.\n\n"
          "Une fois le remboursement effectué, les banques mettent généralement quelques jours ouvrés à le faire "
          "apparaître sur votre relevé."),
    _spec("Cancellation", Intent.CANCELLATION, "en", 'Cancelling order {{order.number | ""}}',
          'We have received your request to cancel your order {{order.number | ""}}.\n\n'
          "If it has not shipped yet, we will cancel it and refund you in full, and confirm by e-mail. If it has "
          "already left, you can simply return it when it arrives."),
    _spec("Annulation", Intent.CANCELLATION, "fr", 'Annulation de la commande {{order.number | ""}}',
          "Nous avons bien reçu votre demande d'annulation de la commande {{order.number | \"\"}}.\n\n"
          "Si elle n'est pas encore partie, nous l'annulons et vous remboursons intégralement, et vous le "
          "confirmons par e-mail. Si elle a déjà été expédiée, il vous suffira de nous la retourner à réception."),
    _spec("Address change", Intent.ADDRESS_CHANGE, "en", 'Delivery address for order {{order.number | ""}}',
          'Thank you for letting us know. We will update the delivery address of your order '
          '{{order.number | ""}} if it has not shipped yet.\n\n'
          "Could you confirm the complete new address, with the postcode and any flat or building number?"),
    _spec("Changement d'adresse", Intent.ADDRESS_CHANGE, "fr",
          'Adresse de livraison — commande {{order.number | ""}}',
          "Merci de nous avoir prévenus. Nous modifierons l'adresse de livraison de votre commande "
          '{{order.number | ""}} si elle n\'est pas encore partie.\n\n'
          "Pourriez-vous nous confirmer l'adresse complète, avec le code postal et, le cas échéant, le bâtiment "
          "ou le numéro d'appartement ?"),
    _spec("Invoice", Intent.PAYMENT_INVOICE, "en", 'Invoice for order {{order.number | ""}}',
          'Thank you for your message. Please find attached the invoice for your order {{order.number | ""}}.\n\n'
          'Order date: {{order.placed_at | "see the invoice"}}\n'
          'Items: {{order.items | "see the invoice"}}\n'
          'Total: {{order.total | "see the invoice"}}\n\n'
          "If you need it made out to a company or with a VAT number, just reply with the details."),
    _spec("Facture", Intent.PAYMENT_INVOICE, "fr", 'Facture de la commande {{order.number | ""}}',
          'Merci pour votre message. Vous trouverez ci-joint la facture de votre commande {{order.number | ""}}.'
          "\n\n"
          'Date de commande : {{order.placed_at | "voir la facture"}}\n'
          'Articles : {{order.items | "voir la facture"}}\n'
          'Total : {{order.total | "voir la facture"}}\n\n'
          "S'il vous la faut au nom d'une société ou avec un numéro de TVA, répondez-nous simplement avec ces "
          "informations."),
    _spec("Thanks", Intent.THANKS, "en", 'Thank you from {{shop.name | "us"}}',
          "Thank you for your kind message, it made our day! We hope to see you again soon."),
    _spec("Remerciements", Intent.THANKS, "fr", 'Merci de la part de {{shop.name | "toute l\'équipe"}}',
          "Merci beaucoup pour votre gentil message, il nous a fait très plaisir ! Au plaisir de vous revoir "
          "bientôt."),
]


def pick_template(templates: Sequence[TemplateSpec], intent: str, language: str) -> TemplateSpec | None:
    """The first template for `intent` in `language` ('fr-CA' counts as 'fr'), else in English, else None."""
    wanted = (language or "en").strip().lower().replace("_", "-").split("-")[0]
    intent_value = str(intent)
    for lang in dict.fromkeys((wanted, "en")):
        for spec in templates:
            if spec.intent == intent_value and spec.language.lower().split("-")[0] == lang:
                return spec
    return None
