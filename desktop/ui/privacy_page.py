"""The Privacy page: what is held, export, one customer's rights, erase everything, retention, the egress ledger.

Every service call runs in the background (`desktop.ui.bridge.op`) and every dialog opens with `open()` and
answers through a signal, so the UI thread never waits. Erasing everything is the app's job (it owns the
workspace, its folders and the first-run wizard): the page confirms, then emits `erase_everything_requested`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.core.models import CustomerSummary, KeyMode, WorkspaceStats
from desktop.core.settings import RETENTION_CONVERSATIONS, RETENTION_LEDGER, RETENTION_ORDERS
from desktop.secrets.passphrase import MIN_PASSPHRASE
from desktop.services.erase import (
    CustomerRecord,
    EraseReport,
    Holdings,
    customer_holdings,
    erase_customer,
    find_customers,
    rectify_customer,
    restrict_customer,
)
from desktop.services.export import (
    ENCRYPTED_SUFFIX,
    ExportReport,
    LedgerEntry,
    LedgerTotal,
    export_customer,
    export_workspace,
    ledger_csv,
    ledger_entries,
    ledger_totals,
)
from desktop.services.retention import RetentionPlan, retention_preview, retention_run
from desktop.services.session import Session
from desktop.tasks.cancel import CancelToken, Job, Progress
from desktop.ui.bridge import op
from desktop.ui.pages import Page, key_protection_text

Index = QModelIndex | QPersistentModelIndex
ERROR_STYLE = "color: #b00020;"
WARNING_STYLE = "color: #8a5300;"


def data_size(n: int) -> str:
    """A byte count as the merchant reads it (kB, MB, in the interface's locale)."""
    return QLocale().formattedDataSize(max(0, int(n)), 1, QLocale.DataSizeFormat.DataSizeSIFormat)


def local_time(iso: str) -> str:
    """A stored UTC time ('2026-11-01T09:30:00Z') in the computer's time zone, to the minute."""
    moment = QDateTime.fromString(iso, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return iso
    return moment.toLocalTime().toString("yyyy-MM-dd HH:mm")


def describe_error(error: UserFacingError) -> str:
    return f"{error.message} {error.hint}".strip()


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically with 0600 permissions, leaving the folder's own permissions alone
    (it is the merchant's folder, e.g. Downloads). Blocks: call it from a background operation."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserFacingError(f"Comptoir could not write {path} ({exc.strerror or exc}).",
                              "Choose a folder you may write to, then try again.") from None


def _section(title: str, object_name: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    box.setObjectName(object_name)
    layout = QVBoxLayout(box)
    return box, layout


def _text(text: str = "", object_name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if object_name:
        label.setObjectName(object_name)
    return label


def _local_bound(day: QDate, *, end: bool) -> datetime:
    """The start (or the last second) of a day in the computer's time zone, as an aware datetime."""
    moment = datetime.combine(date(day.year(), day.month(), day.day()), time(23, 59, 59) if end else time(0, 0))
    return moment.astimezone()


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix else path.with_name(path.name + suffix)


class PrivacyPage(Page):
    """The privacy center. Emits `erase_everything_requested(remove_server_drafts)` once the merchant has
    confirmed erasing everything; the app does it and returns to first run."""

    erase_everything_requested = Signal(bool)
    stats_shown = Signal()
    holdings_shown = Signal(int)
    ledger_shown = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("privacyPage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()  # six sections: taller than any window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        title = QLabel(self.tr("Privacy"))
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self._export_token: CancelToken | None = None
        self._customer_id: int | None = None
        self._holdings: Holdings | None = None
        self._filling = False
        layout.addWidget(self._held_section())
        layout.addWidget(self._export_section())
        layout.addWidget(self._customer_section())
        layout.addWidget(self._erase_section())
        layout.addWidget(self._retention_section())
        layout.addWidget(self._ledger_section())
        layout.addStretch(1)

    def refresh(self) -> None:
        self.reload_stats()
        self.reload_retention()
        self.reload_ledger()

    # --- 1. what is held ------------------------------------------------------------------------------

    def _held_section(self) -> QGroupBox:
        box, col = _section(self.tr("What Comptoir holds"), "heldSection")
        info = self.session.workspace.info
        col.addWidget(_text(self.tr("Everything below is in one encrypted database on this computer (SQLCipher, "
                                    "AES-256). There is no Comptoir server: nothing is kept anywhere else.")))
        col.addWidget(_text(key_protection_text(info.key_mode, info.keyring_backend), "privacyKeyProtection"))
        self.counts = _text(self.tr("Counting…"), "privacyCounts")
        col.addWidget(self.counts)
        return box

    def reload_stats(self) -> None:
        op(self, lambda job: self.session.stats()).on_success(self.show_stats).run()

    def show_stats(self, stats: WorkspaceStats) -> None:
        c = stats.counts
        self.counts.setText(self.tr(
            "Held: {threads} conversations with {messages} messages and {attachments} attachments, "
            "{customers} customers, {orders} cached orders, {drafts} drafts, {chats} assistant chats, "
            "{ledger} ledger entries. Size on disk: {size}.").format(
            threads=c.get("threads", 0), messages=c.get("messages", 0), attachments=c.get("attachments", 0),
            customers=c.get("customers", 0), orders=c.get("orders", 0), drafts=c.get("drafts", 0),
            chats=c.get("chats", 0), ledger=c.get("egress_ledger", 0), size=data_size(stats.size_bytes)))
        self.stats_shown.emit()

    # --- 2. export ------------------------------------------------------------------------------------

    def _export_section(self) -> QGroupBox:
        box, col = _section(self.tr("Export"), "exportSection")
        col.addWidget(_text(self.tr(
            "One file with everything: every table as JSON, your mail as mbox files with the original messages "
            "and attachments, the assistant chats and the egress ledger. Use it to answer a request, keep an "
            "archive, or move to a new computer (Comptoir offers to import it on its first start there).")))
        self.export_encrypt = QCheckBox(self.tr("Encrypt with a passphrase"))
        self.export_encrypt.setObjectName("exportEncrypt")
        col.addWidget(self.export_encrypt)
        self.export_passphrase_box = QWidget()
        form = QFormLayout(self.export_passphrase_box)
        form.setContentsMargins(20, 0, 0, 0)
        self.export_passphrase = QLineEdit()
        self.export_passphrase.setObjectName("exportPassphrase")
        self.export_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.export_confirm = QLineEdit()
        self.export_confirm.setObjectName("exportPassphraseConfirm")
        self.export_confirm.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Passphrase"), self.export_passphrase)
        form.addRow(self.tr("Again"), self.export_confirm)
        self.export_passphrase_hint = _text("", "exportPassphraseHint")
        form.addRow(self.export_passphrase_hint)
        self.export_passphrase_box.hide()
        col.addWidget(self.export_passphrase_box)
        self.export_secrets = QCheckBox(self.tr("Include passwords and API keys"))
        self.export_secrets.setObjectName("exportSecrets")
        col.addWidget(self.export_secrets)
        self.export_secrets_warning = _text(self.tr(
            "The file will hold your mailbox passwords, shop tokens and AI provider keys: anyone who gets it can "
            "use them. Encrypt it, or leave this unticked and type them again after an import."),
            "exportSecretsWarning")
        self.export_secrets_warning.setStyleSheet(WARNING_STYLE)
        self.export_secrets_warning.hide()
        col.addWidget(self.export_secrets_warning)
        row = QHBoxLayout()
        self.export_button = QPushButton(self.tr("Export everything…"))
        self.export_button.setObjectName("exportAll")
        row.addWidget(self.export_button)
        self.export_progress = QProgressBar()
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.hide()
        row.addWidget(self.export_progress, 1)
        self.export_cancel = QPushButton(self.tr("Cancel"))
        self.export_cancel.setObjectName("exportCancel")
        self.export_cancel.hide()
        row.addWidget(self.export_cancel)
        row.addStretch(0)
        col.addLayout(row)
        self.export_result = _text("", "exportResult")
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.export_result)
        self.export_encrypt.toggled.connect(self.on_export_encrypt_toggled)
        self.export_secrets.toggled.connect(self.export_secrets_warning.setVisible)
        self.export_passphrase.textChanged.connect(lambda _t: self._update_export_button())
        self.export_confirm.textChanged.connect(lambda _t: self._update_export_button())
        self.export_button.clicked.connect(self.on_export_clicked)
        self.export_cancel.clicked.connect(self.on_export_cancel_clicked)
        return box

    @Slot(bool)
    def on_export_encrypt_toggled(self, checked: bool) -> None:
        self.export_passphrase_box.setVisible(checked)
        self._update_export_button()

    def _passphrase_problem(self) -> str:
        """Why the export passphrase cannot be used yet ('' when it can, or when not encrypting)."""
        if not self.export_encrypt.isChecked():
            return ""
        if len(self.export_passphrase.text()) < MIN_PASSPHRASE:
            return self.tr("At least {n} characters. Without it nobody can open the file, you included.").format(
                n=MIN_PASSPHRASE)
        if self.export_passphrase.text() != self.export_confirm.text():
            return self.tr("The two passphrases differ.")
        return ""

    def _update_export_button(self) -> None:
        problem = self._passphrase_problem()
        self.export_passphrase_hint.setText(problem)
        self.export_button.setEnabled(self._export_token is None and not problem)

    @property
    def exporting(self) -> bool:
        return self._export_token is not None

    @Slot()
    def on_export_clicked(self) -> None:
        encrypted = self.export_encrypt.isChecked()
        suffix = ENCRYPTED_SUFFIX if encrypted else ".zip"
        suggested = Path.home() / f"comptoir-export-{date.today().isoformat()}{suffix}"
        file_filter = (self.tr("Encrypted Comptoir export (*{suffix})").format(suffix=ENCRYPTED_SUFFIX) if encrypted
                       else self.tr("ZIP archive (*.zip)"))
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export everything"), str(suggested), file_filter)
        if not chosen:
            return
        self.start_export(_with_suffix(Path(chosen), suffix))

    def start_export(self, dest: Path) -> None:
        """Export the whole workspace to `dest` in the background, with progress and Cancel."""
        if self._passphrase_problem() or self._export_token is not None:
            return
        passphrase = self.export_passphrase.text() if self.export_encrypt.isChecked() else None
        include_secrets = self.export_secrets.isChecked()
        session = self.session
        self.export_result.clear()
        self.export_result.setStyleSheet("")
        self.export_progress.setRange(0, 0)
        self.export_progress.show()
        self.export_cancel.show()
        self.export_cancel.setEnabled(True)
        self.erase_all_button.setEnabled(False)  # the erasure would race the file being written

        def _export(job: Job) -> ExportReport:
            report = export_workspace(session, dest, job=job, include_secrets=include_secrets, passphrase=passphrase)
            if job.token.cancelled:  # Cancel came as the last byte was written: the merchant was told "no file"
                report.path.unlink(missing_ok=True)
                job.check()
            return report

        self._export_token = (op(self, _export)
                              .on_progress(self._on_export_progress)
                              .on_success(self._on_exported)
                              .on_failure(self._on_export_failed)
                              .on_done(self._on_export_done)
                              .run())
        self._update_export_button()

    def _on_export_progress(self, progress: Progress) -> None:
        if progress.total > 0:
            self.export_progress.setRange(0, progress.total)
            self.export_progress.setValue(min(progress.done, progress.total))

    def _on_exported(self, report: ExportReport) -> None:
        lines = [self.tr("Exported to {path} ({size}).").format(path=report.path, size=data_size(report.size))]
        if report.plaintext:
            lines.append(self.tr("This file is NOT encrypted: anyone who can read it can read your customers' mail "
                                 "and orders. Keep it somewhere safe, or export again with a passphrase."))
            self.export_result.setStyleSheet(WARNING_STYLE)
        else:
            lines.append(self.tr("It is encrypted with your passphrase: without it nobody can open it, you "
                                 "included."))
        if report.secrets_included:
            lines.append(self.tr("It holds your passwords and API keys."))
        self.export_result.setText(" ".join(lines))
        self.export_passphrase.clear()
        self.export_confirm.clear()

    def _on_export_failed(self, error: UserFacingError) -> None:
        self.export_result.setStyleSheet(ERROR_STYLE)
        self.export_result.setText(describe_error(error))

    def _on_export_done(self) -> None:
        token = self._export_token
        self._export_token = None
        if token is not None and token.cancelled:
            self.export_result.setStyleSheet("")
            self.export_result.setText(self.tr("Export cancelled. No file was left behind."))
        self.export_progress.hide()
        self.export_cancel.hide()
        self.erase_all_button.setEnabled(True)
        self._update_export_button()

    @Slot()
    def on_export_cancel_clicked(self) -> None:
        if self._export_token is not None:
            self._export_token.cancel()
            self.export_cancel.setEnabled(False)

    # --- 3. one customer ----------------------------------------------------------------------------

    def _customer_section(self) -> QGroupBox:
        box, col = _section(self.tr("One customer"), "customerSection")
        col.addWidget(_text(self.tr(
            "When a customer asks what you hold about them, to correct it, to be left out, or to be forgotten: "
            "find them here.")))
        self.customer_search = QLineEdit()
        self.customer_search.setObjectName("privacyCustomerSearch")
        self.customer_search.setPlaceholderText(self.tr("Name, e-mail address or phone number…"))
        self.customer_search.setClearButtonEnabled(True)
        col.addWidget(self.customer_search)
        self.customer_results = QListWidget()
        self.customer_results.setObjectName("privacyCustomerResults")
        self.customer_results.setMaximumHeight(140)
        col.addWidget(self.customer_results)
        self.customer_none = _text("", "privacyCustomerNone")
        col.addWidget(self.customer_none)

        self.customer_panel = QWidget()
        self.customer_panel.setObjectName("customerPanel")
        panel = QVBoxLayout(self.customer_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        self.holdings_summary = _text("", "customerHoldings")
        panel.addWidget(self.holdings_summary)
        self.holdings_tree = QTreeWidget()
        self.holdings_tree.setObjectName("holdingsTree")
        self.holdings_tree.setHeaderLabels([self.tr("What"), self.tr("Details"), self.tr("Date")])
        self.holdings_tree.setMinimumHeight(160)
        self.holdings_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        panel.addWidget(self.holdings_tree)
        flags = QHBoxLayout()
        self.no_ai = QCheckBox(self.tr("No AI processing"))
        self.no_ai.setObjectName("customerNoAi")
        self.no_ai.setToolTip(self.tr("Never send this customer's data to an AI provider (GDPR art. 18)."))
        self.no_marketing = QCheckBox(self.tr("No newsletters"))
        self.no_marketing.setObjectName("customerNoMarketing")
        self.no_marketing.setToolTip(self.tr("Leave this customer out of newsletters (GDPR art. 21)."))
        flags.addWidget(self.no_ai)
        flags.addWidget(self.no_marketing)
        flags.addStretch(1)
        panel.addLayout(flags)
        buttons = QHBoxLayout()
        self.customer_export = QPushButton(self.tr("Export their data…"))
        self.customer_export.setObjectName("customerExport")
        self.customer_rectify = QPushButton(self.tr("Rectify…"))
        self.customer_rectify.setObjectName("customerRectify")
        self.customer_erase = QPushButton(self.tr("Erase this customer…"))
        self.customer_erase.setObjectName("customerErase")
        for b in (self.customer_export, self.customer_rectify, self.customer_erase):
            buttons.addWidget(b)
        buttons.addStretch(1)
        panel.addLayout(buttons)
        self.customer_panel.setEnabled(False)
        col.addWidget(self.customer_panel)
        self.customer_status = _text("", "customerStatus")
        self.customer_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.customer_status)

        self._search_debounce = QTimer(self)
        self._search_debounce.setObjectName("privacySearchDebounce")
        self._search_debounce.setSingleShot(True)
        self._search_debounce.setInterval(300)
        self._search_debounce.timeout.connect(self.on_search_debounce_timeout)
        self.customer_search.textChanged.connect(lambda _t: self._search_debounce.start())
        self.customer_search.returnPressed.connect(self.on_search_debounce_timeout)
        self.customer_results.currentRowChanged.connect(self.on_customer_row_changed)
        self.no_ai.toggled.connect(lambda _on: self._restrict())
        self.no_marketing.toggled.connect(lambda _on: self._restrict())
        self.customer_export.clicked.connect(self.on_customer_export_clicked)
        self.customer_rectify.clicked.connect(self.on_customer_rectify_clicked)
        self.customer_erase.clicked.connect(self.on_customer_erase_clicked)
        return box

    @Slot()
    def on_search_debounce_timeout(self) -> None:
        self._search_debounce.stop()
        self.search_customers(self.customer_search.text())

    def search_customers(self, query: str) -> None:
        query = query.strip()
        if not query:
            self._show_customers(query, [])
            return
        (op(self, lambda job: find_customers(self.session, query))
         .on_success(lambda found: self._show_customers(query, found)).run())

    def _customer_line(self, c: CustomerSummary) -> str:
        line = self.tr("{name} — {emails} ({threads} conversations, {orders} orders)").format(
            name=c.display_name or self.tr("(no name)"), emails=", ".join(c.emails) or self.tr("no address"),
            threads=c.thread_count, orders=c.order_count)
        marks = [m for m, on in ((self.tr("no AI"), c.no_ai), (self.tr("no newsletters"), c.no_marketing)) if on]
        return line + (f" [{', '.join(marks)}]" if marks else "")

    def _show_customers(self, query: str, found: list[CustomerSummary]) -> None:
        if query != self.customer_search.text().strip():
            return  # the merchant typed on; a newer search follows
        keep = self._customer_id
        self.customer_results.blockSignals(True)
        self.customer_results.clear()
        for c in found:
            item = QListWidgetItem(self._customer_line(c))
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.customer_results.addItem(item)
        self.customer_results.blockSignals(False)
        self.customer_none.setText(self.tr("No customer matches “{query}”.").format(query=query)
                                   if query and not found else "")
        ids = [c.id for c in found]
        if keep in ids:
            self.customer_results.blockSignals(True)
            self.customer_results.setCurrentRow(ids.index(keep))
            self.customer_results.blockSignals(False)
        elif len(found) == 1:
            self.customer_results.setCurrentRow(0)
        else:
            self._clear_customer()

    def _clear_customer(self) -> None:
        self._customer_id = None
        self._holdings = None
        self.holdings_summary.clear()
        self.holdings_tree.clear()
        self.customer_panel.setEnabled(False)

    @Slot(int)
    def on_customer_row_changed(self, row: int) -> None:
        item = self.customer_results.item(row) if row >= 0 else None
        if item is None:
            self._clear_customer()
            return
        self.customer_status.clear()
        self.load_customer(int(item.data(Qt.ItemDataRole.UserRole)))

    def load_customer(self, customer_id: int) -> None:
        self._customer_id = customer_id
        (op(self, lambda job: customer_holdings(self.session, customer_id))
         .on_success(self._show_holdings)
         .on_failure(self._customer_failed).run())

    def _customer_failed(self, error: UserFacingError) -> None:
        self.customer_status.setStyleSheet(ERROR_STYLE)
        self.customer_status.setText(describe_error(error))

    def _show_holdings(self, held: Holdings) -> None:
        if held.customer.id != self._customer_id:
            return
        self._holdings = held
        c = held.counts()
        who = held.customer
        self.holdings_summary.setText(self.tr(
            "{name} <{emails}>: {threads} conversations, {messages} messages, {attachments} attachments, "
            "{drafts} drafts, {orders} cached orders, {mentions} mentions in assistant chats, {ledger} ledger "
            "entries.").format(
            name=who.display_name or self.tr("(no name)"), emails=", ".join(who.emails), threads=c["threads"],
            messages=c["messages"], attachments=c["attachments"], drafts=c["drafts"], orders=c["orders"],
            mentions=c["chat_mentions"], ledger=c["ledger"]))
        self._fill_tree(held)
        self._filling = True
        self.no_ai.setChecked(who.no_ai)
        self.no_marketing.setChecked(who.no_marketing)
        self._filling = False
        self.customer_export.setEnabled(bool(who.emails))
        self.customer_panel.setEnabled(True)
        self.holdings_shown.emit(who.id)

    def _fill_tree(self, held: Holdings) -> None:
        tree = self.holdings_tree
        tree.clear()
        who = held.customer
        identity = QTreeWidgetItem([self.tr("Identity"), ""])
        for label, value in ((self.tr("Name"), who.display_name), (self.tr("First name"), who.first_name),
                             (self.tr("Last name"), who.last_name), (self.tr("Phone"), who.phone),
                             (self.tr("Addresses"), ", ".join(who.emails))):
            if value:
                identity.addChild(QTreeWidgetItem([label, value]))
        groups: list[tuple[str, list[list[str]]]] = [
            (self.tr("Conversations ({n})"), [[t.subject, self.tr("{n} messages").format(n=t.message_count),
                                              local_time(t.last_message_at)] for t in held.threads]),
            (self.tr("Messages ({n})"), [[m.subject, m.from_addr, local_time(m.date)] for m in held.messages]),
            (self.tr("Drafts ({n})"), [[d.subject, d.status, local_time(d.updated_at)] for d in held.drafts]),
            (self.tr("Cached orders ({n})"), [[o.number, f"{o.status} — {o.total} {o.currency}".strip(),
                                              local_time(o.placed_at)] for o in held.orders]),
            (self.tr("Mentions in assistant chats ({n})"), [[m.role, m.excerpt, local_time(m.created_at)]
                                                             for m in held.chat_mentions]),
            (self.tr("Ledger entries ({n})"), [[e.destination, f"{e.purpose} ({e.data_categories})",
                                               local_time(e.at)] for e in held.ledger]),
        ]
        tree.addTopLevelItem(identity)
        identity.setExpanded(True)
        for title, rows in groups:
            group = QTreeWidgetItem([title.format(n=len(rows)), ""])
            for row in rows:
                group.addChild(QTreeWidgetItem(row))
            tree.addTopLevelItem(group)
        tree.resizeColumnToContents(0)

    def _restrict(self) -> None:
        customer_id = self._customer_id
        if self._filling or customer_id is None:
            return
        no_ai, no_marketing = self.no_ai.isChecked(), self.no_marketing.isChecked()

        def _saved(record: CustomerRecord) -> None:
            self.customer_status.setStyleSheet("")
            on, off = self.tr("on"), self.tr("off")
            self.customer_status.setText(self.tr("Saved: no AI processing {ai}, no newsletters {news}.").format(
                ai=on if record.no_ai else off, news=on if record.no_marketing else off))
            self._refresh_result_line(record)

        (op(self, lambda job: restrict_customer(self.session, customer_id, no_ai=no_ai, no_marketing=no_marketing))
         .on_success(_saved)
         .on_failure(self._restrict_failed)
         .run())

    def _restrict_failed(self, error: UserFacingError) -> None:
        self._customer_failed(error)
        if self._customer_id is not None:
            self.load_customer(self._customer_id)  # the boxes show what is stored again

    def _refresh_result_line(self, record: CustomerRecord) -> None:
        """The search result of this customer follows a change (name, flags) without a new search."""
        for row in range(self.customer_results.count()):
            item = self.customer_results.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == record.id and self._holdings is not None:
                counts = self._holdings.counts()
                summary = CustomerSummary(record.id, record.display_name, record.emails, counts["threads"],
                                          counts["orders"], record.no_ai, record.no_marketing)
                item.setText(self._customer_line(summary))

    @Slot()
    def on_customer_export_clicked(self) -> None:
        held = self._holdings
        if held is None or not held.customer.emails:
            return
        suggested = Path.home() / f"comptoir-customer-{held.customer.id}-{date.today().isoformat()}.zip"
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export this customer's data"), str(suggested),
                                                self.tr("ZIP archive (*.zip)"))
        if chosen:
            self.export_customer_to(_with_suffix(Path(chosen), ".zip"))

    def export_customer_to(self, dest: Path) -> None:
        held = self._holdings
        if held is None or not held.customer.emails:
            return
        email = held.customer.emails[0]

        def _done(report: ExportReport) -> None:
            self.customer_status.setStyleSheet(WARNING_STYLE)
            text = self.tr("Their data is in {path} ({size}). This file is NOT encrypted: hand it to the customer "
                           "by a safe way, then delete your copy.").format(path=report.path,
                                                                            size=data_size(report.size))
            if report.withheld_messages:
                text += " " + self.tr("{n} messages that name other customers are left out of the mail files "
                                      "(they appear in the data with those names hidden).").format(
                    n=report.withheld_messages)
            self.customer_status.setText(text)

        (op(self, lambda job: export_customer(self.session, email, dest, job=job))
         .on_success(_done)
         .on_failure(self._customer_failed)
         .with_progress(self.tr("Exporting the customer's data…"))
         .run())

    @Slot()
    def on_customer_rectify_clicked(self) -> None:
        held = self._holdings
        if held is None:
            return
        dialog = RectifyDialog(self.session, held.customer, self)
        dialog.rectified.connect(self._on_rectified)
        dialog.open()

    def _on_rectified(self, record: CustomerRecord) -> None:
        self.customer_status.setStyleSheet("")
        self.customer_status.setText(self.tr("Corrected."))
        self._refresh_result_line(record)
        self.load_customer(record.id)

    @Slot()
    def on_customer_erase_clicked(self) -> None:
        held = self._holdings
        if held is None:
            return
        c = held.counts()
        who = held.customer
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Erase this customer"),
                          self.tr("Erase everything held about {name}?").format(
                              name=who.display_name or ", ".join(who.emails)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("eraseCustomerBox")
        lines = [self.tr(
            "This erases {threads} conversations with {messages} messages and {attachments} attachments, "
            "{drafts} drafts, {orders} cached orders and their name, addresses and phone number. Their name "
            "and addresses are replaced by “[erased]” in {mentions} assistant chat messages; {ledger} ledger "
            "entries stay, without saying who they were about.").format(
            threads=c["threads"], messages=c["messages"], attachments=c["attachments"], drafts=c["drafts"],
            orders=c["orders"], mentions=c["chat_mentions"], ledger=c["ledger"]),
            self.tr("Then the database is rewritten under a new key (re-keyed), so nothing erased can be read "
                    "back from the disk. Other customers are not touched. This cannot be undone.")]
        if self.session.workspace.info.key_mode != KeyMode.EPHEMERAL:
            lines.append(self.tr("Your recovery key changes: the new one is shown once, have paper ready."))
        box.setInformativeText("\n\n".join(lines))
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Erase"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        customer_id = who.id

        def _chosen(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes and self._customer_id == customer_id:
                self._erase_customer(customer_id)

        box.finished.connect(_chosen)
        box.open()

    def _erase_customer(self, customer_id: int) -> None:
        self.customer_panel.setEnabled(False)
        (op(self, lambda job: erase_customer(self.session, customer_id, job=job))
         .on_success(self._on_customer_erased)
         .on_failure(self._erase_customer_failed)
         .with_progress(self.tr("Erasing the customer and re-keying the database…"))
         .run())

    def _erase_customer_failed(self, error: UserFacingError) -> None:
        self._customer_failed(error)
        self.customer_panel.setEnabled(self._holdings is not None)

    def _on_customer_erased(self, report: EraseReport) -> None:
        c = report.counts
        self.customer_status.setStyleSheet("")
        self.customer_status.setText(self.tr(
            "Erased: {messages} messages, {threads} conversations, {attachments} attachments, {drafts} drafts, "
            "{orders} cached orders; {chats} assistant chat messages redacted; {ledger} ledger entries "
            "anonymised. The database now uses a new key.").format(
            messages=c.get("messages", 0), threads=c.get("threads", 0), attachments=c.get("attachments", 0),
            drafts=c.get("drafts", 0), orders=c.get("orders", 0), chats=c.get("chat_messages_redacted", 0),
            ledger=c.get("ledger_rows_anonymised", 0)))
        self._clear_customer()
        self.search_customers(self.customer_search.text())
        self.reload_stats()
        self.reload_ledger()
        if report.recovery_key:
            dialog = RecoveryKeyDialog(report.recovery_key, self)
            dialog.open()

    # --- 4. erase everything ------------------------------------------------------------------------

    def _erase_section(self) -> QGroupBox:
        box, col = _section(self.tr("Erase everything"), "eraseSection")
        col.addWidget(_text(self.tr(
            "Erase the workspace, its key, its backups, caches and logs from this computer. Comptoir then starts "
            "again as on its first day. Export first if you want to keep anything.")))
        row = QHBoxLayout()
        self.erase_all_button = QPushButton(self.tr("Erase everything…"))
        self.erase_all_button.setObjectName("eraseEverything")
        self.erase_all_button.clicked.connect(self.on_erase_all_clicked)
        row.addWidget(self.erase_all_button)
        row.addStretch(1)
        col.addLayout(row)
        return box

    @Slot()
    def on_erase_all_clicked(self) -> None:
        dialog = EraseEverythingDialog(self.session.workspace.info.key_mode, self)
        dialog.accepted.connect(lambda: self.erase_everything_requested.emit(dialog.remove_drafts.isChecked()))
        dialog.open()

    # --- 5. retention -------------------------------------------------------------------------------

    def _retention_section(self) -> QGroupBox:
        box, col = _section(self.tr("Retention"), "retentionSection")
        col.addWidget(_text(self.tr(
            "Comptoir deletes old data by itself, when it starts and once a day. A conversation goes with its "
            "drafts and replies.")))
        form = QFormLayout()
        self.keep_conversations = self._spin("retentionConversations", 1, 240, self.tr(" months"))
        self.keep_orders = self._spin("retentionOrders", 1, 3650, self.tr(" days"))
        self.keep_ledger = self._spin("retentionLedger", 1, 240, self.tr(" months"))
        form.addRow(self.tr("Conversations, after the last message"), self.keep_conversations)
        form.addRow(self.tr("Cached orders, after they were fetched"), self.keep_orders)
        form.addRow(self.tr("Egress ledger entries"), self.keep_ledger)
        col.addLayout(form)
        row = QHBoxLayout()
        self.retention_preview_button = QPushButton(self.tr("Preview next purge"))
        self.retention_preview_button.setObjectName("retentionPreview")
        self.retention_purge_button = QPushButton(self.tr("Purge now…"))
        self.retention_purge_button.setObjectName("retentionPurge")
        row.addWidget(self.retention_preview_button)
        row.addWidget(self.retention_purge_button)
        row.addStretch(1)
        col.addLayout(row)
        self.retention_status = _text("", "retentionStatus")
        col.addWidget(self.retention_status)
        self._retention_save = QTimer(self)
        self._retention_save.setObjectName("retentionSaveTimer")
        self._retention_save.setSingleShot(True)
        self._retention_save.setInterval(500)
        self._retention_save.timeout.connect(self.on_retention_save_timeout)
        for spin in (self.keep_conversations, self.keep_orders, self.keep_ledger):
            spin.valueChanged.connect(self.on_retention_value_changed)
        self.retention_preview_button.clicked.connect(self.on_retention_preview_clicked)
        self.retention_purge_button.clicked.connect(self.on_retention_purge_clicked)
        self._retention_loaded = False
        for w in (self.keep_conversations, self.keep_orders, self.keep_ledger, self.retention_preview_button,
                  self.retention_purge_button):
            w.setEnabled(False)  # until the saved values are shown
        return box

    def _spin(self, name: str, low: int, high: int, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        spin.setMaximumWidth(160)
        return spin

    def reload_retention(self) -> None:
        keys = (RETENTION_CONVERSATIONS.key, RETENTION_ORDERS.key, RETENTION_LEDGER.key)
        (op(self, lambda job: tuple(int(self.session.get_setting(k)) for k in keys))
         .on_success(self._show_retention).run())

    def _show_retention(self, values: tuple[int, ...]) -> None:
        self._filling = True
        for spin, value in zip((self.keep_conversations, self.keep_orders, self.keep_ledger), values, strict=True):
            spin.setValue(value)
            spin.setEnabled(True)
        self._filling = False
        self.retention_preview_button.setEnabled(True)
        self.retention_purge_button.setEnabled(True)
        self._retention_loaded = True

    def _retention_values(self) -> dict[str, int]:
        return {RETENTION_CONVERSATIONS.key: self.keep_conversations.value(),
                RETENTION_ORDERS.key: self.keep_orders.value(), RETENTION_LEDGER.key: self.keep_ledger.value()}

    def _save_retention(self, values: dict[str, int]) -> None:
        """Blocks (database): from a background operation only."""
        for key, value in values.items():
            if self.session.get_setting(key) != value:
                self.session.set_setting(key, value)

    @Slot(int)
    def on_retention_value_changed(self, _value: int) -> None:
        if not self._filling:
            self._retention_save.start()  # one save once the merchant stops clicking the arrows

    @Slot()
    def on_retention_save_timeout(self) -> None:
        values = self._retention_values()
        (op(self, lambda job: self._save_retention(values))
         .on_success(lambda _r: self.retention_status.setText(self.tr("Saved. The next purge uses these windows.")))
         .on_failure(lambda e: self.retention_status.setText(describe_error(e)))
         .run())

    def _plan_text(self, plan: RetentionPlan) -> str:
        return self.tr(
            "{threads} conversations with {messages} messages, {attachments} attachments and {drafts} drafts "
            "(last message before {conversations}); {orders} cached orders (fetched before {orders_before}); "
            "{ledger} ledger entries (before {ledger_before}); {customers} customers with nothing left.").format(
            threads=plan.threads, messages=plan.messages, attachments=plan.attachments, drafts=plan.drafts,
            conversations=local_time(plan.conversations_before), orders=plan.orders,
            orders_before=local_time(plan.orders_before), ledger=plan.ledger,
            ledger_before=local_time(plan.ledger_before), customers=plan.customers)

    def _saved_then_previewed(self) -> Callable[[Job], RetentionPlan]:
        """A background call that saves what the spin boxes show, then previews with it (one call: no race
        between a pending save and the preview)."""
        self._retention_save.stop()
        values = self._retention_values()

        def _preview(job: Job) -> RetentionPlan:
            self._save_retention(values)
            return retention_preview(self.session, datetime.now(UTC))

        return _preview

    @Slot()
    def on_retention_preview_clicked(self) -> None:
        (op(self, self._saved_then_previewed())
         .on_success(lambda plan: self.retention_status.setText(
             self.tr("The next purge removes: {what}").format(what=self._plan_text(plan))))
         .on_failure(lambda e: self.retention_status.setText(describe_error(e)))
         .run())

    @Slot()
    def on_retention_purge_clicked(self) -> None:
        (op(self, self._saved_then_previewed()).on_success(self._confirm_purge)
         .on_failure(lambda e: self.retention_status.setText(describe_error(e))).run())

    def _confirm_purge(self, plan: RetentionPlan) -> None:
        if plan.total == 0:
            self.retention_status.setText(self.tr("Nothing is older than your retention windows: nothing to purge."))
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Purge now"),
                          self.tr("Delete what is older than your retention windows now?"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("purgeBox")
        box.setInformativeText(self.tr("This removes {what} It cannot be undone.").format(
            what=self._plan_text(plan)))
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Purge"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def _chosen(result: int) -> None:
            if result != QMessageBox.StandardButton.Yes:
                return
            (op(self, lambda job: retention_run(self.session, datetime.now(UTC)))
             .on_success(self._purged)
             .on_failure(lambda e: self.retention_status.setText(describe_error(e)))
             .with_progress(self.tr("Purging old data…"))
             .run())

        box.finished.connect(_chosen)
        box.open()

    def _purged(self, plan: RetentionPlan) -> None:
        self.retention_status.setText(self.tr("Removed: {what}").format(what=self._plan_text(plan)))
        self.reload_stats()
        self.reload_ledger()
        if self.customer_search.text().strip():
            self.search_customers(self.customer_search.text())

    # --- 6. egress ledger ---------------------------------------------------------------------------

    def _ledger_section(self) -> QGroupBox:
        box, col = _section(self.tr("Egress ledger"), "ledgerSection")
        col.addWidget(_text(self.tr(
            "Every call that sent data off this computer — to your mail server, your shop, an AI provider: when, "
            "to whom, why, which kinds of data and how much.")))
        filters = QHBoxLayout()
        self.ledger_destination = QComboBox()
        self.ledger_destination.setObjectName("ledgerDestination")
        self.ledger_destination.addItem(self.tr("All destinations"), "")
        filters.addWidget(self.ledger_destination, 1)
        today = QDate.currentDate()
        self.ledger_from_on = QCheckBox(self.tr("From"))
        self.ledger_from_on.setObjectName("ledgerFromOn")
        self.ledger_from = QDateEdit(today.addMonths(-1))
        self.ledger_from.setObjectName("ledgerFrom")
        self.ledger_to_on = QCheckBox(self.tr("To"))
        self.ledger_to_on.setObjectName("ledgerToOn")
        self.ledger_to = QDateEdit(today)
        self.ledger_to.setObjectName("ledgerTo")
        for check, edit in ((self.ledger_from_on, self.ledger_from), (self.ledger_to_on, self.ledger_to)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda _on: self.reload_ledger())
            edit.dateChanged.connect(lambda _d: self.reload_ledger())
            filters.addWidget(check)
            filters.addWidget(edit)
        self.ledger_export = QPushButton(self.tr("Export CSV…"))
        self.ledger_export.setObjectName("ledgerExport")
        filters.addWidget(self.ledger_export)
        col.addLayout(filters)
        self.ledger_model = LedgerModel(self)
        self.ledger_table = QTableView()
        self.ledger_table.setObjectName("ledgerTable")
        self.ledger_table.setModel(self.ledger_model)
        self.ledger_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ledger_table.verticalHeader().hide()
        self.ledger_table.setWordWrap(False)
        self.ledger_table.setMinimumHeight(220)
        self.ledger_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        col.addWidget(self.ledger_table)
        self.ledger_totals = _text("", "ledgerTotals")
        col.addWidget(self.ledger_totals)
        self.ledger_status = _text("", "ledgerStatus")
        self.ledger_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.ledger_status)
        self.ledger_destination.currentIndexChanged.connect(self.on_ledger_destination_changed)
        self.ledger_export.clicked.connect(self.on_ledger_export_clicked)
        self._ledger_generation = 0
        return box

    def ledger_filters(self) -> dict[str, Any]:
        """The filters as `ledger_entries` takes them (local days, as the merchant picked them)."""
        return {
            "destination": str(self.ledger_destination.currentData() or "") or None,
            "since": _local_bound(self.ledger_from.date(), end=False) if self.ledger_from_on.isChecked() else None,
            "until": _local_bound(self.ledger_to.date(), end=True) if self.ledger_to_on.isChecked() else None,
        }

    @Slot(int)
    def on_ledger_destination_changed(self, _index: int) -> None:
        if not self._filling:
            self.reload_ledger()

    def reload_ledger(self) -> None:
        self._ledger_generation += 1
        generation = self._ledger_generation
        filters = self.ledger_filters()
        session = self.session

        def _load(job: Job) -> tuple[list[LedgerEntry], list[LedgerTotal], list[str]]:
            destinations = sorted(t.destination for t in ledger_totals(session))
            return ledger_entries(session, **filters), ledger_totals(session, **filters), destinations

        def _show(result: tuple[list[LedgerEntry], list[LedgerTotal], list[str]]) -> None:
            if generation == self._ledger_generation:
                self._show_ledger(*result)

        (op(self, _load).on_success(_show)
         .on_failure(lambda e: self.ledger_status.setText(describe_error(e))).run())

    def _show_ledger(self, entries: list[LedgerEntry], totals: list[LedgerTotal], destinations: list[str]) -> None:
        current = str(self.ledger_destination.currentData() or "")
        self._filling = True
        self.ledger_destination.clear()
        self.ledger_destination.addItem(self.tr("All destinations"), "")
        for name in sorted(set(destinations) | ({current} if current else set())):
            self.ledger_destination.addItem(name, name)
        self.ledger_destination.setCurrentIndex(max(0, self.ledger_destination.findData(current)))
        self._filling = False
        self.ledger_model.set_rows(entries)
        self.ledger_table.resizeColumnToContents(0)
        if not totals:
            self.ledger_totals.setText(self.tr("Nothing left this computer in this period."))
        else:
            self.ledger_totals.setText("\n".join(
                self.tr("{destination}: {calls} calls, {sent} sent, {received} received.").format(
                    destination=t.destination, calls=t.calls, sent=data_size(t.bytes_out),
                    received=data_size(t.bytes_in)) for t in totals))
        self.ledger_shown.emit()

    @Slot()
    def on_ledger_export_clicked(self) -> None:
        suggested = Path.home() / f"comptoir-ledger-{date.today().isoformat()}.csv"
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export the ledger"), str(suggested),
                                                self.tr("CSV file (*.csv)"))
        if chosen:
            self.export_ledger_to(_with_suffix(Path(chosen), ".csv"))

    def export_ledger_to(self, dest: Path) -> None:
        filters = self.ledger_filters()
        session = self.session

        def _write(job: Job) -> int:
            entries = ledger_entries(session, **filters)
            write_private_file(dest, ledger_csv(entries).encode("utf-8"))
            return len(entries)

        (op(self, _write)
         .on_success(lambda n: self.ledger_status.setText(
             self.tr("Saved {n} entries to {path}.").format(n=n, path=dest)))
         .on_failure(lambda e: self.ledger_status.setText(describe_error(e)))
         .run())


class LedgerModel(QAbstractTableModel):
    """The egress ledger rows shown (an immutable snapshot, replaced as a whole)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LedgerEntry] = []
        self._headers = (self.tr("Time"), self.tr("Destination"), self.tr("Kind"), self.tr("Purpose"),
                         self.tr("Model"), self.tr("Data"), self.tr("Sent"), self.tr("Received"),
                         self.tr("Pseudonymised"), self.tr("Status"))

    def set_rows(self, rows: list[LedgerEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def entry(self, row: int) -> LedgerEntry:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (6, 7):
            return str(e.bytes_out if column == 6 else e.bytes_in)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (local_time(e.at), e.destination, e.kind, e.purpose, e.model or "", e.data_categories,
                  data_size(e.bytes_out), data_size(e.bytes_in), self.tr("yes") if e.pseudonymised else self.tr("no"),
                  e.status)
        return values[column] if 0 <= column < len(values) else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None


class RectifyDialog(QDialog):
    """Correct a customer's name and phone (GDPR art. 16). Saves in the background; an error shows inline."""

    rectified = Signal(object)  # CustomerRecord

    def __init__(self, session: Session, record: CustomerRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rectifyDialog")
        self.setWindowTitle(self.tr("Rectify a customer"))
        self.session = session
        self.record = record
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.display_name = QLineEdit(record.display_name)
        self.display_name.setObjectName("rectifyName")
        self.first_name = QLineEdit(record.first_name)
        self.first_name.setObjectName("rectifyFirstName")
        self.last_name = QLineEdit(record.last_name)
        self.last_name.setObjectName("rectifyLastName")
        self.phone = QLineEdit(record.phone)
        self.phone.setObjectName("rectifyPhone")
        form.addRow(self.tr("Name shown"), self.display_name)
        form.addRow(self.tr("First name"), self.first_name)
        form.addRow(self.tr("Last name"), self.last_name)
        form.addRow(self.tr("Phone"), self.phone)
        layout.addLayout(form)
        self.error = _text("", "rectifyError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def changes(self) -> dict[str, str]:
        """Only the fields the merchant changed (the others stay as they are)."""
        now = {"display_name": self.display_name.text().strip(), "first_name": self.first_name.text().strip(),
               "last_name": self.last_name.text().strip(), "phone": self.phone.text().strip()}
        before = {"display_name": self.record.display_name, "first_name": self.record.first_name,
                  "last_name": self.record.last_name, "phone": self.record.phone}
        return {k: v for k, v in now.items() if v != (before[k] or "")}

    @Slot()
    def on_save_clicked(self) -> None:
        changes = self.changes()
        if not changes:
            self.reject()
            return
        customer_id = self.record.id
        self.buttons.setEnabled(False)
        self.error.hide()
        (op(self, lambda job: rectify_customer(self.session, customer_id, **changes))
         .on_success(self._saved)
         .on_failure(self._failed)
         .on_done(lambda: self.buttons.setEnabled(True))
         .run())

    def _saved(self, record: CustomerRecord) -> None:
        self.rectified.emit(record)
        self.accept()

    def _failed(self, error: UserFacingError) -> None:
        self.error.setText(describe_error(error))
        self.error.show()


class RecoveryKeyDialog(QDialog):
    """The new recovery key after a re-key, shown once, as the first-run wizard shows the first one: it
    cannot be closed before the merchant says it is saved."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newRecoveryKeyDialog")
        self.setWindowTitle(self.tr("Your new recovery key"))
        self._recovery_key = recovery_key
        layout = QVBoxLayout(self)
        layout.addWidget(_text(self.tr(
            "The database was re-keyed: your old recovery key no longer opens this workspace, destroy it. This "
            "new key opens it if this computer's keyring is reset, if you forget your passphrase or when you move "
            "to a new computer. It is shown only now. Write it down or print it, and keep it somewhere safe, away "
            "from this computer.")))
        self.key = QLabel()
        self.key.setObjectName("recoveryKey")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 2)
        self.key.setFont(font)
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        groups = recovery_key.split("-")
        self.key.setText("-".join(groups[:7]) + "-\n" + "-".join(groups[7:]) if len(groups) > 7 else recovery_key)
        layout.addWidget(self.key)
        copy = QPushButton(self.tr("Copy"))
        copy.clicked.connect(self.on_copy_clicked)
        layout.addWidget(copy)
        self.saved = QCheckBox(self.tr("I have saved my new recovery key somewhere safe"))
        self.saved.setObjectName("recoverySaved")
        layout.addWidget(self.saved)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.done_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.done_button.setText(self.tr("Done"))
        self.done_button.setEnabled(False)
        self.saved.toggled.connect(self.done_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)

    @Slot()
    def on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._recovery_key)

    def accept(self) -> None:
        if self.saved.isChecked():
            super().accept()

    def reject(self) -> None:
        """Escape does not lose the only copy of the key."""
        if self.saved.isChecked():
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saved.isChecked():
            super().closeEvent(event)
        else:
            event.ignore()


class EraseEverythingDialog(QDialog):
    """Says what erasing everything removes, honestly, and asks the merchant to type a word to confirm."""

    def __init__(self, key_mode: KeyMode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eraseEverythingDialog")
        self.setWindowTitle(self.tr("Erase everything"))
        self.word = self.tr("ERASE", "the word the merchant types to confirm erasing everything")
        layout = QVBoxLayout(self)
        heading = _text(self.tr("This erases from this computer, for good:"))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        key = {KeyMode.KEYRING: self.tr("the workspace key, from this computer's keyring;"),
               KeyMode.PASSPHRASE: self.tr("the workspace key file that your passphrase protects;"),
               }.get(key_mode, self.tr("the workspace key;"))
        items = [
            self.tr("the encrypted database: all mail and conversations, customers, cached orders, drafts, "
                    "assistant chats, templates, settings, mailbox and shop connections, and the egress ledger;"),
            key,
            self.tr("backups made before upgrades, attachments you opened, caches and logs;"),
            self.tr("exports still being written (finished exports you saved elsewhere stay: delete them "
                    "yourself);"),
            self.tr("the demo shop, if you tried it."),
        ]
        layout.addWidget(_text("\n".join(f"• {item}" for item in items), "eraseWhat"))
        layout.addWidget(_text(self.tr(
            "Your mail server and your shop keep their own copies: nothing changes there, unless you tick the "
            "box below.")))
        layout.addWidget(_text(self.tr(
            "On SSDs and modern file systems deleted files cannot reliably be overwritten. Comptoir's erasure is "
            "crypto-erasure: the key that encrypts the database is destroyed, so whatever the disk still holds "
            "is ciphertext that nobody can decrypt any more. A recovery key you wrote down matches that "
            "ciphertext: destroy it too."), "eraseSsdNote"))
        layout.addWidget(_text(self.tr("Comptoir then starts again as on its first day. This cannot be undone.")))
        self.remove_drafts = QCheckBox(self.tr(
            "Also remove Comptoir's drafts from the mailbox's Drafts folder (the mail server must be reachable)"))
        self.remove_drafts.setObjectName("eraseServerDrafts")
        layout.addWidget(self.remove_drafts)
        layout.addWidget(_text(self.tr("To confirm, type {word} below:").format(word=self.word)))
        self.confirm_word = QLineEdit()
        self.confirm_word.setObjectName("eraseConfirmWord")
        self.confirm_word.setPlaceholderText(self.word)
        layout.addWidget(self.confirm_word)
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = QPushButton(self.tr("Erase everything"))
        self.erase_button.setObjectName("eraseAllConfirm")
        self.erase_button.setEnabled(False)
        self.erase_button.setAutoDefault(False)
        self.buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.cancel_button.setDefault(True)
        self.erase_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.confirm_word.textChanged.connect(self.on_confirm_word_changed)
        self.confirm_word.setFocus()

    @Slot(str)
    def on_confirm_word_changed(self, text: str) -> None:
        self.erase_button.setEnabled(self.confirmed)

    @property
    def confirmed(self) -> bool:
        return self.confirm_word.text().strip().casefold() == self.word.casefold()

    def accept(self) -> None:
        if self.confirmed:  # Enter in the field must not erase anything before the word is typed
            super().accept()


def erase_report_lines(report: EraseReport) -> list[str]:
    """What erasing everything removed, in the interface language (counts and notes, no personal data)."""
    c = report.counts
    lines: list[str] = []
    if c.get("workspaces"):
        lines.append(QCoreApplication.translate(
            "PrivacyPage", "Erased {workspaces} workspace(s): {files} files ({size}), {keyring} key(s) in the system "
            "keyring, {key_files} key file(s).").format(
            workspaces=c.get("workspaces", 0), files=c.get("files", 0), size=data_size(c.get("bytes", 0)),
            keyring=c.get("keyring_entries", 0), key_files=c.get("key_files", 0)))
    else:
        lines.append(QCoreApplication.translate("PrivacyPage", "There was no workspace to erase."))
    lines.append(QCoreApplication.translate(
        "PrivacyPage", "Also removed: {cache} cache file(s), {logs} log file(s), {temp} temporary folder(s), "
        "{partials} unfinished export(s).").format(
        cache=c.get("cache_files", 0), logs=c.get("log_files", 0), temp=c.get("temp_folders", 0),
        partials=c.get("partial_exports", 0)))
    if c.get("server_drafts"):
        lines.append(QCoreApplication.translate(
            "PrivacyPage", "Removed {n} of Comptoir's drafts from the mailbox's Drafts folder.").format(
            n=c["server_drafts"]))
    lines.append(QCoreApplication.translate(
        "PrivacyPage", "The key that encrypted your data was destroyed: whatever the disk still holds is ciphertext "
        "nobody can decrypt. Destroy the recovery key you wrote down, too."))
    lines.extend(report.warnings)  # file names and what to do: the service's own words
    return lines
