"""Writing a reply with the assistant, inside the Inbox: the draft bar, its safety strips and the triage header.

`ReplyAssistantBar` drives the Inbox's reply editor (a QPlainTextEdit: drafts are plain text, never rendered):
- "Draft with assistant" (or "Draft from template" when no AI provider is active) and "Regenerate" with an
  instruction stream the draft into the editor. The model's text arrives on a worker thread; it is put in a
  lock-protected buffer and a UI timer moves it into the editor (the first piece at once, then every 50 ms).
- While it writes, the editor is read-only and the page must not autosave (`writing` is True): a partial
  draft is never kept. The merchant's previous text stays in memory; Stop or a failure puts it back.
- What the draft was grounded on, the notices (hidden text removed, customer who refused AI) and the safety
  warnings (someone else's address, an unknown link…) are shown in strips above the editor.
- `confirm_reply()` checks a reply again just before it is saved to the mailbox or sent, and asks the
  merchant to confirm when something was flagged (Cancel is the default).

`TriageHeader` shows a thread's topic (intent), urgency and language, and lets the merchant correct the topic.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.core.triage import INTENT_LABELS
from desktop.services.session import Session
from desktop.store import assistant_repo
from desktop.tasks.cancel import Job
from desktop.ui.bridge import on_ui_thread, op
from desktop.ui.models import intent_label, urgency_label

log = logging.getLogger("comptoir.ui.drafting")

FLUSH_MS = 50
_INFO_STYLE = "QLabel { background: #e8f0fe; color: #1a3d6d; padding: 4px; border-radius: 3px; }"
_WARN_STYLE = "QLabel { background: #fde7e9; color: #9b0016; padding: 4px; border-radius: 3px; }"
_ERROR_STYLE = "color: #b00020;"


translate = QCoreApplication.translate  # literal contexts below, so that lupdate finds every string


# --- texts shown to the merchant ------------------------------------------------------------------

def warning_text(warning: dict[str, str]) -> str:
    """One safety flag as a sentence in the interface language, with the value it is about."""
    kind, value = warning.get("kind", ""), warning.get("value", "")
    explanations = {
        "foreign_email": translate("ReplyAssistant", "An e-mail address that is not this customer's or the shop's"),
        "foreign_phone": translate("ReplyAssistant", "A phone number that is not this customer's or the shop's"),
        "foreign_order": translate("ReplyAssistant", "An order number that is not one of this customer's orders"),
        "foreign_tracking": translate("ReplyAssistant", "A tracking number that is not one of this customer's parcels"),
        "unknown_link": translate("ReplyAssistant",
            "A link that is not in the conversation, the orders or your shop profile"),
    }
    explanation = explanations.get(kind) or warning.get("message") or kind
    if not value:
        return explanation
    return translate("ReplyAssistant", "{explanation}: {value}").format(explanation=explanation, value=value)


def notice_text(notice: str) -> str:
    """A notice from the assistant service in the interface language (unknown ones are shown as they are)."""
    lowered = notice.lower()
    if "hidden in the customer's mail" in lowered:
        return translate("ReplyAssistant",
            "Text hidden in the customer's mail (invisible to you) was left out of what the assistant read.")
    if "invisible character" in lowered:
        count = notice.split(" ", 1)[0]
        return translate("ReplyAssistant",
            "{n} invisible character(s) were removed from the customer's mail before the assistant read it."
                  ).format(n=count)
    if "not be processed by ai" in lowered:
        return translate("ReplyAssistant",
            "This customer asked that their data not be processed by AI: the draft comes from a template, "
                  "and nothing was sent to any AI provider.")
    if "no template matches" in lowered:
        return translate("ReplyAssistant", "No template matches this conversation and no AI provider is configured.")
    return notice


def grounding_text(provenance: dict[str, Any]) -> str:
    """"Grounded on: 3 messages · orders #1001 · returns policy · template “…” · model llama3 (local)"."""
    parts: list[str] = []
    messages = int(provenance.get("messages") or 0)
    if messages:
        parts.append(translate("ReplyAssistant", "{n} message(s)").format(n=messages))
    orders = [str(o) for o in provenance.get("orders") or []]
    if orders:
        shown = ", ".join(o if o.startswith("#") else f"#{o}" for o in orders[:4])
        if len(orders) > 4:
            shown += " …"
        parts.append(translate("ReplyAssistant", "orders {numbers}").format(numbers=shown))
    profile_names = {
        "shipping_policy": translate("ReplyAssistant", "shipping policy"),
        "returns_policy": translate("ReplyAssistant", "returns policy"),
        "refunds_policy": translate("ReplyAssistant", "refunds policy"),
        "tone": translate("ReplyAssistant", "tone"),
        "faq": translate("ReplyAssistant", "FAQ"),
        "signature": translate("ReplyAssistant", "signature"),
    }
    for key in provenance.get("shop_profile") or []:
        parts.append(profile_names.get(str(key), str(key)))
    if provenance.get("template"):
        parts.append(translate("ReplyAssistant", "template “{name}”").format(name=provenance["template"]))
    if provenance.get("source") == "llm" and provenance.get("model"):
        if provenance.get("pseudonymised"):
            parts.append(translate("ReplyAssistant", "model {model} ({host})").format(model=provenance["model"],
                                                               host=provenance.get("host") or "?"))
            parts.append(translate("ReplyAssistant", "pseudonymised"))
        else:
            parts.append(translate("ReplyAssistant", "model {model} (local)").format(model=provenance["model"]))
    elif provenance.get("source") in ("template", "empty"):
        parts.append(translate("ReplyAssistant", "no AI"))
    refused = provenance.get("tools_refused") or []
    if refused:
        parts.append(translate("ReplyAssistant", "{n} request(s) of the model refused").format(n=len(refused)))
    if not parts:
        return ""
    return translate("ReplyAssistant", "Grounded on: {parts}").format(parts=" · ".join(parts))


# --- dialogs --------------------------------------------------------------------------------------

class RequestPreviewDialog(QDialog):
    """"What will be sent": the exact request, read-only, as plain monospace text."""

    def __init__(self, request: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestPreview")
        self.setWindowTitle(self.tr("What will be sent"))
        layout = QVBoxLayout(self)
        intro = QLabel(self._intro(request))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        self.text = QPlainTextEdit()
        self.text.setObjectName("requestPreviewText")
        self.text.setReadOnly(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlainText(json.dumps(request, ensure_ascii=False, indent=2))
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def _intro(self, request: dict[str, Any]) -> str:
        if not request.get("provider"):
            return self.tr("No AI provider is configured: nothing is sent; drafts come from your templates.")
        if "request" not in request:
            return self.tr("Nothing is sent to {provider} for this conversation.").format(provider=request["provider"])
        if request.get("pseudonymised"):
            return self.tr("This is exactly what would be sent to {host}. Personal data is replaced by placeholders "
                           "and put back only on this computer.").format(host=request.get("host", "?"))
        return self.tr("This is exactly what would be sent to the model running on this computer ({host}); "
                       "nothing leaves it.").format(host=request.get("host", "?"))


def confirm_reply(parent: QWidget, warnings: list[dict[str, str]], *, send: bool,
                  on_confirm: Callable[[], None], on_cancel: Callable[[], None]) -> QMessageBox:
    """Ask before saving or sending a reply that was flagged. Cancel is the default; Escape cancels."""
    box = QMessageBox(parent)
    box.setObjectName("replyWarningsBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(translate("ReplyAssistant", "Check this reply"))
    box.setText(translate("ReplyAssistant", "This reply contains details that may not belong to this customer:"))
    box.setInformativeText("\n".join("• " + warning_text(w) for w in warnings))
    box.setTextFormat(Qt.TextFormat.PlainText)
    go = box.addButton(translate("ReplyAssistant",
        "Send anyway") if send else translate("ReplyAssistant", "Save anyway"), QMessageBox.ButtonRole.AcceptRole)
    go.setObjectName("confirmAnyway")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def _finished(_result: int) -> None:
        (on_confirm if box.clickedButton() is go else on_cancel)()
        box.deleteLater()

    box.finished.connect(_finished)
    box.open()
    return box


# --- the draft bar --------------------------------------------------------------------------------

class ReplyAssistantBar(QWidget):
    """The assistant's controls above the reply editor, and the streaming of drafts into it.

    Args:
        session: the open workspace.
        editor: the reply editor it writes into (plain text).
        take_unsaved: called on the UI thread when a draft starts; returns True if the editor holds typing
            the page has not saved yet (the page stops its autosave timer): it is then saved first, so the
            assistant regenerates from it and Stop can give it back.

    Signals:
        generating_changed(bool): a draft started or ended (UI thread).
        draft_ready(int): the editor holds a new draft for this thread, already stored.
    """

    generating_changed = Signal(bool)
    draft_ready = Signal(int)

    def __init__(self, session: Session, editor: QPlainTextEdit, *, take_unsaved: Callable[[], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replyAssistant")
        self.session = session
        self.editor = editor
        self._take_unsaved = take_unsaved or (lambda: False)
        self._thread_id: int | None = None
        self._has_provider = False
        self._run = 0                      # id of the draft being written (0: none)
        self._last_run = 0
        self._stopped_runs: set[int] = set()
        self._previous = ""
        self._lock = threading.Lock()
        self._buffer: list[str] = []
        self._streamed = False
        self._programmatic = False
        self._token: Any = None

        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.draft_button = QPushButton(self.tr("Draft with assistant"))
        self.draft_button.setObjectName("draftWithAssistant")
        self.draft_button.clicked.connect(self.on_draft_clicked)
        row.addWidget(self.draft_button)
        self.instruction = QComboBox()
        self.instruction.setObjectName("draftInstruction")
        self.instruction.setEditable(True)
        self.instruction.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.instruction.setMinimumContentsLength(14)
        for text in (self.tr("Shorter"), self.tr("More formal"), self.tr("Friendlier"), "In English", "En français"):
            self.instruction.addItem(text)
        self.instruction.setCurrentIndex(-1)
        line = self.instruction.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("How to change it…"))
        row.addWidget(self.instruction, 1)
        self.regenerate_button = QPushButton(self.tr("Regenerate"))
        self.regenerate_button.setObjectName("regenerateDraft")
        self.regenerate_button.clicked.connect(self.on_regenerate_clicked)
        row.addWidget(self.regenerate_button)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopDraft")
        self.stop_button.clicked.connect(self.on_stop_clicked)
        self.stop_button.hide()
        row.addWidget(self.stop_button)
        self.preview_button = QPushButton(self.tr("What will be sent"))
        self.preview_button.setObjectName("previewRequest")
        self.preview_button.clicked.connect(self.on_preview_clicked)
        row.addWidget(self.preview_button)
        col.addLayout(row)
        self.grounding = self._label("draftGrounding")
        self.grounding.setStyleSheet("color: palette(mid);")
        col.addWidget(self.grounding)
        self.notices = self._label("draftNotices")
        self.notices.setStyleSheet(_INFO_STYLE)
        col.addWidget(self.notices)
        self.warnings = self._label("draftWarnings")
        self.warnings.setStyleSheet(_WARN_STYLE)
        col.addWidget(self.warnings)
        self.note = self._label("draftNote")
        col.addWidget(self.note)

        self._flush_timer = QTimer(self)
        self._flush_timer.setObjectName("draftFlush")
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.on_flush_timeout)
        self._set_enabled(False)

    @staticmethod
    def _label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        return label

    # --- state ------------------------------------------------------------------------------------

    @property
    def generating(self) -> bool:
        return self._run != 0

    @property
    def writing(self) -> bool:
        """True while the editor's text is the assistant's, not the merchant's: the page must not autosave."""
        return self.generating or self._programmatic

    @property
    def has_provider(self) -> bool:
        return self._has_provider

    def set_thread(self, thread_id: int | None) -> None:
        """Follow the thread shown in the reply editor (a draft in progress for another thread is dropped)."""
        if self.generating:
            self._abandon(restore=False)
        self._thread_id = thread_id
        for label in (self.grounding, self.notices, self.warnings, self.note):
            self._show(label, "")
        self._set_enabled(thread_id is not None)
        if thread_id is None:
            return
        self.refresh_provider()

        def _stored(job: Job) -> dict[str, Any] | None:
            return self.session.db.call(lambda c: assistant_repo.current_draft(c, thread_id))

        op(self, _stored).on_success(lambda row: self._show_stored(thread_id, row)).on_failure(
            lambda e: log.warning("the stored draft's details could not be read: %s", e.message)).run()

    def refresh_provider(self) -> None:
        """Ask (in the background) whether an AI provider is active, and label the buttons accordingly."""
        op(self, lambda job: self.session.assistant.active_provider() is not None).on_success(
            self._show_provider).on_failure(lambda e: log.warning("providers unreadable: %s", e.message)).run()

    def _show_provider(self, active: bool) -> None:
        self._has_provider = active
        self.draft_button.setText(self.tr("Draft with assistant") if active else self.tr("Draft from template"))
        self._set_enabled(self._thread_id is not None and not self.generating)

    def _show_stored(self, thread_id: int, row: dict[str, Any] | None) -> None:
        if thread_id != self._thread_id or self.generating or not row:
            return
        provenance = _json(row.get("provenance"), {})
        warnings = _json(row.get("warnings"), [])
        if isinstance(provenance, dict) and provenance:
            self._show(self.grounding, grounding_text(provenance))
            notices = [notice_text(str(n)) for n in provenance.get("notices") or []]
            self._show(self.notices, "\n".join("ⓘ " + n for n in notices))
        if isinstance(warnings, list):
            self.show_warnings([w for w in warnings if isinstance(w, dict)])

    def _set_enabled(self, on: bool) -> None:
        self.draft_button.setEnabled(on)
        for w in (self.instruction, self.regenerate_button):
            w.setEnabled(on and self._has_provider)
        self.preview_button.setEnabled(on and self._has_provider)

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def show_warnings(self, warnings: list[dict[str, str]]) -> None:
        """List the safety flags in the red strip (hidden when there are none)."""
        if not warnings:
            self._show(self.warnings, "")
            return
        lines = [self.tr("Check before sending:")] + ["⚠ " + warning_text(w) for w in warnings]
        self._show(self.warnings, "\n".join(lines))

    def _note(self, text: str, *, error: bool = False) -> None:
        self.note.setStyleSheet(_ERROR_STYLE if error else "")
        self._show(self.note, text)

    def _set_editor(self, text: str) -> None:
        self._programmatic = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._programmatic = False

    # --- drafting ---------------------------------------------------------------------------------

    @Slot()
    def on_draft_clicked(self) -> None:
        self.start(None)

    @Slot()
    def on_regenerate_clicked(self) -> None:
        self.start(self.instruction.currentText().strip() or None)

    @Slot()
    def on_stop_clicked(self) -> None:
        self.stop()

    def start(self, instruction: str | None) -> None:
        """Write (or rewrite) the draft for the current thread, streamed into the editor."""
        thread_id = self._thread_id
        if thread_id is None or self.generating or not self.editor.isEnabled():
            return  # (the editor is enabled once the thread's saved reply is in it)
        self._last_run += 1
        run = self._run = self._last_run
        previous = self.editor.toPlainText()
        unsaved = self._take_unsaved()
        self._previous = previous
        with self._lock:
            self._buffer.clear()
        self._streamed = False
        self.editor.setReadOnly(True)
        for label in (self.grounding, self.notices, self.warnings):
            self._show(label, "")
        self._note(self.tr("The assistant is writing…") if self._has_provider else self.tr("Filling in the template…"))
        self.draft_button.hide()
        self.regenerate_button.setEnabled(False)
        self.instruction.setEnabled(False)
        self.stop_button.show()
        self.stop_button.setEnabled(True)
        finished = {"stored": False}
        assistant = self.session.assistant

        def _write(job: Job) -> Any:
            if unsaved:
                self.session.keep_draft_text(thread_id, previous)
            outcome = assistant.draft(thread_id, instruction=instruction, cancel=job.token,
                                      on_text=lambda chunk: self._feed(run, chunk))
            finished["stored"] = True
            return outcome

        operation = op(self, _write)
        self._token = operation.token
        (operation
         .on_success(lambda outcome: self._finished(run, outcome))
         .on_failure(lambda error: self._failed(run, error))
         .on_done(lambda: self._ended(run, thread_id, previous, finished["stored"]))
         .run())
        self._flush_timer.start()
        self.generating_changed.emit(True)

    def _feed(self, run: int, chunk: str) -> None:
        """Called on the worker thread for every piece of streamed text."""
        with self._lock:
            first = not self._streamed and not self._buffer
            self._buffer.append(chunk)
        if first:  # the first words show at once; the rest is coalesced by the timer
            on_ui_thread(lambda: self._flush(run))

    @Slot()
    def on_flush_timeout(self) -> None:
        self._flush(self._run)

    def _flush(self, run: int) -> None:
        if run != self._run or run == 0:
            return
        with self._lock:
            text = "".join(self._buffer)
            self._buffer.clear()
        if not text:
            return
        self._programmatic = True
        try:
            if not self._streamed:
                self.editor.setPlainText(text)  # replaces the previous draft, which is kept in memory
                self._streamed = True
            else:
                cursor = QTextCursor(self.editor.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(text)
                self.editor.ensureCursorVisible()
        finally:
            self._programmatic = False

    def stop(self) -> None:
        """Stop writing at once; the editor gets the merchant's previous text back."""
        if not self.generating:
            return
        self._abandon(restore=True)
        self._note(self.tr("Cancelled — your previous draft was kept."))

    def _abandon(self, *, restore: bool) -> None:
        run = self._run
        self._stopped_runs.add(run)
        if self._token is not None:
            self._token.cancel()
        self._end_run()
        if restore:
            self._set_editor(self._previous)

    def _end_run(self) -> None:
        self._flush_timer.stop()
        with self._lock:
            self._buffer.clear()
        self._run = 0
        self._token = None
        self.editor.setReadOnly(False)
        self.stop_button.hide()
        self.draft_button.show()
        self._set_enabled(self._thread_id is not None)
        self.generating_changed.emit(False)

    def _finished(self, run: int, outcome: Any) -> None:
        if run != self._run:
            return
        self._end_run()
        self._set_editor(outcome.text)
        provenance = dict(outcome.provenance)
        provenance.setdefault("source", outcome.source)
        self._show(self.grounding, grounding_text(provenance))
        self._show(self.notices, "\n".join("ⓘ " + notice_text(n) for n in outcome.notices))
        self.show_warnings(list(outcome.warnings))
        if outcome.source == "empty":
            self._note(self.tr("Nothing to start from: write the reply yourself."))
        elif outcome.warnings:
            self._note(self.tr("Draft ready. Some details were flagged: check them before sending."))
        else:
            self._note(self.tr("Draft ready. Read it before you send it: nothing is sent without you."))
        self.draft_ready.emit(outcome.thread_id)

    def _failed(self, run: int, error: UserFacingError) -> None:
        if run != self._run:
            return
        self._end_run()
        self._set_editor(self._previous)
        text = f"{error.message} {error.hint}".strip()
        self._note(text + "\n" + self.tr("Your previous draft was kept."), error=True)

    def _ended(self, run: int, thread_id: int, previous: str, stored: bool) -> None:
        """After the worker is done. If it was stopped too late to cancel, the draft it stored is undone."""
        if run in self._stopped_runs:
            self._stopped_runs.discard(run)
            if stored:
                keep = self.editor.toPlainText() if thread_id == self._thread_id and not self.generating else previous
                op(self, lambda job: self.session.keep_draft_text(thread_id, keep)).run()
        else:  # the bridge calls this before the success or failure callback: look again once they ran
            QTimer.singleShot(0, lambda: self._ended_silently(run))

    def _ended_silently(self, run: int) -> None:
        """Neither success nor failure came (cancelled from outside, e.g. the app is closing)."""
        if run == self._run:
            self._end_run()
            self._set_editor(self._previous)

    # --- what will be sent --------------------------------------------------------------------------

    @Slot()
    def on_preview_clicked(self) -> None:
        thread_id = self._thread_id
        if thread_id is None:
            return
        instruction = self.instruction.currentText().strip() or None
        (op(self, lambda job: self.session.assistant.preview_request(thread_id, instruction))
         .on_success(self._show_preview)
         .on_failure(lambda e: self._note(f"{e.message} {e.hint}".strip(), error=True))
         .run())

    def _show_preview(self, request: dict[str, Any]) -> None:
        dialog = RequestPreviewDialog(request, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


def _json(raw: Any, default: Any) -> Any:
    if raw is None or raw == "":
        return default
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return default


# --- the thread's topic ------------------------------------------------------------------------------

class TriageHeader(QWidget):
    """Topic (intent), urgency and language of the shown thread; the merchant can correct the topic.

    Signals:
        intent_changed(int, str): the merchant set a thread's intent (stored).
    """

    intent_changed = Signal(int, str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triageHeader")
        self.session = session
        self._thread_id: int | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Topic")))
        self.intent = QComboBox()
        self.intent.setObjectName("threadIntent")
        self.intent.addItem(self.tr("Not sorted yet"), None)
        for intent in INTENT_LABELS:
            self.intent.addItem(intent_label(str(intent)), str(intent))
        self.intent.activated.connect(self.on_intent_activated)
        row.addWidget(self.intent)
        self.details = QLabel()
        self.details.setObjectName("threadTriage")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.details, 1)
        self.setEnabled(False)

    def show_thread(self, thread_id: int | None, intent: str | None = None) -> None:
        self._thread_id = thread_id
        self.setEnabled(thread_id is not None)
        self._select(intent)
        self.details.clear()
        if thread_id is None:
            return

        def _triage(job: Job) -> dict[str, Any] | None:
            return self.session.db.call(lambda c: assistant_repo.thread_triage(c, thread_id))

        op(self, _triage).on_success(lambda t: self._show_triage(thread_id, t)).on_failure(
            lambda e: log.warning("the thread's triage could not be read: %s", e.message)).run()

    def _select(self, intent: str | None) -> None:
        index = self.intent.findData(intent) if intent else 0
        self.intent.setCurrentIndex(max(index, 0))

    def _show_triage(self, thread_id: int, triage: dict[str, Any] | None) -> None:
        if thread_id != self._thread_id or not triage:
            return
        self._select(triage.get("intent"))
        parts = []
        urgency = urgency_label(triage.get("urgency"))
        if urgency:
            parts.append(self.tr("Urgency: {level}").format(level=urgency))
        if triage.get("language"):
            parts.append(self.tr("Language: {code}").format(code=str(triage["language"]).upper()))
        source = triage.get("source")
        if source == "merchant":
            parts.append(self.tr("set by you"))
        elif source == "llm":
            parts.append(self.tr("sorted by the assistant"))
        elif source == "rules":
            parts.append(self.tr("sorted automatically"))
        self.details.setText(" · ".join(parts))

    @Slot(int)
    def on_intent_activated(self, index: int) -> None:
        thread_id, intent = self._thread_id, self.intent.itemData(index)
        if thread_id is None or not intent:
            return
        (op(self, lambda job: self.session.assistant.set_intent(thread_id, str(intent)))
         .on_success(lambda _r: self._intent_saved(thread_id, str(intent)))
         .run())

    def _intent_saved(self, thread_id: int, intent: str) -> None:
        self.intent_changed.emit(thread_id, intent)
        if thread_id == self._thread_id:
            self.show_thread(thread_id, intent)
