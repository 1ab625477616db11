"""Shops in Settings: connect Shopify or WooCommerce, test the connection, disconnect."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.session import Session
from desktop.store.platform_repo import ShopRow
from desktop.ui.bridge import op


class ShopDialog(QDialog):
    """Connect a shop; the secrets go straight to the encrypted database."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopDialog")
        self.session = session
        self.setWindowTitle(self.tr("Connect a shop"))
        layout = QVBoxLayout(self)
        self.platform = QComboBox()
        self.platform.addItem("Shopify", "shopify")
        self.platform.addItem("WooCommerce", "woocommerce")
        layout.addWidget(self.platform)
        self.stack = QStackedWidget()
        shopify = QWidget()
        f = QFormLayout(shopify)
        self.domain = QLineEdit()
        self.domain.setPlaceholderText("my-shop.myshopify.com")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("shpat_…")
        self.client_id = QLineEdit()
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        f.addRow(self.tr("Shop domain"), self.domain)
        f.addRow(self.tr("Admin API access token"), self.token)
        f.addRow(QLabel(self.tr("or, for a Dev Dashboard app:")))
        f.addRow(self.tr("Client ID"), self.client_id)
        f.addRow(self.tr("Client secret"), self.client_secret)
        woo = QWidget()
        g = QFormLayout(woo)
        self.site = QLineEdit()
        self.site.setPlaceholderText("https://myshop.fr")
        self.key = QLineEdit()
        self.key.setPlaceholderText("ck_…")
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("cs_…")
        g.addRow(self.tr("Site address"), self.site)
        g.addRow(self.tr("Consumer key"), self.key)
        g.addRow(self.tr("Consumer secret"), self.secret)
        self.stack.addWidget(shopify)
        self.stack.addWidget(woo)
        layout.addWidget(self.stack)
        self.platform.currentIndexChanged.connect(self.stack.setCurrentIndex)
        self.result_label = QLabel()
        self.result_label.setObjectName("shopResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @Slot()
    def on_save_clicked(self) -> None:
        platforms = self.session.platforms
        if self.platform.currentData() == "shopify":
            domain, token = self.domain.text(), self.token.text() or None
            cid, csecret = self.client_id.text() or None, self.client_secret.text() or None

            def _add(job: object) -> list[str]:
                shop_id = platforms.add_shopify(domain, access_token=token, client_id=cid, client_secret=csecret)
                return platforms.test_shop(shop_id)
        else:
            site, key, secret = self.site.text(), self.key.text(), self.secret.text()

            def _add(job: object) -> list[str]:
                shop_id = platforms.add_woocommerce(site, key, secret)
                return platforms.test_shop(shop_id)

        self.result_label.setText(self.tr("Connecting…"))
        (op(self, _add).on_success(lambda _lines: self.accept())
         .on_failure(lambda e: self.result_label.setText(f"✘ {e.message}\n{e.hint}")).run())


class ShopsPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopsPanel")
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("shopList")
        self.list.setMaximumHeight(90)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Connect a shop…"))
        self.test_button = QPushButton(self.tr("Test"))
        self.remove_button = QPushButton(self.tr("Disconnect…"))
        for b in (self.add_button, self.test_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("shopStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.shops: list[ShopRow] = []

    def refresh(self) -> None:
        op(self, lambda job: self.session.platforms.shops()).on_success(self._show).run()

    def _show(self, shops: list[ShopRow]) -> None:
        self.shops = shops
        self.list.clear()
        for s in shops:
            self.list.addItem(f"{s.platform}: {s.name} ({s.base_url})")
        if not shops:
            self.list.addItem(self.tr("No shop connected yet."))

    def _selected(self) -> ShopRow | None:
        row = self.list.currentRow()
        return self.shops[row] if 0 <= row < len(self.shops) else None

    @Slot()
    def on_add_clicked(self) -> None:
        dialog = ShopDialog(self.session, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()

    @Slot()
    def on_test_clicked(self) -> None:
        shop = self._selected()
        if shop is not None:
            shop_id = shop.id
            (op(self, lambda job: self.session.platforms.test_shop(shop_id))
             .on_success(lambda lines: self.status.setText("✔ " + " ".join(lines)))
             .on_failure(lambda e: self.status.setText(f"✘ {e.message} {e.hint}")).run())

    @Slot()
    def on_remove_clicked(self) -> None:
        shop = self._selected()
        if shop is None:
            return
        shop_id = shop.id
        answer = QMessageBox.question(self, self.tr("Disconnect shop"), self.tr(
            "Disconnect {name}? Its cached orders are deleted from this computer; nothing changes in the shop.")
            .format(name=shop.name))
        if answer == QMessageBox.StandardButton.Yes:
            (op(self, lambda job: self.session.platforms.remove_shop(shop_id))
             .on_success(lambda _n: self.refresh()).run())
