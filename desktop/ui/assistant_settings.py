"""Settings → Assistant: AI providers, the shop profile, reply templates and drafting preferences."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.core.templates import DEFAULT_TEMPLATES
from desktop.core.triage import Intent
from desktop.llm.endpoint import PRESETS, is_loopback
from desktop.services.session import Session
from desktop.store.assistant_repo import ProviderRow
from desktop.tasks.cancel import Job
from desktop.ui.bridge import op
from desktop.ui.i18n import current_language
from desktop.ui.models import intent_label

if TYPE_CHECKING:
    from desktop.llm.client import DetectedServer, TestReport

LOCAL_KINDS = ("ollama", "lmstudio", "llamacpp")
KEY_KINDS = ("openai", "mistral", "custom")
_ID_ROLE = Qt.ItemDataRole.UserRole


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _error_text(error: UserFacingError) -> str:
    return f"✘ {error.message}\n{error.hint}".strip()


# --- providers ------------------------------------------------------------------------------------


class ProviderDialog(QDialog):
    """Add an AI provider: a preset or any OpenAI-compatible address, its key, and a model per task."""

    def __init__(self, session: Session, parent: QWidget | None = None, *, kind: str = "ollama",
                 base_url: str = "", models: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerDialog")
        self.session = session
        self.setWindowTitle(self.tr("Add an AI provider"))
        self.kind = QComboBox()
        self.kind.setObjectName("providerKind")
        for value, label in (
            ("ollama", self.tr("Ollama (on this computer)")),
            ("lmstudio", self.tr("LM Studio (on this computer)")),
            ("llamacpp", self.tr("llama.cpp server (on this computer)")),
            ("openai", self.tr("OpenAI (cloud)")),
            ("mistral", self.tr("Mistral AI (cloud)")),
            ("custom", self.tr("Other OpenAI-compatible server")),
        ):
            self.kind.addItem(label, value)
        self.base_url = QLineEdit()
        self.base_url.setObjectName("providerUrl")
        self.base_url.setPlaceholderText("https://llm.example.com/v1")
        self.api_key = QLineEdit()
        self.api_key.setObjectName("providerKey")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("kept in your encrypted workspace"))
        self.name = QLineEdit()
        self.name.setObjectName("providerName")
        self.name.setPlaceholderText(self.tr("optional, e.g. “Ollama on this computer”"))
        self.model_draft = self._model_combo("modelDraft", self.tr("for example llama3.1:8b"))
        self.model_triage = self._model_combo("modelTriage", self.tr("same as for replies"))
        self.model_chat = self._model_combo("modelChat", self.tr("same as for replies"))
        self.load_button = QPushButton(self.tr("Load models"))
        self.load_button.setObjectName("loadModels")
        form = QFormLayout()
        form.addRow(self.tr("Provider"), self.kind)
        form.addRow(self.tr("Server address"), self.base_url)
        form.addRow(self.tr("API key"), self.api_key)
        form.addRow(self.tr("Name"), self.name)
        models_row = QHBoxLayout()
        models_row.addWidget(self.model_draft, 1)
        models_row.addWidget(self.load_button)
        form.addRow(self.tr("Model for replies"), models_row)
        form.addRow(self.tr("Model for sorting mail"), self.model_triage)
        form.addRow(self.tr("Model for the chat"), self.model_chat)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.cloud_note = _label(self.tr(
            "This server is not on this computer. Before anything is sent to it, personal data (names, e-mail and "
            "postal addresses, phone numbers, order and tracking numbers, bank and card numbers) is replaced by "
            "placeholders, and put back in its answers on this computer. Every call is recorded in the Privacy "
            "ledger."))
        self.cloud_note.setObjectName("cloudNote")
        self.cloud_note.setStyleSheet("#cloudNote { background: #eef4ff; padding: 6px; }")
        layout.addWidget(self.cloud_note)
        self.result_label = _label("")
        self.result_label.setObjectName("providerResult")
        layout.addWidget(self.result_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self.on_kind_current_index_changed)
        self.base_url.textChanged.connect(lambda _text: self._update_note())
        self.load_button.clicked.connect(self.on_load_clicked)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.on_kind_current_index_changed(self.kind.currentIndex())
        if base_url:
            self.base_url.setText(base_url)
        if models:
            self._show_models(models)

    def _model_combo(self, name: str, placeholder: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(placeholder)
        return combo

    @Slot(int)
    def on_kind_current_index_changed(self, _index: int) -> None:
        kind = str(self.kind.currentData())
        current = self.base_url.text().strip()
        if not current or current in PRESETS.values():  # never overwrite an address the merchant typed
            self.base_url.setText(PRESETS.get(kind, ""))
        self.api_key.setEnabled(kind in KEY_KINDS)
        if kind not in KEY_KINDS:
            self.api_key.clear()
        self._update_note()

    def _update_note(self) -> None:
        url = self.base_url.text().strip()
        self.cloud_note.setVisible(bool(url) and not is_loopback(url))

    def _show_models(self, models: list[str]) -> None:
        for combo, keep_empty in ((self.model_draft, False), (self.model_triage, True), (self.model_chat, True)):
            text = combo.currentText()
            combo.clear()
            if keep_empty:
                combo.addItem("")
            combo.addItems(models)
            combo.setCurrentText(text if text or keep_empty else models[0])

    def models(self) -> list[str]:
        return [self.model_draft.itemText(i) for i in range(self.model_draft.count())]

    @Slot()
    def on_load_clicked(self) -> None:
        kind, url, key = str(self.kind.currentData()), self.base_url.text().strip(), self.api_key.text().strip()
        self.load_button.setEnabled(False)
        self.result_label.setText(self.tr("Asking the server for its models…"))

        def _shown(models: list[str]) -> None:
            if models:
                self._show_models(models)
                self.result_label.setText(self.tr("✔ {n} model(s) available.").format(n=len(models)))
            else:
                self.result_label.setText(self.tr("✘ The server lists no model. Download or load a model first."))

        (op(self, lambda job: self.session.assistant.list_models(kind, url, key or None))
         .on_success(_shown)
         .on_failure(lambda e: self.result_label.setText(_error_text(e)))
         .on_done(lambda: self.load_button.setEnabled(True)).run())

    @Slot()
    def on_save_clicked(self) -> None:
        kind, url, key = str(self.kind.currentData()), self.base_url.text().strip(), self.api_key.text().strip()
        models = (self.model_draft.currentText().strip(), self.model_triage.currentText().strip(),
                  self.model_chat.currentText().strip())
        name = self.name.text().strip()
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(False)
        self.result_label.setText(self.tr("Checking the server…"))

        def _add(job: Job) -> int:
            return self.session.assistant.add_provider(kind, base_url=url, api_key=key or None, model=models[0],
                                                       model_triage=models[1], model_chat=models[2], name=name)

        (op(self, _add).on_success(lambda _id: self.accept())
         .on_failure(lambda e: self.result_label.setText(_error_text(e)))
         .on_done(lambda: save.setEnabled(True)).run())


class DetectedDialog(QDialog):
    """Model servers found on this computer; the merchant picks one to add."""

    def __init__(self, servers: list[DetectedServer], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detectedDialog")
        self.setWindowTitle(self.tr("Model servers on this computer"))
        self.servers = servers
        layout = QVBoxLayout(self)
        layout.addWidget(_label(self.tr("Comptoir found these servers. Choose one to add it:")))
        self.list = QListWidget()
        self.list.setObjectName("detectedList")
        for s in servers:
            models = ", ".join(s.models[:6]) + ("…" if len(s.models) > 6 else "")
            self.list.addItem(self.tr("{kind} at {url} — models: {models}").format(
                kind=s.kind, url=s.base_url, models=models or self.tr("none loaded")))
        self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton(self.tr("Add…"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> DetectedServer | None:
        row = self.list.currentRow()
        return self.servers[row] if 0 <= row < len(self.servers) else None


class ProvidersPanel(QWidget):
    """The AI providers: the active one is used for drafts, sorting and the chat.

    Args:
        detect_ports: where "Detect" looks ({kind: port}); None for the usual ports of Ollama, LM Studio, llama.cpp.
    """

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 detect_ports: dict[str, int] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providersPanel")
        self.session = session
        self.detect_ports = detect_ports
        self.providers: list[ProviderRow] = []
        layout = QVBoxLayout(self)
        layout.addWidget(_label(self.tr(
            "The language model that drafts replies, sorts mail and answers in the chat. A model running on this "
            "computer (Ollama, LM Studio, llama.cpp) keeps everything here; a cloud provider only receives "
            "pseudonymised data.")))
        self.list = QListWidget()
        self.list.setObjectName("providerList")
        self.list.setMaximumHeight(120)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add…"))
        self.add_button.setObjectName("addProvider")
        self.detect_button = QPushButton(self.tr("Detect local servers"))
        self.detect_button.setObjectName("detectProviders")
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.setObjectName("testProvider")
        self.activate_button = QPushButton(self.tr("Make active"))
        self.activate_button.setObjectName("activateProvider")
        self.remove_button = QPushButton(self.tr("Remove…"))
        self.remove_button.setObjectName("removeProvider")
        for b in (self.add_button, self.detect_button, self.test_button, self.activate_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = _label("")
        self.status.setObjectName("providerStatus")
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.detect_button.clicked.connect(self.on_detect_clicked)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.activate_button.clicked.connect(self.on_activate_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.dialog: ProviderDialog | None = None

    def refresh(self) -> None:
        op(self, lambda job: self.session.assistant.providers()).on_success(self._show).run()

    def _show(self, providers: list[ProviderRow]) -> None:
        selected = self._selected()
        self.providers = providers
        self.list.clear()
        for p in providers:
            text = self.tr("{name} — {model} at {url}").format(name=p.name, model=p.model_draft, url=p.base_url)
            item = QListWidgetItem(("★ " + text + "  " + self.tr("(active)")) if p.active else text)
            if p.active:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            item.setData(_ID_ROLE, p.id)
            self.list.addItem(item)
            if selected is not None and p.id == selected.id:
                self.list.setCurrentItem(item)
        if not providers:
            self.list.addItem(self.tr("No AI provider yet: drafts come from your templates only."))
        self.changed.emit()

    def _selected(self) -> ProviderRow | None:
        row = self.list.currentRow()
        return self.providers[row] if 0 <= row < len(self.providers) else None

    def select(self, provider_id: int) -> None:
        for row, p in enumerate(self.providers):
            if p.id == provider_id:
                self.list.setCurrentRow(row)

    @Slot()
    def on_add_clicked(self) -> None:
        self._open_dialog(ProviderDialog(self.session, self))

    def _open_dialog(self, dialog: ProviderDialog) -> None:
        self.dialog = dialog
        dialog.accepted.connect(self._added)
        dialog.open()

    def _added(self) -> None:
        self.status.setText(self.tr("✔ Provider added; it is now the active one."))
        self.refresh()

    @Slot()
    def on_detect_clicked(self) -> None:
        self.detect_button.setEnabled(False)
        self.status.setText(self.tr("Looking for Ollama, LM Studio and llama.cpp on this computer…"))
        ports = self.detect_ports
        (op(self, lambda job: self.session.assistant.detect_local(ports))
         .on_success(self._detected)
         .on_failure(lambda e: self.status.setText(_error_text(e)))
         .on_done(lambda: self.detect_button.setEnabled(True)).run())

    def _detected(self, servers: list[DetectedServer]) -> None:
        if not servers:
            self.status.setText(self.tr(
                "No model server found on this computer. Start Ollama, LM Studio or a llama.cpp server, or add a "
                "provider by hand."))
            return
        self.status.setText(self.tr("Found {n} server(s) on this computer.").format(n=len(servers)))
        chooser = DetectedDialog(servers, self)

        def _chosen() -> None:
            found = chooser.chosen()
            if found is not None:
                self._open_dialog(ProviderDialog(self.session, self, kind=found.kind, base_url=found.base_url,
                                                 models=list(found.models)))

        chooser.accepted.connect(_chosen)
        chooser.open()

    @Slot()
    def on_test_clicked(self) -> None:
        provider = self._selected()
        if provider is None:
            self.status.setText(self.tr("Select a provider first."))
            return
        provider_id = provider.id
        self.test_button.setEnabled(False)
        self.status.setText(self.tr("Testing {name}…").format(name=provider.name))

        def _report(report: TestReport) -> None:
            self.status.setText(("✔ " if report.ok else "✘ ") + report.message)

        (op(self, lambda job: self.session.assistant.test_provider(provider_id))
         .on_success(_report)
         .on_failure(lambda e: self.status.setText(_error_text(e)))
         .on_done(lambda: self.test_button.setEnabled(True)).run())

    @Slot()
    def on_activate_clicked(self) -> None:
        provider = self._selected()
        if provider is None:
            return
        provider_id, name = provider.id, provider.name

        def _done(_r: None) -> None:
            self.status.setText(self.tr("{name} is now the active provider.").format(name=name))
            self.refresh()

        op(self, lambda job: self.session.assistant.set_active(provider_id)).on_success(_done).run()

    @Slot()
    def on_remove_clicked(self) -> None:
        provider = self._selected()
        if provider is None:
            return
        provider_id = provider.id
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove provider"),
                          self.tr("Remove {name}?").format(name=provider.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("removeProviderBox")
        box.setInformativeText(self.tr("Its address and API key are erased from this computer. Your drafts and "
                                       "conversations are kept."))

        def _chosen(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                (op(self, lambda job: self.session.assistant.remove_provider(provider_id))
                 .on_success(lambda _n: self.refresh()).run())

        box.finished.connect(_chosen)
        box.open()


# --- shop profile ---------------------------------------------------------------------------------


class ShopProfilePanel(QWidget):
    """What the assistant writes from: the shop's name, tone, signature, policies and FAQ."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopProfilePanel")
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(_label(self.tr("The assistant answers from these facts and never invents a policy.")))
        form = QFormLayout()
        self.shop_name = QLineEdit()
        self.shop_name.setObjectName("profileShopName")
        self.website = QLineEdit()
        self.website.setObjectName("profileWebsite")
        self.website.setPlaceholderText("https://myshop.fr")
        self.tone = QLineEdit()
        self.tone.setObjectName("profileTone")
        self.tone.setPlaceholderText(self.tr("e.g. warm and concise, first names, no jargon"))
        self.languages = QLineEdit()
        self.languages.setObjectName("profileLanguages")
        self.languages.setPlaceholderText("fr, en")
        self.signature = self._text("profileSignature", 60)
        self.shipping = self._text("profileShipping", 80)
        self.returns = self._text("profileReturns", 80)
        self.refunds = self._text("profileRefunds", 80)
        form.addRow(self.tr("Shop name"), self.shop_name)
        form.addRow(self.tr("Website"), self.website)
        form.addRow(self.tr("Tone"), self.tone)
        form.addRow(self.tr("Languages you answer in"), self.languages)
        form.addRow(self.tr("Signature"), self.signature)
        form.addRow(self.tr("Shipping policy"), self.shipping)
        form.addRow(self.tr("Returns policy"), self.returns)
        form.addRow(self.tr("Refunds policy"), self.refunds)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Frequent questions")))
        self.faq = QTableWidget(0, 2)
        self.faq.setObjectName("profileFaq")
        self.faq.setHorizontalHeaderLabels([self.tr("Question"), self.tr("Answer")])
        self.faq.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.faq.verticalHeader().hide()
        self.faq.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.faq.setMinimumHeight(120)
        layout.addWidget(self.faq)
        row = QHBoxLayout()
        self.add_faq = QPushButton(self.tr("Add a question"))
        self.remove_faq = QPushButton(self.tr("Remove the question"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveProfile")
        self.status = QLabel()
        self.status.setObjectName("profileStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.add_faq)
        row.addWidget(self.remove_faq)
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.add_faq.clicked.connect(lambda: self.add_faq_row("", ""))
        self.remove_faq.clicked.connect(self.on_remove_faq_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)

    def _text(self, name: str, height: int) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setFixedHeight(height)
        return edit

    def refresh(self) -> None:
        op(self, lambda job: self.session.shop_profile()).on_success(self.show_profile).run()

    def show_profile(self, profile: dict[str, Any]) -> None:
        self.shop_name.setText(str(profile.get("shop_name") or ""))
        self.website.setText(str(profile.get("website") or ""))
        self.tone.setText(str(profile.get("tone") or ""))
        self.languages.setText(str(profile.get("languages") or ""))
        self.signature.setPlainText(str(profile.get("signature") or ""))
        self.shipping.setPlainText(str(profile.get("shipping_policy") or ""))
        self.returns.setPlainText(str(profile.get("returns_policy") or ""))
        self.refunds.setPlainText(str(profile.get("refunds_policy") or ""))
        self.faq.setRowCount(0)
        raw = profile.get("faq") or "[]"
        try:
            entries = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            entries = []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                self.add_faq_row(str(entry.get("question", "")), str(entry.get("answer", "")))

    def add_faq_row(self, question: str, answer: str) -> None:
        row = self.faq.rowCount()
        self.faq.insertRow(row)
        self.faq.setItem(row, 0, QTableWidgetItem(question))
        self.faq.setItem(row, 1, QTableWidgetItem(answer))

    @Slot()
    def on_remove_faq_clicked(self) -> None:
        row = self.faq.currentRow()
        if row >= 0:
            self.faq.removeRow(row)

    def values(self) -> dict[str, Any]:
        faq = []
        for row in range(self.faq.rowCount()):
            q, a = self.faq.item(row, 0), self.faq.item(row, 1)
            question, answer = (q.text().strip() if q else ""), (a.text().strip() if a else "")
            if question or answer:
                faq.append({"question": question, "answer": answer})
        languages = ", ".join(p.strip() for p in self.languages.text().replace(";", ",").split(",") if p.strip())
        return {
            "shop_name": self.shop_name.text().strip(), "website": self.website.text().strip(),
            "tone": self.tone.text().strip(), "languages": languages,
            "signature": self.signature.toPlainText().rstrip(),
            "shipping_policy": self.shipping.toPlainText().strip(),
            "returns_policy": self.returns.toPlainText().strip(),
            "refunds_policy": self.refunds.toPlainText().strip(), "faq": faq,
        }

    @Slot()
    def on_save_clicked(self) -> None:
        values = self.values()
        self.save_button.setEnabled(False)

        def _saved(_r: None) -> None:
            self.status.setText(self.tr("Saved."))
            self.saved.emit()

        (op(self, lambda job: self.session.save_shop_profile(values))
         .on_success(_saved)
         .on_failure(lambda e: self.status.setText(_error_text(e)))
         .on_done(lambda: self.save_button.setEnabled(True)).run())


# --- templates ------------------------------------------------------------------------------------


class TemplatesPanel(QWidget):
    """Reply templates: the built-in ones (read-only, copy to edit) and the merchant's own."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesPanel")
        self.session = session
        self.mine: list[dict[str, Any]] = []
        self._editing_id: int | None = None
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("templateList")
        self.list.setMinimumWidth(220)
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(self.tr("New"))
        self.new_button.setObjectName("newTemplate")
        self.copy_button = QPushButton(self.tr("Copy to edit"))
        self.copy_button.setObjectName("copyTemplate")
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.copy_button)
        left.addLayout(buttons)
        layout.addLayout(left)
        right = QVBoxLayout()
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("templateName")
        self.intent = QComboBox()
        self.intent.setObjectName("templateIntent")
        self.intent.addItem(self.tr("Any conversation"), "")
        for value in Intent:
            self.intent.addItem(intent_label(value), value.value)
        self.language = QComboBox()
        self.language.setObjectName("templateLanguage")
        self.language.setEditable(True)
        self.language.addItems(["en", "fr"])
        self.subject = QLineEdit()
        self.subject.setObjectName("templateSubject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("templateBody")
        self.body.setMinimumHeight(140)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("For"), self.intent)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Subject"), self.subject)
        form.addRow(self.tr("Text"), self.body)
        right.addLayout(form)
        help_line = _label(self.tr(
            "Variables: {{customer.first_name | \"there\"}} (with a fallback when unknown), {{customer.last_name}}, "
            "{{order.number}}, {{order.status}}, {{order.tracking_number}}, {{order.tracking_url}}, {{shop.name}}, "
            "{{shop.signature}}."))
        help_line.setObjectName("templateHelp")
        help_line.setStyleSheet("#templateHelp { color: #555; }")
        help_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(help_line)
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("templateStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveTemplate")
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setObjectName("deleteTemplate")
        row.addWidget(self.delete_button)
        row.addWidget(self.save_button)
        right.addLayout(row)
        layout.addLayout(right, 1)
        self.list.currentRowChanged.connect(self.on_list_current_row_changed)
        self.new_button.clicked.connect(self.on_new_clicked)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        self._set_read_only(False)
        self.on_new_clicked()

    def refresh(self) -> None:
        op(self, lambda job: self.session.assistant.templates()).on_success(self._show).run()

    def _show(self, templates: list[dict[str, Any]]) -> None:
        self.mine = templates
        self.list.blockSignals(True)
        self.list.clear()
        select: int | None = None
        for t in templates:
            item = QListWidgetItem(self._describe(t["name"], t["intent"], t["language"]))
            item.setData(_ID_ROLE, ("mine", t["id"]))
            self.list.addItem(item)
            if t["id"] == self._editing_id:
                select = self.list.count() - 1
        for index, spec in enumerate(DEFAULT_TEMPLATES):
            item = QListWidgetItem(self.tr("Built-in: {name}").format(
                name=self._describe(spec.name, spec.intent, spec.language)))
            font = QFont(item.font())
            font.setItalic(True)
            item.setFont(font)
            item.setData(_ID_ROLE, ("builtin", index))
            self.list.addItem(item)
        if select is not None:
            self.list.setCurrentRow(select)
        self.list.blockSignals(False)

    def _describe(self, name: str, intent: str | None, language: str) -> str:
        label = intent_label(intent)
        return f"{name} ({language}{', ' + label if label else ''})"

    def template_names(self) -> list[str]:
        return [str(t["name"]) for t in self.mine]

    def _fill(self, name: str, intent: str | None, language: str, subject: str, body: str) -> None:
        self.name.setText(name)
        self.intent.setCurrentIndex(max(0, self.intent.findData(intent or "")))
        self.language.setCurrentText(language)
        self.subject.setText(subject)
        self.body.setPlainText(body)

    def _set_read_only(self, read_only: bool) -> None:
        for w in (self.name, self.subject):
            w.setReadOnly(read_only)
        self.body.setReadOnly(read_only)
        self.intent.setEnabled(not read_only)
        self.language.setEnabled(not read_only)
        self.save_button.setEnabled(not read_only)
        self.copy_button.setEnabled(read_only)
        self.delete_button.setEnabled(not read_only and self._editing_id is not None)

    @Slot(int)
    def on_list_current_row_changed(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        if item is None:
            return
        origin, key = item.data(_ID_ROLE)
        self.status.clear()
        if origin == "builtin":
            spec = DEFAULT_TEMPLATES[key]
            self._editing_id = None
            self._fill(spec.name, spec.intent, spec.language, spec.subject, spec.body)
            self._set_read_only(True)
        else:
            found = next(t for t in self.mine if t["id"] == key)
            self._editing_id = int(found["id"])
            self._fill(found["name"], found["intent"], found["language"], found["subject"], found["body"])
            self._set_read_only(False)

    @Slot()
    def on_new_clicked(self) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._editing_id = None
        self._fill("", "", current_language(), "", "")
        self._set_read_only(False)
        self.name.setFocus()

    @Slot()
    def on_copy_clicked(self) -> None:
        name = self.name.text()
        self._editing_id = None
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.name.setText(self.tr("{name} (my version)").format(name=name))
        self._set_read_only(False)
        self.status.setText(self.tr("Edit the copy, then Save. Yours is used instead of the built-in one."))

    @Slot()
    def on_save_clicked(self) -> None:
        template_id = self._editing_id
        name, intent = self.name.text(), str(self.intent.currentData() or "") or None
        language, subject, body = self.language.currentText(), self.subject.text(), self.body.toPlainText()

        def _saved(new_id: int) -> None:
            self._editing_id = new_id
            self.status.setText(self.tr("Saved."))
            self._set_read_only(False)
            self.refresh()
            self.saved.emit()

        (op(self, lambda job: self.session.assistant.save_template(
            template_id=template_id, name=name, intent=intent, language=language, subject=subject, body=body))
         .on_success(_saved)
         .on_failure(lambda e: self.status.setText(_error_text(e))).run())

    @Slot()
    def on_delete_clicked(self) -> None:
        template_id = self._editing_id
        if template_id is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete template"),
                          self.tr("Delete the template “{name}”?").format(name=self.name.text()),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("deleteTemplateBox")

        def _chosen(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                (op(self, lambda job: self.session.assistant.delete_template(template_id))
                 .on_success(lambda _r: self._deleted()).run())

        box.finished.connect(_chosen)
        box.open()

    def _deleted(self) -> None:
        self.on_new_clicked()
        self.status.setText(self.tr("Deleted."))
        self.refresh()


# --- drafting preferences -------------------------------------------------------------------------


class DraftingPanel(QWidget):
    """Automatic drafts (never sent) and the merchant's standing instructions to the assistant."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftingPanel")
        self.session = session
        self._ready = False
        layout = QVBoxLayout(self)
        self.auto_prepare = QCheckBox(self.tr("Prepare drafts automatically when mail arrives (never sent)"))
        self.auto_prepare.setObjectName("autoPrepare")
        layout.addWidget(self.auto_prepare)
        layout.addWidget(QLabel(self.tr("Your instructions to the assistant")))
        self.instructions = QPlainTextEdit()
        self.instructions.setObjectName("extraInstructions")
        self.instructions.setPlaceholderText(self.tr(
            "e.g. Always offer a 10% voucher for a late parcel. Never promise a delivery date."))
        self.instructions.setFixedHeight(110)
        layout.addWidget(self.instructions)
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("draftingStatus")
        row.addWidget(self.status, 1)
        self.save_button = QPushButton(self.tr("Save instructions"))
        self.save_button.setObjectName("saveInstructions")
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)
        self.auto_prepare.toggled.connect(self.on_auto_prepare_toggled)
        self.save_button.clicked.connect(self.on_save_clicked)

    def refresh(self) -> None:
        def _read(job: Job) -> tuple[bool, str]:
            return (bool(self.session.get_setting("drafting.auto_prepare")),
                    str(self.session.get_setting("assistant.extra_instructions") or ""))

        op(self, _read).on_success(self._show).run()

    def _show(self, values: tuple[bool, str]) -> None:
        self._ready = False
        self.auto_prepare.setChecked(values[0])
        self.instructions.setPlainText(values[1])
        self._ready = True

    @Slot(bool)
    def on_auto_prepare_toggled(self, on: bool) -> None:
        if not self._ready:
            return
        (op(self, lambda job: self.session.set_setting("drafting.auto_prepare", on))
         .on_success(lambda _r: self.status.setText(self.tr("Saved.")))
         .on_failure(lambda e: self.status.setText(_error_text(e))).run())

    @Slot()
    def on_save_clicked(self) -> None:
        text = self.instructions.toPlainText().strip()
        (op(self, lambda job: self.session.set_setting("assistant.extra_instructions", text))
         .on_success(lambda _r: self.status.setText(self.tr("Saved.")))
         .on_failure(lambda e: self.status.setText(_error_text(e))).run())


# --- the tabs -------------------------------------------------------------------------------------


class AssistantSettings(QTabWidget):
    """Settings → Assistant, one tab per subject."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assistantSettings")
        self.providers = ProvidersPanel(session)
        self.profile = ShopProfilePanel(session)
        self.templates = TemplatesPanel(session)
        self.drafting = DraftingPanel(session)
        for panel, title in ((self.providers, self.tr("AI providers")), (self.profile, self.tr("Shop profile")),
                             (self.templates, self.tr("Templates")), (self.drafting, self.tr("Drafting"))):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(panel)
            self.addTab(scroll, title)

    def refresh(self) -> None:
        for panel in (self.providers, self.profile, self.templates, self.drafting):
            panel.refresh()
