"""The Assistant page: the merchant's conversations with the assistant, answers streamed as they are written.

Threads: the answer is produced on the background pool; the worker only appends chunks to a locked buffer, and a
timer on the UI thread (every 50 ms) moves them into the view. Widgets are never touched from the worker.
Everything is shown as plain text (inserted through a text cursor, never parsed as HTML), and the view never loads
a resource.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QFont, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.services.session import Session
from desktop.store.assistant_repo import ChatRow, ProviderRow
from desktop.tasks.cancel import CancelToken, Job
from desktop.ui.bridge import op
from desktop.ui.models import short_date
from desktop.ui.pages import Page

if TYPE_CHECKING:
    from desktop.services.assistant import ChatOutcome

FLUSH_MS = 50
_KIND_NAMES = {"ollama": "Ollama", "lmstudio": "LM Studio", "llamacpp": "llama.cpp"}
_ID_ROLE = Qt.ItemDataRole.UserRole


class StreamBuffer:
    """Chunks written by a worker thread, taken by the UI thread. `close()` makes later writes no-ops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list[str] = []
        self._closed = False

    def append(self, chunk: str) -> None:
        with self._lock:
            if not self._closed:
                self._chunks.append(chunk)

    def take(self) -> str:
        with self._lock:
            text = "".join(self._chunks)
            self._chunks.clear()
            return text

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._chunks.clear()


class PlainTextView(QTextBrowser):
    """A read-only transcript: text goes in through a cursor as plain text; no resource is ever loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setUndoRedoEnabled(False)

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        return None

    def append_text(self, text: str, fmt: QTextCharFormat | None = None) -> None:
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text, fmt if fmt is not None else QTextCharFormat())
        if at_bottom:
            bar.setValue(bar.maximum())


class MessageEdit(QPlainTextEdit):
    """The message box: Enter sends, Shift+Enter starts a new line."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _Turn(QObject):
    """One question and its answer being written: the cancel token, the stream buffer and what it produced."""

    def __init__(self, chat_id: int | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chat_id = chat_id
        self.buffer = StreamBuffer()
        self.token: CancelToken | None = None
        self.received = ""
        self.created: list[int] = []  # the conversation this turn created (worker writes, then done)
        self.stopped = False
        self.view_request = 0  # which conversation the page showed when the question was sent


class AssistantPage(Page):
    """Conversations on the left; the selected one, the message box and Send / Stop on the right."""

    answer_streamed = Signal(str)       # the answer so far, each time the view is updated while it streams
    answer_finished = Signal(str)       # 'done' | 'stopped' | 'failed'
    conversation_shown = Signal(object)  # the chat id (None for a new conversation)
    chats_listed = Signal()
    open_settings_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None,
                 detect_ports: dict[str, int] | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("assistantPage")
        self._chat_id: int | None = None
        self._chats: list[ChatRow] = []
        self._turn: _Turn | None = None
        self._filling_list = False
        self._list_request = 0
        self._messages_request = 0
        self.detect_ports = detect_ports  # where to look for local servers (None: their usual ports)
        self._detection_done = False
        self._detected: Any = None

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel(self.tr("Assistant"))
        font = title.font()
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        title.setFont(font)
        top.addWidget(title)
        top.addStretch(1)
        self.provider_label = QLabel()
        self.provider_label.setObjectName("assistantProvider")
        top.addWidget(self.provider_label)
        layout.addLayout(top)

        self.no_provider = QWidget()
        self.no_provider.setObjectName("noProviderBanner")
        self.no_provider.setStyleSheet("#noProviderBanner { background: #fff4ce; }")
        banner = QHBoxLayout(self.no_provider)
        self.no_provider_text = QLabel(self.tr(
            "No AI model is set up yet, so the assistant cannot answer. Add one in Settings → Assistant: a local "
            "Ollama, LM Studio or llama.cpp server is found automatically."))
        self.no_provider_text.setWordWrap(True)
        self.no_provider_text.setTextFormat(Qt.TextFormat.PlainText)
        banner.addWidget(self.no_provider_text, 1)
        self.use_detected_button = QPushButton()
        self.use_detected_button.setObjectName("useDetectedServer")
        self.use_detected_button.clicked.connect(self.on_use_detected_clicked)
        self.use_detected_button.hide()
        banner.addWidget(self.use_detected_button)
        self.settings_button = QPushButton(self.tr("Open Settings"))
        self.settings_button.setObjectName("openAssistantSettings")
        self.settings_button.clicked.connect(self.open_settings_requested)
        banner.addWidget(self.settings_button)
        self.no_provider.hide()
        layout.addWidget(self.no_provider)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._conversation_list())
        splitter.addWidget(self._conversation_pane())
        splitter.setSizes([260, 760])
        layout.addWidget(splitter, 1)

        self._flush_timer = QTimer(self)
        self._flush_timer.setObjectName("streamFlush")
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.on_flush_timeout)
        self._debounce = QTimer(self)
        self._debounce.setObjectName("chatSearchDebounce")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload_chats)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self._formats()
        self._show_suggestions()

    # --- construction -----------------------------------------------------------------------------

    def _conversation_list(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("chatSearch")
        self.search.setPlaceholderText(self.tr("Search conversations…"))
        self.search.setClearButtonEnabled(True)
        col.addWidget(self.search)
        self.chat_list = QListWidget()
        self.chat_list.setObjectName("chatList")
        self.chat_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long titles elide
        self.chat_list.currentItemChanged.connect(self.on_chat_list_current_item_changed)
        self.chat_list.itemChanged.connect(self.on_chat_list_item_changed)
        col.addWidget(self.chat_list, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("New"))
        self.new_button.setObjectName("newChat")
        self.rename_button = QPushButton(self.tr("Rename"))
        self.rename_button.setObjectName("renameChat")
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setObjectName("deleteChat")
        for b in (self.new_button, self.rename_button, self.delete_button):
            row.addWidget(b)
        col.addLayout(row)
        self.new_button.clicked.connect(self.on_new_clicked)
        self.rename_button.clicked.connect(self.on_rename_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        return box

    def _conversation_pane(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        self.suggestions = QWidget()
        self.suggestions.setObjectName("chatSuggestions")
        sug = QVBoxLayout(self.suggestions)
        sug.addStretch(1)
        hello = QLabel(self.tr("Ask the assistant about your customers, orders and mail, or ask it to write for you."))
        hello.setWordWrap(True)
        hello.setTextFormat(Qt.TextFormat.PlainText)
        hello.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sug.addWidget(hello)
        self.suggestion_buttons: list[QPushButton] = []
        for prompt in self.suggested_prompts():
            b = QPushButton(prompt)
            b.setObjectName("suggestedPrompt")
            b.clicked.connect(lambda _checked=False, text=prompt: self.use_suggestion(text))
            sug.addWidget(b)
            self.suggestion_buttons.append(b)
        sug.addStretch(2)
        self.view = PlainTextView()
        self.view.setObjectName("chatView")
        self.stack.addWidget(self.suggestions)
        self.stack.addWidget(self.view)
        col.addWidget(self.stack, 1)
        self.input = MessageEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText(self.tr("Write a message… (Enter sends, Shift+Enter starts a new line)"))
        self.input.setFixedHeight(90)
        self.input.submitted.connect(self.on_send_clicked)
        col.addWidget(self.input)
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("chatStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.status, 1)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendChat")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopChat")
        self.stop_button.setEnabled(False)
        row.addWidget(self.send_button)
        row.addWidget(self.stop_button)
        col.addLayout(row)
        self.send_button.clicked.connect(self.on_send_clicked)
        self.stop_button.clicked.connect(self.on_stop_clicked)
        return box

    def _formats(self) -> None:
        self._fmt_role = QTextCharFormat()
        self._fmt_role.setFontWeight(QFont.Weight.Bold)
        self._fmt_meta = QTextCharFormat()
        self._fmt_meta.setForeground(QColor("#777777"))
        self._fmt_body = QTextCharFormat()
        self._fmt_note = QTextCharFormat()
        self._fmt_note.setFontItalic(True)
        self._fmt_note.setForeground(QColor("#8a6d00"))
        self._fmt_error = QTextCharFormat()
        self._fmt_error.setForeground(QColor("#b00020"))

    def suggested_prompts(self) -> list[str]:
        return [
            self.tr("This week's open conversations by intent"),
            self.tr("Write an announcement for a shipping delay"),
            self.tr("Summarise what a customer has asked us and their orders"),
            self.tr("Draft a short newsletter for our new products"),
            self.tr("Write a clear returns policy for our shop"),
        ]

    # --- loading ------------------------------------------------------------------------------------

    def activate(self) -> None:
        super().activate()
        self.check_provider()  # the merchant may have added one in Settings since

    def refresh(self) -> None:
        self.reload_chats()

    def check_provider(self) -> None:
        op(self, lambda job: self.session.assistant.active_provider()).on_success(self._show_provider).run()

    def _show_provider(self, provider: ProviderRow | None) -> None:
        self.no_provider.setVisible(provider is None)
        if provider is None:
            self.provider_label.clear()
            if not self._detection_done:  # once per session: look for a local server on this computer
                self._detection_done = True
                ports = self.detect_ports
                (op(self, lambda job: self.session.assistant.detect_local(ports))
                 .on_success(self._show_detected).run())
        else:
            self.use_detected_button.hide()
            self.provider_label.setText(self.tr("Model: {model} ({name})").format(
                model=provider.model_for("chat"), name=provider.name))

    def _show_detected(self, servers: list[Any]) -> None:
        usable = [d for d in servers if d.models]
        if not usable or not self.no_provider.isVisible():
            return
        self._detected = usable[0]
        self.no_provider_text.setText(self.tr(
            "No AI model is set up yet. {kind} is running on this computer with the model {model}: use it? "
            "Nothing leaves this computer.").format(kind=_KIND_NAMES.get(self._detected.kind, self._detected.kind),
                                                   model=self._detected.models[0]))
        self.use_detected_button.setText(self.tr("Use {model}").format(model=self._detected.models[0]))
        self.use_detected_button.show()

    @Slot()
    def on_use_detected_clicked(self) -> None:
        found = self._detected
        if found is None:
            return
        self.use_detected_button.setEnabled(False)
        (op(self, lambda job: self.session.assistant.add_provider(found.kind, base_url=found.base_url,
                                                                  model=found.models[0]))
         .on_success(lambda _pid: self.check_provider())
         .on_done(lambda: self.use_detected_button.setEnabled(True)).run())

    @Slot()
    def reload_chats(self) -> None:
        query = self.search.text().strip()
        self._list_request += 1
        request = self._list_request

        def _shown(rows: list[ChatRow]) -> None:
            if request == self._list_request:
                self._fill_list(rows)

        op(self, lambda job: self.session.assistant.chats(query)).on_success(_shown).run()

    def _fill_list(self, rows: list[ChatRow]) -> None:
        self._chats = rows
        self._filling_list = True
        self.chat_list.clear()
        current: QListWidgetItem | None = None
        for chat in rows:
            item = QListWidgetItem(chat.title)
            item.setData(_ID_ROLE, chat.id)
            item.setToolTip(chat.title + "\n" + self.tr("{n} message(s), last on {date}").format(
                n=chat.message_count, date=short_date(chat.updated_at)))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.chat_list.addItem(item)
            if chat.id == self._chat_id:
                current = item
        if current is not None:
            self.chat_list.setCurrentItem(current)
        self._filling_list = False
        self.chats_listed.emit()

    def chat_titles(self) -> list[str]:
        return [self.chat_list.item(i).text() for i in range(self.chat_list.count())]

    @property
    def chat_id(self) -> int | None:
        return self._chat_id

    def select_chat(self, chat_id: int) -> None:
        for i in range(self.chat_list.count()):
            item = self.chat_list.item(i)
            if item.data(_ID_ROLE) == chat_id:
                self.chat_list.setCurrentItem(item)
                return

    @Slot(QListWidgetItem, QListWidgetItem)
    def on_chat_list_current_item_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if self._filling_list or current is None:
            return
        chat_id = int(current.data(_ID_ROLE))
        if chat_id != self._chat_id or self.stack.currentWidget() is not self.view:
            self.show_chat(chat_id)

    def show_chat(self, chat_id: int) -> None:
        self._chat_id = chat_id
        self._messages_request += 1
        request = self._messages_request

        def _shown(messages: list[dict[str, Any]]) -> None:
            if request == self._messages_request and self._chat_id == chat_id:
                self._render(messages)
                self.conversation_shown.emit(chat_id)

        op(self, lambda job: self.session.assistant.chat_messages(chat_id)).on_success(_shown).run()

    def _render(self, messages: list[dict[str, Any]]) -> None:
        self.view.clear()
        shown = [m for m in messages if m["role"] in ("user", "assistant") and (m.get("content") or "").strip()]
        for m in shown:
            self._append_header(m["role"], str(m.get("created_at") or ""))
            self.view.append_text(str(m["content"]) + "\n\n", self._fmt_body)
        self.stack.setCurrentWidget(self.view if shown else self.suggestions)
        self.view.verticalScrollBar().setValue(self.view.verticalScrollBar().maximum())

    def _append_header(self, role: str, when: str = "") -> None:
        who = self.tr("You") if role == "user" else self.tr("Assistant")
        self.view.append_text(who, self._fmt_role)
        if when:
            self.view.append_text("  " + short_date(when), self._fmt_meta)
        self.view.append_text("\n", self._fmt_body)

    def _show_suggestions(self) -> None:
        self.view.clear()
        self.stack.setCurrentWidget(self.suggestions)

    def use_suggestion(self, text: str) -> None:
        self.input.setPlainText(text)
        self.input.setFocus()
        cursor = self.input.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self.input.setTextCursor(cursor)

    # --- conversations ----------------------------------------------------------------------------

    @Slot()
    def on_new_clicked(self) -> None:
        self._chat_id = None
        self._messages_request += 1
        self._filling_list = True
        self.chat_list.setCurrentRow(-1)
        self.chat_list.clearSelection()
        self._filling_list = False
        self.status.clear()
        self._show_suggestions()
        self.input.setFocus()
        self.conversation_shown.emit(None)

    def _current_item(self) -> QListWidgetItem | None:
        item = self.chat_list.currentItem()
        return item if item is not None and item.isSelected() else None

    @Slot()
    def on_rename_clicked(self) -> None:
        item = self._current_item()
        if item is not None:
            self.chat_list.editItem(item)

    @Slot(QListWidgetItem)
    def on_chat_list_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling_list:
            return
        chat_id = int(item.data(_ID_ROLE))
        title = item.text().strip()
        old = next((c.title for c in self._chats if c.id == chat_id), "")
        if not title or title == old:
            self._filling_list = True
            item.setText(old)
            self._filling_list = False
            return
        (op(self, lambda job: self.session.assistant.rename_chat(chat_id, title))
         .on_success(lambda _r: self.reload_chats())
         .on_failure(self._show_error).run())

    @Slot()
    def on_delete_clicked(self) -> None:
        item = self._current_item()
        if item is None:
            return
        chat_id = int(item.data(_ID_ROLE))
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete conversation"),
                          self.tr("Delete the conversation “{title}”?").format(title=item.text()),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("deleteChatBox")
        box.setInformativeText(self.tr("It is erased from this computer; this cannot be undone."))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def _chosen(result: int) -> None:
            if result != QMessageBox.StandardButton.Yes:
                return
            (op(self, lambda job: self.session.assistant.delete_chat(chat_id))
             .on_success(lambda _r: self._deleted(chat_id))
             .on_failure(self._show_error).run())

        box.finished.connect(_chosen)
        box.open()

    def _deleted(self, chat_id: int) -> None:
        if self._chat_id == chat_id:
            self.on_new_clicked()
        self.reload_chats()

    # --- sending and streaming --------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self._turn is not None

    @Slot()
    def on_send_clicked(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self._turn is not None:
            return
        turn = _Turn(self._chat_id, self)
        turn.view_request = self._messages_request
        self._turn = turn
        self.input.clear()
        self.stack.setCurrentWidget(self.view)
        self._append_header("user")
        self.view.append_text(text + "\n\n", self._fmt_body)
        self._append_header("assistant")
        self.status.setText(self.tr("The assistant is writing…"))
        self._set_busy(True)
        assistant = self.session.assistant
        chat_id = turn.chat_id

        def _ask(job: Job) -> ChatOutcome:
            # on_created: a stopped or failed answer still leaves the question in a new conversation
            return assistant.chat(chat_id, text, on_text=turn.buffer.append, cancel=job.token,
                                  on_created=turn.created.append)

        turn.token = (op(self, _ask)
                      .on_success(lambda outcome: self._answered(turn, outcome))
                      .on_failure(lambda error: self._failed(turn, error))
                      .on_done(lambda: self._turn_done(turn))
                      .run())
        self._flush_timer.start()

    @Slot()
    def on_flush_timeout(self) -> None:
        turn = self._turn
        if turn is None:
            self._flush_timer.stop()
            return
        self._flush(turn)

    def _flush(self, turn: _Turn) -> None:
        chunk = turn.buffer.take()
        if not turn.received:
            chunk = chunk.lstrip()
        if chunk and not turn.stopped:
            turn.received += chunk
            self.view.append_text(chunk, self._fmt_body)
            self.answer_streamed.emit(turn.received)

    @Slot()
    def on_stop_clicked(self) -> None:
        turn = self._turn
        if turn is None or turn.token is None:
            return
        self._flush(turn)
        turn.stopped = True
        turn.token.cancel()
        turn.buffer.close()
        self.view.append_text(("\n" if turn.received else "")
                              + self.tr("[Stopped — this partial answer is not kept.]") + "\n\n", self._fmt_note)
        self.status.setText(self.tr("Stopped."))
        self._end_turn(turn, "stopped")

    def _answered(self, turn: _Turn, outcome: ChatOutcome) -> None:
        if turn.stopped:
            return
        self._flush(turn)
        self._chat_id = outcome.chat_id
        self.status.setText(self.tr("Used: {tools}").format(tools=", ".join(outcome.tools_used))
                            if outcome.tools_used else "")
        self._end_turn(turn, "done")
        self.show_chat(outcome.chat_id)  # what is kept is what is shown
        self.reload_chats()

    def _failed(self, turn: _Turn, error: UserFacingError) -> None:
        if turn.stopped:
            return
        self._flush(turn)
        self.view.append_text(("\n" if turn.received else "") + error.message + "\n", self._fmt_error)
        if error.hint:
            self.view.append_text(error.hint + "\n", self._fmt_error)
        self.view.append_text("\n", self._fmt_body)
        self._show_error(error)
        self._end_turn(turn, "failed")

    def _turn_done(self, turn: _Turn) -> None:
        # Runs before on_success / on_failure, and alone when the work was cancelled.
        if self._turn is turn and turn.token is not None and turn.token.cancelled:  # not by Stop: page closing
            turn.stopped = True
            self.status.setText(self.tr("Stopped."))
            self._end_turn(turn, "stopped")
        if turn.created and self._chat_id is None and self._messages_request == turn.view_request:
            self._chat_id = turn.created[0]  # the question was kept: the next one continues this conversation
            self.reload_chats()

    def _end_turn(self, turn: _Turn, outcome: str) -> None:
        if self._turn is not turn:
            return
        self._turn = None
        self._flush_timer.stop()
        turn.buffer.close()
        self._set_busy(False)
        self.answer_finished.emit(outcome)

    def _set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        for w in (self.chat_list, self.new_button, self.rename_button, self.delete_button, self.search):
            w.setEnabled(not busy)

    def _show_error(self, error: UserFacingError) -> None:
        self.status.setText(f"{error.message} {error.hint}".strip())

    def stop_background(self) -> None:
        """Stop an answer being written (the window is closing)."""
        if self._turn is not None and self._turn.token is not None:
            self._turn.token.cancel()
