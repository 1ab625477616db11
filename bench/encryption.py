"""What encryption costs: SQLCipher (random raw 32-byte key) versus plain SQLite from the same library.

Both sides use `sqlcipher3`, so the SQLite version, build options and Python binding are identical;
the only difference is `PRAGMA key`. The encrypted side is opened with the app's own
`open_encrypted`; the plain side repeats exactly the same steps and pragmas without the key, and the
effective settings of both connections are compared before anything is measured. Both databases
get the app's real schema through `migrate` (including the FTS5 index and its triggers).

Workloads (see bench/README.md):
  1. insert N realistic customer mails into `messages` (and so into `messages_fts`), 500 per
     BEGIN IMMEDIATE … COMMIT, fresh database per run, runs alternated; target ≤ 1.25× plain;
  2. open an existing N-message database and run `SELECT count(*) FROM messages`; target ≤ 50 ms;
  3. FTS5 queries for words drawn from the corpus (no target, for information).

Run from the repo root: `python -m bench.encryption [--messages 10000] [--repeat 3] [--write-results]`.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import html
import inspect
import os
import quopri
import random
import re
import secrets
import sys
import time
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import sqlcipher3

from bench.common import (
    fmt_bytes,
    fmt_seconds,
    machine_info,
    median,
    now_utc,
    percentile,
    replace_section,
    reproduce_command,
    work_dir,
)
from desktop.store.connection import file_looks_encrypted, key_pragma, open_encrypted
from desktop.store.migrate import migrate

SECTION = "encryption"
BATCH = 500
INSERT_TARGET_RATIO = 1.25
OPEN_TARGET_SECONDS = 0.050
APP_CACHE_MIB: int = inspect.signature(open_encrypted).parameters["cache_mib"].default

# The pragmas open_encrypted applies after the key, in the same order (keep in step with
# desktop/store/connection.py; `check_same_settings` fails loudly if they drift apart).
PLAIN_PRAGMAS = (
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA cache_size = {-1024 * APP_CACHE_MIB}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 5000",
)
# Everything that could make one side faster than the other; must read the same on both.
COMPARED_SETTINGS = (
    "temp_store", "secure_delete", "foreign_keys", "cache_size", "journal_mode", "synchronous",
    "busy_timeout", "page_size", "wal_autocheckpoint", "auto_vacuum", "mmap_size", "journal_size_limit",
    "locking_mode", "cache_spill", "recursive_triggers",
)
CIPHER_SETTINGS = (
    "cipher_version", "cipher_provider", "cipher_provider_version", "cipher_memory_security",
    "cipher_page_size", "cipher_use_hmac", "cipher_hmac_algorithm", "cipher_plaintext_header_size",
)

MESSAGE_COLUMNS = (
    "account_id", "folder_id", "thread_id", "uidvalidity", "uid", "modseq", "message_id", "in_reply_to",
    "references_ids", "direction", "subject", "from_addr", "from_name", "to_addrs", "cc_addrs", "names",
    "date", "internal_date", "flags", "is_read", "is_answered", "snippet", "body_text", "body_html",
    "ref_numbers", "language", "raw", "raw_sha256", "size", "has_attachments",
)
INSERT_SQL = (
    f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in MESSAGE_COLUMNS)})"
)
THREAD_SQL = (
    "INSERT INTO threads (id, account_id, subject, normalized_subject, language, status, unread, "
    "message_count, first_message_at, last_message_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FTS_SQL = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank LIMIT 50"
OPEN_SQL = "SELECT count(*) FROM messages"

# --- a deterministic corpus of customer mails ------------------------------------------------------

SHOP_NAME = "Maison Tilleul"
SHOP_ADDR = "bonjour@example.com"
UIDVALIDITY = 1_700_000_001

FIRST_NAMES = (
    "Camille", "Léa", "Chloé", "Manon", "Inès", "Sarah", "Julie", "Émilie", "Hélène", "Margaux", "Anaïs",
    "Pauline", "Claire", "Nathalie", "Isabelle", "Sophie", "Lucas", "Hugo", "Thomas", "Nicolas", "Julien",
    "Maxime", "Antoine", "François", "Benoît", "Jérôme", "Mathieu", "Olivier", "Emma", "Olivia", "Amelia",
    "Grace", "Sophia", "Lily", "Jessica", "Hannah", "Rachel", "Laura", "Megan", "Oliver", "George",
    "Harry", "Jack", "James", "William", "Daniel", "Samuel", "Joseph", "David", "Michael", "Peter",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
    "Fontaine", "Rousseau", "Mercier", "Blanc", "Guérin", "Boyer", "Chevalier", "Smith", "Jones", "Taylor",
    "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker",
    "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "O'Brien", "Murphy", "Kelly",
)
PRODUCTS = (
    ("linen tea towel", "torchon en lin"), ("ceramic mug", "mug en céramique"),
    ("beeswax candle", "bougie à la cire d'abeille"), ("wool scarf", "écharpe en laine"),
    ("leather wallet", "portefeuille en cuir"), ("cotton tote bag", "sac cabas en coton"),
    ("olive oil soap", "savon à l'huile d'olive"), ("walnut cutting board", "planche à découper en noyer"),
    ("stoneware bowl", "bol en grès"), ("baby romper", "barboteuse pour bébé"),
    ("silver earrings", "boucles d'oreilles en argent"), ("hardback notebook", "carnet relié"),
    ("herbal tea gift box", "coffret de tisanes"), ("night cream", "crème de nuit"),
    ("dog collar", "collier pour chien"), ("rattan basket", "panier en rotin"),
    ("bedside lamp", "lampe de chevet"), ("linen shirt", "chemise en lin"),
    ("wooden jigsaw puzzle", "puzzle en bois"), ("enamel pin", "pin's émaillé"),
    ("merino beanie", "bonnet en mérinos"), ("glass carafe", "carafe en verre"),
    ("cashmere gloves", "gants en cachemire"), ("bamboo toothbrush", "brosse à dents en bambou"),
    ("organic honey", "miel bio"), ("scented diffuser", "diffuseur parfumé"),
    ("watercolour print", "affiche aquarelle"), ("duvet cover", "housse de couette"),
    ("copper kettle", "bouilloire en cuivre"), ("yoga mat", "tapis de yoga"),
)
COLOURS = (
    ("navy", "bleu marine"), ("sage green", "vert sauge"), ("terracotta", "terracotta"),
    ("mustard", "moutarde"), ("off-white", "blanc cassé"), ("charcoal", "anthracite"),
    ("blush pink", "rose poudré"), ("black", "noir"),
)
SIZES = ("XS", "S", "M", "L", "XL", "36", "38", "40", "42", "one size")
CARRIERS = ("Colissimo", "Chronopost", "Mondial Relay", "DHL", "UPS", "DPD", "GLS", "La Poste")
CITIES = (
    "Lyon", "Bordeaux", "Nantes", "Lille", "Toulouse", "Strasbourg", "Rennes", "Montpellier", "Marseille",
    "Bruxelles", "Genève", "Montréal", "London", "Manchester", "Bristol", "Dublin", "Edinburgh", "Berlin",
)
STREETS = ("rue des Lilas", "avenue Jean Jaurès", "boulevard Voltaire", "High Street", "Church Road",
           "place de la République", "chemin des Vignes", "Station Road", "rue Victor Hugo", "Mill Lane")

SUBJECTS = {
    "en": (
        "Where is my order {order}?", "Order {order} not received", "Damaged {product}",
        "Return request for order {order}", "Refund for {order}", "Change of delivery address",
        "Question about the {product}", "Wrong colour received", "Cancel order {order}",
        "Invoice for order {order}", "Charged twice", "Discount code not working", "Tracking {tracking}",
        "Is the {product} back in stock?", "Delivery to {city}",
    ),
    "fr": (
        "Où est ma commande {order} ?", "Commande {order} non reçue", "{product} abîmé",
        "Demande de retour commande {order}", "Remboursement {order}", "Changement d'adresse de livraison",
        "Question sur le {product}", "Mauvaise couleur reçue", "Annulation commande {order}",
        "Facture de la commande {order}", "Double prélèvement", "Code promo refusé", "Suivi {tracking}",
        "Le {product} est-il de nouveau disponible ?", "Livraison à {city}",
    ),
}
CUSTOMER_SENTENCES = {
    "en": (
        "I placed order {order} on {date} and it still has not arrived.",
        "The tracking number {tracking} from {carrier} has not been updated for {days} days.",
        "Could you tell me when my {product} will be shipped?",
        "I received the {product} today but it is not the {colour} one I ordered.",
        "The {product} arrived damaged: the box was crushed and one corner is broken.",
        "I would like to return the {product} and get a refund of {amount}.",
        "Can I change the delivery address to {address}?",
        "Please cancel my order {order}, I chose the wrong size ({size}).",
        "Do you ship to {city}, and how long does it usually take?",
        "I was charged twice for the same order, {amount} each time.",
        "Is the {product} available in {colour} again? It has been out of stock for weeks.",
        "My discount code did not work at checkout, so I paid the full price of {amount}.",
        "The invoice for order {order} is missing from the parcel, could you send it to me?",
        "Thank you for the quick answer, the parcel arrived this morning.",
        "I am quite disappointed, this is the second time this has happened with {carrier}.",
        "My daughter loves the {product}, I would like to order two more for her friends.",
        "The size guide says {size} but it feels much smaller than expected.",
        "Could you confirm that the refund of {amount} has been processed?",
        "The courier left a notice saying nobody was home, but I was in all day.",
        "I have been waiting for an answer since {date}, please get back to me.",
        "The parcel shows as delivered in {city} but I never received it.",
        "I attached a photo of the {product} so you can see the problem.",
        "Would it be possible to exchange it for a {colour} one instead?",
        "I live at {address}, the number on the label was wrong.",
        "It was meant to be a gift, so I really need it before {date}.",
    ),
    "fr": (
        "J'ai passé la commande {order} le {date} et je ne l'ai toujours pas reçue.",
        "Le numéro de suivi {tracking} de {carrier} n'a pas bougé depuis {days} jours.",
        "Pourriez-vous me dire quand mon {product} sera expédié ?",
        "J'ai reçu le {product} aujourd'hui mais ce n'est pas le coloris {colour} que j'avais choisi.",
        "Le {product} est arrivé abîmé : le carton était écrasé et un coin est cassé.",
        "Je souhaite retourner le {product} et être remboursée de {amount}.",
        "Est-il possible de modifier l'adresse de livraison pour le {address} ?",
        "Merci d'annuler ma commande {order}, je me suis trompé de taille ({size}).",
        "Livrez-vous à {city}, et quel est le délai habituel ?",
        "J'ai été débitée deux fois pour la même commande, {amount} à chaque fois.",
        "Le {product} existe-t-il de nouveau en {colour} ? Il est en rupture depuis des semaines.",
        "Mon code promo n'a pas fonctionné, j'ai donc payé le prix plein de {amount}.",
        "La facture de la commande {order} ne figurait pas dans le colis, pouvez-vous me l'envoyer ?",
        "Merci pour votre réponse rapide, le colis est arrivé ce matin.",
        "Je suis assez déçue, c'est la deuxième fois que cela arrive avec {carrier}.",
        "Ma fille adore le {product}, je voudrais en commander deux autres pour ses amies.",
        "Le guide des tailles indique {size} mais il taille vraiment petit.",
        "Pouvez-vous me confirmer que le remboursement de {amount} a bien été effectué ?",
        "Le livreur a laissé un avis de passage alors que j'étais chez moi toute la journée.",
        "J'attends une réponse depuis le {date}, merci de revenir vers moi.",
        "Le colis est indiqué comme livré à {city} mais je ne l'ai jamais reçu.",
        "Je vous joins une photo du {product} pour que vous puissiez voir le problème.",
        "Serait-il possible de l'échanger contre un modèle {colour} ?",
        "J'habite au {address}, le numéro sur l'étiquette était faux.",
        "C'est un cadeau, j'en ai vraiment besoin avant le {date}.",
    ),
}
SHOP_SENTENCES = {
    "en": (
        "Thank you for your message, and sorry for the delay in getting back to you.",
        "Your order {order} left our workshop on {date} with {carrier}; the tracking number is {tracking}.",
        "We have issued a refund of {amount}; it should reach your account within 5 to 10 working days.",
        "Could you send us a photo of the damaged {product} so that we can ship a replacement?",
        "You can return the item within 30 days using the prepaid label attached to this email.",
        "We have updated the delivery address on order {order} to {address}.",
        "The {product} in {colour} should be back in stock around {date}.",
        "We ship to {city}; delivery usually takes {days} working days.",
        "We have opened an investigation with {carrier} and will keep you posted.",
        "I have cancelled order {order} and refunded the full amount of {amount}.",
        "Please find your invoice for order {order} attached.",
        "As a gesture of goodwill, here is a code for 10% off your next order.",
    ),
    "fr": (
        "Merci pour votre message, et désolée pour le délai de réponse.",
        "Votre commande {order} est partie le {date} avec {carrier} ; le numéro de suivi est {tracking}.",
        "Nous avons effectué un remboursement de {amount}, visible sous 5 à 10 jours ouvrés.",
        "Pourriez-vous nous envoyer une photo du {product} abîmé afin que nous en expédiions un autre ?",
        "Vous pouvez retourner l'article sous 30 jours avec l'étiquette prépayée jointe à ce message.",
        "Nous avons modifié l'adresse de livraison de la commande {order} : {address}.",
        "Le {product} en {colour} devrait être de retour en stock vers le {date}.",
        "Nous livrons à {city} ; comptez en général {days} jours ouvrés.",
        "Nous avons ouvert une enquête auprès de {carrier} et vous tiendrons informée.",
        "J'ai annulé la commande {order} et remboursé l'intégralité, soit {amount}.",
        "Vous trouverez ci-joint la facture de la commande {order}.",
        "Pour nous excuser, voici un code de 10 % sur votre prochaine commande.",
    ),
}
GREETINGS = {"en": ("Hello,", "Hi,", "Dear {shop},", "Good morning,", "Hi there,"),
             "fr": ("Bonjour,", "Bonjour Madame, Monsieur,", "Bonsoir,", "Bonjour {shop},")}
SIGN_OFFS = {"en": ("Kind regards,", "Thanks,", "Best wishes,", "Many thanks,"),
             "fr": ("Cordialement,", "Bien à vous,", "Merci d'avance,", "Bonne journée,")}
TEAM = {"en": f"The {SHOP_NAME} team", "fr": f"L'équipe {SHOP_NAME}"}
WROTE = {"en": "On {date}, {name} <{addr}> wrote:", "fr": "Le {date}, {name} <{addr}> a écrit :"}
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass
class Corpus:
    threads: list[tuple[object, ...]] = field(default_factory=list)
    rows: list[tuple[object, ...]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    body_chars: int = 0
    raw_bytes: list[int] = field(default_factory=list)  # compressed size of each `raw`
    seconds: float = 0.0


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("'", "")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_word(text: str) -> str:
    if text.isascii():
        return text
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def _body(rng: random.Random, lang: str, sentences: Sequence[str], ctx: dict[str, str], sign: str,
          quoted: str, target: int) -> tuple[str, list[str]]:
    """Plain-text body of about `target` characters (300-3,000), and its own paragraphs (no quote)."""
    greeting = rng.choice(GREETINGS[lang]).format(**ctx)
    paragraphs: list[str] = []
    length = len(greeting) + len(sign) + 40
    if quoted:
        length += min(len(quoted), target // 2)
    while length < target or not paragraphs:
        para = " ".join(rng.choice(sentences).format(**ctx) for _ in range(rng.randint(1, 4)))
        paragraphs.append(para)
        length += len(para) + 2
    text = "\n\n".join([greeting, *paragraphs, f"{rng.choice(SIGN_OFFS[lang])}\n{sign}"])
    if quoted:
        text += "\n\n" + quoted
    if len(text) > 3000:
        text = text[:3000].rsplit(" ", 1)[0]
    return text, paragraphs


def _raw_message(rng: random.Random, headers: list[tuple[str, str]], body: str, body_html: str | None,
                 target_compressed: int, attachment: str) -> tuple[bytes, bool]:
    """An RFC 822 source; a random-bytes attachment (photo, invoice) brings zlib(raw) near the target."""
    boundary = f"=_{rng.getrandbits(64):016x}"
    dkim = base64.b64encode(rng.randbytes(256)).decode()
    head = [
        ("Return-Path", f"<{headers[0][1].rsplit('<', 1)[-1].rstrip('>')}>"),
        ("Received", f"from mail{rng.randint(1, 40)}.example.com (mail.example.com "
                     f"[192.0.2.{rng.randint(1, 254)}])\r\n\tby mx.example.com with ESMTPS id "
                     f"{rng.getrandbits(48):012x}"),
        ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s2025;\r\n\tb="
                           + "\r\n\t".join(dkim[i:i + 70] for i in range(0, len(dkim), 70))),
        *headers,
        ("MIME-Version", "1.0"),
    ]
    text_part = ('Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable'
                 f"\r\n\r\n{quopri.encodestring(body.encode()).decode()}")
    parts = [text_part]
    if body_html is not None:
        parts.append('Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable'
                     f"\r\n\r\n{quopri.encodestring(body_html.encode()).decode()}")

    def assemble(extra: list[str]) -> bytes:
        kind = "mixed" if extra else "alternative"
        lines = [f"{k}: {v}" for k, v in head]
        lines.append(f'Content-Type: multipart/{kind}; boundary="{boundary}"')
        text = "\r\n".join(lines) + "\r\n\r\n"
        for part in [*parts, *extra]:
            text += f"--{boundary}\r\n{part}\r\n"
        return (text + f"--{boundary}--\r\n").encode()

    raw = assemble([])
    room = target_compressed - len(zlib.compress(raw))
    if room < 300:
        return raw, False
    blob = base64.encodebytes(rng.randbytes(room - 150)).decode().replace("\n", "\r\n")
    ctype = "image/jpeg" if attachment.endswith(".jpg") else "application/pdf"
    part = (f'Content-Type: {ctype}; name="{attachment}"\r\nContent-Transfer-Encoding: base64\r\n'
            f'Content-Disposition: attachment; filename="{attachment}"\r\n\r\n{blob}')
    return assemble([part]), True


def build_corpus(count: int, seed: int, queries: int) -> Corpus:
    """`count` customer mails in threads of 1-4 (customer, shop reply, …), fully determined by `seed`."""
    started = time.perf_counter()
    rng = random.Random(seed)
    corpus = Corpus()
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    order_no = 10234
    uid = {1: 0, 2: 0}
    thread_id = 0
    while len(corpus.rows) < count:
        thread_id += 1
        lang = "fr" if rng.random() < 0.45 else "en"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        addr = f"{_ascii(first)}.{_ascii(last)}{rng.choice(('', '', str(rng.randint(1, 99))))}@example.com"
        order_no += rng.randint(1, 9)
        product, colour = rng.choice(PRODUCTS), rng.choice(COLOURS)
        idx = 0 if lang == "en" else 1
        moment = start + timedelta(seconds=rng.randint(0, 680 * 86400))
        ctx = {
            "order": f"#{order_no}", "tracking": f"{rng.choice(('6A', '8R', '5V', 'LA', 'CB'))}"
                                                 f"{rng.randint(10**10, 10**11 - 1)}",
            "carrier": rng.choice(CARRIERS), "product": product[idx], "colour": colour[idx],
            "size": rng.choice(SIZES), "city": rng.choice(CITIES), "days": str(rng.randint(2, 15)),
            "amount": f"{rng.randint(8, 240)},{rng.randint(0, 99):02d} €" if lang == "fr"
                      else f"£{rng.randint(8, 240)}.{rng.randint(0, 99):02d}",
            "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}, {rng.choice(CITIES)}",
            "date": (moment - timedelta(days=rng.randint(1, 20))).strftime("%d/%m/%Y"), "shop": SHOP_NAME,
        }
        subject = rng.choice(SUBJECTS[lang]).format(**ctx)
        size = min(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), count - len(corpus.rows))
        prev: tuple[str, str, str, str, list[str]] | None = None  # message-id, refs, addr, name, paragraphs
        first_at = moment
        for n in range(size):
            inbound = n % 2 == 0
            sender, sender_addr = (name, addr) if inbound else (SHOP_NAME, SHOP_ADDR)
            recipient = SHOP_ADDR if inbound else addr
            quoted = ""
            if prev is not None:
                when = moment.strftime("%d/%m/%Y %H:%M")
                quoted = WROTE[lang].format(date=when, name=prev[3], addr=prev[2])
                quoted += "\n" + "\n".join("> " + p for p in prev[4])
            sentences = CUSTOMER_SENTENCES[lang] if inbound else SHOP_SENTENCES[lang]
            sign = first if inbound else TEAM[lang]
            body, own = _body(rng, lang, sentences, ctx, sign, quoted, rng.randint(300, 3000))
            body_html = None
            if rng.random() < 0.7:
                paras = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
                body_html = f"<div>{paras}</div>"
            msg_subject = subject if n == 0 else ("Re: " if lang == "en" else "RE: ") + subject
            message_id = f"{rng.getrandbits(80):020x}@{'mail.example.com' if inbound else 'example.com'}"
            in_reply_to = prev[0] if prev else None
            refs = f"{prev[1]} {prev[0]}".strip() if prev else ""
            headers = [("From", f'"{_header_word(sender)}" <{sender_addr}>'), ("To", recipient),
                       ("Subject", _header_word(msg_subject)), ("Date", format_datetime(moment)),
                       ("Message-ID", f"<{message_id}>")]
            if prev:
                headers += [("In-Reply-To", f"<{prev[0]}>"),
                            ("References", " ".join(f"<{r}>" for r in refs.split()))]
            attachment = f"photo-{rng.randint(1000, 9999)}.jpg" if inbound else f"facture-{order_no}.pdf"
            raw, has_att = _raw_message(rng, headers, body, body_html, rng.randint(2048, 20480), attachment)
            packed = zlib.compress(raw)
            refs_found = " ".join(r for r in (ctx["order"], ctx["tracking"]) if r in body or r in msg_subject)
            folder = 1 if inbound else 2
            uid[folder] += 1
            corpus.rows.append((
                1, folder, thread_id, UIDVALIDITY, uid[folder], 1000 + len(corpus.rows), message_id,
                in_reply_to, refs, "in" if inbound else "out", msg_subject, sender_addr, sender, recipient,
                "",
                f"{name}, {SHOP_NAME}", _iso(moment), _iso(moment + timedelta(seconds=rng.randint(1, 90))),
                "\\Seen" if n < size - 1 or not inbound else "", int(n < size - 1 or not inbound),
                int(inbound and n < size - 1), " ".join(" ".join(own).split())[:200], body, body_html,
                refs_found, lang, packed, hashlib.sha256(raw).hexdigest(), len(raw), int(has_att),
            ))
            corpus.body_chars += len(body)
            corpus.raw_bytes.append(len(packed))
            prev = (message_id, refs, sender_addr, sender, own)
            last_at = moment
            moment += timedelta(minutes=rng.randint(20, 72 * 60))
        corpus.threads.append((thread_id, subject, subject.lower(), lang,
                               "answered" if size % 2 == 0 else "open", int(size % 2 == 1), size,
                               _iso(first_at), _iso(last_at)))
    # Query words: a random word of a random mail, so common words are drawn as often as they occur.
    for _ in range(queries):
        row = rng.choice(corpus.rows)
        corpus.queries.append(rng.choice(_WORD.findall(f"{row[10]} {row[22]}")))
    corpus.seconds = time.perf_counter() - started
    return corpus


# --- opening both kinds of database the same way --------------------------------------------------


def open_plain(path: Path, *, create: bool = False) -> sqlcipher3.Connection:
    """open_encrypted minus the key: same library, same checks, same pragmas in the same order."""
    exists = path.exists()
    if not exists and not create:
        raise FileNotFoundError(path)
    if exists and create:
        raise FileExistsError(path)
    if exists and path.stat().st_size == 0:
        raise ValueError(f"{path} is empty")
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # open_encrypted's key proof, minus key
    for pragma in PLAIN_PRAGMAS:
        conn.execute(pragma).fetchall()
    return conn


def opener(side: str, key: bytes) -> Callable[..., sqlcipher3.Connection]:
    if side == "encrypted":
        return lambda path, create=False: open_encrypted(path, key, create=create)
    return open_plain


def settings(conn: sqlcipher3.Connection, names: Sequence[str]) -> dict[str, str]:
    out = {}
    for name in names:
        rows = conn.execute(f"PRAGMA {name}").fetchall()
        out[name] = ", ".join(str(r[0]) for r in rows) if rows else "(none)"
    return out


def check_same_settings(plain: sqlcipher3.Connection, encrypted: sqlcipher3.Connection) -> dict[str, str]:
    """Fail unless every setting that affects speed reads the same on both connections."""
    a, b = settings(plain, COMPARED_SETTINGS), settings(encrypted, COMPARED_SETTINGS)
    diff = {k: (a[k], b[k]) for k in COMPARED_SETTINGS if a[k] != b[k]}
    if diff:
        raise SystemExit(f"unfair comparison, settings differ (plain, encrypted): {diff}")
    return a


def close_like_app(conn: sqlcipher3.Connection) -> None:
    """What Database.close does: checkpoint the WAL into the main file, then close."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- the workloads -----------------------------------------------------------------------------------


def populate(conn: sqlcipher3.Connection, corpus: Corpus) -> None:
    """Untimed setup: the account, its folders and the threads the messages belong to."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO accounts (id, name, email, display_name) VALUES (1, 'Boutique', ?, ?)",
                 (SHOP_ADDR, SHOP_NAME))
    conn.execute("INSERT INTO folders (id, account_id, name, role, uidvalidity) VALUES "
                 "(1, 1, 'INBOX', 'inbox', ?), (2, 1, 'Sent', 'sent', ?)", (UIDVALIDITY, UIDVALIDITY))
    conn.executemany(THREAD_SQL, corpus.threads)
    conn.execute("COMMIT")


def warm_up(rows: Sequence[tuple[object, ...]]) -> None:
    """Bind every row once, untimed: CPython caches a string's UTF-8 form the first time SQLite asks
    for it, so without this the first timed run would pay for encoding and the others would not."""
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute(f"CREATE TABLE t ({', '.join(MESSAGE_COLUMNS)})")
        conn.executemany(f"INSERT INTO t SELECT {', '.join('?' for _ in MESSAGE_COLUMNS)} WHERE 0", rows)
    finally:
        conn.close()


def timed_inserts(conn: sqlcipher3.Connection,
                  batches: Sequence[Sequence[tuple[object, ...]]]) -> tuple[float, float]:
    """Wall and CPU seconds to insert every batch in its own IMMEDIATE transaction."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(INSERT_SQL, batch)
        conn.execute("COMMIT")
    return time.perf_counter() - started, time.process_time() - cpu


@dataclass
class Results:
    insert: dict[str, list[float]] = field(default_factory=lambda: {"plain": [], "encrypted": []})
    insert_cpu: dict[str, list[float]] = field(default_factory=lambda: {"plain": [], "encrypted": []})
    open: dict[str, list[float]] = field(default_factory=lambda: {"plain": [], "encrypted": []})
    fts: dict[str, list[float]] = field(default_factory=lambda: {"plain": [], "encrypted": []})
    fts_hits: list[int] = field(default_factory=list)
    db_size: dict[str, int] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    cipher: dict[str, str] = field(default_factory=dict)
    sqlite_version: str = ""
    load: list[float] = field(default_factory=list)  # 1-minute load average before and after


def run(args: argparse.Namespace, log: Callable[[str], None]) -> tuple[Results, Corpus]:
    key = secrets.token_bytes(32)
    log(f"building {args.messages:,} mails (seed {args.seed}) …")
    corpus = build_corpus(args.messages, args.seed, args.queries)
    log(f"  {len(corpus.rows):,} mails in {len(corpus.threads):,} threads, {corpus.seconds:.1f} s")
    batches = [corpus.rows[i:i + BATCH] for i in range(0, len(corpus.rows), BATCH)]
    warm_up(corpus.rows)
    res = Results(load=[os.getloadavg()[0]])
    with work_dir("encryption") as work:
        keep: dict[str, Path] = {}
        for r in range(args.repeat):
            order = ("plain", "encrypted") if r % 2 == 0 else ("encrypted", "plain")
            for side in order:
                path = work / f"{side}-{r}.db"
                conn = opener(side, key)(path, create=True)
                migrate(conn, path)
                populate(conn, corpus)
                seconds, cpu = timed_inserts(conn, batches)
                close_like_app(conn)
                res.insert[side].append(seconds)
                res.insert_cpu[side].append(cpu)
                log(f"  insert run {r + 1}/{args.repeat} {side:>9}: {seconds:.2f} s (CPU {cpu:.2f} s)")
                if side in keep:
                    remove_db(keep[side])
                keep[side] = path
        res.db_size = {side: path.stat().st_size for side, path in keep.items()}
        check_files(keep, key, len(corpus.rows))

        plain, enc = open_plain(keep["plain"]), open_encrypted(keep["encrypted"], key)
        res.settings = check_same_settings(plain, enc)
        res.cipher = settings(enc, CIPHER_SETTINGS)
        res.sqlite_version = enc.execute("SELECT sqlite_version()").fetchone()[0]
        plain.close()
        enc.close()

        log(f"opening each database {args.opens} times …")
        for i in range(args.opens):
            for side in ("plain", "encrypted") if i % 2 == 0 else ("encrypted", "plain"):
                gc.collect()
                started = time.perf_counter()
                conn = opener(side, key)(keep[side])
                count = conn.execute(OPEN_SQL).fetchone()[0]
                res.open[side].append(time.perf_counter() - started)
                conn.close()
                assert count == len(corpus.rows), (side, count)

        log(f"running {len(corpus.queries)} FTS queries on each …")
        conns = {side: opener(side, key)(keep[side]) for side in ("plain", "encrypted")}
        for i, word in enumerate(corpus.queries):
            match = '"' + word.replace('"', '""') + '"'
            hits = {}
            for side in ("plain", "encrypted") if i % 2 == 0 else ("encrypted", "plain"):
                started = time.perf_counter()
                hits[side] = conns[side].execute(FTS_SQL, (match,)).fetchall()
                res.fts[side].append(time.perf_counter() - started)
            assert hits["plain"] == hits["encrypted"], f"FTS results differ for {word!r}"
            res.fts_hits.append(len(hits["plain"]))
        for conn in conns.values():
            conn.close()
    res.load.append(os.getloadavg()[0])
    return res, corpus


def check_files(paths: dict[str, Path], key: bytes, count: int) -> None:
    """The encrypted file is ciphertext that opens with just the key; the plain one is plain SQLite."""
    assert not file_looks_encrypted(paths["plain"]), "the plain database is not plain SQLite"
    assert file_looks_encrypted(paths["encrypted"]), "the encrypted database has a plain SQLite header"
    conn = sqlcipher3.connect(str(paths["encrypted"]))
    try:
        conn.execute(key_pragma(key))
        assert conn.execute(OPEN_SQL).fetchone()[0] == count
    finally:
        conn.close()


# --- the report --------------------------------------------------------------------------------------


def report(res: Results, corpus: Corpus, args: argparse.Namespace) -> tuple[str, bool]:
    n = len(corpus.rows)
    ins = {s: median(v) for s, v in res.insert.items()}
    opn = {s: median(v) for s, v in res.open.items()}
    f50 = {s: median(v) for s, v in res.fts.items()}
    f95 = {s: percentile(v, 95) for s, v in res.fts.items()}
    cpu = {s: median(v) for s, v in res.insert_cpu.items()}
    batches = len(corpus.rows) // BATCH + bool(len(corpus.rows) % BATCH)
    insert_ratio = ins["encrypted"] / ins["plain"]
    pairs = list(zip(res.insert["plain"], res.insert["encrypted"], strict=True))
    insert_ok = insert_ratio <= INSERT_TARGET_RATIO
    open_ok = opn["encrypted"] <= OPEN_TARGET_SECONDS
    ok = "**pass**"
    fail = "**FAIL**"

    def ratio(s: dict[str, float]) -> str:
        return f"{s['encrypted'] / s['plain']:.2f}×"

    lines = [
        "## Encryption: SQLCipher vs plain SQLite <a id=\"encryption\"></a>",
        "",
        f"Measured {now_utc()} by `bench/encryption.py`. Both sides use the same `sqlcipher3` build (so "
        "the same SQLite); the encrypted side is opened by the app's `open_encrypted` with a random raw "
        "32-byte key, the plain side by the same steps and pragmas without a key (settings compared "
        "before measuring), and both get the app's schema from `migrate`, FTS5 index and triggers included.",
        "",
        "| Workload | Plain SQLite | SQLCipher | Ratio | Target | Result |",
        "|---|---:|---:|---:|---|---|",
        f"| Insert {n:,} mails into `messages` (+ FTS), {BATCH}-row transactions, median of {args.repeat} "
        f"| {fmt_seconds(ins['plain'])} | {fmt_seconds(ins['encrypted'])} | {insert_ratio:.2f}× "
        f"| ≤ {INSERT_TARGET_RATIO:.2f}× plain | {ok if insert_ok else fail} |",
        f"| Open a {n:,}-mail database + `{OPEN_SQL}`, median of {args.opens} "
        f"| {fmt_seconds(opn['plain'])} | {fmt_seconds(opn['encrypted'])} | {ratio(opn)} "
        f"| ≤ {OPEN_TARGET_SECONDS * 1000:.0f} ms encrypted | {ok if open_ok else fail} |",
        f"| FTS5 `MATCH … ORDER BY rank LIMIT 50`, {len(corpus.queries)} corpus words, median "
        f"| {fmt_seconds(f50['plain'])} | {fmt_seconds(f50['encrypted'])} | {ratio(f50)} | — | info |",
        f"| FTS5 same queries, p95 | {fmt_seconds(f95['plain'])} | {fmt_seconds(f95['encrypted'])} "
        f"| {ratio(f95)} | — | info |",
        "",
        "Details:",
        "",
        f"- Insert runs (s), alternating which side goes first: plain "
        f"{', '.join(f'{x:.2f}' for x in res.insert['plain'])}; encrypted "
        f"{', '.join(f'{x:.2f}' for x in res.insert['encrypted'])}; ratio within each pair "
        f"{', '.join(f'{e / p:.2f}' for p, e in pairs)}. "
        f"CPU time, medians: plain {fmt_seconds(cpu['plain'])}, encrypted {fmt_seconds(cpu['encrypted'])} "
        f"({cpu['encrypted'] / cpu['plain']:.2f}×). Each run starts from a new, migrated database; the timer "
        f"covers the {batches} `BEGIN IMMEDIATE` … `executemany` … `COMMIT` batches (WAL "
        "auto-checkpoints included, the final checkpoint on close not).",
        f"- Open: min/max plain {fmt_seconds(min(res.open['plain']))}/{fmt_seconds(max(res.open['plain']))}, "
        f"encrypted {fmt_seconds(min(res.open['encrypted']))}/{fmt_seconds(max(res.open['encrypted']))}; "
        "timed from `connect` to the count's row (file in the OS cache, as on a second launch), closed "
        "between.",
        f"- FTS: {sum(h == 50 for h in res.fts_hits)} of {len(res.fts_hits)} queries hit the 50-row limit; "
        "identical results on both sides (checked); one connection per side, alternating per query.",
        f"- Corpus (seed {args.seed}): {n:,} English/French mails in {len(corpus.threads):,} threads, bodies "
        f"{corpus.body_chars / n:,.0f} characters on average, zlib `raw` {fmt_bytes(min(corpus.raw_bytes))}–"
        f"{fmt_bytes(max(corpus.raw_bytes))} (median {fmt_bytes(median(corpus.raw_bytes))}).",
        f"- Database files after the last run (checkpointed): plain {fmt_bytes(res.db_size['plain'])}, "
        f"encrypted {fmt_bytes(res.db_size['encrypted'])} (SQLCipher reserves 80 bytes per page for IV + "
        "HMAC).",
        "- Settings, identical on both sides: "
        + ", ".join(f"{k}={v}" for k, v in res.settings.items()) + ".",
        "- SQLCipher: " + ", ".join(f"{k}={v}" for k, v in res.cipher.items() if k != "cipher_version")
        + "; raw key, so no PBKDF2 on open.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine_info().items())
        + f"; SQLite {res.sqlite_version} (`sqlite_version()`), SQLCipher {res.cipher['cipher_version']} "
        f"(`PRAGMA cipher_version`). Load average (1 min) {res.load[0]:.2f} before, {res.load[-1]:.2f} "
        "after: anything well above 1 means other work shared the machine and the figures are noisier.",
        "",
        "Reproduce from the repo root with the venv active:",
        "",
        "```sh",
        reproduce_command("bench.encryption"),
        "```",
    ]
    return "\n".join(lines), insert_ok and open_ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.encryption", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="mails to insert (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="insert runs per side (default 3)")
    parser.add_argument("--opens", type=int, default=20, help="timed opens per side (default 20)")
    parser.add_argument("--queries", type=int, default=200, help="FTS queries (default 200)")
    parser.add_argument("--seed", type=int, default=20261123, help="corpus seed")
    parser.add_argument("--write-results", action="store_true", help="update the encryption section of "
                        "bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.repeat < 1 or args.opens < 1 or args.queries < 1:
        parser.error("counts must be positive")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    res, corpus = run(args, log)
    text, passed = report(res, corpus, args)
    print(text)
    if args.write_results:
        replace_section(SECTION, text)
        log("updated bench/RESULTS.md")
    log("all targets met" if passed else "a target was missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
