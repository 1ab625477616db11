"""Deterministic generator of realistic customer mails for benchmarks and bulk test data.

`generate(n, seed=1)` returns `n` RFC 5322 messages (bytes, CRLF line endings) as a small online shop receives
them: French and English customers asking where order #10234 is, sending a photo of a broken mug, asking for
a refund or an invoice, thanking… The same `(n, seed)` always gives the same bytes (only `random.Random(seed)`
is used: no clock, no hash randomisation). `generate_mails()` returns the same messages with what went into
them (order number, tracking number, thread, language, MIME shape) for benchmarks that check extraction.

The mix, per message (approximate shares):
  - shape: text/plain 25 %, multipart/alternative 38 %, HTML only 12 % (contact-form notifications and
    webmails), multipart/mixed with 1–2 small attachments 20 % (PDF-ish invoices and return labels,
    JPEG-ish photos), multipart/related with an inline PNG logo 5 %;
  - mail client: Gmail, Outlook (Word HTML, windows-1252 or iso-8859-1), Apple Mail/iPhone (format=flowed),
    Thunderbird, French webmails, and the shop's contact form (From the platform, Reply-To the customer);
  - charsets: utf-8, iso-8859-1, windows-1252 (text re-spelt where the charset lacks a character, as a mail
    client would), us-ascii; transfer encodings quoted-printable, base64 and 8bit; 1–2 % are labelled
    iso-8859-1 but carry windows-1252 bytes (€, ’), as Outlook does;
  - headers: RFC 2047 subjects and display names (B and Q, utf-8/iso-8859-1/windows-1252, folded), Received
    chains, DKIM, ARC and Authentication-Results, client-specific headers; RFC 2231 attachment names;
  - threads: about a third are follow-ups (Re:/RE:/Réf.) with In-Reply-To/References pointing at the shop's
    reply, quoting it (the reply often carries the tracking number);
  - facts: order numbers "#10234" (written #10234, n°10234, commande 10234, order no. 10234…), tracking numbers
    of Colissimo, La Poste/Chronopost and Royal Mail (S10 with a valid check digit), UPS, DHL, Mondial Relay;
    fictional phone numbers from the ranges reserved for fiction (ARCEP 06 39 98, Ofcom 07700 900), the
    documentation IBAN FR76 3000 6000 0112 3456 7890 189, and only `.example` domains (RFC 2606).
  - sizes: 96 % between 2 and 30 KB, median about 4 KB; some with attachments reach 50 KB.

Run from the repo root: `python -m bench.mailgen --count 10000 --out DIR [--seed 1]` writes DIR/00001.eml…
"""

from __future__ import annotations

import argparse
import base64
import html
import quopri
import random
import sys
import textwrap
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

SHOP_NAME = "Atelier Lumière"
SHOP_ADDR = "contact@atelier-lumiere.example"
SHOP_DOMAIN = "atelier-lumiere.example"
PARIS = timezone(timedelta(hours=1))
START = datetime(2026, 1, 5, 8, 0, tzinfo=PARIS)

FIRST = {
    "fr": ("Camille", "Léa", "Chloé", "Inès", "Hélène", "Anaïs", "François", "Benoît", "Jérôme", "Émilie", "Zoé",
           "Noël", "Gaëlle", "Maëlys", "Céline", "Thierry", "Sébastien", "Aurélie", "Loïc", "Mathis", "Jeanne"),
    "en": ("Olivia", "Grace", "Oliver", "George", "Hannah", "James", "Amelia", "Harry", "Isla", "Jack", "Sophie",
           "Chloe", "Liam", "Siobhán", "Emily", "Thomas", "Ava", "Noah", "Ruby", "Aoife"),
}
LAST = {
    "fr": ("Martin", "Dubois", "Lefèvre", "Guérin", "Moreau", "Girard", "Dupont", "Fontaine", "Rousseau", "Mercier",
           "Chevalier", "Blanc", "Faure", "Roux", "Bénard", "Lemaître", "Gauthier", "Perrin", "Thévenin", "Hébert"),
    "en": ("Smith", "Jones", "O'Brien", "Taylor", "Walker", "Clarke", "Kelly", "Hall", "Wright", "Evans", "Hughes",
           "Murphy", "Byrne", "Green", "Ó Súilleabháin", "Davies", "Wilson", "Brown", "Lewis", "Roberts"),
}
CITIES = {"fr": (("Lyon", "69003"), ("Bordeaux", "33000"), ("Nantes", "44000"), ("Lille", "59000"),
                 ("Besançon", "25000"), ("Saint-Étienne", "42000"), ("Montréal", "H2X 1Y4"), ("Genève", "1204")),
          "en": (("London", "SW1A 1AA"), ("Bristol", "BS1 4DJ"), ("Dublin", "D02 X285"), ("Manchester", "M1 1AE"),
                 ("Edinburgh", "EH1 1YZ"), ("Cork", "T12 X70A"))}
STREETS = {"fr": ("12 rue des Lilas", "3 avenue Jean Jaurès", "27 chemin des Vignes", "8 place de l'Église",
                  "41 boulevard Voltaire", "5 impasse des Tilleuls"),
           "en": ("8 High Street", "5 Mill Lane", "14 Church Road", "2 Station Approach", "77 Victoria Road")}
PRODUCTS = {"fr": ("mug en céramique", "bougie parfumée", "torchon en lin", "vase en grès", "plaid en laine",
                   "carnet relié main", "lampe en laiton", "bol émaillé"),
            "en": ("ceramic mug", "scented candle", "linen tea towel", "stoneware vase", "wool throw",
                   "hand-bound notebook", "brass lamp", "glazed bowl")}

# Everything a customer writes comes from here. Keys of the dict: the intents.
SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "where": {"fr": ("Où en est ma commande {order_ref} ?", "Commande {order} non reçue",
                     "Toujours pas reçu ma commande", "Suivi de commande n°{order}"),
              "en": ("Where is my order {order_ref}?", "Order {order} not received", "Still waiting for my parcel",
                     "Tracking for order no. {order}")},
    "damaged": {"fr": ("{product} arrivé cassé", "Colis abîmé – commande {order_ref}",
                       "Produit endommagé à la livraison"),
                "en": ("{product} arrived broken", "Damaged parcel – order {order_ref}", "Item damaged in transit")},
    "return": {"fr": ("Demande de retour commande {order_ref}", "Retour / échange taille",
                      "Rétractation commande {order}"),
               "en": ("Return request for order {order_ref}", "Exchange for a different size",
                      "I'd like to return my order")},
    "refund": {"fr": ("Remboursement commande {order_ref} — toujours rien", "Où en est mon remboursement ?"),
               "en": ("Refund for order {order_ref}", "Still no refund — order {order}")},
    "address": {"fr": ("Changement d'adresse de livraison", "Erreur d'adresse sur la commande {order_ref}"),
                "en": ("Change of delivery address", "Wrong address on order {order_ref}")},
    "invoice": {"fr": ("Demande de facture {order_ref}", "Facture pour ma société"),
                "en": ("Invoice for order {order_ref}", "VAT invoice please")},
    "question": {"fr": ("Question sur le {product}", "Le {product} passe-t-il au lave-vaisselle ?",
                        "Disponibilité {product}"),
                 "en": ("Question about the {product}", "Is the {product} dishwasher safe?",
                        "{product} back in stock?")},
    "thanks": {"fr": ("Merci !", "Très contente de ma commande {order_ref}", "Bien reçu 🙂"),
               "en": ("Thank you!", "Lovely {product}", "Received, thanks 🙂")},
}
SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "where": {
        "fr": ("J'ai passé la commande {order_ref} le {date} et je ne l'ai toujours pas reçue.",
               "Le numéro de suivi {tracking} n'a pas bougé depuis {days} jours.",
               "Sur le site du transporteur, il est indiqué « colis en cours d'acheminement » depuis le {date}.",
               "Pourriez-vous me dire quand mon {product} sera expédié ?",
               "C'est un cadeau d'anniversaire pour samedi, j'espère le recevoir à temps…",
               "Je suis joignable au {phone} si besoin."),
        "en": ("I placed order {order_ref} on {date} and it still hasn't arrived.",
               "The tracking number {tracking} hasn't been updated for {days} days.",
               "The carrier's website has said \"in transit\" since {date}.",
               "Could you tell me when my {product} will be shipped?",
               "It's a birthday present for Saturday, so I'm getting a bit worried…",
               "You can reach me on {phone} if needed."),
    },
    "damaged": {
        "fr": ("Le {product} est arrivé cassé : le carton était écrasé et un coin est brisé.",
               "Je vous joins une photo du colis et de l'article.",
               "Le livreur l'a déposé devant la porte sous la pluie, l'emballage était trempé.",
               "Pouvez-vous m'en renvoyer un ou me rembourser {amount} € ?",
               "C'est dommage car la pièce est vraiment jolie."),
        "en": ("The {product} arrived broken: the box was crushed and one corner is chipped.",
               "I've attached a photo of the parcel and the item.",
               "The courier left it on the doorstep in the rain and the packaging was soaked.",
               "Could you send a replacement or refund me £{amount}?",
               "Such a shame, it's a really lovely piece."),
    },
    "return": {
        "fr": ("Je souhaite retourner le {product} de la commande {order_ref}, la couleur ne convient pas.",
               "Pouvez-vous m'envoyer une étiquette de retour ?",
               "Est-il possible de l'échanger contre la taille au-dessus ?",
               "J'exerce mon droit de rétractation dans le délai de 14 jours.",
               "L'article n'a pas été utilisé et est dans son emballage d'origine."),
        "en": ("I'd like to return the {product} from order {order_ref}; the colour isn't right.",
               "Could you send me a returns label?",
               "Would it be possible to exchange it for the next size up?",
               "I'm within the 14-day cancellation period.",
               "The item is unused and still in its original packaging."),
    },
    "refund": {
        "fr": ("Vous m'avez confirmé le {date} le remboursement de {amount} € pour la commande {order_ref}.",
               "Je n'ai toujours rien reçu sur mon compte.",
               "Voici mon IBAN si besoin : FR76 3000 6000 0112 3456 7890 189.",
               "Merci de me tenir informée rapidement, cela fait maintenant {days} jours."),
        "en": ("On {date} you confirmed a refund of £{amount} for order {order_ref}.",
               "Nothing has reached my account yet.",
               "My bank says it can take a few days, but it has now been {days} days.",
               "Please let me know what is happening."),
    },
    "address": {
        "fr": ("Je me suis trompée d'adresse pour la commande {order_ref}.",
               "La bonne adresse est : {street}, {postcode} {city}.",
               "Si le colis est déjà parti, pouvez-vous prévenir le transporteur ?"),
        "en": ("I entered the wrong address for order {order_ref}.",
               "The correct address is: {street}, {city} {postcode}.",
               "If the parcel has already shipped, could you let the courier know?"),
    },
    "invoice": {
        "fr": ("Pourriez-vous m'envoyer une facture pour la commande {order_ref} ?",
               "Elle doit être au nom de ma société, SARL Les Petits Riens, {street}, {postcode} {city}.",
               "Notre numéro de TVA intracommunautaire est FR32 123456789."),
        "en": ("Could you send me an invoice for order {order_ref}?",
               "It needs to show VAT and be addressed to my company at {street}, {city} {postcode}.",
               "Many thanks in advance."),
    },
    "question": {
        "fr": ("Le {product} passe-t-il au lave-vaisselle et au micro-ondes ?",
               "Quelles sont les dimensions exactes ?",
               "Sera-t-il de nouveau disponible avant Noël ?",
               "Livrez-vous en Belgique et en Suisse ?"),
        "en": ("Is the {product} dishwasher and microwave safe?",
               "What are the exact dimensions?",
               "Will it be back in stock before Christmas?",
               "Do you ship to Ireland and the Channel Islands?"),
    },
    "thanks": {
        "fr": ("J'ai bien reçu le {product}, il est magnifique !",
               "Merci pour le petit mot manuscrit dans le colis.",
               "Je recommanderai votre boutique à mes amies."),
        "en": ("The {product} arrived today and it's gorgeous!",
               "Thank you for the handwritten note in the parcel.",
               "I'll definitely be ordering again."),
    },
}
REPLIES = {  # what the shop answered: quoted by follow-ups
    "fr": ("Bonjour {first},\n\nMerci pour votre message. Votre commande {order_ref} a été expédiée le {date} avec "
           "{carrier}. Numéro de suivi : {tracking}\nVous pouvez suivre votre colis ici : "
           "https://suivi.{carrier_host}/{tracking}\n\nBelle journée,\nMarion — " + SHOP_NAME,
           "Bonjour {first},\n\nNous sommes désolés pour ce désagrément. Pourriez-vous nous envoyer une photo de "
           "l'article et de l'emballage ? Nous vous renverrons un {product} dès réception.\n\nBien à vous,\n"
           "Marion — " + SHOP_NAME,
           "Bonjour {first},\n\nVotre remboursement de {amount} € a été effectué le {date}. Il apparaîtra sur votre "
           "compte sous 5 à 10 jours ouvrés.\n\nCordialement,\nL'équipe " + SHOP_NAME),
    "en": ("Hi {first},\n\nThanks for getting in touch. Your order {order_ref} was shipped on {date} with "
           "{carrier}. Tracking number: {tracking}\nYou can follow it here: https://track.{carrier_host}/{tracking}"
           "\n\nHave a lovely day,\nMarion — " + SHOP_NAME,
           "Hi {first},\n\nSo sorry about this. Could you send us a photo of the item and the packaging? We'll post "
           "a new {product} as soon as we have it.\n\nBest wishes,\nMarion — " + SHOP_NAME,
           "Hi {first},\n\nYour refund of £{amount} was processed on {date}. It should reach your account within "
           "5–10 working days.\n\nKind regards,\nThe " + SHOP_NAME + " team"),
}
FOLLOW_UPS = {
    "fr": ("Merci pour votre réponse rapide.", "Le suivi indique toujours la même chose depuis {days} jours.",
           "Voici la photo demandée.", "Je n'ai toujours rien reçu, pouvez-vous relancer le transporteur ?",
           "Parfait, merci beaucoup !", "Le colis est finalement arrivé, merci."),
    "en": ("Thanks for the quick reply.", "The tracking still says the same as {days} days ago.",
           "Here's the photo you asked for.", "Still nothing here, could you chase the courier?",
           "Perfect, thank you so much!", "The parcel finally arrived, thanks."),
}
GREET = {"fr": ("Bonjour,", "Bonjour Madame, Monsieur,", "Bonsoir,", "Bonjour Marion,", "Hello,"),
         "en": ("Hello,", "Hi,", "Hi there,", "Good morning,", "Dear Sir or Madam,")}
BYE = {"fr": ("Cordialement,", "Bien à vous,", "Merci d'avance,", "Bonne journée,", "Belle soirée,"),
       "en": ("Kind regards,", "Thanks,", "Best wishes,", "Many thanks,", "Cheers,")}
ORDER_REFS = {"fr": ("#{order}", "n°{order}", "#{order}", "{order}", "N° {order}"),
              "en": ("#{order}", "no. {order}", "#{order}", "{order}", "number {order}")}
FR_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
FR_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
CARRIERS = (("Colissimo", "laposte.example"), ("Chronopost", "chronopost.example"), ("UPS", "ups.example"),
            ("DHL", "dhl.example"), ("Mondial Relay", "mondialrelay.example"), ("Royal Mail", "royalmail.example"))
# Latin-1 has neither the euro sign nor typographic quotes: a client writing iso-8859-1 spells them out.
LATIN1_SPELLING = str.maketrans({"€": "EUR", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "–": "-", "—": "-",
                                 "œ": "oe", "Œ": "OE", "🙂": ":-)"})
ASCII_SPELLING = str.maketrans({"«": '"', "»": '"', "£": "GBP ", " ": " ", "°": "o"})


@dataclass(frozen=True)
class Mail:
    raw: bytes
    message_id: str
    thread: int           # mails of one conversation share it
    lang: str             # "fr" or "en"
    client: str           # gmail, outlook, apple, thunderbird, webmail, form
    shape: str            # plain, alternative, html, mixed, related
    charset: str
    order: str            # "#10234"
    tracking: str | None  # present in the text or the quoted reply, if any
    in_reply_to: str | None


@dataclass
class _Thread:
    number: int
    lang: str
    first: str
    last: str
    addr: str
    client: str
    intent: str
    subject: str
    facts: dict[str, str]
    references: list[str] = field(default_factory=list)
    last_time: datetime = START


# --- encodings ---------------------------------------------------------------------------------------------------

def _ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _for_charset(text: str, charset: str) -> str:
    """What a client using `charset` would have written: characters it lacks spelt another way."""
    if charset == "iso-8859-1":
        text = text.translate(LATIN1_SPELLING)
    elif charset == "us-ascii":
        text = _ascii_fold(text.translate(LATIN1_SPELLING).translate(ASCII_SPELLING))
    return text.encode(charset, "replace").decode(charset)


def _encoded_words(text: str, charset: str, mode: str) -> list[str]:
    """RFC 2047 encoded words of at most 75 characters, split between characters."""
    prefix, limit = f"=?{charset}?{mode}?", 75 - len(charset) - 6
    words, chunk = [], b""

    def q(data: bytes) -> str:
        return "".join(chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in "!*+-/" else
                       "_" if b == 32 else f"={b:02X}" for b in data)

    def size(data: bytes) -> int:
        return len(base64.b64encode(data)) if mode == "B" else len(q(data))

    for char in text:
        data = char.encode(charset, "replace")
        if chunk and size(chunk + data) > limit:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    encode = (lambda d: base64.b64encode(d).decode()) if mode == "B" else q
    return [f"{prefix}{encode(word)}?=" for word in words]


def _header(name: str, value: str, rng: random.Random, charset: str = "utf-8", mode: str | None = None) -> str:
    """`Name: value`, RFC 2047-encoded if not ASCII, folded at 78 columns."""
    if value.isascii():
        lines, line = [], f"{name}:"
        for word in value.split(" "):
            if len(line) + 1 + len(word) > 78 and line != f"{name}:":
                lines.append(line)
                line = ""
            line += " " + word
        return "\r\n".join([*lines, line])
    mode = mode or rng.choice("BQ")
    plain = ""
    if mode == "Q" and rng.random() < 0.6:  # Thunderbird and Apple Mail leave the ASCII words in front as they are
        words = value.split(" ")
        lead = 0
        while lead < len(words) - 1 and words[lead].isascii():
            lead += 1
        if lead:
            plain, value = " ".join(words[:lead]) + " ", " ".join(words[lead:])
    return f"{name}: {plain}" + "\r\n ".join(_encoded_words(value, charset, mode))


def _address(name: str, addr: str, rng: random.Random, charset: str) -> str:
    if name.isascii():
        return f'"{name}" <{addr}>' if ("'" in name or rng.random() < 0.3) else f"{name} <{addr}>"
    return " ".join(_encoded_words(name, charset, rng.choice("BQ"))) + f" <{addr}>"


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _body_bytes(text: str, charset: str, encoding: str) -> bytes:
    """Encode `text` (\\n line ends) as a MIME body with CRLF line ends."""
    if encoding == "base64":
        data = base64.encodebytes(_crlf(text).encode(charset, "replace"))
        return data.replace(b"\n", b"\r\n")
    if encoding == "quoted-printable":
        return quopri.encodestring(text.encode(charset, "replace")).replace(b"\n", b"\r\n")
    return _crlf(text).encode(charset, "replace")


def _rfc2231(name: str) -> str:
    return "".join(chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in "._-" else f"%{b:02X}"
                   for b in name.encode())


# --- binary attachments ------------------------------------------------------------------------------------------

def _pdf(rng: random.Random, size: int) -> bytes:
    stream = rng.randbytes(size)
    parts = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
             b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
             b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
             b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n",
             b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream), stream,
             b"\nendstream\nendobj\n"]
    body = b"".join(parts)
    return body + b"xref\n0 5\ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(body)


def _jpeg(rng: random.Random, size: int) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00H\x00H\x00\x00" + rng.randbytes(size) + b"\xff\xd9"


def _png(rng: random.Random, size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = (160).to_bytes(4, "big") + (48).to_bytes(4, "big") + b"\x08\x06\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rng.randbytes(size)) + chunk(b"IEND", b"")


# --- facts -------------------------------------------------------------------------------------------------------

def _s10(rng: random.Random, prefix: str, country: str) -> str:
    """A UPU S10 number (La Poste, Chronopost, Royal Mail international) with its check digit."""
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{''.join(map(str, digits))}{check}{country}"


def _tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "Colissimo":
        return rng.choice(("6A", "8R", "6C")) + "".join(str(rng.randrange(10)) for _ in range(11))
    if carrier == "Chronopost":
        return _s10(rng, rng.choice(("XY", "XR", "EE")), "FR")
    if carrier == "Royal Mail":
        return _s10(rng, rng.choice(("RR", "LX", "AB")), "GB")
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(6)) + \
            "".join(str(rng.randrange(10)) for _ in range(10))
    if carrier == "DHL":
        return "JJD00" + "".join(str(rng.randrange(10)) for _ in range(16))
    return "".join(str(rng.randrange(10)) for _ in range(8))  # Mondial Relay


def _phone(rng: random.Random, lang: str) -> str:
    if lang == "fr":  # ARCEP: 06 39 98 00 00 – 06 39 98 99 99 are reserved for fiction
        return f"06 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}"
    return f"07700 900{rng.randrange(1000):03d}"  # Ofcom's drama range


def _human_date(moment: datetime, lang: str) -> str:
    return moment.strftime("%d/%m/%Y") if lang == "fr" else moment.strftime("%d %B %Y").lstrip("0")


def _attribution(moment: datetime, lang: str, style: str) -> str:
    who = f"{SHOP_NAME} <{SHOP_ADDR}>"
    if style == "outlook":
        when = moment.strftime("%d/%m/%Y %H:%M")
        return (f"De : {who}\nEnvoyé : {when}\nÀ : vous\nObjet : Re" if lang == "fr" else
                f"From: {who}\nSent: {when}\nTo: you\nSubject: Re")
    if lang == "fr":
        return (f"Le {FR_DAYS[moment.weekday()]} {moment.day} {FR_MONTHS[moment.month - 1]} {moment.year} à "
                f"{moment:%H:%M}, {who} a écrit :")
    return f"On {moment:%a}, {moment.day} {moment:%b %Y} at {moment:%H:%M}, {who} wrote:"


# --- clients -----------------------------------------------------------------------------------------------------

CLIENTS = ("gmail", "outlook", "apple", "thunderbird", "webmail", "form")
CLIENT_WEIGHTS = (34, 20, 18, 8, 12, 8)
DOMAINS = {"gmail": ("gmail.example",), "outlook": ("outlook.example", "hotmail.example", "live.example"),
           "apple": ("icloud.example", "me.example", "orange.example"),
           "thunderbird": ("free.example", "posteo.example"),
           "webmail": ("orange.example", "laposte.example", "sfr.example", "wanadoo.example", "yahoo.example"),
           "form": ("gmail.example", "orange.example", "outlook.example")}


def _message_id(rng: random.Random, client: str, domain: str) -> str:
    if client == "gmail":
        token = base64.b64encode(rng.randbytes(30), b"+_").decode().rstrip("=")
        return f"CA{token}@mail.gmail.example"
    if client == "outlook":
        box = f"PR{rng.randrange(10)}P{rng.randrange(100, 999)}MB{rng.randrange(1000, 9999)}"
        return f"{box}{rng.getrandbits(64):016X}@{box}.EURP{rng.randrange(100, 999)}.PROD.OUTLOOK.example"
    if client in ("apple", "thunderbird"):
        u = f"{rng.getrandbits(128):032X}"
        return f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}@{domain}"
    if client == "form":
        return f"form.{rng.getrandbits(48):012x}@shops.{SHOP_DOMAIN}"
    return f"{rng.getrandbits(40):x}.{rng.getrandbits(32):x}.JavaMail.open-xchange@{domain}"


def _boundary(rng: random.Random, client: str) -> str:
    if client == "gmail":
        return f"000000000000{rng.getrandbits(48):012x}"
    if client == "outlook":
        return f"_000_PR{rng.getrandbits(64):016X}_"
    if client == "apple":
        return f"Apple-Mail={rng.getrandbits(128):032X}"
    if client == "thunderbird":
        return "------------" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(24))
    return f"=_{rng.getrandbits(96):024x}"


def _trace_headers(rng: random.Random, addr: str, moment: datetime) -> list[str]:
    domain = addr.rsplit("@", 1)[1]
    lines = [f"Return-Path: <{addr}>", f"Delivered-To: {SHOP_ADDR}"]
    hops = rng.randint(2, 4)
    for hop in range(hops):
        ip = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
        stamp = format_datetime(moment + timedelta(seconds=hops - hop))
        lines.append(f"Received: from mail{hop}.{domain} (mail{hop}.{domain} [{ip}])\r\n\tby mx{hop}.{SHOP_DOMAIN} "
                     f"(Postfix) with ESMTPS id {rng.getrandbits(40):010X}\r\n\tfor <{SHOP_ADDR}>; {stamp}")
    def signature() -> str:
        blob = base64.b64encode(rng.randbytes(256)).decode()
        return "\r\n\t ".join(blob[i:i + 70] for i in range(0, len(blob), 70))

    if rng.random() < 0.4:
        lines += [f"ARC-Seal: i=1; a=rsa-sha256; t={int(moment.timestamp())}; cv=none;\r\n\td=google.example; "
                  f"s=arc-20240605;\r\n\tb={signature()}",
                  f"ARC-Authentication-Results: i=1; mx.google.example;\r\n\tdkim=pass header.i=@{domain};\r\n\t"
                  f"spf=pass smtp.mailfrom={addr};\r\n\tdmarc=pass (p=NONE sp=NONE dis=NONE) header.from={domain}"]
    lines += [f"Authentication-Results: mx0.{SHOP_DOMAIN};\r\n\tdkim=pass (2048-bit key) header.d={domain} "
              f"header.i=@{domain} header.b=\"{rng.getrandbits(32):08x}\";\r\n\tspf=pass smtp.mailfrom={addr};\r\n\t"
              f"dmarc=pass (p=none dis=none) header.from={domain}",
              f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s2025;\r\n\t"
              f"t={int(moment.timestamp())}; h=from:to:subject:date:message-id:mime-version;\r\n\t"
              f"bh={base64.b64encode(rng.randbytes(32)).decode()};\r\n\tb={signature()}"]
    return lines


def _client_headers(rng: random.Random, client: str, lang: str, moment: datetime) -> list[str]:
    if client == "outlook":
        index = base64.b64encode(rng.randbytes(22)).decode()
        return [f"Thread-Index: {index}", f"Content-Language: {'fr-FR' if lang == 'fr' else 'en-GB'}",
                "X-MS-Has-Attach:", "X-MS-TNEF-Correlator:",
                f"x-ms-exchange-senderadcheck: 1\r\nx-ms-traffictypediagnostic: PR3P192MB{rng.randrange(1000, 9999)}:"
                "EE_|AS8P192MB0000:EE_",
                "X-Mailer: Microsoft Outlook 16.0" if rng.random() < 0.5 else "X-MS-Exchange-Organization-SCL: 1"]
    if client == "apple":
        return [rng.choice(("X-Mailer: iPhone Mail (22D82)", "X-Mailer: Apple Mail (2.3826.400.131.1.6)"))]
    if client == "thunderbird":
        return ["User-Agent: Mozilla Thunderbird", f"Content-Language: {'fr' if lang == 'fr' else 'en-GB'}"]
    if client == "webmail":
        return [rng.choice(("X-Mailer: Open-Xchange Mailer v7.10.6-Rev51", "X-Originating-IP: [203.0.113.17]",
                            "User-Agent: Roundcube Webmail/1.6.9"))]
    if client == "form":
        return [f"X-Shop-Form: contact; submitted={moment:%Y-%m-%dT%H:%M:%S%z}", "Auto-Submitted: auto-generated"]
    return []


# --- HTML --------------------------------------------------------------------------------------------------------

def _paragraphs_html(paragraphs: Sequence[str]) -> list[str]:
    return [html.escape(p).replace("\n", "<br>") for p in paragraphs]


def _html_for(client: str, paragraphs: Sequence[str], quote: str | None, lang: str, rng: random.Random) -> str:
    paras = _paragraphs_html(paragraphs)
    quoted = "<br>".join(html.escape(line) for line in quote.split("\n")) if quote else ""
    if client == "outlook":
        style = ("<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:\"Cambria Math\";\n\t"
                 "panose-1:2 4 5 3 5 4 6 3 2 4;}\n@font-face\n\t{font-family:Aptos;}\n/* Style Definitions */\n"
                 "p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:12.0pt;\n\t"
                 "font-family:\"Aptos\",sans-serif;\n\t"
                 "mso-ligatures:standardcontextual;\n\tmso-fareast-language:EN-US;}\na:link, span.MsoHyperlink\n\t"
                 "{mso-style-priority:99;\n\tcolor:#467886;\n\ttext-decoration:underline;}\nspan.EmailStyle17\n\t"
                 "{mso-style-type:personal-compose;\n\tfont-family:\"Aptos\",sans-serif;\n\tcolor:windowtext;}\n"
                 ".MsoChpDefault\n\t{mso-style-type:export-only;\n\tfont-size:10.0pt;\n\tmso-ligatures:none;}\n"
                 "@page WordSection1\n\t{size:612.0pt 792.0pt;\n\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\n"
                 "div.WordSection1\n\t{page:WordSection1;}\n--></style><!--[if gte mso 9]><xml>\n<o:shapedefaults "
                 "v:ext=\"edit\" spidmax=\"1026\" />\n</xml><![endif]--><!--[if gte mso 9]><xml>\n<o:shapelayout "
                 "v:ext=\"edit\">\n<o:idmap v:ext=\"edit\" data=\"1\" />\n</o:shapelayout></xml><![endif]-->")
        body = "".join(f'<p class="MsoNormal"><span lang="{lang.upper()}" style="font-size:11.0pt">{p}<o:p></o:p>'
                       '</span></p>\n<p class="MsoNormal"><span style="font-size:11.0pt"><o:p>&nbsp;</o:p></span></p>\n'
                       for p in paras)
        if quoted:
            body += ('<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
                     f'<p class="MsoNormal"><span style="font-size:11.0pt">{quoted}</span></p></div>\n')
        return ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/'
                'omml" xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n<meta http-equiv="Content-Type" '
                'content="text/html; charset=utf-8">\n<meta name="Generator" content="Microsoft Word 15 (filtered '
                f'medium)">\n{style}\n</head>\n<body lang="{lang.upper()}" link="#467886" vlink="#96607D" '
                f'style="word-wrap:break-word">\n<div class="WordSection1">\n{body}</div>\n</body>\n</html>\n')
    if client == "apple":
        body = "".join(f"<div>{p}</div><div><br></div>" for p in paras)
        if quoted:
            body += f'<div><br><blockquote type="cite"><div>{quoted}</div></blockquote></div>'
        return ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body '
                'style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
                f"{body}</body></html>\n")
    if client == "form":
        rows = "".join(f'<tr><td style="padding:6px 24px;font:15px/22px Helvetica,Arial,sans-serif;color:#333">{p}'
                       "</td></tr>" for p in paras)
        return ('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width='
                'device-width"><title>Nouveau message</title><style type="text/css">body{margin:0;padding:0;'
                "background:#f4f1ec}.card{max-width:600px;margin:0 auto;background:#fff}@media (max-width:600px){"
                ".card{width:100%!important}}</style></head><body><table role=\"presentation\" class=\"card\" "
                'width="600" cellpadding="0" cellspacing="0"><tr><td style="padding:24px"><img src="https://cdn.'
                f'{SHOP_DOMAIN}/logo.png" alt="{html.escape(SHOP_NAME)}" width="160"></td></tr><tr><td style="padding'
                ':0 24px;font:bold 18px Helvetica,Arial,sans-serif">Nouveau message du formulaire de contact</td></tr>'
                f"{rows}<tr><td style=\"padding:24px;font:12px Helvetica,Arial,sans-serif;color:#999\">Envoyé depuis "
                f"https://www.{SHOP_DOMAIN}/pages/contact · ref {rng.getrandbits(32):08x}</td></tr></table>"
                "</body></html>\n")
    if client == "webmail":
        body = "".join(f"<p>{p}</p>" for p in paras)
        if quoted:
            body += f'<blockquote style="border-left:2px solid #1010ff;margin-left:5px;padding-left:5px">{quoted}' \
                    "</blockquote>"
        return ('<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
                '</head><body style="font-family: Arial, Helvetica, sans-serif; font-size: 10pt;">'
                f'<div class="default-style">{body}</div></body></html>\n')
    body = "".join(f"<div>{p}</div><div><br></div>" for p in paras)  # gmail and thunderbird
    if quoted:
        head, _, rest = quoted.partition("<br>")
        body += ('<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
                 f'{head}<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px '
                 f'solid rgb(204,204,204);padding-left:1ex">{rest}</blockquote></div>')
    return f'<div dir="ltr">{body}</div>\n'


# --- assembly ----------------------------------------------------------------------------------------------------

def _flow(text: str) -> str:
    """format=flowed (RFC 3676): long lines cut at 72 columns, each cut marked by a trailing space."""
    return "\n".join(line if line.startswith(">") or line == "-- " else
                     " \n".join(textwrap.wrap(line, 72, break_long_words=False, break_on_hyphens=False)) or line
                     for line in text.split("\n"))


def _text_part(text: str, label: str, charset: str, client: str, rng: random.Random) -> tuple[str, bytes]:
    """(headers, body) of the text/plain part as `client` writes it: labelled `label`, encoded in `charset`."""
    if client in ("apple", "thunderbird") and label in ("utf-8", "us-ascii"):
        encoding = "8bit" if client == "thunderbird" and label == "utf-8" else "quoted-printable"
        if label == "us-ascii":
            encoding = "7bit"
        return (f"Content-Type: text/plain; charset={label.upper() if client == 'apple' else label}; "
                f"format=flowed\r\nContent-Transfer-Encoding: {encoding}", _body_bytes(_flow(text), charset, encoding))
    encoding = {"gmail": rng.choice(("quoted-printable", "quoted-printable", "base64")),
                "webmail": rng.choice(("quoted-printable", "8bit"))}.get(client, "quoted-printable")
    if label == "us-ascii":
        encoding = "7bit"
    return (f'Content-Type: text/plain; charset="{label}"\r\nContent-Transfer-Encoding: {encoding}',
            _body_bytes(text, charset, encoding))


def _html_part(markup: str, label: str, charset: str, rng: random.Random) -> tuple[str, bytes]:
    encoding = rng.choice(("quoted-printable", "quoted-printable", "base64"))
    return (f'Content-Type: text/html; charset="{label}"\r\nContent-Transfer-Encoding: {encoding}',
            _body_bytes(markup, charset, encoding))


def _multipart(subtype: str, boundary: str, parts: Sequence[tuple[str, bytes]], extra: str = "") -> tuple[str, bytes]:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + head.encode() + b"\r\n\r\n" + data.rstrip(b"\r\n") + b"\r\n"
                    for head, data in parts)
    body += b"--" + boundary.encode() + b"--\r\n"
    return f'Content-Type: multipart/{subtype};{extra}\r\n\tboundary="{boundary}"', body


def _attachment(rng: random.Random, lang: str, intent: str, order: str) -> tuple[str, bytes]:
    if intent == "damaged" or rng.random() < 0.3:
        name, mime, data = f"IMG_{rng.randint(1000, 9999)}.JPG", "image/jpeg", _jpeg(rng, rng.randint(5000, 17000))
    else:
        names = (("facture_{order}.pdf", "bon de retour n°{order}.pdf", "reçu_commande_{order}.pdf") if lang == "fr"
                 else ("invoice-{order}.pdf", "returns form {order}.pdf", "receipt_{order}.pdf"))
        name, mime, data = rng.choice(names).format(order=order), "application/pdf", _pdf(rng, rng.randint(2500, 12000))
    if name.isascii():
        disposition = f'attachment; filename="{name}"'
        type_name = f'name="{name}"'
    elif rng.random() < 0.5:  # RFC 2231, as Thunderbird and Apple Mail write it
        disposition = f"attachment;\r\n\tfilename*=utf-8''{_rfc2231(name)}"
        type_name = f'name="{_ascii_fold(name)}"'
    else:  # RFC 2047 inside the quotes, as Gmail and Outlook write it
        words = " ".join(_encoded_words(name, "utf-8", "B"))
        disposition = f'attachment;\r\n\tfilename="{words}"'
        type_name = f'name="{words}"'
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (f"Content-Type: {mime};\r\n\t{type_name}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Transfer-Encoding: base64", encoded)


def _compose(rng: random.Random, thread: _Thread, moment: datetime, text_paragraphs: list[str],
             quote: str | None, reply_to_id: str | None, subject: str) -> tuple[bytes, str, str, str]:
    lang, client = thread.lang, thread.client
    charset = {"outlook": rng.choice(("windows-1252", "iso-8859-1", "utf-8")),
               "webmail": rng.choice(("iso-8859-1", "utf-8", "utf-8")),
               "thunderbird": rng.choice(("utf-8", "utf-8", "iso-8859-1"))}.get(client, "utf-8")
    if lang == "en" and client in ("gmail", "thunderbird") and rng.random() < 0.15:
        charset = "us-ascii"
    mislabelled = client == "outlook" and charset == "iso-8859-1" and rng.random() < 0.15
    write_as = "windows-1252" if mislabelled else charset

    paragraphs = [_for_charset(p, write_as) for p in text_paragraphs]
    quote = _for_charset(quote, write_as) if quote else None
    text = "\n\n".join(paragraphs) + ("\n\n" + quote if quote else "") + "\n"

    shape = {"form": "html"}.get(client) or rng.choices(
        ("plain", "alternative", "html", "mixed", "related"), (28, 42, 6, 19, 5))[0]
    if thread.intent == "damaged" and reply_to_id is None and rng.random() < 0.7:
        shape = "mixed"
    if shape == "plain" and client == "outlook":
        shape = "alternative"
    if shape == "html" and client not in ("webmail", "form", "gmail"):
        shape = "alternative"
    if shape == "related" and client not in ("outlook", "apple"):
        shape = "alternative"

    markup = _html_for(client, paragraphs, quote, lang, rng) if shape != "plain" else ""
    html_label = "utf-8" if client == "form" or charset == "us-ascii" else charset

    def text_part() -> tuple[str, bytes]:
        return _text_part(text, charset, write_as, client, rng)

    def html_part() -> tuple[str, bytes]:
        return _html_part(markup, html_label, write_as if html_label == charset else html_label, rng)

    boundary = _boundary(rng, client)
    if shape == "plain":
        content_head, body = text_part()
    elif shape == "html":
        content_head, body = html_part()
    elif shape == "alternative":
        content_head, body = _multipart("alternative", boundary, [text_part(), html_part()])
    elif shape == "related":
        cid = f"image001.png@01DB{rng.getrandbits(32):08X}.{rng.getrandbits(32):08X}"
        logo = base64.encodebytes(_png(rng, rng.randint(1500, 6000))).replace(b"\n", b"\r\n")
        related = _multipart("related", boundary + "_rel", [
            html_part(),
            (f'Content-Type: image/png; name="image001.png"\r\nContent-Description: image001.png\r\n'
             f'Content-Disposition: inline; filename="image001.png"\r\nContent-ID: <{cid}>\r\n'
             "Content-Transfer-Encoding: base64", logo)], ' type="text/html";')
        content_head, body = _multipart("alternative", boundary, [text_part(), related])
    else:
        inner = _multipart("alternative", boundary + "_alt", [text_part(), html_part()]) if rng.random() < 0.6 \
            else text_part()
        attachments = [_attachment(rng, lang, thread.intent, thread.facts["order"])
                       for _ in range(rng.choice((1, 1, 1, 2)))]
        content_head, body = _multipart("mixed", boundary, [inner, *attachments])

    domain = thread.addr.rsplit("@", 1)[1]
    message_id = _message_id(rng, client, domain)
    name = f"{thread.first} {thread.last}"
    header_charset = charset if charset != "us-ascii" else "utf-8"
    if subject.encode(header_charset, "replace").decode(header_charset) != subject:
        header_charset = "utf-8"
    lines = _trace_headers(rng, thread.addr if client != "form" else f"noreply@shops.{SHOP_DOMAIN}", moment)
    if client == "form":
        lines += [_header("From", f"{SHOP_NAME} (formulaire)", rng, "utf-8", "Q") + f" <noreply@shops.{SHOP_DOMAIN}>",
                  f"Reply-To: {_address(name, thread.addr, rng, 'utf-8')}"]
    else:
        lines.append(f"From: {_address(name, thread.addr, rng, header_charset)}")
    lines += [f"To: {_address(SHOP_NAME, SHOP_ADDR, rng, header_charset)}",
              _header("Subject", subject, rng, header_charset, "B" if client == "gmail" else None),
              f"Date: {format_datetime(moment)}", f"Message-ID: <{message_id}>"]
    if reply_to_id is not None:
        refs = thread.references[-8:]
        lines += [f"In-Reply-To: <{reply_to_id}>", "References: " + "\r\n ".join(f"<{r}>" for r in refs)]
    lines += _client_headers(rng, client, lang, moment)
    lines += ["MIME-Version: 1.0", content_head]
    if rng.random() < 0.5:  # header order differs between clients: shuffle the client-written tail a little
        tail = lines[-4:]
        rng.shuffle(tail)
        lines[-4:] = tail
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return raw, message_id, shape, "iso-8859-1 (windows-1252 bytes)" if mislabelled else charset


def _new_thread(rng: random.Random, number: int, moment: datetime) -> _Thread:
    lang = "fr" if rng.random() < 0.6 else "en"
    first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
    client = rng.choices(CLIENTS, CLIENT_WEIGHTS)[0]
    local = f"{_ascii_fold(first).lower()}.{_ascii_fold(last).lower().replace(' ', '').replace(chr(39), '')}"
    if rng.random() < 0.5:
        local += str(rng.randint(1, 99))
    addr = f"{local}@{rng.choice(DOMAINS[client])}"
    intent = rng.choices(tuple(SUBJECTS), (30, 12, 14, 8, 6, 6, 14, 10))[0]
    carrier, carrier_host = rng.choice(CARRIERS)
    order = str(rng.randint(10001, 19999))
    city, postcode = rng.choice(CITIES[lang])
    facts = {
        "order": order, "order_ref": rng.choice(ORDER_REFS[lang]).format(order=order),
        "product": rng.choice(PRODUCTS[lang]), "carrier": carrier, "carrier_host": carrier_host,
        "tracking": _tracking(rng, carrier), "days": str(rng.randint(3, 15)),
        "amount": f"{rng.randint(9, 180)},{rng.choice(('00', '50', '90', '95'))}" if lang == "fr"
        else f"{rng.randint(9, 150)}.{rng.choice(('00', '50', '99'))}",
        "date": _human_date(moment - timedelta(days=rng.randint(2, 20)), lang),
        "phone": _phone(rng, lang), "street": rng.choice(STREETS[lang]), "city": city, "postcode": postcode,
        "first": first,
    }
    subject = rng.choice(SUBJECTS[intent][lang]).format(**facts)
    subject = subject[0].upper() + subject[1:]
    return _Thread(number, lang, first, last, addr, client, intent, subject, facts, last_time=moment)


def _signature(rng: random.Random, thread: _Thread) -> str:
    name = thread.first if rng.random() < 0.6 else f"{thread.first} {thread.last}"
    extra = {"apple": ("Envoyé de mon iPhone" if thread.lang == "fr" else "Sent from my iPhone"),
             "outlook": ("Obtenir Outlook pour Android" if thread.lang == "fr" else "Get Outlook for iOS")}
    tail = extra.get(thread.client, "") if rng.random() < 0.5 else ""
    if rng.random() < 0.25:
        tail = f"-- \n{thread.first} {thread.last}\n{thread.facts['phone']}" + (f"\n{tail}" if tail else "")
    return f"{rng.choice(BYE[thread.lang])}\n{name}" + (f"\n\n{tail}" if tail else "")


def generate_mails(n: int, seed: int = 1) -> list[Mail]:
    """`n` mails with their facts; see the module docstring for the mix."""
    rng = random.Random(seed)
    threads: list[_Thread] = []
    mails: list[Mail] = []
    moment = START
    for _ in range(n):
        moment += timedelta(seconds=int(rng.expovariate(1 / 1200)) + 30)
        open_threads = [t for t in threads[-300:] if moment - t.last_time > timedelta(hours=2)]
        follow_up = bool(open_threads) and rng.random() < 0.33
        if follow_up:
            thread = rng.choice(open_threads)
            if thread.client == "form":  # the shop answered by mail: the customer replies from their own client
                thread.client = {"gmail.example": "gmail", "outlook.example": "outlook"}.get(
                    thread.addr.rsplit("@", 1)[1], "webmail")
        else:
            thread = _new_thread(rng, len(threads) + 1, moment)
            threads.append(thread)
        facts, lang = thread.facts, thread.lang
        paragraphs = [rng.choice(GREET[lang])]
        quote: str | None = None
        reply_id: str | None = None
        tracking: str | None = None
        if follow_up:
            reply_at = thread.last_time + (moment - thread.last_time) / 2
            reply_id = f"{rng.getrandbits(64):016x}.{rng.getrandbits(32):08x}@{SHOP_DOMAIN}"
            thread.references.append(reply_id)
            answer = rng.choice(REPLIES[lang]).format(**facts)
            tracking = facts["tracking"] if facts["tracking"] in answer else None
            for _ in range(rng.randint(1, 3)):
                paragraphs.append(rng.choice(FOLLOW_UPS[lang]).format(**facts))
            style = "outlook" if thread.client == "outlook" else "plain"
            attribution = _attribution(reply_at, lang, style)
            if style == "outlook":
                quote = f"{attribution}: {thread.subject}\n\n{answer}"
            else:
                quote = attribution + "\n" + "\n".join(f"> {line}" if line else ">" for line in answer.split("\n"))
            prefix = {"outlook": "RE: ", "webmail": "Re: " if lang == "en" else "Réf. : "}.get(thread.client, "Re: ")
            subject = prefix + thread.subject
        else:
            pool = list(SENTENCES[thread.intent][lang])
            rng.shuffle(pool)
            for sentence_group in range(rng.randint(1, 3)):
                count = rng.randint(1, 3)
                chosen = pool[sentence_group * 2:sentence_group * 2 + count] or pool[:1]
                paragraphs.append(" ".join(s.format(**facts) for s in chosen))
            tracking = facts["tracking"] if any(facts["tracking"] in p for p in paragraphs) else None
            subject = thread.subject
        paragraphs.append(_signature(rng, thread))
        raw, message_id, shape, charset = _compose(rng, thread, moment, paragraphs, quote, reply_id, subject)
        thread.references.append(message_id)
        thread.last_time = moment
        mails.append(Mail(raw, message_id, thread.number, lang, thread.client, shape, charset, f"#{facts['order']}",
                          tracking, reply_id))
    return mails


def generate(n: int, seed: int = 1) -> list[bytes]:
    """`n` deterministic customer mails as raw RFC 5322 bytes."""
    return [mail.raw for mail in generate_mails(n, seed)]


def write(directory: Path, mails: Sequence[bytes]) -> list[Path]:
    """Write `mails` as DIR/00001.eml, DIR/00002.eml…"""
    directory.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(mails))))
    paths = []
    for number, raw in enumerate(mails, 1):
        path = directory / f"{number:0{width}d}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mailgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="how many mails (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the .eml files (created if needed)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same mails (default 1)")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be ≥ 0")
    mails = generate(args.count, args.seed)
    write(args.out, mails)
    sizes = sorted(len(m) for m in mails)
    if sizes:
        print(f"{len(mails)} mails in {args.out}: {sum(sizes) / 1024 / 1024:.1f} MiB, median "
              f"{sizes[len(sizes) // 2] / 1024:.1f} KiB, min {sizes[0] / 1024:.1f} KiB, max {sizes[-1] / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
