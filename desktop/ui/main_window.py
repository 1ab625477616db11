"""The main window: a navigation list on the left, the pages on the right."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME
from desktop.services.session import Session
from desktop.ui.assistant_page import AssistantPage
from desktop.ui.pages import (
    CustomersPage,
    InboxPage,
    Page,
    ReportsPage,
    SettingsPage,
)
from desktop.ui.privacy_page import PrivacyPage


class MainWindow(QMainWindow):
    """Emits `create_workspace_requested` from the demo banner, `closing` when it closes, and
    `erase_everything_requested(remove_server_drafts)` once the merchant confirmed it on the Privacy page."""

    create_workspace_requested = Signal()
    closing = Signal()
    erase_everything_requested = Signal(bool)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.session = session
        info = session.workspace.info
        title = APP_NAME + (self.tr(" — demo shop") if info.demo else "")
        self.setWindowTitle(title)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        if info.demo:
            banner = QWidget()
            banner.setObjectName("demoBanner")
            banner.setStyleSheet("#demoBanner { background: #fff4ce; }")
            bl = QHBoxLayout(banner)
            bl.addWidget(QLabel(self.tr("You are looking at a demo shop with fictional customers. "
                                        "Nothing here is real.")), 1)
            create = QPushButton(self.tr("Create my workspace"))
            create.setObjectName("createFromDemo")
            create.clicked.connect(self.create_workspace_requested)
            bl.addWidget(create)
            outer.addWidget(banner)

        body = QHBoxLayout()
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        for key, label, page in (
            ("inbox", self.tr("Inbox"), InboxPage(session)),
            ("assistant", self.tr("Assistant"), AssistantPage(session)),
            ("customers", self.tr("Customers"), CustomersPage(session)),
            ("reports", self.tr("Reports"), ReportsPage(session)),
            ("privacy", self.tr("Privacy"), PrivacyPage(session)),
            ("settings", self.tr("Settings"), SettingsPage(session)),
        ):
            self.nav.addItem(label)
            self.stack.addWidget(page)
            self.pages[key] = page
        self.nav.currentRowChanged.connect(self.on_nav_current_row_changed)
        assistant = self.pages["assistant"]
        assert isinstance(assistant, AssistantPage)
        assistant.open_settings_requested.connect(lambda: self.show_page("settings"))
        privacy = self.pages["privacy"]
        assert isinstance(privacy, PrivacyPage)
        privacy.erase_everything_requested.connect(self.erase_everything_requested)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Workspace: {path}").format(path=info.path))
        self.resize(1120, 720)
        self.nav.setCurrentRow(0)

    def show_page(self, key: str) -> Page:
        index = list(self.pages).index(key)
        self.nav.setCurrentRow(index)
        return self.pages[key]

    @Slot(int)
    def on_nav_current_row_changed(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.activate()

    def stop_background(self) -> None:
        """Stop watching mailboxes (called before the workspace closes)."""
        inbox = self.pages.get("inbox")
        if isinstance(inbox, InboxPage):
            inbox.stop_watching()
        assistant = self.pages.get("assistant")
        if isinstance(assistant, AssistantPage):
            assistant.stop_background()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
