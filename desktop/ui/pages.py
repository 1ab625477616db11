"""The pages of the main window: Inbox, Assistant, Customers, Reports, Privacy, Settings."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import Cancelled, UserFacingError
from desktop.core.models import KeyMode, ThreadDetail
from desktop.core.triage import INTENT_LABELS
from desktop.services.mail import SyncReport
from desktop.services.session import Session
from desktop.tasks.cancel import CancelToken, Job, Progress
from desktop.ui.accounts import AccountsPanel
from desktop.ui.assistant_settings import AssistantSettings
from desktop.ui.bridge import on_ui_thread, op
from desktop.ui.drafting import ReplyAssistantBar, TriageHeader, confirm_reply
from desktop.ui.models import CustomerModel, ThreadListModel, intent_label, short_date
from desktop.ui.shops import ShopsPanel

log = logging.getLogger("comptoir.ui.inbox")

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
    orders_refreshed = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("inboxPage")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(_title(self.tr("Inbox")))
        top.addStretch(1)
        self.sync_status = QLabel()
        self.sync_status.setObjectName("syncStatus")
        top.addWidget(self.sync_status)
        self.sync_button = QPushButton(self.tr("Check mail"))
        self.sync_button.setObjectName("syncButton")
        self.sync_button.clicked.connect(self.on_sync_clicked)
        top.addWidget(self.sync_button)
        self.cancel_sync = QPushButton(self.tr("Cancel"))
        self.cancel_sync.setObjectName("cancelSync")
        self.cancel_sync.hide()
        top.addWidget(self.cancel_sync)
        layout.addLayout(top)
        self._sync_token: CancelToken | None = None
        self._shown_thread: int | None = None
        self._watch_tokens: list[CancelToken] = []
        self.cancel_sync.clicked.connect(self.on_cancel_sync_clicked)
        self.search = QLineEdit()
        self.search.setObjectName("inboxSearch")
        self.search.setPlaceholderText(self.tr("Search mail, customers, order or tracking numbers…"))
        self.search.setClearButtonEnabled(True)
        self.intent_filter = QComboBox()
        self.intent_filter.setObjectName("intentFilter")
        self.intent_filter.addItem(self.tr("All topics"), None)
        self.intent_filter.addItem(self.tr("Not sorted yet"), "untriaged")
        for intent in INTENT_LABELS:
            self.intent_filter.addItem(intent_label(str(intent)), str(intent))
        self.intent_filter.currentIndexChanged.connect(self.on_intent_filter_index_changed)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.intent_filter)
        layout.addLayout(search_row)
        self._after_sync_running = False
        self._after_sync_again = False
        self._debounce = QTimer(self)
        self._debounce.setObjectName("searchDebounce")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.on_debounce_timeout)
        self.search.textChanged.connect(lambda _text: self._debounce.start())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.model = ThreadListModel(lambda offset, limit, query, intent=None: session.threads(
            limit=limit, offset=offset, query=query, intent=intent), self)
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
        header.resizeSection(0, 140)
        header.resizeSection(2, 130)
        header.resizeSection(3, 44)
        header.resizeSection(4, 118)
        header.resizeSection(5, 70)
        self.list.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        splitter.addWidget(self.list)
        self.formatted = QCheckBox(self.tr("Show formatted mail (no remote content)"))
        self.formatted.setObjectName("formattedToggle")
        self.formatted.toggled.connect(lambda _on: self._rerender())
        self._detail: ThreadDetail | None = None
        self.view = SafeTextBrowser()
        self.view.setObjectName("threadView")
        self.view.setOpenLinks(False)  # links open only on a click, in the merchant's browser
        self.view.anchorClicked.connect(self.on_anchor_clicked)
        self.view.setPlaceholderText(self.tr("Select a conversation to read it."))
        right = QSplitter(Qt.Orientation.Vertical)
        viewer = QWidget()
        viewer_col = QVBoxLayout(viewer)
        viewer_col.setContentsMargins(0, 0, 0, 0)
        self.triage = TriageHeader(session)
        self.triage.intent_changed.connect(lambda _tid, _intent: self._reload_list())
        viewer_col.addWidget(self.triage)
        viewer_col.addWidget(self.formatted)
        viewer_col.addWidget(self.view, 1)
        right.addWidget(viewer)
        right.addWidget(self._reply_box())
        right.setSizes([460, 200])
        splitter.addWidget(right)
        splitter.setSizes([620, 480])
        layout.addWidget(splitter, 1)

    def _reply_box(self) -> QWidget:
        box = QWidget()
        box.setObjectName("replyBox")
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("replyEditor")
        self.editor.setPlaceholderText(self.tr("Write your reply…"))
        self.editor.setEnabled(False)
        self.assistant = ReplyAssistantBar(self.session, self.editor, take_unsaved=self._take_unsaved)
        self.assistant.generating_changed.connect(self.on_assistant_generating_changed)
        col.addWidget(self.assistant)
        col.addWidget(self.editor, 1)
        row = QHBoxLayout()
        self.reply_status = QLabel()
        self.reply_status.setObjectName("replyStatus")
        self.reply_status.setWordWrap(True)
        row.addWidget(self.reply_status, 1)
        self.save_draft_button = QPushButton(self.tr("Save to Drafts"))
        self.save_draft_button.setObjectName("saveDraft")
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendReply")
        for b in (self.save_draft_button, self.send_button):
            b.setEnabled(False)
            row.addWidget(b)
        col.addLayout(row)
        self._autosave = QTimer(self)
        self._autosave.setObjectName("draftAutosave")
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(800)
        self._autosave.timeout.connect(self.on_autosave_timeout)
        self.editor.textChanged.connect(self.on_editor_text_changed)
        self.save_draft_button.clicked.connect(self.on_save_draft_clicked)
        self.send_button.clicked.connect(self.on_send_clicked)
        self._thread_id: int | None = None
        self._loading_draft = False
        return box

    def refresh(self) -> None:
        self._reload_list()
        self.start_watching()

    def _reload_list(self) -> None:
        self.model.reload(self.search.text().strip(), intent=self.intent_filter.currentData())

    @Slot(int)
    def on_intent_filter_index_changed(self, _index: int) -> None:
        self._reload_list()

    # --- mail sync --------------------------------------------------------------------------------

    def start_watching(self) -> None:
        """New mail by IDLE (or polling) for every mailbox, in the background, until the window closes."""
        if self._watch_tokens:
            return

        def _accounts(job: Job) -> tuple[list[int], int]:
            ids = [a.id for a in self.session.mail.accounts() if a.id is not None]
            return ids, int(self.session.get_setting("sync.poll_interval_minutes"))

        op(self, _accounts).on_success(self._watch).run()

    def _watch(self, found: tuple[list[int], int]) -> None:
        ids, minutes = found
        self.sync_button.setEnabled(bool(ids))
        if not ids:
            self.sync_status.setText(self.tr("No mailbox connected yet (Settings)."))
            return
        for account_id in ids:
            def _run(job: Job, aid: int = account_id) -> None:
                self.session.mail.watch(aid, job, lambda _r: on_ui_thread(self.on_new_mail), poll_seconds=minutes * 60)

            token = (op(self, _run).on_progress(self._show_sync_progress)
                     .on_failure(lambda e: self.sync_status.setText(e.message)).run())
            self._watch_tokens.append(token)

    def stop_watching(self) -> None:
        for token in self._watch_tokens:
            token.cancel()
        self._watch_tokens.clear()
        if self._sync_token is not None:
            self._sync_token.cancel()

    def on_new_mail(self) -> None:
        self.sync_status.setText(self.tr("New mail."))
        self._reload_list()
        self.run_after_sync()

    def run_after_sync(self) -> None:
        """Sort the new conversations (and prepare drafts if the merchant asked), then show the list again.

        Runs in the background; a failure is logged, not shown: the mail itself is already there.
        """
        if self._after_sync_running:
            self._after_sync_again = True
            return
        self._after_sync_running = True
        assistant = self.session.assistant

        def _after(job: Job) -> dict[str, int] | None:
            try:
                counts: dict[str, int] = assistant.after_sync(job)
                return counts
            except UserFacingError as exc:
                log.warning("sorting new mail failed: %s", exc.message)
            except Cancelled:
                raise
            except Exception:
                log.exception("sorting new mail failed")
            return None

        op(self, _after).on_success(self._after_sync_done).on_done(self._after_sync_ended).run()

    def _after_sync_done(self, result: dict[str, int] | None) -> None:
        if result and (result.get("triaged") or result.get("drafts_prepared")):
            self._reload_list()

    def _after_sync_ended(self) -> None:
        self._after_sync_running = False
        if self._after_sync_again:
            self._after_sync_again = False
            self.run_after_sync()

    def _show_sync_progress(self, progress: Progress) -> None:
        self.sync_status.setText(progress.label)

    @Slot()
    def on_sync_clicked(self) -> None:
        def _sync(job: Job) -> list[SyncReport]:
            return [self.session.mail.sync(a.id, job) for a in self.session.mail.accounts() if a.id is not None]

        self.sync_button.setEnabled(False)
        self.cancel_sync.show()
        self.sync_status.setText(self.tr("Checking mail…"))
        self._sync_token = (op(self, _sync).on_progress(self._show_sync_progress)
                            .on_success(self._synced)
                            .on_failure(lambda e: self.sync_status.setText(f"{e.message} {e.hint}".strip()))
                            .on_done(self._sync_done).run())

    def _synced(self, reports: list[SyncReport]) -> None:
        added = sum(r.added for r in reports)
        self.sync_status.setText(self.tr("Up to date: {n} new message(s).").format(n=added))
        self._reload_list()
        self.run_after_sync()

    def _sync_done(self) -> None:
        self.sync_button.setEnabled(True)
        self.cancel_sync.hide()
        if self._sync_token is not None and self._sync_token.cancelled:
            self.sync_status.setText(self.tr("Cancelled."))
        self._sync_token = None

    @Slot()
    def on_cancel_sync_clicked(self) -> None:
        if self._sync_token is not None:
            self._sync_token.cancel()

    # --- reply ------------------------------------------------------------------------------------

    def _load_reply(self, thread_id: int) -> None:
        self._autosave_now()
        self._thread_id = thread_id
        self.reply_status.clear()
        self.assistant.set_thread(thread_id)

        def _shown(text: str) -> None:
            if self._thread_id != thread_id or self.assistant.generating:
                return
            self._loading_draft = True
            self.editor.setPlainText(text)
            self._loading_draft = False
            for w in (self.editor, self.save_draft_button, self.send_button):
                w.setEnabled(True)

        op(self, lambda job: self.session.draft_text(thread_id)).on_success(_shown).run()

    @Slot()
    def on_editor_text_changed(self) -> None:
        # The assistant's streamed text is not the merchant's: never autosave a partial draft.
        if not self._loading_draft and not self.assistant.writing and self._thread_id is not None:
            self._autosave.start()

    @Slot()
    def on_autosave_timeout(self) -> None:
        thread_id, text = self._thread_id, self.editor.toPlainText()
        if thread_id is not None and not self.assistant.generating:
            op(self, lambda job: self.session.keep_draft_text(thread_id, text)).run()

    def _autosave_now(self) -> None:
        """Save pending typing before the editor changes thread."""
        if self._autosave.isActive():
            self._autosave.stop()
            self.on_autosave_timeout()

    def _take_unsaved(self) -> bool:
        """For the assistant: typing not saved yet? (the assistant saves it before it writes)."""
        pending = self._autosave.isActive()
        self._autosave.stop()
        return pending

    @Slot(bool)
    def on_assistant_generating_changed(self, generating: bool) -> None:
        for b in (self.save_draft_button, self.send_button):
            b.setEnabled(not generating and self._thread_id is not None)

    @Slot()
    def on_save_draft_clicked(self) -> None:
        self._reply_action(send=False)

    @Slot()
    def on_send_clicked(self) -> None:
        self._reply_action(send=True)

    def _reply_action(self, *, send: bool) -> None:
        thread_id, text = self._thread_id, self.editor.toPlainText()
        if thread_id is None or not text.strip():
            self.reply_status.setText(self.tr("Write a reply first."))
            return
        if self.assistant.generating:
            return
        self._autosave.stop()
        for b in (self.save_draft_button, self.send_button):
            b.setEnabled(False)
        self.reply_status.setText(self.tr("Checking the reply…"))

        def _checked(warnings: list[dict[str, str]]) -> None:
            if self._thread_id != thread_id:
                self._reply_buttons_on()
                return
            self.assistant.show_warnings(warnings)
            if not warnings:
                self._deliver(thread_id, text, send=send)
                return
            self.reply_status.setText(self.tr("Waiting for your confirmation…"))
            confirm_reply(self, warnings, send=send, on_confirm=lambda: self._deliver(thread_id, text, send=send),
                          on_cancel=self._reply_cancelled)

        def _unchecked(error: UserFacingError) -> None:
            self.reply_status.setText(f"{error.message} {error.hint}".strip())
            self._reply_buttons_on()

        (op(self, lambda job: self.session.assistant.check_reply(thread_id, text))
         .on_success(_checked).on_failure(_unchecked).run())

    def _reply_cancelled(self) -> None:
        self.reply_status.setText(self.tr("Not sent. Edit the reply, then try again."))
        self._reply_buttons_on()

    def _deliver(self, thread_id: int, text: str, *, send: bool) -> None:
        self.reply_status.setText(self.tr("Sending…") if send else self.tr("Saving to Drafts…"))
        mail = self.session.mail

        def _done(_draft_id: int) -> None:
            self.reply_status.setText(self.tr("Sent. A copy is in your Sent folder.") if send
                                      else self.tr("Saved in your mailbox's Drafts folder."))
            self._reload_list()

        (op(self, lambda job: mail.send(thread_id, text) if send else mail.save_draft(thread_id, text))
         .on_success(_done)
         .on_failure(lambda e: self.reply_status.setText(f"{e.message} {e.hint}".strip()))
         .on_done(self._reply_buttons_on)
         .run())

    def _reply_buttons_on(self) -> None:
        for b in (self.save_draft_button, self.send_button):
            b.setEnabled(not self.assistant.generating)

    @Slot()
    def on_debounce_timeout(self) -> None:
        self._reload_list()

    @Slot(object, object)
    def on_current_row_changed(self, current: object, _previous: object) -> None:
        row = self.list.currentIndex().row()
        if row < 0:
            return
        thread_id = self.model.thread_at(row).id
        self._shown_thread = thread_id

        def _with_orders(detail: ThreadDetail | None) -> None:
            self.show_thread(detail)
            if detail is not None and detail.customer_id is not None:
                # Then ask the shops (network, cached with a TTL) and show the result with its age.
                (op(self, lambda job: self.session.thread_with_fresh_orders(thread_id))
                 .on_success(lambda fresh: self._refreshed(thread_id, fresh)).run())

        op(self, lambda job: self.session.thread(thread_id)).on_success(_with_orders).run()

    def _refreshed(self, thread_id: int, detail: ThreadDetail | None) -> None:
        if detail is not None and self._shown_thread == thread_id and detail.orders_note:
            self._detail = detail
            self.view.setHtml(render_thread(detail, formatted=self.formatted.isChecked()))
            self.orders_refreshed.emit(thread_id)

    def show_thread(self, detail: ThreadDetail | None) -> None:
        if detail is None:
            self.view.clear()
            self.triage.show_thread(None)
            return
        self._detail = detail
        self.triage.show_thread(detail.thread.id, detail.thread.intent)
        self.view.setHtml(render_thread(detail, formatted=self.formatted.isChecked()))
        self._load_reply(detail.thread.id)
        self.thread_shown.emit(detail.thread.id)

    def _rerender(self) -> None:
        if self._detail is not None:
            self.view.setHtml(render_thread(self._detail, formatted=self.formatted.isChecked()))

    @Slot(QUrl)
    def on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
        elif url.scheme() == "comptoir-attachment":
            attachment_id = int(url.path() or "0")
            (op(self, lambda job: self.session.open_attachment(attachment_id))
             .on_success(self._open_file).run())

    def _open_file(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SafeTextBrowser(QTextBrowser):
    """Shows mail and drafts without ever loading a resource: no remote image, no local file."""

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        return None


def render_thread(detail: ThreadDetail, *, formatted: bool = False) -> str:
    """The thread as HTML built from escaped plain text: no remote content, no markup from the mail."""
    t = detail.thread
    parts = [f"<h2>{html.escape(t.subject)}</h2>"]
    who = html.escape(t.customer_name or t.customer_email)
    parts.append(f"<p><b>{who}</b> &lt;{html.escape(t.customer_email)}&gt;</p>")
    if detail.orders:
        currencies = {o.currency for o in detail.orders}
        spent = ""
        if len(currencies) == 1:
            try:
                total = sum(float(o.total) for o in detail.orders if o.total)
                spent = QCoreApplication.translate("Pages", ", {total} {currency} spent").format(
                    total=f"{total:.2f}", currency=next(iter(currencies)))
            except ValueError:
                spent = ""
        count = QCoreApplication.translate("Pages", "{n} order(s)").format(n=len(detail.orders))
        parts.append(f"<p>{html.escape(count + spent)}</p>")
        heading = QCoreApplication.translate("Pages", "Orders")
        note = f" <small>({html.escape(detail.orders_note)})</small>" if detail.orders_note else ""
        parts.append(f"<h3>{html.escape(heading)}{note}</h3><ul>")
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
        if m.flags:
            warning = QCoreApplication.translate(
                "Pages", "Hidden or invisible text was removed from this message; it was not written for you.")
            detail_flags = ", ".join(m.flags)
            parts.append(f"<p style=\"color:#8a5300\">⚠ {html.escape(warning)} <small>({html.escape(detail_flags)})"
                         "</small></p>")
        if formatted and m.body_html:
            parts.append(f"<div>{m.body_html}</div>")  # sanitised at sync time; resources never load
        else:
            body = html.escape(m.body_text).replace("\n", "<br/>")
            parts.append(f"<p>{body}</p>")
        if m.attachments:
            label = QCoreApplication.translate("Pages", "Attachments")
            links = ", ".join(f'<a href="comptoir-attachment:{aid}">{html.escape(text)}</a>'
                              for aid, text in zip(m.attachment_ids, m.attachments, strict=False))
            parts.append(f"<p><small>📎 {html.escape(label)}: {links}</small></p>")
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
        self.search = QLineEdit()
        self.search.setObjectName("customerSearch")
        self.search.setPlaceholderText(self.tr("Find a customer by name or address…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = CustomerModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setObjectName("customerTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
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


# The Privacy page lives in desktop/ui/privacy_page.py (it builds on Page and key_protection_text here).


class SettingsPage(Page):
    language_changed = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("settingsPage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()  # the page is taller than a small window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
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
        layout.addWidget(QLabel(self.tr("Mail accounts")))
        self.accounts = AccountsPanel(session)
        layout.addWidget(self.accounts)
        layout.addWidget(QLabel(self.tr("Shops")))
        self.shops = ShopsPanel(session)
        layout.addWidget(self.shops)
        layout.addWidget(QLabel(self.tr("Assistant")))
        self.assistant = AssistantSettings(session)
        self.assistant.setMinimumHeight(460)
        layout.addWidget(self.assistant, 1)
        self.note = QLabel()
        self.note.setObjectName("settingsNote")
        layout.addWidget(self.note)
        self._ready = False
        self.language.currentIndexChanged.connect(self.on_language_index_changed)

    def refresh(self) -> None:
        op(self, lambda job: self.session.get_setting("ui.language")).on_success(self._show_language).run()
        self.accounts.refresh()
        self.shops.refresh()
        self.assistant.refresh()

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
