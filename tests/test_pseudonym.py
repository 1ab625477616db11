"""Pseudonymisation toward cloud LLMs: what leaves is placeholders, what comes back is the merchant's data again."""

from __future__ import annotations

import json
import random
import time

import pytest

from desktop.core.pseudonym import (
    PLACEHOLDER_INSTRUCTIONS,
    KnownValues,
    Pseudonymiser,
    Restorer,
    find_identifiers,
    iban_valid,
    luhn_valid,
    phone_key,
    scan,
)

CUSTOMER = KnownValues(
    names=("Marie-Hélène Dupont",),
    emails=("Marie.Dupont@Gmail.com",),
    phones=("+33 6 12 34 56 78",),
    addresses=("12 rue des Lilas\n75011 Paris\nFrance",),
    order_numbers=("#1042",),
    tracking_numbers=("6A12345678901",),
)
SHOP = KnownValues(names=("Lavande & Co",), emails=("contact@lavande.fr",), phones=("04 78 00 11 22",))

FRENCH_MAIL = """Bonjour,

Je m'appelle Marie-Hélène Dupont et j'ai passé la commande n°1042 le 3 mars 2024 (2 savons, 24,90 €).
Le colis devait arriver au 12 rue des Lilas, 75011 Paris, mais le suivi 6A12345678901 ne bouge plus
depuis le 05/03/2024. Vous pouvez me joindre au 06.12.34.56.78 ou par mail : marie.dupont@gmail.com.
Ma voisine, Mme Lefèvre (07 98 76 54 32, c.lefevre@orange.fr), a reçu un colis à mon nom : commande #1043 ?
Si besoin de me rembourser : IBAN FR76 3000 6000 0112 3456 7890 189.

Cordialement,
Marie Dupont
"""

ENGLISH_MAIL = """Hi there,

This is Marie Dupont again about order #1042. UPS says 1Z999AA10123456784 was delivered, but nothing came.
I paid with my card 4111 1111 1111 1111 — please refund it. Call me on +33 6 12 34 56 78 or (415) 555-0100,
or write to MARIE.DUPONT@GMAIL.COM. My sister (james.smith@example.co.uk, +44 20 7946 0958) ordered too.

Best regards,
Marie
"""


def values_present(text: str, values: list[str]) -> list[str]:
    return [v for v in values if v.casefold() in text.casefold()]


# --- known values -------------------------------------------------------------------------------------------


def test_every_known_customer_value_is_masked_and_restored() -> None:
    p = Pseudonymiser(CUSTOMER)
    text = ("Marie-Hélène Dupont (Marie écrit aussi DUPONT, ou marie-helene dupont) — marie.dupont@GMAIL.com — "
            "12 rue des Lilas, 75011 Paris — commande n°1042 — suivi 6A12345678901.")
    masked = p.mask(text)
    assert values_present(masked, ["Marie", "Hélène", "Helene", "Dupont", "gmail", "Lilas", "75011", "1042",
                                   "6A12345678901"]) == []
    for placeholder in ("[NAME_", "[EMAIL_1]", "[ADDRESS_", "[ORDER_1]", "[TRACKING_1]"):
        assert placeholder in masked
    restored = p.restore(masked)
    # Exact values come back as written; variants come back as the known spelling.
    assert restored == ("Marie-Hélène Dupont (Marie écrit aussi Dupont, ou Marie-Hélène Dupont) — "
                        "Marie.Dupont@Gmail.com — 12 rue des Lilas, 75011 Paris — commande n°1042 — "
                        "suivi 6A12345678901.")


def test_exact_round_trip_when_values_are_written_as_known() -> None:
    p = Pseudonymiser(CUSTOMER)
    text = ("Marie-Hélène Dupont, Marie.Dupont@Gmail.com, +33 6 12 34 56 78, 12 rue des Lilas, 75011 Paris, "
            "order 1042, tracking 6A12345678901")
    masked = p.mask(text)
    assert masked == ("[NAME_1], [EMAIL_1], [PHONE_1], [ADDRESS_1], [ADDRESS_2], order [ORDER_1], tracking "
                      "[TRACKING_1]")
    assert p.restore(masked) == text


@pytest.mark.parametrize("written", [
    "+33 6 12 34 56 78", "+33612345678", "0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
    "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78",
])
def test_known_phone_in_any_format_gets_one_placeholder(written: str) -> None:
    p = Pseudonymiser(CUSTOMER)
    masked = p.mask(f"Appelez-moi au {written} demain.")
    assert masked == "Appelez-moi au [PHONE_1] demain."
    assert p.mapping == {"[PHONE_1]": "+33 6 12 34 56 78"}
    assert p.restore(masked) == "Appelez-moi au +33 6 12 34 56 78 demain."


def test_phone_key_ignores_formatting() -> None:
    keys = {phone_key(s) for s in ("+33 6 12 34 56 78", "0612345678", "06.12.34.56.78", "0033612345678",
                                   "+33 (0)6 12 34 56 78")}
    assert keys == {"612345678"}
    assert phone_key("+44 20 7946 0958") == phone_key("020 7946 0958")
    assert phone_key("+1 415 555 0100") == phone_key("(415) 555-0100")


def test_name_parts_need_three_letters_and_particles_stay() -> None:
    p = Pseudonymiser(KnownValues(names=("Al de Martin",)))
    masked = p.mask("Al de Martin a écrit. Al est là, des colis aussi, et Martin aussi.")
    assert masked == "[NAME_1] a écrit. Al est là, des colis aussi, et [NAME_2] aussi."


def test_known_order_numbers_short_ones_only_after_hash() -> None:
    p = Pseudonymiser(KnownValues(order_numbers=("57", "#100234")))
    assert p.mask("Commande #57 : 57 € — et 100234.") == "Commande #[ORDER_1] : 57 € — et [ORDER_2]."


def test_same_value_same_placeholder_and_stable_across_calls() -> None:
    p = Pseudonymiser(CUSTOMER)
    first = p.mask("paul@example.org puis PAUL@EXAMPLE.ORG puis marie.dupont@gmail.com")
    assert first == "[EMAIL_1] puis [EMAIL_1] puis [EMAIL_2]"
    stored = dict(p.mapping)
    later = Pseudonymiser(CUSTOMER, stored)
    assert later.mask("marie.dupont@gmail.com, paul@example.org, zoe@example.net") == "[EMAIL_2], [EMAIL_1], [EMAIL_3]"
    assert stored["[EMAIL_3]"] == "zoe@example.net"  # the mapping given is the thread's record, kept up to date


def test_mapping_must_hold_placeholders() -> None:
    with pytest.raises(ValueError, match="placeholders"):
        Pseudonymiser(KnownValues(), {"NAME_1": "Marie"})


def test_mask_is_idempotent() -> None:
    p = Pseudonymiser(CUSTOMER)
    once = p.mask(FRENCH_MAIL)
    assert p.mask(once) == once


# --- detected values ----------------------------------------------------------------------------------------


def test_iban_valid_is_masked_invalid_is_not_an_iban() -> None:
    assert iban_valid("FR7630006000011234567890189")
    assert iban_valid("DE89 3704 0044 0532 0130 00") and iban_valid("GB82 WEST 1234 5698 7654 32")
    assert not iban_valid("FR7630006000011234567890188")
    assert not iban_valid("FR763000600001123456789018")  # one character short for France
    p = Pseudonymiser(KnownValues())
    masked = p.mask("Valide FR76 3000 6000 0112 3456 7890 189 et DE89370400440532013000, faux "
                    "FR76 3000 6000 0112 3456 7890 188 merci.")
    assert masked.startswith("Valide [IBAN_1] et [IBAN_2], faux FR76 3000 6000 0112 3456 7890 188 merci.")
    assert p.mapping["[IBAN_1]"] == "FR76 3000 6000 0112 3456 7890 189"
    assert [f.kind for f in scan("faux FR76 3000 6000 0112 3456 7890 188")] == []


@pytest.mark.parametrize("number", ["4111 1111 1111 1111", "4012-8888-8888-1881", "5555 5555 5555 4444",
                                    "5105105105105100", "3782 822463 10005", "2223 0031 2200 3222"])
def test_luhn_valid_cards_are_masked(number: str) -> None:
    assert luhn_valid(number.replace(" ", "").replace("-", ""))
    p = Pseudonymiser(KnownValues())
    assert p.mask(f"Carte : {number}, merci") == "Carte : [CARD_1], merci"
    assert p.restore("[CARD_1]") == number


def test_luhn_invalid_sixteen_digits_is_not_a_card() -> None:
    assert not luhn_valid("4111111111111112")
    text = "Référence 4111 1111 1111 1112 du virement"
    assert Pseudonymiser(KnownValues()).mask(text) == text
    assert scan(text) == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Écrivez à paul.martin+shop@example.co.uk svp", "email", "paul.martin+shop@example.co.uk"),
    ("mailto:zoé.durand@exemple.fr.", "email", "zoé.durand@exemple.fr"),
    ("Appelez Paul au 07 98 76 54 32 ce soir", "phone", "07 98 76 54 32"),
    ("Tel: +44 20 7946 0958.", "phone", "+44 20 7946 0958"),
    ("Call (415) 555-0100 now", "phone", "(415) 555-0100"),
    ("Festnetz 030 12345678", "phone", "030 12345678"),
    ("Handy +49 151 23456789", "phone", "+49 151 23456789"),
    ("tél.0612345678", "phone", "0612345678"),
    ("Ma commande #1234 est en retard", "order", "1234"),
    ("my order 5678 arrived", "order", "5678"),
    ("commande n°91011", "order", "91011"),
    ("Numéro de commande : 4455", "order", "4455"),
    ("Bestellnummer: 98765", "order", "98765"),
    ("UPS 1Z999AA10123456784", "tracking", "1Z999AA10123456784"),
    ("Colissimo LA123456789FR", "tracking", "LA123456789FR"),
    ("envoi 6A12345678901", "tracking", "6A12345678901"),
    ("DHL: 1234567890", "tracking", "1234567890"),
    ("Numéro de suivi de votre colis : 00340434161094042557", "tracking", "00340434161094042557"),
    ("tracking number GLS123456789", "tracking", "GLS123456789"),
])
def test_identifiers_in_free_text(text: str, kind: str, value: str) -> None:
    found = find_identifiers(text)
    assert [(i.kind, i.value) for i in found] == [(kind, value)]
    p = Pseudonymiser(KnownValues())
    masked = p.mask(text)
    assert value not in masked and f"[{kind.upper()}_1]" in masked
    assert p.restore(masked) == text


@pytest.mark.parametrize("text", [
    "Total : 49,90 € TTC, livraison 4,90 €, soit 1 299,00 € pour 3 articles.",
    "Price $15.99, qty 2 x 250 ml, 20 % off, 1.5 kg, 3 rue de la Paix.",
    "Commandé le 12/03/2024, livré le 2024-03-15 à 10:30, relance le 05.03.2024 14:00.",
    "Code postal 75011, Lyon 69003, Bruxelles 1000, London SW1A 1AA.",
    "La commande de 150 € est partie, 2 colis, version 2.4.1, réf. 12-345.",
    "Order 2 items; SKU ABC-1234-XL; iPhone 15 Pro; 06h30; du 01/02 au 03/04.",
    "SIRET 123 456 789 00012, TVA FR12345678901, réf. 0012345678, IP 192.168.1.10, version 10.0.19045.",
    "Bonjour à tous, hello there, Dear Customer, Bonjour Madame,",
])
def test_no_over_masking_of_prices_dates_quantities_postcodes(text: str) -> None:
    assert Pseudonymiser(KnownValues()).mask(text) == text
    assert scan(text) == []


def test_names_after_greeting_title_and_sign_off() -> None:
    p = Pseudonymiser(KnownValues())
    text = "Bonjour Madame Lefèvre,\n\nJ'ai vu M. Bernard hier.\n\nCordialement,\nJean-Pierre Martin\n"
    masked = p.mask(text)
    assert masked == "Bonjour Madame [NAME_1],\n\nJ'ai vu M. [NAME_2] hier.\n\nCordialement,\n[NAME_3]\n"
    assert p.restore(masked) == text
    assert p.mask("Hi Sarah, thanks!") == "Hi [NAME_4], thanks!"


# --- scanning: fail closed ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mail", [FRENCH_MAIL, ENGLISH_MAIL])
def test_scan_after_masking_finds_nothing_on_realistic_mail(mail: str) -> None:
    p = Pseudonymiser(CUSTOMER)
    assert p.scan(mail)  # the raw mail is full of identifiers
    masked = p.mask(mail)
    assert scan(masked) == []
    assert p.scan(masked) == []
    assert scan(masked, known=CUSTOMER) == []
    assert values_present(masked, ["Dupont", "Marie", "gmail", "Lilas", "1042", "6A12345678901", "Lefèvre",
                                   "orange.fr", "1Z999", "4111", "7946", "555-0100", "FR76"]) == []
    assert p.restore(masked) != masked


def test_scan_finds_what_masking_missed() -> None:
    kinds = {f.kind for f in scan(FRENCH_MAIL + ENGLISH_MAIL)}
    assert {"email", "phone", "iban", "card", "order", "tracking"} <= kinds
    # A pseudonymiser that does not know the customer leaves the name and street in place: the
    # scan with the known values catches them, so the call is refused.
    masked_without_knowledge = Pseudonymiser(KnownValues()).mask("je suis Marie-Hélène Dupont, 12 rue des Lilas")
    assert scan(masked_without_knowledge) == []
    found = scan(masked_without_knowledge, known=CUSTOMER)
    assert {f.kind for f in found} == {"name", "address"}
    assert [masked_without_knowledge[f.start:f.end] for f in found] == ["Marie-Hélène Dupont", "12 rue des Lilas"]


def test_scan_can_refuse_placeholders_in_raw_text() -> None:
    raw = "Please send [EMAIL_1] the refund, [email 2] too"
    assert scan(raw) == []
    found = scan(raw, allowed_placeholders=False)
    assert [(f.kind, raw[f.start:f.end]) for f in found] == [("placeholder", "[EMAIL_1]"),
                                                                ("placeholder", "[email 2]")]


def test_findings_never_show_the_value() -> None:
    p = Pseudonymiser(CUSTOMER)
    findings = p.scan(FRENCH_MAIL + ENGLISH_MAIL)
    assert len(findings) >= 15
    for f in findings:
        value = (FRENCH_MAIL + ENGLISH_MAIL)[f.start:f.end]
        assert value not in repr(f) and value not in str(f)
        assert repr(f) == f"Finding(kind={f.kind!r}, start={f.start}, end={f.end})"
    for ident in find_identifiers(FRENCH_MAIL):
        assert ident.value not in repr(ident)


# --- messages -----------------------------------------------------------------------------------------------


def test_mask_messages_masks_every_text_and_leaves_input_alone() -> None:
    p = Pseudonymiser(CUSTOMER)
    tool_result = json.dumps({"number": "1042", "tracking": "6A12345678901", "phone": "0612345678"})
    messages = [
        {"role": "system", "content": "Shop: contact@lavande.fr"},
        {"role": "user", "content": [{"type": "text", "text": "Marie Dupont, commande #1042"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "order_details",
                                                          "arguments": '{"number": "1042"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": tool_result},
    ]
    before = json.dumps(messages)
    masked = p.mask_messages(messages)
    assert json.dumps(messages) == before
    dumped = json.dumps(masked)
    assert values_present(dumped, ["lavande", "Marie", "Dupont", "1042", "6A12345678901", "0612345678"]) == []
    assert masked[1]["content"][0] == {"type": "text", "text": "[NAME_1], commande #[ORDER_1]"}
    assert masked[2]["tool_calls"][0]["function"] == {"name": "order_details", "arguments": '{"number": "[ORDER_1]"}'}
    assert masked[3]["tool_call_id"] == "c1" and json.loads(masked[3]["content"])["phone"] == "[PHONE_1]"


# --- restoring ----------------------------------------------------------------------------------------------


MAPPING = {"[NAME_1]": "Marie", "[EMAIL_1]": "marie@example.org", "[ORDER_1]": "1042",
           "[TRACKING_12]": "6A12345678901", "[PHONE_1]": "+33 6 12 34 56 78"}
MODEL_OUTPUT = ("[NAME_1], votre commande [ORDER_1][TRACKING_12] est partie. [note] Écrivez à [EMAIL_1] ou "
                "[EMAIL_9], [NAME_1]. Tableau [1] [ [ORDER] [PHONE_1]")


def test_restore_known_placeholders_and_leave_the_rest() -> None:
    r = Restorer(MAPPING)
    assert r.restore(MODEL_OUTPUT) == ("Marie, votre commande 10426A12345678901 est partie. [note] Écrivez à "
                                       "marie@example.org ou [EMAIL_9], Marie. Tableau [1] [ [ORDER] "
                                       "+33 6 12 34 56 78")
    assert r.unknown == ["[EMAIL_9]"]
    assert Restorer(MAPPING).restore("[name_1] [EMAIL 1] [ ORDER_1 ]") == "Marie marie@example.org 1042"


@pytest.mark.parametrize("text", [MODEL_OUTPUT, "[EMAIL_1]", "x[NAME_1]", "[NAME_1]y", "[[NAME_1]]", "[EMAIL_"])
def test_streaming_restore_at_every_split_position(text: str) -> None:
    expected = Restorer(MAPPING).restore(text)
    for cut in range(len(text) + 1):
        r = Restorer(MAPPING)
        first = r.feed(text[:cut])
        assert expected.startswith(first)  # nothing shown is ever taken back (no "[EMA" shown too early)
        second = r.feed(text[cut:])
        assert expected.startswith(first + second)
        assert first + second + r.flush() == expected


def test_streaming_restore_random_chunks_and_single_characters() -> None:
    rng = random.Random(7)
    expected = Restorer(MAPPING).restore(MODEL_OUTPUT)
    for _ in range(200):
        r = Restorer(MAPPING)
        pos, shown = 0, ""
        while pos < len(MODEL_OUTPUT):
            step = rng.randint(1, 6)
            shown += r.feed(MODEL_OUTPUT[pos:pos + step])
            assert expected.startswith(shown)
            pos += step
        assert shown + r.flush() == expected
    r = Restorer(MAPPING)
    assert "".join(r.feed(ch) for ch in MODEL_OUTPUT) + r.flush() == expected


def test_restorer_holds_only_what_may_be_a_placeholder() -> None:
    r = Restorer(MAPPING)
    assert r.feed("Bonjour [EMA") == "Bonjour "
    assert r.feed("IL_") == ""
    assert r.feed("1] et [Hello") == "marie@example.org et [Hello"
    assert r.feed(" [") == " "
    assert r.flush() == "["


def test_restorer_sees_placeholders_added_after_it_was_made() -> None:
    p = Pseudonymiser(CUSTOMER)
    r = Restorer(p.mapping)
    p.mask("écrire à paul@example.org")
    assert r.feed("Copie à [EMAIL_1].") == "Copie à paul@example.org."


def test_placeholder_instructions_name_the_format() -> None:
    assert "[NAME_1]" in PLACEHOLDER_INSTRUCTIONS and "exactly" in PLACEHOLDER_INSTRUCTIONS
    assert PLACEHOLDER_INSTRUCTIONS.count(". ") == 0  # one sentence for the system prompt


# --- speed --------------------------------------------------------------------------------------------------


def test_masking_a_5kb_mail_is_fast() -> None:
    mail = (FRENCH_MAIL + ENGLISH_MAIL) * 3
    mail = mail[:5000]
    known = KnownValues(*(a + b for a, b in zip(
        (CUSTOMER.names, CUSTOMER.emails, CUSTOMER.phones, CUSTOMER.addresses, CUSTOMER.order_numbers,
         CUSTOMER.tracking_numbers, CUSTOMER.other),
        (SHOP.names, SHOP.emails, SHOP.phones, SHOP.addresses, SHOP.order_numbers, SHOP.tracking_numbers,
         SHOP.other), strict=True)))
    best = float("inf")
    for _ in range(15):
        start = time.perf_counter()
        p = Pseudonymiser(known)
        masked = p.mask(mail)
        p.scan(masked)
        best = min(best, time.perf_counter() - start)
    assert best < 0.005, f"mask + scan of 5 KB took {best * 1000:.1f} ms"


HOSTILE = {
    "zeros": "0" * 50_000, "digit runs": "1 " * 25_000, "at signs": "a@" * 25_000, "letters then @": "a" * 50_000 + "@",
    "labels": "a." * 25_000 + "!", "plus": "+" + "1 " * 25_000, "hashes": "#1" * 25_000, "brackets": "[" * 50_000,
    "order and spaces": "order" + " " * 50_000 + "x", "sign-off and spaces": "Cordialement" + " " * 50_000 + "x\nMarie",
    "titles": "Mr " * 16_000, "greetings": ("bonjour " + " " * 100) * 500, "parens": "(0" * 25_000,
    "iban-like": "AB12" + " 1" * 25_000, "tracking words": "suivi colis " * 5_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_is_handled_in_linear_time(name: str) -> None:
    p = Pseudonymiser(CUSTOMER)
    text = HOSTILE[name]
    start = time.perf_counter()
    masked = p.mask(text)
    p.scan(masked)
    r = Restorer(p.mapping)
    restored = r.feed(masked) + r.flush()
    assert time.perf_counter() - start < 1.0
    assert restored == p.restore(masked)
