"""Atelier Lumière, a fictional shop that fills an empty workspace so Comptoir can be tried offline."""

from __future__ import annotations

import hashlib
import json
import random
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import sqlcipher3

__all__ = ["populate_demo"]

SHOP_NAME = "Atelier Lumière"
SHOP_URL = "https://atelier-lumiere.example"
SHOP_EMAIL = "bonjour@atelier-lumiere.example"
SIGNATURE = (
    "Léa — Atelier Lumière\n"
    "Bougies et céramiques faites main · Handmade candles & ceramics\n"
    "https://atelier-lumiere.example"
)

# --- the shop -----------------------------------------------------------------------------------

_TONE = (
    "Warm, personal and concise. Write as Léa, who makes every piece: first person, friendly but "
    "professional, 'vous' in French. When something went wrong, apologise once, then give the concrete "
    "next step and when it will happen. No emojis, no marketing, never promise what the policies do not say."
)

_SHIPPING_POLICY = (
    "Every piece is made in our workshop in Lyon. Candles ship within 2–3 working days and ceramics "
    "within 5–7 working days; when an order mixes both, we may send the candles first and the ceramics "
    "in a second parcel at no extra cost.\n\n"
    "France: Colissimo home delivery (2–3 days, €5.90) or a Mondial Relay pick-up point (3–5 days, €4.50), "
    "free from €60. European Union: DHL or Colissimo International (3–6 days, €12.90), free from €120.\n\n"
    "You receive a tracking link by e-mail as soon as the parcel leaves. Parcels are packed in recycled "
    "cardboard with paper padding, never plastic."
)

_RETURNS_POLICY = (
    "You have 30 days from delivery to return any unused item in its original packaging, for any reason. "
    "Write to bonjour@atelier-lumiere.example with your order number and we reply with the return address.\n\n"
    "Return postage is paid by the customer, unless the item arrived damaged or we sent the wrong one. "
    "Exchanges for another colour are welcome, subject to stock. Personalised candles cannot be returned."
)

_REFUNDS_POLICY = (
    "Refunds go back to the original payment method within 5 working days of receiving the return, or of "
    "seeing photos of a damaged item (no need to send broken pieces back). Banks then take 3–10 working days "
    "to show the credit.\n\n"
    "Shipping costs are refunded when the fault is ours. Orders cancelled before they ship are refunded in "
    "full on the same day."
)

_FAQ = [
    {"question": "What are your candles made of?",
     "answer": "French rapeseed and soy wax with a cotton wick, scented with phthalate-free perfumes from "
               "Grasse. A large candle burns for about 50 hours, a mini for about 15."},
    {"question": "Are the ceramics dishwasher and microwave safe?",
     "answer": "Yes: our stoneware is fired at 1,280 °C and the glazes are food-safe. We still recommend "
               "hand-washing the pieces with a gold rim."},
    {"question": "Do you offer gift wrapping?",
     "answer": "Yes, free of charge: tick 'This is a gift' at checkout. We handwrite your message on a card "
               "and leave the price out of the parcel."},
    {"question": "Do you ship outside France?",
     "answer": "Everywhere in the European Union, with DHL or Colissimo International, in 3–6 days. "
               "Shipping is free from €120."},
]

# --- catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Product:
    title: str
    price: int            # cents
    kind: str             # 'candle' | 'tableware' | 'vase'
    fr: str               # how a French sentence names it, with its article
    feminine: bool
    en: str


_PRODUCTS = (
    _Product("Bougie Figuier – grand modèle", 2600, "candle", "la grande bougie Figuier", True,
             "large Figuier candle"),
    _Product("Bougie Ambre & Cèdre", 2400, "candle", "la bougie Ambre & Cèdre", True, "Amber & Cedar candle"),
    _Product("Bougie Fleur d'oranger", 2200, "candle", "la bougie Fleur d'oranger", True,
             "Orange Blossom candle"),
    _Product("Coffret trio de mini-bougies", 3400, "candle", "le coffret de mini-bougies", False,
             "mini candle trio"),
    _Product("Tasse Écume – grès émaillé", 1850, "tableware", "la tasse Écume", True, "Écume mug"),
    _Product("Bol Dune", 2200, "tableware", "le bol Dune", False, "Dune bowl"),
    _Product("Assiette Galet", 2800, "tableware", "l'assiette Galet", True, "Galet plate"),
    _Product("Théière Brume", 7400, "tableware", "la théière Brume", True, "Brume teapot"),
    _Product("Vase soliflore Lin", 3900, "vase", "le soliflore Lin", False, "Lin bud vase"),
    _Product("Grand vase Marée", 6800, "vase", "le grand vase Marée", False, "large Marée vase"),
)
_BY_TITLE = {p.title: p for p in _PRODUCTS}
_CATEGORIES = {"candle": ("candle",), "ceramic": ("tableware", "vase"), "vase": ("vase",)}

# --- customers (all fictional; addresses on reserved example domains) ---------------------------


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    feminine: bool
    locale: str
    street: str
    zip: str
    city: str
    country: str          # English name, as stored in shipping addresses
    emails: tuple[str, ...]   # the first one is primary
    no_ai: bool = False
    no_marketing: bool = False
    notes: str = ""
    display: str = ""

    @property
    def name(self) -> str:
        return self.display or f"{self.first} {self.last}"


_PEOPLE = (
    _Person("Camille", "Ferrandou", True, "fr", "12 rue des Trois-Mèches", "69004", "Lyon", "France",
            ("camille.ferrandou@example.fr", "c.ferrandou@example.com"),
            notes="Also writes from her studio address."),
    _Person("Théo", "Lavandier", False, "fr", "5 impasse du Vieux-Pressoir", "44000", "Nantes", "France",
            ("theo.lavandier@example.fr",)),
    _Person("Margaux", "Bellerose", True, "fr", "27 cours des Hirondelles", "33000", "Bordeaux", "France",
            ("margaux.bellerose@example.fr",)),
    _Person("Hugo", "Castagnet", False, "fr", "9 rue de la Brique-Rose", "31000", "Toulouse", "France",
            ("hugo.castagnet@example.com",), no_marketing=True),
    _Person("Inès", "Dumarché", True, "fr", "41 rue du Beffroi-Neuf", "59000", "Lille", "France",
            ("ines.dumarche@example.fr",)),
    _Person("Baptiste", "Roncelin", False, "fr", "2 place des Ardoisiers", "35000", "Rennes", "France",
            ("b.roncelin@example.org",)),
    _Person("Chloé", "Vermandel", True, "fr", "16 quai des Tanneurs-Anciens", "67000", "Strasbourg", "France",
            ("chloe.vermandel@example.fr",)),
    _Person("Lucie", "Aubertin-Mallet", True, "fr", "8 rue des Garrigues-Hautes", "34000", "Montpellier",
            "France", ("lucie.aubertin@example.com",)),
    _Person("Julien", "Sautereau", False, "fr", "33 rue de la Moutarde-Douce", "21000", "Dijon", "France",
            ("julien.sautereau@example.fr",), no_ai=True,
            notes="Asked that his messages are never sent to an AI provider (GDPR art. 21)."),
    _Person("Élodie", "Marquesan", True, "fr", "6 montée des Calanques-Bleues", "13007", "Marseille", "France",
            ("elodie.marquesan@example.fr",)),
    _Person("Aurélien", "Despréaux", False, "fr", "21 rue des Houilleurs", "4000", "Liège", "Belgium",
            ("aurelien.despreaux@example.org",)),
    _Person("Manon", "Kieffer", True, "fr", "4 rue des Trois-Glands", "1450", "Luxembourg", "Luxembourg",
            ("manon.kieffer@example.com",)),
    _Person("Siobhan", "Merrow", True, "en", "14 Larkspur Terrace", "D06 F2X7", "Dublin", "Ireland",
            ("siobhan.merrow@example.com",)),
    _Person("Declan", "Ashgrove", False, "en", "3 Quarry Lane", "T12 K8PD", "Cork", "Ireland",
            ("declan.ashgrove@example.com", "d.ashgrove@example.org"),
            notes="Old address d.ashgrove@example.org merged into this customer."),
    _Person("Niamh", "Fennelly", True, "en", "27 Saltmarsh Road", "H91 W3C5", "Galway", "Ireland",
            ("niamh.fennelly@example.org",)),
    _Person("Pieter", "van Loenhout", False, "en", "Kaarsenmakerstraat 12", "3511 AB", "Utrecht", "Netherlands",
            ("pieter.vanloenhout@example.com",)),
    _Person("Femke", "Wildschut", True, "en", "Pottenbakkerssingel 88", "3012 KL", "Rotterdam", "Netherlands",
            ("femke.wildschut@example.org",)),
    _Person("Jonas", "Brückner", False, "en", "Kerzengasse 7", "10437", "Berlin", "Germany",
            ("jonas.brueckner@example.com",)),
    _Person("Hannah", "Oberlinde", True, "en", "Tonstraße 21", "80469", "München", "Germany",
            ("hannah.oberlinde@example.com",)),
    _Person("Lotte", "Verhaeghe", True, "en", "Kleistraat 45", "9000", "Gent", "Belgium",
            ("lotte.verhaeghe@example.org",), notes="Runs a concept store; possible wholesale customer."),
    _Person("Oliver", "Penhallow", False, "en", "48 rue des Lanternes-Sourdes", "75011", "Paris", "France",
            ("oliver.penhallow@example.com",)),
    _Person("Grace", "Whitlock", True, "en", "10 allée des Glycines-Hautes", "33000", "Bordeaux", "France",
            ("grace.whitlock@example.com",)),
    _Person("Mads", "Kjeldgaard", False, "en", "Lysestøbervej 9", "2200", "København", "Denmark",
            ("mads.kjeldgaard@example.org",), no_marketing=True),
)
_SPAMMER = _Person("", "", False, "en", "", "", "", "", ("growth.partners@example.org",),
                   no_marketing=True, notes="Unsolicited marketing.", display="Growth Partners")

_NEW_STREETS = {
    "fr": ("18 allée des Cerisiers-Blancs", "3 rue du Moulin-Perdu", "27 boulevard des Verriers"),
    "en": ("Flat 2, 9 Heron Row", "61 Willowbrook Avenue", "5 Chandlers Yard"),
}
_COUNTRY_FR = {"France": "France", "Belgium": "Belgique", "Luxembourg": "Luxembourg"}
_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

# --- orders -------------------------------------------------------------------------------------

# kind -> (status, financial_status, fulfillment_status, shipped)
_KINDS = {
    "processing": ("processing", "paid", "unfulfilled", False),
    "pending": ("on-hold", "pending", "unfulfilled", False),
    "in_transit": ("shipped", "paid", "fulfilled", True),
    "partial": ("processing", "paid", "partial", True),
    "delivered": ("delivered", "paid", "fulfilled", True),
    "part_refunded": ("delivered", "partially_refunded", "fulfilled", True),
    "refunded": ("refunded", "refunded", "fulfilled", True),
    "cancelled": ("cancelled", "refunded", "unfulfilled", False),
}
# kind -> how many days before the customer first writes the order was placed
_PLACED_DAYS = {
    "processing": (0.3, 3.0), "pending": (0.5, 2.0), "in_transit": (4.0, 8.0), "partial": (5.0, 8.0),
    "delivered": (7.0, 18.0), "part_refunded": (14.0, 22.0), "refunded": (20.0, 28.0), "cancelled": (8.0, 12.0),
}
_TRACKING_URLS = {
    "Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    "Mondial Relay": "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition={}",
    "DHL": "https://www.dhl.com/fr-en/home/tracking.html?tracking-id={}",
}


@dataclass
class _Order:
    person: int
    kind: str
    placed: datetime
    items: list[tuple[_Product, int]]
    carrier: str
    address: dict[str, str]
    event: datetime
    ship: datetime | None = None
    refund_date: datetime | None = None
    number: str = ""
    tracking: list[dict[str, str]] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(p.price * q for p, q in self.items)

    @property
    def total(self) -> int:
        abroad = self.address["country"] != "France"
        if self.subtotal >= (12000 if abroad else 6000):
            return self.subtotal
        fee = 1290 if abroad else (450 if self.carrier == "Mondial Relay" else 590)
        return self.subtotal + fee


# --- conversations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mail:
    direction: str
    body: str


@dataclass(frozen=True)
class _Scenario:
    intent: str
    language: str
    subject: str
    mails: tuple[_Mail, ...]
    kind: str | None = None                    # the order this conversation is about, if any
    urgency: int = 1
    category: str | None = None                # what the main ordered item is
    products: tuple[str, ...] = ()             # or exactly which products were ordered
    carrier: str | None = None
    abroad: bool = False                       # the customer lives outside France
    placed_days: tuple[float, float] | None = None
    ship_after: float | None = None            # days from order to dispatch, when the story says so
    delivered_ago: tuple[float, float] | None = None   # days before the first message it was delivered
    unread: bool = True                        # the last message, when it is the customer's, is unread


def _in(body: str) -> _Mail:
    return _Mail("in", body)


def _out(body: str) -> _Mail:
    return _Mail("out", body)


_SCENARIOS: tuple[_Scenario, ...] = (
    # ---------------------------------------------------------------- French
    _Scenario("where_is_my_order", "fr", "Où en est ma commande {order} ?", (
        _in("Bonjour,\n\nJ'ai passé commande le {date} (commande {order}) et je n'ai toujours rien reçu. "
            "Pouvez-vous me dire où en est mon colis ? C'est un cadeau d'anniversaire pour ma sœur, et la fête "
            "est samedi…\n\nMerci d'avance,\n{full}"),
    ), kind="in_transit"),
    _Scenario("where_is_my_order", "fr", "Commande {order_bare} toujours en préparation", (
        _in("Bonjour,\n\nJe vois sur mon compte que ma commande {order} est toujours « en préparation » depuis "
            "le {date}. Est-ce normal ? J'avais compris que les délais étaient de 2 à 3 jours.\n\n"
            "Bonne journée,\n{first}"),
        _out("Bonjour {first},\n\nMerci pour votre patience ! Nos bougies sont coulées à la main par petites "
             "séries, et la dernière fournée a demandé un jour de séchage de plus que prévu. Votre commande "
             "{order} part demain matin ; vous recevrez le lien de suivi par e-mail dès que le colis sera pris "
             "en charge.\n\nBelle journée,"),
        _in("Parfait, merci pour la réponse rapide ! J'attends le mail de suivi alors.\n\n{first}"),
    ), kind="processing", category="candle", placed_days=(3.0, 5.0), unread=False),
    _Scenario("where_is_my_order", "fr", "Suivi Mondial Relay bloqué", (
        _in("Bonsoir,\n\nLe suivi de mon colis ({tracking}) indique « en cours d'acheminement » depuis quatre "
            "jours et ne bouge plus. Savez-vous quand il arrivera au point relais ? C'est pour la commande "
            "{order}.\n\nMerci,\n{full}"),
        _out("Bonjour {first},\n\nJ'ai vérifié de mon côté : le colis a bien été remis à Mondial Relay le "
             "{ship_date} et il est en route vers votre point relais. En ce moment, leurs délais sont un peu "
             "plus longs que d'habitude (5 à 6 jours ouvrés). Vous pouvez suivre son avancée ici : "
             "{tracking_url}\n\nS'il n'a pas bougé d'ici lundi, écrivez-moi et j'ouvrirai une enquête auprès "
             "du transporteur.\n\nBelle soirée,"),
    ), kind="in_transit", carrier="Mondial Relay", placed_days=(6.0, 8.0)),
    _Scenario("where_is_my_order", "fr", "Livraison hors de France – commande {order}", (
        _in("Bonjour,\n\nD'après votre mail d'expédition, ma commande {order} est partie il y a une semaine, "
            "mais le suivi DHL ({tracking}) n'affiche plus rien depuis que le colis a quitté la France. "
            "Avez-vous plus d'informations de votre côté ?\n\nBien à vous,\n{full}"),
    ), kind="in_transit", carrier="DHL", abroad=True, placed_days=(8.0, 10.0)),
    _Scenario("delivery_problem", "fr", "Colis marqué livré mais pas reçu", (
        _in("Bonjour,\n\nLe suivi {carrier} de ma commande {order} (n° {tracking}) indique que le colis a été "
            "livré hier après-midi, mais je n'ai rien reçu : rien dans la boîte aux lettres, rien chez la "
            "gardienne, et j'étais chez moi toute la journée. Que puis-je faire ?\n\nCordialement,\n{full}"),
    ), kind="delivered", urgency=2, placed_days=(4.0, 6.0), delivered_ago=(0.6, 1.1)),
    _Scenario("delivery_problem", "fr", "Colis abîmé – commande {order}", (
        _in("Bonjour,\n\nJ'ai reçu ce matin ma commande {order}. Malheureusement, le carton était enfoncé sur un "
            "coin et {product} est arrivé{pe} en trois morceaux. J'ai pris des photos du colis et du contenu "
            "avant de tout déballer. Comment fait-on dans ce cas ?\n\nCordialement,\n{full}"),
        _out("Bonjour {first},\n\nJe suis vraiment désolée, c'est exactement ce que l'on redoute en emballant "
             "nos céramiques… Merci d'avoir pris des photos : pourriez-vous me les envoyer en réponse à ce "
             "message ? Elles nous servent pour la réclamation auprès du transporteur.\n\nInutile de nous "
             "renvoyer les morceaux : je vous prépare une nouvelle pièce qui partira sous 48 h, sans frais bien "
             "sûr.\n\nBelle journée,"),
        _in("Merci beaucoup pour votre réactivité ! Je vous envoie les photos dans un second message, elles "
            "sont un peu lourdes.\n\nBonne fin de journée,\n{first}"),
    ), kind="delivered", urgency=2, category="ceramic", placed_days=(3.0, 6.0), delivered_ago=(0.05, 0.3)),
    _Scenario("delivery_problem", "fr", "Colis incomplet ?", (
        _in("Bonjour,\n\nJ'ai bien reçu un colis pour la commande {order}, mais il ne contenait que {product} : "
            "il manquait {product2}. Est-ce qu'il arrive séparément, ou est-ce un oubli ?\n\nMerci,\n{first}"),
        _out("Bonjour {first},\n\nPas d'oubli, rassurez-vous : {product2} est encore au séchage à l'atelier "
             "(nos céramiques demandent un peu plus de temps que les bougies), alors nous avons préféré vous "
             "envoyer le reste sans attendre. Le second colis partira en fin de semaine, et vous recevrez un "
             "autre lien de suivi à ce moment-là.\n\nBelle journée,"),
    ), kind="partial", products=("Bougie Fleur d'oranger", "Tasse Écume – grès émaillé")),
    _Scenario("return", "fr", "Retour d'un article", (
        _in("Bonjour,\n\nJ'ai bien reçu la commande {order}, tout est très joli, mais {product} ne va pas du "
            "tout avec ma cuisine : la teinte est bien plus foncée que sur la photo. Est-il possible de renvoyer "
            "l'article ? Comment dois-je procéder ?\n\nMerci,\n{first}"),
        _out("Bonjour {first},\n\nBien sûr ! Vous avez 30 jours après la livraison pour nous retourner un "
             "article non utilisé. Il suffit de le renvoyer dans son emballage d'origine, bien calé, à cette "
             "adresse :\n\nAtelier Lumière – retours\n7 passage des Tisserands\n69004 Lyon\n\nGlissez le numéro "
             "de commande {order} dans le colis. Dès réception, nous vous remboursons sous 5 jours ouvrés. Si "
             "vous préférez un autre coloris, dites-le-moi et je vous le mets de côté.\n\nBelle journée,"),
    ), kind="delivered", urgency=0, category="ceramic"),
    _Scenario("refund_request", "fr", "Demande de remboursement – {order}", (
        _in("Bonjour,\n\nJ'ai renvoyé {product} de la commande {order} il y a une dizaine de jours, comme "
            "convenu par téléphone. D'après le suivi, le colis retour vous a été livré mardi. Pourriez-vous "
            "procéder au remboursement sur ma carte bancaire ?\n\nMerci de me tenir informé{e},\n{full}"),
    ), kind="delivered", placed_days=(18.0, 24.0)),
    _Scenario("refund_status", "fr", "Remboursement pas encore reçu", (
        _in("Bonjour,\n\nVous m'aviez confirmé le remboursement partiel de ma commande {order} (pour "
            "{product}), mais je ne vois toujours rien sur mon compte. Pouvez-vous vérifier s'il y a eu un "
            "souci ?\n\nMerci,\n{first}"),
        _out("Bonjour {first},\n\nJe viens de vérifier : le remboursement de {refund} a bien été émis le "
             "{refund_date} sur la carte utilisée pour la commande {order}. Selon les banques, il faut compter "
             "3 à 10 jours ouvrés avant qu'il apparaisse sur le relevé. Si rien n'est visible d'ici la fin de "
             "la semaine prochaine, je vous enverrai une attestation de remboursement pour votre banque.\n\n"
             "Belle journée,"),
        _in("C'est arrivé ce matin, merci beaucoup pour le suivi !\n\n{first}"),
    ), kind="part_refunded", unread=False),
    _Scenario("refund_status", "fr", "Annulation et remboursement", (
        _in("Bonjour,\n\nVous avez annulé ma commande {order} la semaine dernière parce que {product} était en "
            "rupture de stock. Je n'ai pas encore été remboursé{e} des {total}. Pouvez-vous me dire quand "
            "l'argent reviendra sur mon compte ?\n\nCordialement,\n{full}"),
        _out("Bonjour {first},\n\nEncore désolée pour cette rupture ! Le remboursement intégral de {total} a été "
             "fait le jour même de l'annulation, le {refund_date}. Il est simplement en cours de traitement "
             "chez votre banque : comptez 3 à 10 jours ouvrés. Si vous le souhaitez, je vous préviens dès que "
             "{product} est de nouveau disponible.\n\nBelle journée,"),
    ), kind="cancelled"),
    _Scenario("cancellation", "fr", "Annuler ma commande {order}", (
        _in("Bonjour,\n\nJe viens de passer la commande {order}, mais je me suis trompé{e} de coloris pour "
            "{product}. Est-il possible de l'annuler avant l'expédition ? Je repasserai commande ensuite avec "
            "la bonne couleur.\n\nMerci beaucoup !\n{first}"),
    ), kind="processing", urgency=2, category="ceramic", placed_days=(0.02, 0.2)),
    _Scenario("address_change", "fr", "Changement d'adresse de livraison", (
        _in("Bonjour,\n\nJe me rends compte que j'ai laissé mon ancienne adresse sur la commande {order}. La "
            "bonne adresse est :\n\n{new_address}\n\nEst-il encore possible de la modifier avant l'envoi ?\n\n"
            "Merci !\n{full}"),
        _out("Bonjour {first},\n\nC'est corrigé : la commande {order} partira bien à l'adresse suivante :\n\n"
             "{new_address}\n\nLe colis n'était pas encore emballé, donc aucun souci. Vous recevrez le suivi "
             "par e-mail à l'expédition.\n\nBelle journée,"),
    ), kind="processing", urgency=2, placed_days=(0.1, 1.0)),
    _Scenario("product_question", "fr", "Question sur vos bougies", (
        _in("Bonjour,\n\nVos bougies sont-elles en cire de soja ou en cire d'abeille ? Et combien de temps brûle "
            "la grande bougie Figuier ? Je cherche un cadeau pour une amie qui supporte mal les parfums de "
            "synthèse : vos senteurs sont-elles naturelles ?\n\nMerci pour votre aide,\n{first}"),
        _out("Bonjour {first},\n\nNos bougies sont en cire de colza et de soja françaises, avec une mèche en "
             "coton, et la grande Figuier brûle environ 50 heures. Nos parfums viennent de Grasse, sans "
             "phtalates, mais ce ne sont pas des huiles essentielles pures : pour une personne sensible, je "
             "conseillerais plutôt la Fleur d'oranger, la plus légère de la collection, ou une bougie non "
             "parfumée, que je peux couler sur demande.\n\nBelle journée,"),
    ), urgency=0),
    _Scenario("product_question", "fr", "Tasses et lave-vaisselle", (
        _in("Bonjour,\n\nEst-ce que vos tasses et vos bols en grès passent au lave-vaisselle et au micro-ondes ? "
            "Et proposez-vous des services complets (6 assiettes, 6 bols) pour une liste de mariage ? Nous nous "
            "marions au printemps.\n\nBelle journée,\n{full}"),
    ), urgency=0),
    _Scenario("payment_invoice", "fr", "Facture pour la commande {order}", (
        _in("Bonjour,\n\nPourriez-vous m'envoyer une facture au nom de ma société pour la commande {order} ? "
            "J'ai offert ces pièces à des clients et j'en ai besoin pour ma comptabilité.\nRaison sociale : "
            "Studio {last}.\n\nMerci d'avance,\n{full}"),
        _out("Bonjour {first},\n\nC'est fait : la facture de la commande {order} ({total}) est désormais établie "
             "au nom de Studio {last}, et vous pouvez la télécharger à tout moment depuis votre espace client, "
             "rubrique « Mes commandes ». Nous sommes en franchise de TVA (art. 293 B du CGI), la facture ne "
             "comporte donc pas de TVA récupérable.\n\nBelle journée,"),
    ), kind="delivered", urgency=0),
    _Scenario("payment_invoice", "fr", "Virement effectué – commande {order}", (
        _in("Bonjour,\n\nJ'ai fait ce matin le virement de {total} pour la commande {order}, avec le numéro de "
            "commande en référence. Pouvez-vous me confirmer la bonne réception ? Je préfère être sûr{e} avant "
            "le week-end.\n\nCordialement,\n{full}"),
    ), kind="pending"),
    _Scenario("complaint", "fr", "Commande {order} : très déçu{e}", (
        _in("Bonjour,\n\nJe suis très déçu{e}. Ma commande {order} a mis presque trois semaines à arriver alors "
            "que le site annonce 2 à 3 jours, et personne n'a répondu à mon premier message. En plus, {product} "
            "a coulé pendant le transport et tout est collant.\n\nJe ne recommanderai pas la boutique tant que ce "
            "n'est pas réglé.\n\n{full}"),
    ), kind="delivered", urgency=2, category="candle", placed_days=(20.0, 24.0), delivered_ago=(0.3, 2.0)),
    _Scenario("thanks", "fr", "Merci !", (
        _in("Bonjour Léa,\n\nJuste un petit mot pour vous dire que j'ai bien reçu ma commande : les bougies "
            "sentent divinement bon et l'emballage était magnifique. Ma mère a adoré son bol, elle ne le quitte "
            "plus pour son café du matin.\n\nJe reviendrai sans hésiter !\n{first}"),
        _out("Bonjour {first},\n\nMerci infiniment pour ce message : il a fait le tour de l'atelier et nous a "
             "fait chaud au cœur ! Embrassez votre maman de notre part.\n\nÀ très bientôt,"),
    ), kind="delivered", urgency=0, products=("Bougie Ambre & Cèdre", "Bougie Figuier – grand modèle", "Bol Dune")),
    # ---------------------------------------------------------------- English
    _Scenario("where_is_my_order", "en", "Where is my order?", (
        _in("Hi there,\n\nI placed an order on {date} ({order}) and haven't received anything yet. The "
            "confirmation said 3–6 days for {country}. Could you tell me where my parcel is?\n\nThanks,\n{first}"),
    ), kind="in_transit", abroad=True, placed_days=(7.0, 9.0)),
    _Scenario("where_is_my_order", "en", "Tracking number not working", (
        _in("Hello,\n\nThe tracking number in my shipping confirmation ({tracking}) just says 'no information "
            "available'. Has the parcel actually left? My order number is {order_bare}.\n\nCheers,\n{first}"),
        _out("Hi {first},\n\nYes, it has! Your parcel was handed to {carrier} on {ship_date}. Their system "
             "sometimes takes 24–48 hours to show the first scan, especially over a weekend. Here is the direct "
             "tracking link: {tracking_url}\n\nIf it still shows nothing tomorrow evening, let me know and I'll "
             "chase them.\n\nWarm wishes,"),
        _in("It's showing now: out for delivery tomorrow. Thanks for the quick reply!\n\n{first}"),
    ), kind="in_transit", placed_days=(2.0, 4.0), unread=False),
    _Scenario("where_is_my_order", "en", "Order {order} – will it arrive in time?", (
        _in("Hi,\n\nJust checking on order {order}. It's a wedding present and the wedding is a week on "
            "Saturday, so I'm getting a little nervous. Has it shipped yet?\n\nMany thanks,\n{full}"),
        _out("Hi {first},\n\nNo need to worry: your order is packed and goes out tomorrow morning. Delivery to "
             "{country} usually takes 3–6 working days, so it will be with you well before the wedding. You'll "
             "get the tracking link by email as soon as the carrier scans the parcel.\n\nWarm wishes,"),
    ), kind="processing", abroad=True),
    _Scenario("delivery_problem", "en", "Parcel lost?", (
        _in("Hello,\n\nMy parcel for order {order} has been stuck 'in transit' for eight days now ({carrier}, "
            "{tracking}). I'm starting to think it's lost. What can we do?\n\nRegards,\n{full}"),
        _out("Hi {first},\n\nI'm sorry, that is far too long. I opened an investigation with {carrier} this "
             "morning. They usually answer within 5 working days; if they can't locate the parcel by then, "
             "we'll send a replacement or refund you in full, whichever you prefer.\n\nI'll keep you posted "
             "either way.\n\nWarm wishes,"),
        _in("Thank you. If it comes to that I'd prefer a replacement: the candles were meant as a gift.\n\n"
            "{first}"),
    ), kind="in_transit", urgency=2, category="candle", placed_days=(10.0, 12.0)),
    _Scenario("delivery_problem", "en", "Wrong item in my parcel", (
        _in("Hi,\n\nI've just opened my parcel (order {order}) and instead of the {product} I ordered, there's "
            "a completely different piece inside, a small grey espresso cup. Could you send the right one? I'm "
            "happy to post the cup back.\n\nThanks,\n{first}"),
    ), kind="delivered", category="vase", placed_days=(4.0, 7.0), delivered_ago=(0.05, 0.5)),
    _Scenario("return", "en", "Returning an item", (
        _in("Hello,\n\nI'd like to return the {product} from order {order}. It's lovely, but it's much bigger "
            "than I expected and doesn't fit on my shelf. It's unused and still in its box. What's the "
            "process?\n\nBest,\n{full}"),
        _out("Hi {first},\n\nOf course. You have 30 days from delivery, so there's plenty of time. Please pack it "
             "in its original box and send it to:\n\nAtelier Lumière – returns\n7 passage des Tisserands\n"
             "69004 Lyon\nFrance\n\nPop a note with your order number ({order}) inside. As soon as it arrives "
             "we'll refund you within 5 working days. Return postage is on you, I'm afraid, as the item isn't "
             "faulty.\n\nWarm wishes,"),
        _in("Posted it this morning. Thanks for making it so easy!\n\n{first}"),
    ), kind="delivered", urgency=0, category="vase", unread=False),
    _Scenario("return", "en", "Exchange for another colour?", (
        _in("Hi!\n\nWould it be possible to exchange the {product} from order {order} for the same one in sage "
            "green? The blue doesn't go with the rest of my things. I haven't used it.\n\nThanks so much,\n"
            "{first}"),
    ), kind="delivered", urgency=0, category="ceramic"),
    _Scenario("refund_request", "en", "Crack in my order {order}", (
        _in("Hello,\n\nThe {product} I received with order {order} has a hairline crack along the base, and "
            "water seeps through when I fill it. I'd prefer a refund rather than a replacement, if that's all "
            "right. I can send photos.\n\n{full}"),
        _out("Hi {first},\n\nI'm so sorry, that should never have left the workshop. Photos would help: just "
             "reply to this email with them. There's no need to send the piece back; as soon as I've seen the "
             "photos I'll refund {refund} to your card.\n\nWarm wishes,"),
        _in("I've sent the photos in a separate email. Thanks for sorting this out so quickly.\n\n{first}"),
    ), kind="delivered", category="vase"),
    _Scenario("refund_request", "en", "Shipping cost refund", (
        _in("Hi,\n\nYour website says orders ship within 2–3 working days, but order {order} only left the "
            "workshop a week after I placed it, and it missed the birthday it was meant for. Would you "
            "consider refunding the shipping cost?\n\nThanks,\n{first}"),
    ), kind="delivered", category="candle", placed_days=(12.0, 16.0), ship_after=7.0),
    _Scenario("refund_status", "en", "Refund for returned order {order}", (
        _in("Hi,\n\nAccording to the tracking, you received my return for order {order} last week. Has the "
            "refund been processed? I haven't seen anything on my card yet.\n\nThanks,\n{full}"),
    ), kind="refunded"),
    _Scenario("cancellation", "en", "Please cancel my order", (
        _in("Hi,\n\nCould you please cancel order {order}? I ordered the wrong set by mistake. If it's already "
            "shipped, I'll just return it.\n\nSorry for the trouble!\n{first}"),
        _out("Hi {first},\n\nNo trouble at all, it hadn't shipped yet. Order {order} is now cancelled and the "
             "full {total} has been refunded to your card; it should show within 3–10 working days depending "
             "on your bank.\n\nWarm wishes,"),
    ), kind="cancelled", urgency=2, products=("Coffret trio de mini-bougies",), placed_days=(0.1, 0.8)),
    _Scenario("cancellation", "en", "Can I still cancel?", (
        _in("Hello,\n\nI placed order {order} a few days ago, but I've since found a similar piece at a local "
            "market. Is it still possible to cancel?\n\n{first}"),
        _out("Hi {first},\n\nUnfortunately your parcel already left with {carrier} on {ship_date} ({tracking}), "
             "so I can't stop it any more. Once it arrives you can send it back unused within 30 days and we'll "
             "refund the items. Just reply here and I'll send you the return address.\n\nWarm wishes,"),
        _in("OK, fair enough. I'll send it back when it arrives.\n\n{first}"),
    ), kind="in_transit", urgency=2, category="ceramic", placed_days=(3.0, 5.0), unread=False),
    _Scenario("address_change", "en", "New delivery address for {order}", (
        _in("Hi,\n\nI'm moving next week! Could you ship order {order} to my new address instead?\n\n"
            "{new_address}\n\nThank you!\n{full}"),
    ), kind="processing", urgency=2, placed_days=(0.2, 1.5)),
    _Scenario("address_change", "en", "Forgot my flat number", (
        _in("Hello,\n\nI just noticed I forgot my flat number on order {order}: it should be apartment 4B. Will "
            "the courier still find me? Tracking is {tracking}.\n\n{first}"),
        _out("Hi {first},\n\nThe parcel is already on its way, so I can't edit the order any more, but I've asked "
             "{carrier} to add 'Apt 4B' to the delivery instructions. You can also add it yourself from the "
             "tracking page: {tracking_url}\n\nWarm wishes,"),
    ), kind="in_transit", urgency=2, placed_days=(2.0, 4.0)),
    _Scenario("product_question", "en", "Gift wrapping?", (
        _in("Hi,\n\nDo you offer gift wrapping? I'd like to send a candle set straight to my mum in Lyon with a "
            "little handwritten note. Also, how long do the large candles burn for?\n\nThanks,\n{first}"),
        _out("Hi {first},\n\nYes! Gift wrapping is free: tick 'This is a gift' at checkout and add your message. "
             "I'll handwrite it on one of our cards and leave the price out of the parcel. The large candles "
             "burn for about 50 hours, the minis in the trio set around 15 hours each.\n\nWarm wishes,"),
    ), urgency=0),
    _Scenario("product_question", "en", "Wholesale enquiry", (
        _in("Hello,\n\nI run a small concept store and love your ceramics. Do you offer wholesale prices for "
            "orders of 30 pieces or more? A price list and your lead times would be great.\n\nKind regards,\n"
            "{full}"),
    ), urgency=0),
    _Scenario("payment_invoice", "en", "Invoice for order {order}", (
        _in("Hi,\n\nCould I get an invoice for order {order} with my company name on it? It was a gift for a "
            "client. Company: {last} & Partners.\n\nBest,\n{full}"),
        _out("Hi {first},\n\nOf course. The invoice for order {order} ({total}) is now in the name of {last} & "
             "Partners; you can download it from your account under 'My orders'. Just so you know, we're a "
             "small French business under the VAT franchise scheme, so the invoice shows no VAT.\n\n"
             "Warm wishes,"),
    ), kind="delivered", urgency=0),
    _Scenario("complaint", "en", "Disappointed with my candle", (
        _in("Hello,\n\nI bought the {product} (order {order}) and it tunnelled badly from the very first burn: "
            "there's now a thick ring of wax around the edge and the wick is drowning. For the price I expected "
            "much better.\n\nNot happy, to be honest.\n{full}"),
        _out("Hi {first},\n\nThank you for telling us, and I'm sorry it disappointed you. Tunnelling usually "
             "happens when the first burn is too short: wax has a memory, so the first time it should burn until "
             "the whole surface has melted, about 2–3 hours. That said, you shouldn't have had to find out the "
             "hard way. I'm sending you a replacement today, with burning tips on the card.\n\nWarm wishes,"),
        _in("Thanks, that's a fair response. I'll try the longer first burn with the new one.\n\n{first}"),
    ), kind="delivered", urgency=2, category="candle", unread=False),
    _Scenario("thanks", "en", "Thank you!", (
        _in("Just wanted to say the {product} arrived safe and sound, beautifully packed. It's even nicer in "
            "person. Thank you!\n\n{first}"),
    ), kind="delivered", urgency=0, category="ceramic", delivered_ago=(0.2, 1.5)),
    _Scenario("spam", "en", "Get your shop on Google's 1st page – GUARANTEED", (
        _in("Hello Atelier Lumière team,\n\nI was checking your website and noticed it is NOT on the first page "
            "of Google for \"handmade candles\". Our SEO experts guarantee a TOP 3 ranking in 30 days or your "
            "money back!!!\n\nReply YES today to get a free audit worth $499.\n\nBest regards,\nRyan\n"
            "Growth Partners"),
    ), urgency=0),
)

_TEMPLATES = (
    ("Suivi de commande", "where_is_my_order", "fr", "Votre commande {{order.number}}",
     "Bonjour {{customer.first_name}},\n\nMerci pour votre message ! Votre commande {{order.number}} est "
     "actuellement : {{order.status}}.\n\nVous pouvez suivre votre colis ici : "
     "{{order.tracking_url | \"le lien de suivi arrive bientôt\"}}\n\nSi le suivi ne bouge pas d'ici 48 h, "
     "répondez simplement à ce message et je m'en occupe.\n\nBelle journée,"),
    ("Order tracking", "where_is_my_order", "en", "Your order {{order.number}}",
     "Hi {{customer.first_name | \"there\"}},\n\nThanks for getting in touch! Your order {{order.number}} is "
     "currently: {{order.status}}.\n\nYou can follow your parcel here: "
     "{{order.tracking_url | \"the tracking link is on its way\"}}\n\nIf the tracking hasn't moved within "
     "48 hours, just reply to this email and I'll look into it.\n\nWarm wishes,"),
    ("Retour d'un article", "return", "fr", "Retour – commande {{order.number}}",
     "Bonjour {{customer.first_name}},\n\nBien sûr ! Vous avez 30 jours après la livraison pour nous retourner "
     "un article non utilisé, dans son emballage d'origine, à cette adresse :\n\nAtelier Lumière – retours\n"
     "7 passage des Tisserands\n69004 Lyon\n\nMerci de glisser le numéro de commande {{order.number}} dans le "
     "colis. Dès réception, nous vous remboursons sous 5 jours ouvrés.\n\nBelle journée,"),
    ("Returning an item", "return", "en", "Return – order {{order.number}}",
     "Hi {{customer.first_name | \"there\"}},\n\nOf course! You have 30 days from delivery to send back any "
     "unused item in its original packaging, to:\n\nAtelier Lumière – returns\n7 passage des Tisserands\n"
     "69004 Lyon\nFrance\n\nPlease add a note with your order number ({{order.number}}). As soon as it arrives "
     "we'll refund you within 5 working days.\n\nWarm wishes,"),
    ("Où en est mon remboursement", "refund_status", "fr", "Remboursement – commande {{order.number}}",
     "Bonjour {{customer.first_name}},\n\nLe remboursement de votre commande {{order.number}} a bien été émis "
     "(statut : {{order.status}}). Selon les banques, il faut compter 3 à 10 jours ouvrés avant qu'il "
     "apparaisse sur votre relevé.\n\nSi rien n'est visible d'ici là, écrivez-moi et je vous enverrai une "
     "attestation pour votre banque.\n\nBelle journée,"),
    ("Refund status", "refund_status", "en", "Refund – order {{order.number}}",
     "Hi {{customer.first_name | \"there\"}},\n\nThe refund for your order {{order.number}} has been issued "
     "(status: {{order.status}}). Depending on your bank, it takes 3–10 working days to show on your "
     "statement.\n\nIf you still can't see it by then, let me know and I'll send you a confirmation for your "
     "bank.\n\nWarm wishes,"),
)

_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|tr)\s*:\s*)+", re.IGNORECASE)

# --- helpers ------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _money(cents: int, language: str) -> str:
    if language == "fr":
        return f"{cents // 100},{cents % 100:02d}\u00a0€"
    return f"€{cents // 100}.{cents % 100:02d}"


def _day(moment: datetime, language: str) -> str:
    month = _MONTHS[language][moment.month - 1]
    if language == "fr":
        return f"{'1er' if moment.day == 1 else moment.day} {month}"
    return f"{moment.day} {month}"


def _normalize_subject(subject: str) -> str:
    return _SUBJECT_PREFIX.sub("", subject).strip().lower()


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def _tracking_number(rng: random.Random, carrier: str, used: set[str]) -> str:
    while True:
        if carrier == "Colissimo":
            number = "6A" + _digits(rng, 11)
        elif carrier == "Mondial Relay":
            number = _digits(rng, 8)
        else:
            number = _digits(rng, 10)
        if number not in used:
            used.add(number)
            return number


def _carrier_for(rng: random.Random, country: str) -> str:
    if country == "France":
        return "Colissimo" if rng.random() < 0.6 else "Mondial Relay"
    return "DHL" if rng.random() < 0.6 else "Colissimo"


def _address(person: _Person, street: str | None = None) -> dict[str, str]:
    return {"name": person.name, "address1": street or person.street, "zip": person.zip, "city": person.city,
            "country": person.country}


def _address_text(address: dict[str, str], language: str) -> str:
    country = _COUNTRY_FR.get(address["country"], address["country"]) if language == "fr" else address["country"]
    return f"{address['name']}\n{address['address1']}\n{address['zip']} {address['city']}\n{country}"


def _pick_items(rng: random.Random, scenario: _Scenario | None) -> list[tuple[_Product, int]]:
    if scenario is not None and scenario.products:
        return [(_BY_TITLE[title], 1) for title in scenario.products]
    kinds = _CATEGORIES[scenario.category] if scenario is not None and scenario.category else None
    first = rng.choice([p for p in _PRODUCTS if kinds is None or p.kind in kinds])
    others = [p for p in _PRODUCTS if p is not first]
    chosen = [first, *rng.sample(others, rng.choice((0, 0, 1, 1, 2)))]
    return [(p, 2 if p.kind != "vase" and rng.random() < 0.2 else 1) for p in chosen]


def _raw_message(*, from_name: str, from_addr: str, to_name: str, to_addr: str, subject: str, when: datetime,
                 message_id: str, previous: list[str], body: str) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(from_name, addr_spec=from_addr)
    msg["To"] = Address(to_name, addr_spec=to_addr)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{message_id}>"
    if previous:
        msg["In-Reply-To"] = f"<{previous[-1]}>"
        msg["References"] = " ".join(f"<{ref}>" for ref in previous)
    msg.set_content(body, charset="utf-8")
    return msg.as_bytes()


def _refs(text: str, orders: list[_Order]) -> str:
    found: list[str] = []
    for order in orders:
        if re.search(rf"(?<!\d){re.escape(order.number.lstrip('#'))}(?!\d)", text):
            found.append(order.number)
        found.extend(t["number"] for t in order.tracking if t["number"] in text)
    return " ".join(dict.fromkeys(found))


# --- the plan -----------------------------------------------------------------------------------


@dataclass
class _Thread:
    scenario: _Scenario
    person: int
    times: list[datetime]
    order: _Order | None = None
    new_street: str = ""


def _assign_people(rng: random.Random) -> list[int]:
    """Which customer writes each scenario: the least busy eligible one, ties broken at random."""
    load = [0] * len(_PEOPLE)
    chosen = [-1] * len(_SCENARIOS)
    order = sorted(range(len(_SCENARIOS)), key=lambda i: not _SCENARIOS[i].abroad)  # constrained ones first
    for i in order:
        scenario = _SCENARIOS[i]
        if scenario.intent == "spam":
            continue
        eligible = [
            j for j, p in enumerate(_PEOPLE)
            if p.locale == scenario.language and (not scenario.abroad or p.country != "France")
        ]
        least = min(load[j] for j in eligible)
        pick = rng.choice([j for j in eligible if load[j] == least])
        load[pick] += 1
        chosen[i] = pick
    return chosen


def _timeline(rng: random.Random, scenario: _Scenario, now: datetime) -> list[datetime]:
    gaps = [0.0] + [rng.uniform(1.0, 20.0) if m.direction == "out" else rng.uniform(1.5, 30.0)
                    for m in scenario.mails[1:]]
    span = sum(gaps)
    waiting = scenario.mails[-1].direction == "in" and scenario.unread
    end_hours = rng.uniform(0.3, 5 * 24.0) if waiting else rng.uniform(6.0, 29 * 24.0 - span)
    moment = now - timedelta(hours=end_hours + span)
    times = []
    for gap in gaps:
        moment += timedelta(hours=gap)
        times.append(_minute(moment))
    return times


def _scenario_order(rng: random.Random, thread: _Thread, used: set[str]) -> _Order:
    scenario = thread.scenario
    assert scenario.kind is not None
    person = _PEOPLE[thread.person]
    start = thread.times[0]
    low, high = scenario.placed_days or _PLACED_DAYS[scenario.kind]
    placed = _minute(start - timedelta(days=rng.uniform(low, high)))
    carrier = scenario.carrier or _carrier_for(rng, person.country)
    address = _address(person)
    if scenario.intent == "address_change" and any(m.direction == "out" for m in scenario.mails):
        address = _address(person, thread.new_street)   # the shop already made the change
    order = _Order(thread.person, scenario.kind, placed, _pick_items(rng, scenario), carrier, address, placed)
    _settle(rng, order, start, used, ship_after=scenario.ship_after, delivered_ago=scenario.delivered_ago)
    if scenario.kind == "cancelled" and start - placed < timedelta(days=4):
        # cancelled in answer to this very conversation: when the shop replied
        order.refund_date = order.event = thread.times[min(1, len(thread.times) - 1)]
    return order


def _settle(rng: random.Random, order: _Order, before: datetime, used: set[str], *,
            ship_after: float | None = None, delivered_ago: tuple[float, float] | None = None) -> None:
    """Ship, deliver and refund the order as its kind says, all before `before`."""
    room = (before - order.placed).total_seconds() / 86400
    shipped = _KINDS[order.kind][3]
    if shipped:
        days = ship_after if ship_after is not None else min(rng.uniform(0.6, 2.0), room * 0.5)
        order.ship = _minute(order.placed + timedelta(days=days))
        number = _tracking_number(rng, order.carrier, used)
        order.tracking = [{"number": number, "url": _TRACKING_URLS[order.carrier].format(number),
                           "carrier": order.carrier}]
        order.event = order.ship
        if order.kind not in ("in_transit", "partial"):
            left = (before - order.ship).total_seconds() / 86400
            order.event = _minute(order.ship + timedelta(days=min(rng.uniform(1.5, 3.0), left * 0.5)))
            if delivered_ago is not None:
                delivered = _minute(before - timedelta(days=rng.uniform(*delivered_ago)))
                order.event = max(delivered, order.ship + timedelta(hours=20))
    if order.kind in ("part_refunded", "refunded", "cancelled"):
        refund = _minute(before - timedelta(days=rng.uniform(5.0, 7.0)))
        order.refund_date = max(refund, order.event + timedelta(hours=2))
        order.event = order.refund_date


def _plan(rng: random.Random, now: datetime) -> tuple[list[_Thread], list[_Order]]:
    people = _assign_people(rng)
    threads: list[_Thread] = []
    for scenario, person in zip(_SCENARIOS, people, strict=True):
        thread = _Thread(scenario, person, _timeline(rng, scenario, now))
        if scenario.intent == "address_change":
            thread.new_street = rng.choice(_NEW_STREETS[scenario.language])
        threads.append(thread)
    used: set[str] = set()
    orders: list[_Order] = []
    for thread in threads:
        if thread.scenario.kind is not None:
            thread.order = _scenario_order(rng, thread, used)
            orders.append(thread.order)
    # Past orders: every real customer has bought at least once, and the shop has some history.
    have = {o.person for o in orders}
    buyers = [j for j in range(len(_PEOPLE)) if j not in have]
    while len(orders) + len(buyers) < 40:
        buyers.append(rng.randrange(len(_PEOPLE)))
    for j in buyers:
        buyer = _PEOPLE[j]
        placed = _minute(now - timedelta(days=rng.uniform(35.0, 120.0)))
        order = _Order(j, "delivered", placed, _pick_items(rng, None), _carrier_for(rng, buyer.country),
                       _address(buyer), placed)
        _settle(rng, order, placed + timedelta(days=6), used)
        orders.append(order)
    orders.sort(key=lambda o: (o.placed, o.person))
    for n, order in enumerate(orders, start=1001):
        order.number = f"#{n}"
    threads.sort(key=lambda t: t.times[0])
    return threads, orders


def _context(thread: _Thread, language: str) -> dict[str, str]:
    person = _PEOPLE[thread.person] if thread.scenario.intent != "spam" else _SPAMMER
    ctx = {"first": person.first, "last": person.last, "full": person.name,
           "e": "e" if person.feminine else "",
           "country": _COUNTRY_FR.get(person.country, person.country) if language == "fr" else person.country}
    if thread.new_street:
        ctx["new_address"] = _address_text(_address(person, thread.new_street), language)
    order = thread.order
    if order is not None:
        first, _ = order.items[0]
        ctx.update({
            "order": order.number, "order_bare": order.number.lstrip("#"),
            "date": _day(order.placed, language), "total": _money(order.total, language),
            "refund": _money(first.price, language),
            "product": first.fr if language == "fr" else first.en,
            "pe": "e" if first.feminine else "",
        })
        if len(order.items) > 1:
            second = order.items[1][0]
            ctx["product2"] = second.fr if language == "fr" else second.en
        if order.ship is not None:
            ctx["ship_date"] = _day(order.ship, language)
        if order.refund_date is not None:
            ctx["refund_date"] = _day(order.refund_date, language)
        if order.tracking:
            ctx.update(tracking=order.tracking[0]["number"], tracking_url=order.tracking[0]["url"],
                       carrier=order.tracking[0]["carrier"])
    return ctx


# --- inserting ----------------------------------------------------------------------------------


def _insert_shop(conn: sqlcipher3.Connection, now: str) -> int:
    conn.execute(
        "INSERT INTO shop_profile(id, shop_name, website, tone, signature, languages, shipping_policy, "
        "returns_policy, refunds_policy, faq, updated_at) VALUES (1, ?, ?, ?, ?, 'fr,en', ?, ?, ?, ?, ?)",
        (SHOP_NAME, SHOP_URL, _TONE, SIGNATURE, _SHIPPING_POLICY, _RETURNS_POLICY, _REFUNDS_POLICY,
         json.dumps(_FAQ, ensure_ascii=False), now),
    )
    cur = conn.execute(
        "INSERT INTO shops(platform, name, base_url, last_sync_at, created_at) VALUES ('demo', ?, ?, ?, ?)",
        (SHOP_NAME, SHOP_URL, now, now),
    )
    return int(cur.lastrowid)


def _insert_customers(conn: sqlcipher3.Connection, rng: random.Random, threads: list[_Thread],
                      orders: list[_Order], now: datetime) -> tuple[list[int], int, int]:
    """Insert every customer and address; returns (ids in _PEOPLE order, spammer id, address count)."""
    first_seen: dict[int, datetime] = {}
    for order in orders:
        first_seen[order.person] = min(first_seen.get(order.person, order.placed), order.placed)
    for thread in threads:
        first_seen[thread.person] = min(first_seen.get(thread.person, thread.times[0]), thread.times[0])
    ids: list[int] = []
    addresses = 0
    for j, person in enumerate([*_PEOPLE, _SPAMMER]):
        seen = first_seen.get(j if j < len(_PEOPLE) else -1, now)
        created = _iso(_minute(seen - timedelta(minutes=rng.randint(2, 90))))
        phone = f"+33 6 39 98 {rng.randint(10, 99)} {rng.randint(10, 99)}" if person.country == "France" else ""
        cur = conn.execute(
            "INSERT INTO customers(display_name, first_name, last_name, phone, locale, no_ai, no_marketing, "
            "notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (person.name, person.first, person.last, phone, person.locale, int(person.no_ai),
             int(person.no_marketing), person.notes, created, _iso(now)),
        )
        customer_id = int(cur.lastrowid)
        ids.append(customer_id)
        for k, email in enumerate(person.emails):
            conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, ?)",
                         (customer_id, email, int(k == 0)))
            addresses += 1
    return ids[:-1], ids[-1], addresses


def _insert_orders(conn: sqlcipher3.Connection, shop_id: int, customer_ids: list[int], orders: list[_Order],
                   now: str) -> None:
    for order in orders:
        person = _PEOPLE[order.person]
        status, financial, fulfillment, _ = _KINDS[order.kind]
        items = [{"title": p.title, "quantity": q, "price": f"{p.price // 100}.{p.price % 100:02d}"}
                 for p, q in order.items]
        conn.execute(
            "INSERT INTO orders(shop_id, customer_id, external_id, number, email, status, financial_status, "
            "fulfillment_status, currency, total, placed_at, updated_at_remote, shipping_address, items, "
            "tracking, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?, ?)",
            (shop_id, customer_ids[order.person], f"demo-{order.number.lstrip('#')}", order.number,
             person.emails[0], status, financial, fulfillment,
             f"{order.total // 100}.{order.total % 100:02d}", _iso(order.placed), _iso(order.event),
             json.dumps(order.address, ensure_ascii=False), json.dumps(items, ensure_ascii=False),
             json.dumps(order.tracking), now),
        )


def _insert_threads(conn: sqlcipher3.Connection, rng: random.Random, threads: list[_Thread],
                    orders: list[_Order], customer_ids: list[int], spammer_id: int) -> int:
    """Insert every thread and its messages; returns the number of messages."""
    serial = 0
    for thread in threads:
        scenario = thread.scenario
        spam = scenario.intent == "spam"
        person = _SPAMMER if spam else _PEOPLE[thread.person]
        mine = [] if spam else [o for o in orders if o.person == thread.person]
        address = person.emails[0]
        if len(person.emails) > 1 and rng.random() < 0.5:
            address = person.emails[1]
        ctx = _context(thread, scenario.language)
        subject = scenario.subject.format_map(ctx)
        last = scenario.mails[-1]
        waiting = last.direction == "in" and scenario.unread
        status = "spam" if spam else ("open" if last.direction == "in" else "answered")
        cur = conn.execute(
            "INSERT INTO threads(customer_id, subject, normalized_subject, intent, intent_source, language, "
            "urgency, status, unread, message_count, first_message_at, last_message_at, created_at) "
            "VALUES (?, ?, ?, ?, 'rules', ?, ?, ?, ?, ?, ?, ?, ?)",
            (spammer_id if spam else customer_ids[thread.person], subject, _normalize_subject(subject),
             _TAXONOMY.get(scenario.intent, scenario.intent), scenario.language, scenario.urgency, status,
             int(waiting), len(scenario.mails),
             _iso(thread.times[0]), _iso(thread.times[-1]), _iso(thread.times[0])),
        )
        thread_id = int(cur.lastrowid)
        previous: list[str] = []
        for k, (mail, when) in enumerate(zip(scenario.mails, thread.times, strict=True)):
            serial += 1
            message_id = f"demo-{serial}@atelier-lumiere.example"
            body = mail.body.format_map(ctx)
            if mail.direction == "out":
                body = f"{body}\n{SIGNATURE}"
            inbound = mail.direction == "in"
            this_subject = subject if k == 0 else f"Re: {subject}"
            from_name, from_addr = (person.name, address) if inbound else (SHOP_NAME, SHOP_EMAIL)
            to_name, to_addr = (SHOP_NAME, SHOP_EMAIL) if inbound else (person.name, address)
            raw = _raw_message(from_name=from_name, from_addr=from_addr, to_name=to_name, to_addr=to_addr,
                               subject=this_subject, when=when, message_id=message_id, previous=previous,
                               body=body)
            is_last = k == len(scenario.mails) - 1
            answered = inbound and any(m.direction == "out" for m in scenario.mails[k + 1:])
            conn.execute(
                "INSERT INTO messages(thread_id, message_id, in_reply_to, references_ids, direction, subject, "
                "from_addr, from_name, to_addrs, names, date, internal_date, is_read, is_answered, snippet, "
                "body_text, ref_numbers, language, raw, raw_sha256, size, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (thread_id, message_id, previous[-1] if previous else None, " ".join(previous), mail.direction,
                 this_subject, from_addr, from_name, to_addr, f"{from_name}, {to_name}", _iso(when),
                 _iso(when + timedelta(seconds=rng.randint(3, 90))), int(not (is_last and waiting)),
                 int(answered), " ".join(body.split())[:140], body, _refs(f"{this_subject}\n{body}", mine),
                 scenario.language, zlib.compress(raw), hashlib.sha256(raw).hexdigest(), len(raw),
                 _iso(when)),
            )
            previous.append(message_id)
    return serial


# The scenarios' short names → the assistant's intents (desktop.core.triage.Intent); spam is status 'spam'.
_TAXONOMY = {"return": "return_request", "spam": "other"}


def _insert_templates(conn: sqlcipher3.Connection, now: str) -> None:
    for name, intent, language, subject, body in _TEMPLATES:
        conn.execute(
            "INSERT INTO templates(name, intent, language, subject, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, _TAXONOMY.get(intent, intent), language, subject, body, now, now),
        )


def populate_demo(conn: sqlcipher3.Connection, *, seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    """Insert the demo shop; returns counts per table inserted. Caller holds the transaction."""
    rng = random.Random(seed)
    moment = now or datetime.now(UTC)
    moment = _minute(moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC))
    stamp = _iso(moment)
    threads, orders = _plan(rng, moment)
    shop_id = _insert_shop(conn, stamp)
    customer_ids, spammer_id, addresses = _insert_customers(conn, rng, threads, orders, moment)
    _insert_orders(conn, shop_id, customer_ids, orders, stamp)
    messages = _insert_threads(conn, rng, threads, orders, customer_ids, spammer_id)
    _insert_templates(conn, stamp)
    return {
        "shop_profile": 1,
        "shops": 1,
        "customers": len(customer_ids) + 1,
        "customer_addresses": addresses,
        "orders": len(orders),
        "threads": len(threads),
        "messages": messages,
        "templates": len(_TEMPLATES),
    }
