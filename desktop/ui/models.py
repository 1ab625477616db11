"""Item models for the views. They hold immutable snapshots; loading happens in the background."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.core.models import CustomerSummary, ThreadSummary
from desktop.core.triage import INTENT_LABELS, URGENCY_LABELS, Intent
from desktop.ui.bridge import op
from desktop.ui.i18n import current_language

Index = QModelIndex | QPersistentModelIndex
PAGE = 200


def short_date(iso: str) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def intent_label(value: str | None) -> str:
    """The short name of an intent in the interface language ('' when the thread is not triaged yet)."""
    if not value:
        return ""
    try:
        en, fr = INTENT_LABELS[Intent(value)]
    except ValueError:
        return value
    return fr if current_language() == "fr" else en


def urgency_label(value: int | None) -> str:
    if value is None or value not in URGENCY_LABELS:
        return ""
    en, fr = URGENCY_LABELS[value]
    return fr if current_language() == "fr" else en


class ThreadListModel(QAbstractTableModel):
    """The inbox list, fetched page by page so a 100,000-message mailbox opens at once.

    `loader(offset, limit, query)` runs on the background pool and returns a page of threads; when the list
    is filtered by intent (`reload(query, intent=...)`) it is called as `loader(offset, limit, query, intent=...)`.
    """

    COLUMNS = ("customer", "subject", "intent", "language", "date", "status")

    def __init__(self, loader: Callable[..., list[ThreadSummary]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._rows: list[ThreadSummary] = []
        self._query = ""
        self._intent: str | None = None
        self._exhausted = False
        self._loading = False
        self._generation = 0
        self._headers = (self.tr("Customer"), self.tr("Subject"), self.tr("Topic"), self.tr("Lang."),
                         self.tr("Date"), self.tr("Status"))

    # --- loading ----------------------------------------------------------------------------------

    def reload(self, query: str = "", *, intent: str | None = None) -> None:
        """Start again from the first page (e.g. after a search, or to show one intent; 'untriaged' too)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._query = query
        self._intent = intent
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self._load_page()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self._load_page()

    def _load_page(self) -> None:
        if self._loading or self._exhausted:
            return
        self._loading = True
        generation, offset, query = self._generation, len(self._rows), self._query
        loader = functools.partial(self._loader, intent=self._intent) if self._intent else self._loader
        (op(None, lambda job: loader(offset, PAGE, query))
         .on_success(lambda rows: self._append(generation, rows))
         .on_done(lambda: self._done(generation))
         .run())

    def _done(self, generation: int) -> None:
        if generation == self._generation:
            self._loading = False

    def _append(self, generation: int, rows: list[ThreadSummary]) -> None:
        if generation != self._generation:
            return  # a newer search replaced this one
        if len(rows) < PAGE:
            self._exhausted = True
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def intent(self) -> str | None:
        """The intent the list is filtered on (None: all threads)."""
        return self._intent

    # --- model ------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def thread_at(self, row: int) -> ThreadSummary:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        t = self._rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "customer":
                return t.customer_name or t.customer_email
            if col == "subject":
                return t.subject
            if col == "intent":
                return intent_label(t.intent)
            if col == "language":
                return (t.language or "").upper()
            if col == "date":
                return short_date(t.last_message_at)
            return t.status
        if role == Qt.ItemDataRole.ToolTipRole and col == "subject":
            return t.snippet
        if role == Qt.ItemDataRole.FontRole and t.unread:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return t.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None


class CustomerModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CustomerSummary] = []
        self._headers = (self.tr("Name"), self.tr("E-mail addresses"), self.tr("Threads"), self.tr("Orders"),
                         self.tr("No AI processing"))

    def set_rows(self, rows: list[CustomerSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole or not (0 <= index.row() < len(self._rows)):
            return None
        c = self._rows[index.row()]
        values = (c.display_name, ", ".join(c.emails), c.thread_count, c.order_count,
                  self.tr("yes") if c.no_ai else "")
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None
