"""The demo shop both fake servers are seeded with (`seed_demo()`): the same customers, orders and parcels, told the
way each platform tells them. Dates are relative to the server's `now`, so the 60-day window Shopify applies
without `read_all_orders` always hides the same order (Ann's oldest, 90 days ago).

Customers and their orders (newest first; Shopify names are assigned in date order from #1001, so see
`server.orders_for(email)` / `server.order_by_name()` rather than hard-coding them):

- ann@x.fr (Ann Martin): 4 orders. 1 day ago unfulfilled (gift note); 6 days ago shipped Colissimo 6A98765432109,
  **billed as `Ann@x.fr`** (case differs); 20 days ago delivered Colissimo 6A12345678901 with a partial refund of
  9.90 ("Savon cassé à la livraison"); 90 days ago delivered Colissimo 6A10000000090 (hidden on Shopify by the
  60-day window; a guest order, customer_id 0, on WooCommerce).
- joann@x.fr (Jo Ann Leroy): 2 orders, 12 days ago shipped DHL Express 1234567890, 3 days ago unfulfilled.
  Found by any search for "ann@x.fr": a client must keep only exact matches.
- ann@x.free.fr (Annie Roux): 1 order 8 days ago (also contains "ann@x.fr" as a prefix).
- marie.dupont@example.fr (Marie Dupont): 12 orders over the last 55 days (more than a page of 10): shipped
  with Colissimo 6A2000000000N, one by Mondial Relay 48213377 (no tracking URL), one fulfilled without tracking.
  WooCommerce only: a 13th order of her account (customer 15) billed to m.dupont@pro.example.
- luc.bernard@example.fr: 2 (on Shopify one is imported: processed 40 days ago, created 30 days ago).
- sophie.moreau@example.com (Brussels): 2, one shipped Chronopost XY246813579FR.
- hans.mueller@example.de (Berlin): 1 shipped DHL Express 2345678901.
- paul.girard@example.fr: 1 cancelled and fully refunded.
- claire.fontaine@example.fr: 2, one fully refunded.
- invite.sans.compte@example.org: 1 guest order (no customer account).
- (Shopify only) a point-of-sale order with no email at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.platform_servers.shopify import ShopifyServer
    from tests.platform_servers.woocommerce import WooServer

CARRIERS = {
    "Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    "DHL Express": "https://www.dhl.com/fr-fr/home/tracking/tracking-express.html?submit=1&tracking-id={}",
    "Chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}",
    "Mondial Relay": None,  # a number, but no URL
}

# sku → (title, variant, price)
CATALOG: dict[str, tuple[str, str | None, str]] = {
    "SAV-ALEP-200": ("Savon d'Alep 200 g", None, "9.90"),
    "BOU-FIGUE": ("Bougie parfumée figue", None, "24.00"),
    "TAB-LIN-S": ("Tablier en lin", "S", "39.00"),
    "TAB-LIN-M": ("Tablier en lin", "M", "39.00"),
    "TAB-LIN-L": ("Tablier en lin", "L", "39.00"),
    "COF-DECOUV": ("Coffret découverte", None, "49.90"),
    "CARTE-30": ("Carte cadeau 30 €", None, "30.00"),
    "HUI-MASS": ("Huile de massage", None, "18.50"),
}


@dataclass(frozen=True)
class Customer:
    first: str
    last: str
    email: str
    phone: str
    address1: str
    city: str
    zip: str
    country: str         # ISO code
    woo_id: int = 0      # WooCommerce user id; 0 = never registered


ANN = Customer("Ann", "Martin", "ann@x.fr", "+33612345678", "12 rue des Lilas", "Lyon", "69003", "FR", 12)
JOANN = Customer("Jo Ann", "Leroy", "joann@x.fr", "+33698765432", "4 quai de la Fosse", "Nantes", "44000", "FR")
ANNIE = Customer("Annie", "Roux", "ann@x.free.fr", "+33611223344", "8 rue Paradis", "Marseille", "13001", "FR")
MARIE = Customer("Marie", "Dupont", "marie.dupont@example.fr", "+33155550101", "25 rue de Rivoli", "Paris", "75004",
                 "FR", 15)
LUC = Customer("Luc", "Bernard", "luc.bernard@example.fr", "+33556000000", "3 cours de l'Intendance", "Bordeaux",
               "33000", "FR", 18)
SOPHIE = Customer("Sophie", "Moreau", "sophie.moreau@example.com", "+3225551234", "Rue Neuve 10", "Bruxelles",
                  "1000", "BE")
HANS = Customer("Hans", "Müller", "hans.mueller@example.de", "+4930555000", "Torstraße 5", "Berlin", "10119", "DE")
PAUL = Customer("Paul", "Girard", "paul.girard@example.fr", "+33470000000", "1 place Jaude", "Clermont-Ferrand",
                "63000", "FR")
CLAIRE = Customer("Claire", "Fontaine", "claire.fontaine@example.fr", "+33320000000", "9 Grand Place", "Lille",
                  "59000", "FR", 21)
GUEST = Customer("Inès", "Garnier", "invite.sans.compte@example.org", "+33240000000", "2 rue Crébillon", "Nantes",
                 "44000", "FR")

COUNTRY_NAMES = {"FR": "France", "BE": "Belgium", "DE": "Germany"}


@dataclass(frozen=True)
class DemoOrder:
    customer: Customer | None
    days_ago: float
    items: tuple[tuple[str, int], ...]
    state: str = "unfulfilled"     # unfulfilled | shipped | delivered | cancelled | refunded | pending
    tracking: tuple[tuple[str, str], ...] = ()   # (carrier, number)
    refund: tuple[str, str] | None = None        # (amount, reason)
    note: str | None = None
    email: str | None = None       # the email on the order when it differs from the customer's
    guest: bool = False            # WooCommerce: placed without logging in (customer_id 0)
    processed_days_ago: float | None = None      # Shopify: imported orders were processed before being created
    shopify: bool = True
    woo: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _marie(i: int, days: float, state: str, tracking: tuple[tuple[str, str], ...] = ()) -> DemoOrder:
    items = (("SAV-ALEP-200", 1 + i % 3),) if i % 2 else (("BOU-FIGUE", 1), ("SAV-ALEP-200", 2))
    return DemoOrder(MARIE, days, items, state, tracking)


ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(ANN, 90, (("COF-DECOUV", 1),), "delivered", (("Colissimo", "6A10000000090"),), guest=True),
    DemoOrder(ANN, 20, (("SAV-ALEP-200", 2), ("TAB-LIN-M", 1)), "delivered", (("Colissimo", "6A12345678901"),),
              refund=("9.90", "Savon cassé à la livraison")),
    DemoOrder(ANN, 6, (("BOU-FIGUE", 1),), "shipped", (("Colissimo", "6A98765432109"),), email="Ann@x.fr"),
    DemoOrder(ANN, 1, (("COF-DECOUV", 1), ("CARTE-30", 1)), note="Merci d'emballer pour un cadeau"),
    DemoOrder(JOANN, 12, (("TAB-LIN-L", 1),), "shipped", (("DHL Express", "1234567890"),)),
    DemoOrder(JOANN, 3, (("SAV-ALEP-200", 3),)),
    DemoOrder(ANNIE, 8, (("BOU-FIGUE", 2),), "shipped", (("Colissimo", "6A55555555555"),)),
    _marie(0, 55, "delivered", (("Colissimo", "6A20000000001"),)),
    _marie(1, 50, "delivered", (("Colissimo", "6A20000000002"),)),
    _marie(2, 45, "delivered", (("Mondial Relay", "48213377"),)),
    _marie(3, 40, "delivered", (("Colissimo", "6A20000000004"),)),
    _marie(4, 35, "delivered"),                      # fulfilled, no tracking given
    _marie(5, 30, "delivered", (("Colissimo", "6A20000000006"),)),
    _marie(6, 25, "shipped", (("Colissimo", "6A20000000007"),)),
    _marie(7, 18, "shipped", (("Colissimo", "6A20000000008"),)),
    _marie(8, 14, "shipped", (("Colissimo", "6A20000000009"),)),
    _marie(9, 9, "unfulfilled"),
    _marie(10, 4, "unfulfilled"),
    _marie(11, 2, "pending"),
    DemoOrder(MARIE, 16, (("TAB-LIN-S", 2),), "shipped", (("Colissimo", "6A20000000013"),),
              email="m.dupont@pro.example", shopify=False),
    DemoOrder(LUC, 30, (("COF-DECOUV", 2),), "delivered", (("Colissimo", "6A30000000001"),), processed_days_ago=40),
    DemoOrder(LUC, 10, (("HUI-MASS", 1),)),
    DemoOrder(SOPHIE, 22, (("TAB-LIN-M", 1), ("BOU-FIGUE", 1)), "delivered", (("Chronopost", "XY246813579FR"),)),
    DemoOrder(SOPHIE, 5, (("SAV-ALEP-200", 1),)),
    DemoOrder(HANS, 11, (("COF-DECOUV", 1),), "shipped", (("DHL Express", "2345678901"),)),
    DemoOrder(PAUL, 15, (("BOU-FIGUE", 3),), "cancelled", refund=("76.90", "Commande annulée par le client")),
    DemoOrder(CLAIRE, 28, (("TAB-LIN-S", 1),), "refunded", refund=("43.90", "Taille indisponible")),
    DemoOrder(CLAIRE, 7, (("SAV-ALEP-200", 4),), "shipped", (("Colissimo", "6A40000000001"),)),
    DemoOrder(GUEST, 13, (("CARTE-30", 1),), "delivered", guest=True),
    DemoOrder(None, 17, (("SAV-ALEP-200", 1),), "delivered", woo=False),  # point of sale, no email
)


def shipping_for(customer: Customer | None, items: tuple[tuple[str, int], ...]) -> Decimal:
    if customer is None or all(sku == "CARTE-30" for sku, _ in items):
        return Decimal("0.00")
    return Decimal("4.90") if customer.country == "FR" else Decimal("9.90")


def _at(now: dt.datetime, days: float) -> dt.datetime:
    return (now - dt.timedelta(days=days)).replace(microsecond=0)


# --- Shopify ---------------------------------------------------------------------------------------------------------

def seed_shopify(server: ShopifyServer) -> None:
    for sku_prefix, skus in (("SAV", ["SAV-ALEP-200"]), ("BOU", ["BOU-FIGUE"]), ("TAB", ["TAB-LIN-S", "TAB-LIN-M",
                                                                                        "TAB-LIN-L"]),
                             ("COF", ["COF-DECOUV"]), ("CAR", ["CARTE-30"]), ("HUI", ["HUI-MASS"])):
        title = CATALOG[skus[0]][0]
        server.add_product(
            title, status="DRAFT" if sku_prefix == "HUI" else "ACTIVE",
            variants=[{"sku": sku, "price": CATALOG[sku][2], "title": CATALOG[sku][1] or "Default Title",
                       "inventory": 0 if sku == "TAB-LIN-L" else 12} for sku in skus],
            product_type="Cadeau" if sku_prefix in ("COF", "CAR") else "Maison")
    for spec in sorted((o for o in ORDERS if o.shopify), key=lambda o: -o.days_ago):
        created = _at(server.now, spec.days_ago)
        customer = spec.customer
        items = [{"title": CATALOG[sku][0], "variant_title": CATALOG[sku][1], "quantity": qty, "price": CATALOG[sku][2],
                  "sku": sku} for sku, qty in spec.items]
        fulfillments = []
        if spec.state in ("shipped", "delivered"):
            fulfillments.append({
                "created_at": created + dt.timedelta(days=1),
                "display_status": "DELIVERED" if spec.state == "delivered" else "IN_TRANSIT",
                "delivered_at": created + dt.timedelta(days=3) if spec.state == "delivered" else None,
                "in_transit_at": created + dt.timedelta(days=1, hours=6),
                "tracking": [{"company": carrier, "number": number,
                              "url": CARRIERS[carrier].format(number) if CARRIERS[carrier] else None}
                             for carrier, number in spec.tracking]})
        financial = {"cancelled": "REFUNDED", "refunded": "REFUNDED", "pending": "PENDING"}.get(spec.state, "PAID")
        if spec.refund and spec.state not in ("cancelled", "refunded"):
            financial = "PARTIALLY_REFUNDED"
        address = None
        if customer is not None:
            address = {"name": f"{customer.first} {customer.last}", "firstName": customer.first,
                       "lastName": customer.last, "company": None, "address1": customer.address1, "address2": None,
                       "city": customer.city, "zip": customer.zip, "province": None, "provinceCode": None,
                       "country": COUNTRY_NAMES[customer.country], "countryCodeV2": customer.country,
                       "phone": customer.phone}
        server.add_order(
            email=spec.email or (customer.email if customer else None),
            customer=server.add_customer(customer.email, customer.first, customer.last, phone=customer.phone)
            if customer and customer is not GUEST else None,
            created_at=created,
            processed_at=_at(server.now, spec.processed_days_ago) if spec.processed_days_ago else None,
            line_items=items, shipping=shipping_for(customer, spec.items), financial_status=financial,
            fulfillment_status="FULFILLED" if fulfillments else "UNFULFILLED", fulfillments=fulfillments,
            refunds=[{"amount": spec.refund[0], "note": spec.refund[1], "created_at": created + dt.timedelta(days=4)}]
            if spec.refund else [],
            cancelled_at=created + dt.timedelta(hours=5) if spec.state == "cancelled" else None,
            closed_at=created + dt.timedelta(days=5) if spec.state in ("delivered", "cancelled", "refunded") else None,
            shipping_address=address, note=spec.note, phone=customer.phone if customer else None,
            tags=["pos"] if customer is None else [])


# --- WooCommerce -----------------------------------------------------------------------------------------------------

WOO_PROVIDERS = {"Colissimo": "colissimo", "DHL Express": "dhl-express", "Chronopost": "chronopost"}


def seed_woo(server: WooServer) -> None:
    products: dict[str, dict[str, Any]] = {}
    for skus in (["SAV-ALEP-200"], ["BOU-FIGUE"], ["TAB-LIN-S", "TAB-LIN-M", "TAB-LIN-L"], ["COF-DECOUV"],
                 ["CARTE-30"], ["HUI-MASS"]):
        title = CATALOG[skus[0]][0]
        if len(skus) == 1:
            products[skus[0]] = server.add_product(title, sku=skus[0], price=CATALOG[skus[0]][2],
                                                   status="draft" if skus[0] == "HUI-MASS" else "publish",
                                                   virtual=skus[0] == "CARTE-30")
        else:
            parent = server.add_product(title, sku="TAB-LIN", price=CATALOG[skus[0]][2], variations=[
                {"sku": sku, "price": CATALOG[sku][2], "attribute": ("Taille", CATALOG[sku][1]),
                 "stock_status": "outofstock" if sku == "TAB-LIN-L" else "instock"} for sku in skus])
            for sku, variation in zip(skus, parent["_variations"], strict=True):
                products[sku] = {**parent, "_variation": variation}
    for customer in (ANN, MARIE, LUC, CLAIRE):
        server.add_customer(customer.email, customer.first, customer.last, id=customer.woo_id,
                            billing=_woo_address(customer, with_contact=True))
    for spec in sorted((o for o in ORDERS if o.woo), key=lambda o: -o.days_ago):
        customer = spec.customer
        assert customer is not None
        created = _at(server.now, spec.days_ago)
        lines = []
        for sku, qty in spec.items:
            product = products[sku]
            variation = product.get("_variation")
            title, variant, price = CATALOG[sku]
            lines.append({"name": f"{title} - {variant}" if variant else title, "quantity": qty, "price": price,
                          "sku": sku, "product_id": product["id"], "variation_id": variation["id"] if variation else 0,
                          "parent_name": title if variant else None,
                          "meta_data": [{"key": "pa_taille", "value": variant.lower(), "display_key": "Taille",
                                         "display_value": variant}] if variant else []})
        status = {"unfulfilled": "processing", "shipped": "completed", "delivered": "completed",
                  "cancelled": "cancelled", "refunded": "refunded", "pending": "on-hold"}[spec.state]
        tracking = [{"provider": WOO_PROVIDERS.get(carrier), "custom_provider": "" if carrier in WOO_PROVIDERS
                     else carrier, "custom_link": "", "number": number, "date_shipped": created + dt.timedelta(days=1)}
                    for carrier, number in spec.tracking]
        server.add_order(
            billing=_woo_address(customer, with_contact=True, email=spec.email),
            shipping=_woo_address(customer, with_contact=False),
            customer_id=0 if spec.guest else customer.woo_id, status=status, created_at=created,
            paid_at=None if spec.state == "pending" else created + dt.timedelta(minutes=2),
            completed_at=created + dt.timedelta(days=1) if status == "completed" else None,
            line_items=lines, shipping_total=shipping_for(customer, spec.items),
            shipping_method="Colissimo" if customer.country == "FR" else "Livraison internationale",
            refunds=[{"amount": spec.refund[0], "reason": spec.refund[1]}] if spec.refund else [],
            customer_note=spec.note or "", tracking=tracking,
            payment_method=("bacs", "Virement bancaire") if spec.state == "pending" else ("stripe", "Carte bancaire"))


def _woo_address(customer: Customer, *, with_contact: bool, email: str | None = None) -> dict[str, str]:
    address = {"first_name": customer.first, "last_name": customer.last, "company": "", "address_1": customer.address1,
               "address_2": "", "city": customer.city, "state": "", "postcode": customer.zip,
               "country": customer.country}
    if with_contact:
        address["email"] = email or customer.email
    address["phone"] = customer.phone if with_contact else ""
    return address
