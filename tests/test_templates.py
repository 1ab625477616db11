"""Reply templates: variables, fallbacks, missing markers, values from the shop's data, the built-in templates."""

from __future__ import annotations

import re

import pytest

from desktop.core.models import OrderView, TrackingInfo
from desktop.core.platforms import Fulfillment, Order, OrderItem
from desktop.core.templates import (
    DEFAULT_TEMPLATES,
    KNOWN_VARIABLES,
    TemplateSpec,
    format_date,
    pick_template,
    render,
    template_values,
    variables_in,
)
from desktop.core.triage import Intent

CUSTOMER = {"first_name": "Claire", "last_name": "Dubois", "display_name": "Claire Dubois",
            "email": "claire@example.fr"}
ORDER = {"number": "#1042", "status": "fulfilled", "fulfillment_status": "fulfilled",
         "tracking": [{"number": "6A12345678901", "url": "https://www.laposte.fr/outils/suivre-vos-envois?code="
                                                            "6A12345678901", "carrier": "Colissimo"}],
         "placed_at": "2025-03-12T09:30:00Z", "items": [{"title": "Mug en grès", "quantity": 2},
                                                        {"title": "Torchon en lin", "quantity": 1}],
         "total": "49.90", "currency": "EUR"}
SHOP = {"shop_name": "Atelier Lumière", "signature": "Camille — Atelier Lumière", "website": "https://atelier.example",
        "returns_policy": "Returns are free within 30 days.", "refunds_policy": "Refunds take 5 days.",
        "shipping_policy": "We ship in 48 h."}
MARKER = re.compile(r"\[[a-z_.]+\?\]")


def test_variables_are_replaced_and_reported() -> None:
    out = render("Hi {{customer.first_name}}, order {{ order.number }} ships with {{order.carrier}}.",
                 {"customer.first_name": "Claire", "order.number": "#1042", "order.carrier": "Colissimo"})
    assert out.text == "Hi Claire, order #1042 ships with Colissimo."
    assert out.used == ("customer.first_name", "order.number", "order.carrier")
    assert out.missing == ()


def test_fallbacks_apply_when_the_value_is_absent_or_blank() -> None:
    text = 'Hello {{customer.first_name | "there"}}, {{order.status | \'being prepared\'}}.'
    assert render(text, {}).text == "Hello there, being prepared."
    assert render(text, {"customer.first_name": "  "}).text == "Hello there, being prepared."
    assert render(text, {"customer.first_name": "Tom"}).text == "Hello Tom, being prepared."
    escaped = render(r'{{shop.name | "the \"best\" shop"}}', {})
    assert escaped.text == 'the "best" shop'
    assert escaped.used == () and escaped.missing == ()


def test_missing_value_without_fallback_shows_a_marker() -> None:
    out = render("Track it here: {{order.tracking_url}} ({{order.tracking_url}})", {})
    assert out.text == "Track it here: [order.tracking_url?] ([order.tracking_url?])"
    assert out.missing == ("order.tracking_url",)


def test_empty_fallback_takes_the_space_before_it() -> None:
    assert render('Your order {{order.number | ""}}:', {}).text == "Your order:"
    assert render('Bonjour {{customer.first_name | ""}},\n', {}).text == "Bonjour,\n"
    assert render('Votre commande {{order.number | ""}} :', {}).text == "Votre commande :"
    assert render('Order {{order.number | ""}} is late', {}).text == "Order is late"
    assert render('Order {{order.number | ""}}', {}).text == "Order"


def test_unknown_syntax_is_left_alone_and_nothing_is_evaluated() -> None:
    text = "{{ not a variable }} {% if x %} {{order.number | fallback}} {{__import__('os')}} {x} {{}}"
    out = render(text, {"order.number": "1"})
    assert out.text == text
    assert out.missing == out.used == ()
    # A value is inserted as text, never rendered again.
    sneaky = render("Hello {{customer.name}}", {"customer.name": "{{shop.signature}} {{order.number}}"})
    assert sneaky.text == "Hello {{shop.signature}} {{order.number}}"
    assert sneaky.missing == ()


def test_variables_in_lists_each_once_in_order() -> None:
    text = 'Hi {{customer.first_name | "there"}} {{order.number}} {{customer.first_name}} {{ bad syntax }}'
    assert variables_in(text) == ["customer.first_name", "order.number"]
    assert variables_in("") == []


def test_template_values_from_plain_dicts() -> None:
    values = template_values(customer=CUSTOMER, order=ORDER, shop=SHOP)
    assert values["customer.first_name"] == "Claire"
    assert values["customer.name"] == "Claire Dubois"
    assert values["customer.email"] == "claire@example.fr"
    assert values["order.number"] == "#1042"
    assert values["order.status"] == "shipped"
    assert values["order.tracking_number"] == "6A12345678901"
    assert values["order.tracking_url"].startswith("https://www.laposte.fr/")
    assert values["order.carrier"] == "Colissimo"
    assert values["order.placed_at"] == "12 March 2025"
    assert values["order.items"] == "2 × Mug en grès, Torchon en lin"
    assert values["order.total"] == "49.90 EUR"
    assert values["shop.name"] == "Atelier Lumière"
    assert values["shop.signature"] == "Camille — Atelier Lumière"
    assert values["shop.returns_policy"] == "Returns are free within 30 days."
    french = template_values(customer=CUSTOMER, order=ORDER, shop=SHOP, language="fr")
    assert french["order.status"] == "expédiée"
    assert french["order.placed_at"] == "12 mars 2025"


def test_template_values_with_little_data() -> None:
    values = template_values(customer={"display_name": "Tom Baker", "email": "tom@example.com"}, order=None,
                             shop={"shop_name": "Maison Tilleul"})
    assert values == {"customer.first_name": "Tom", "customer.name": "Tom Baker", "customer.email": "tom@example.com",
                      "shop.name": "Maison Tilleul", "shop.signature": "Maison Tilleul"}
    # A display name that is an address is no first name.
    assert "customer.first_name" not in template_values(customer={"display_name": "tom@example.com"}, order=None,
                                                        shop=None)
    assert template_values(customer=None, order=None, shop=None) == {}


def test_template_values_from_the_core_order_objects() -> None:
    order = Order(platform="shopify", external_id="gid://shopify/Order/1", number="#1001", email="a@b.example",
                  created_at="2025-01-01T10:00:00Z", financial_status="paid", fulfillment_status="fulfilled",
                  currency="EUR", total="30.00", items=(OrderItem(title="Bougie", quantity=3, price="10.00"),),
                  fulfillments=(Fulfillment(status="shipped", tracking_number="LA123456789FR", carrier="La Poste",
                                            tracking_url="https://t.example/LA123456789FR"),
                                Fulfillment(status="shipped", tracking_number="LA987654321FR", carrier="La Poste",
                                            tracking_url="https://t.example/LA987654321FR")))
    values = template_values(customer=None, order=order, shop=None, language="fr")
    assert values["order.number"] == "#1001"
    assert values["order.placed_at"] == "1er janvier 2025"
    assert values["order.tracking_number"] == "LA123456789FR, LA987654321FR"
    assert values["order.tracking_url"].splitlines() == ["https://t.example/LA123456789FR",
                                                         "https://t.example/LA987654321FR"]
    assert values["order.carrier"] == "La Poste"
    assert values["order.items"] == "3 × Bougie"
    assert values["order.status"] == "expédiée"

    view = OrderView(id=1, number="1002", status="cancelled", financial_status="refunded",
                     fulfillment_status="unfulfilled", placed_at="2025-02-03", total="12.00", currency="GBP",
                     items=("1 × Tea towel",), tracking=(TrackingInfo(number="", url="", carrier=""),),
                     shipping_address="")
    values = template_values(customer=None, order=view, shop=None)
    assert values["order.status"] == "cancelled"
    assert values["order.items"] == "1 × Tea towel"
    assert "order.tracking_number" not in values  # an empty tracking row is no tracking


def test_format_date() -> None:
    assert format_date("2025-07-14", "fr") == "14 juillet 2025"
    assert format_date("2025-07-14T23:00:00+02:00", "en") == "14 July 2025"
    assert format_date("last Tuesday") == "last Tuesday"
    assert format_date("") == ""


DEFAULT_INTENTS = {Intent.WHERE_IS_MY_ORDER, Intent.DELIVERY_PROBLEM, Intent.RETURN_REQUEST, Intent.REFUND_REQUEST,
                   Intent.REFUND_STATUS, Intent.CANCELLATION, Intent.ADDRESS_CHANGE, Intent.PAYMENT_INVOICE,
                   Intent.THANKS}


def test_default_templates_cover_both_languages() -> None:
    pairs = {(t.intent, t.language) for t in DEFAULT_TEMPLATES}
    assert pairs == {(i.value, lang) for i in DEFAULT_INTENTS for lang in ("en", "fr")}
    assert len({t.name for t in DEFAULT_TEMPLATES}) == len(DEFAULT_TEMPLATES)
    for spec in DEFAULT_TEMPLATES:
        assert set(variables_in(spec.subject + spec.body)) <= set(KNOWN_VARIABLES), spec.name


@pytest.mark.parametrize("spec", DEFAULT_TEMPLATES, ids=lambda s: f"{s.intent}-{s.language}")
def test_default_template_with_complete_data(spec: TemplateSpec) -> None:
    values = template_values(customer=CUSTOMER, order=ORDER, shop=SHOP, language=spec.language)
    subject, body = render(spec.subject, values), render(spec.body, values)
    for out in (subject, body):
        assert not out.missing and not MARKER.search(out.text) and "{{" not in out.text
    assert body.text.startswith(("Hello Claire,", "Bonjour Claire,"))
    assert body.text.endswith("Camille — Atelier Lumière")
    if "order.number" in variables_in(spec.body):
        assert "#1042" in body.text
    if spec.intent == Intent.WHERE_IS_MY_ORDER:
        assert "6A12345678901" in body.text and "Colissimo" in body.text and "laposte.fr" in body.text
    if spec.intent == Intent.RETURN_REQUEST:
        assert "Returns are free within 30 days." in body.text


@pytest.mark.parametrize("spec", DEFAULT_TEMPLATES, ids=lambda s: f"{s.intent}-{s.language}")
def test_default_template_reads_well_with_no_data(spec: TemplateSpec) -> None:
    subject, body = render(spec.subject, {}), render(spec.body, {})
    for out in (subject, body):
        assert not out.missing and not MARKER.search(out.text) and "{{" not in out.text
        assert "  " not in out.text and " ," not in out.text and " ." not in out.text
        assert not re.search(r"\w:", out.text) or spec.language == "en", out.text  # French keeps " :"
    assert body.text.startswith(("Hello there,", "Bonjour,"))
    assert subject.text == subject.text.strip() and subject.text


def test_pick_template() -> None:
    en = pick_template(DEFAULT_TEMPLATES, Intent.REFUND_STATUS, "en")
    fr = pick_template(DEFAULT_TEMPLATES, "refund_status", "fr-CA")
    assert en is not None and en.language == "en"
    assert fr is not None and fr.language == "fr" and fr.intent == "refund_status"
    german = pick_template(DEFAULT_TEMPLATES, Intent.CANCELLATION, "de")
    assert german is not None and german.language == "en"
    assert pick_template(DEFAULT_TEMPLATES, Intent.COMPLAINT, "fr") is None
    assert pick_template([], Intent.THANKS, "en") is None
