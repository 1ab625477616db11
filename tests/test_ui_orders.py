"""Opening a customer's thread shows their orders from the shop, with tracking links (pytest-qt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService
from desktop.ui.bridge import init_bridge, running_operations
from desktop.ui.main_window import MainWindow
from tests.platform_servers.shopify import ShopifyServer
from tests.test_platforms_service import add_customer
from tests.test_ui import shot


@pytest.fixture(autouse=True)
def _bridge(qapp: QApplication) -> None:
    init_bridge()


def test_thread_view_shows_the_customers_orders_with_tracking_links(
        qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path, shopify_server: ShopifyServer) -> None:
    workspace = no_keyring_service.create_ephemeral(tmp_path / "ws")
    session = Session(workspace, ca_file=str(shopify_server.ca_file))
    try:
        session.platforms.add_shopify(shopify_server.url, access_token=shopify_server.ACCESS_TOKEN)
        ann = add_customer(session, "Ann Martin", "ann@x.fr")
        thread = session.add_message(subject="Où est ma commande ?", body_text="Bonjour, toujours rien reçu.",
                                     from_addr="ann@x.fr", from_name="Ann Martin", date="2026-11-20T10:00:00Z")
        session.db.write(lambda c: c.execute("UPDATE threads SET customer_id = ? WHERE id = ?", (ann, thread)))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        inbox = window.pages["inbox"]
        qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=15000)
        with qtbot.waitSignal(inbox.orders_refreshed, timeout=20000):
            inbox.list.selectRow(0)
        text, markup = inbox.view.toPlainText(), inbox.view.toHtml()
        assert "#1012" in text and "#1018" not in text  # Ann's orders, never joann@x.fr's
        assert "checked just now" in text
        assert 'href="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"' in markup
        shot(window, "thread-orders")
        qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)
    finally:
        window.stop_background()
        qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)
        session.close()
