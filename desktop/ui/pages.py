"""The pages of the main window: Inbox, Assistant, Customers, Reports, Privacy, Settings."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import KeyMode, ThreadDetail, WorkspaceStats
from desktop.services.session import Session
from desktop.ui.bridge import op
from desktop.ui.models import CustomerModel, ThreadListModel, short_date


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    font = label.font()
    font.setPointSize(font.pointSize() + 5)
    font.setBold(True)
    label.setFont(font)
    return label


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class Page(QWidget):
    """A page loads its data the first time it is shown, and on `refresh()`."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._loaded = False

    def activate(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.refresh()

    def refresh(self) -> None:
        """Reload from the store (in the background)."""


class InboxPage(Page):
    """Thread list with search, and the selected thread with its customer's orders."""

    thread_shown = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("inboxPage")
        layout = QVBoxLayout(self)
        layout.addWidget(_title(self.tr("Inbox")))
        self.search = QLineEdit()
        self.search.setObjectName("inboxSearch")
        self.search.setPlaceholderText(self.tr("Search mail, customers, order or tracking numbers…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self._debounce = QTimer(self)
        self._debounce.setObjectName("searchDebounce")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.on_debounce_timeout)
        self.search.textChanged.connect(lambda _text: self._debounce.start())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.model = ThreadListModel(lambda offset, limit, query: session.threads(limit=limit, offset=offset,
                                                                                  query=query), self)
        self.list = QTableView()
        self.list.setObjectName("threadList")
        self.list.setModel(self.model)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.verticalHeader().hide()
        self.list.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.list.setShowGrid(False)
        self.list.setWordWrap(False)
        self.list.verticalHeader().setDefaultSectionSize(self.list.fontMetrics().height() + 10)
        header = self.list.horizontalHeader()
        header.resizeSection(0, 170)
        header.resizeSection(2, 130)
        header.resizeSection(3, 80)
        self.list.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        splitter.addWidget(self.list)
        self.view = QTextBrowser()
        self.view.setObjectName("threadView")
        self.view.setOpenLinks(False)  # links open only on a click, in the merchant's browser
        self.view.anchorClicked.connect(self.on_anchor_clicked)
        self.view.setPlaceholderText(self.tr("Select a conversation to read it."))
        splitter.addWidget(self.view)
        splitter.setSizes([480, 560])
        layout.addWidget(splitter, 1)

    def refresh(self) -> None:
        self.model.reload(self.search.text().strip())

    @Slot()
    def on_debounce_timeout(self) -> None:
        self.model.reload(self.search.text().strip())

    @Slot(object, object)
    def on_current_row_changed(self, current: object, _previous: object) -> None:
        row = self.list.currentIndex().row()
        if row < 0:
            return
        thread_id = self.model.thread_at(row).id
        op(self, lambda job: self.session.thread(thread_id)).on_success(self.show_thread).run()

    def show_thread(self, detail: ThreadDetail | None) -> None:
        if detail is None:
            self.view.clear()
            return
        self.view.setHtml(render_thread(detail))
        self.thread_shown.emit(detail.thread.id)

    @Slot(QUrl)
    def on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)


def render_thread(detail: ThreadDetail) -> str:
    """The thread as HTML built from escaped plain text: no remote content, no markup from the mail."""
    t = detail.thread
    parts = [f"<h2>{html.escape(t.subject)}</h2>"]
    who = html.escape(t.customer_name or t.customer_email)
    parts.append(f"<p><b>{who}</b> &lt;{html.escape(t.customer_email)}&gt;</p>")
    if detail.orders:
        heading = QCoreApplication.translate("Pages", "Orders")
        parts.append(f"<h3>{html.escape(heading)}</h3><ul>")
        for o in detail.orders:
            line = f"<b>{html.escape(o.number)}</b> — {html.escape(short_date(o.placed_at))} — " \
                   f"{html.escape(o.status or o.fulfillment_status)} — {html.escape(o.total)} {html.escape(o.currency)}"
            for tr in o.tracking:
                link = html.escape(tr.url, quote=True)
                line += f"<br/>{html.escape(tr.carrier)} <a href=\"{link}\">{html.escape(tr.number)}</a>"
            if o.items:
                line += "<br/><small>" + html.escape("; ".join(o.items)) + "</small>"
            parts.append(f"<li>{line}</li>")
        parts.append("</ul>")
    for m in detail.messages:
        arrow = "→" if m.direction == "out" else "←"
        parts.append("<hr/>")
        parts.append(f"<p>{arrow} <b>{html.escape(m.from_name or m.from_addr)}</b> "
                     f"<small>{html.escape(short_date(m.date))}</small></p>")
        body = html.escape(m.body_text).replace("\n", "<br/>")
        parts.append(f"<p>{body}</p>")
    return "\n".join(parts)


class ComingPage(Page):
    """A page whose capability arrives in a later release: says what will be there."""

    def __init__(self, session: Session, title: str, lines: list[str], object_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName(object_name)
        layout = QVBoxLayout(self)
        layout.addWidget(_title(title))
        for line in lines:
            layout.addWidget(_paragraph("• " + line))
        layout.addStretch(1)


class AssistantPage(ComingPage):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, self.tr("Assistant"), [
            self.tr("Chat with your assistant about a customer, an order or the week's open conversations."),
            self.tr("Ask it to write an announcement, a newsletter or a policy text."),
            self.tr("It works with a language model running on this computer (Ollama, LM Studio, llama.cpp) "
                    "or, if you choose, a cloud provider that only sees pseudonymised data."),
            self.tr("Conversations are kept in your encrypted workspace."),
        ], "assistantPage", parent)


class ReportsPage(ComingPage):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, self.tr("Reports"), [
            self.tr("How many conversations you receive and answer, by topic and by week."),
            self.tr("Which questions come back most often, to improve your shop pages and templates."),
        ], "reportsPage", parent)


class CustomersPage(Page):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("customersPage")
        layout = QVBoxLayout(self)
        layout.addWidget(_title(self.tr("Customers")))
        self.model = CustomerModel(self)
        self.table = QTableView()
        self.table.setObjectName("customerTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        op(self, lambda job: self.session.customers()).on_success(self.model.set_rows).run()


def _human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


def key_protection_text(mode: KeyMode, backend: str) -> str:
    if mode == KeyMode.KEYRING:
        text = QCoreApplication.translate("Pages", "The workspace key is kept in this computer's keyring ({backend}).")
        return text.format(backend=backend.rsplit(".", 2)[-2] if backend else "?")
    if mode == KeyMode.PASSPHRASE:
        return QCoreApplication.translate("Pages", "The workspace key is protected by your passphrase (Argon2id).")
    return QCoreApplication.translate(
        "Pages", "Demo workspace: its key exists only in memory and is forgotten when Comptoir closes.")


class PrivacyPage(Page):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("privacyPage")
        layout = QVBoxLayout(self)
        layout.addWidget(_title(self.tr("Privacy")))
        info = session.workspace.info
        layout.addWidget(_paragraph(self.tr("Everything Comptoir holds is in one encrypted database on this "
                                            "computer.")))
        layout.addWidget(_paragraph(key_protection_text(info.key_mode, info.keyring_backend)))
        self.counts = QLabel(self.tr("Counting…"))
        self.counts.setObjectName("privacyCounts")
        self.counts.setWordWrap(True)
        layout.addWidget(self.counts)
        for line in (
            self.tr("Coming next: export everything or one customer's data in one click, erase everything or one "
                    "customer, retention rules, and the ledger of every byte sent to a provider."),
        ):
            layout.addWidget(_paragraph(line))
        layout.addStretch(1)

    def refresh(self) -> None:
        op(self, lambda job: self.session.stats()).on_success(self.show_stats).run()

    def show_stats(self, stats: WorkspaceStats) -> None:
        c = stats.counts
        self.counts.setText(self.tr("Held: {threads} conversations, {messages} messages, {customers} customers, "
                                    "{orders} orders, {chats} chats. Size on disk: {size}.").format(
            threads=c["threads"], messages=c["messages"], customers=c["customers"], orders=c["orders"],
            chats=c["chats"], size=_human_size(stats.size_bytes)))


class SettingsPage(Page):
    language_changed = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("settingsPage")
        layout = QVBoxLayout(self)
        layout.addWidget(_title(self.tr("Settings")))
        info = session.workspace.info
        form = QFormLayout()
        where = QLabel(key_protection_text(info.key_mode, info.keyring_backend))
        where.setObjectName("keyProtection")
        where.setWordWrap(True)
        form.addRow(self.tr("Secrets protected by"), where)
        location = QLabel(str(Path(info.path)))
        location.setObjectName("workspaceLocation")
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Workspace folder"), location)
        self.language = QComboBox()
        self.language.setObjectName("languageCombo")
        self.language.addItem(self.tr("Same as the system"), "system")
        self.language.addItem("English", "en")
        self.language.addItem("Français", "fr")
        form.addRow(self.tr("Language"), self.language)
        layout.addLayout(form)
        self.note = QLabel()
        self.note.setObjectName("settingsNote")
        layout.addWidget(self.note)
        layout.addStretch(1)
        self._ready = False
        self.language.currentIndexChanged.connect(self.on_language_index_changed)

    def refresh(self) -> None:
        op(self, lambda job: self.session.get_setting("ui.language")).on_success(self._show_language).run()

    def _show_language(self, value: str) -> None:
        self._ready = False
        self.language.setCurrentIndex(max(0, self.language.findData(value)))
        self._ready = True

    @Slot(int)
    def on_language_index_changed(self, _index: int) -> None:
        if not self._ready:
            return
        value = str(self.language.currentData())
        def _save(job: object) -> None:
            self.session.set_ui_language(value)

        op(self, _save).on_success(lambda _r: self._saved(value)).run()

    def _saved(self, value: str) -> None:
        self.note.setText(self.tr("Saved. The new language applies the next time Comptoir starts."))
        self.language_changed.emit(value)
