"""The first-run wizard: create an encrypted workspace (keyring or passphrase), import an export, or try the demo.

Page flow: Welcome → Protection → Recovery key. The keyring probe and the creation (or the import) run in
the background; the recovery key is shown once and the merchant confirms it was saved.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.core.errors import UserFacingError
from desktop.core.models import CreatedWorkspace, KeyringStatus
from desktop.secrets.passphrase import MIN_PASSPHRASE
from desktop.services.export import ENCRYPTED_MAGIC, import_export
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.tasks.cancel import Job
from desktop.ui.bridge import op

PAGE_WELCOME, PAGE_PROTECT, PAGE_RECOVERY = range(3)


class WelcomePage(QWizardPage):
    """Two clear choices; the wizard shows only Cancel below them."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle(self.tr("Welcome to Comptoir"))
        self.setSubTitle(self.tr("Your customer mail, your orders and your assistant, on this computer only."))
        layout = QVBoxLayout(self)
        text = QLabel(self.tr(
            "Comptoir keeps everything in an encrypted workspace on this computer. Nothing is sent to us: "
            "there is no Comptoir server."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.create_button = QCommandLinkButton(
            self.tr("Create my workspace"),
            self.tr("An encrypted workspace for your shop's mail, orders and drafts."))
        self.create_button.setObjectName("choiceCreate")
        self.create_button.clicked.connect(self.on_create_clicked)
        self.demo_button = QCommandLinkButton(
            self.tr("Try the demo"),
            self.tr("A fictional shop with customers, orders and conversations. Nothing to set up."))
        self.demo_button.setObjectName("choiceDemo")
        self.demo_button.clicked.connect(self.on_demo_clicked)
        self.import_button = QCommandLinkButton(
            self.tr("Import an export"),
            self.tr("Moving to this computer: open a workspace exported from Comptoir, with its mail, customers "
                    "and settings."))
        self.import_button.setObjectName("choiceImport")
        self.import_button.clicked.connect(self.on_import_clicked)
        layout.addWidget(self.create_button)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.import_button)
        layout.addStretch(1)

    @Slot()
    def on_create_clicked(self) -> None:
        self._wizard.choose_import(None)
        self._wizard.next()

    @Slot()
    def on_import_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, self.tr("Import an export"), str(Path.home()),
                                                self.tr("Comptoir export (*.zip *.comptoir-export)"))
        if chosen:
            self._wizard.choose_import(Path(chosen))
            self._wizard.next()

    @Slot()
    def on_demo_clicked(self) -> None:
        self._wizard.choose_demo()

    def nextId(self) -> int:
        return PAGE_PROTECT


class ProtectionPage(QWizardPage):
    """Shows where the key will be protected; asks for a passphrase when there is no keyring."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle(self.tr("Protect your workspace"))
        layout = QVBoxLayout(self)
        self.status = QLabel(self.tr("Checking this computer's keyring…"))
        self.status.setObjectName("keyringStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.use_passphrase = QCheckBox(self.tr("Use a passphrase instead of the system keyring"))
        self.use_passphrase.setObjectName("usePassphrase")
        self.use_passphrase.hide()
        self.use_passphrase.toggled.connect(self.on_use_passphrase_toggled)
        layout.addWidget(self.use_passphrase)
        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("newPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setObjectName("confirmPassphrase")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        form.addRow(self.tr("Again"), self.confirm)
        self.form_box.hide()
        layout.addWidget(self.form_box)
        self.import_box = QWidget()  # importing an encrypted export: its own passphrase
        import_form = QFormLayout(self.import_box)
        self.import_note = QLabel()
        self.import_note.setWordWrap(True)
        import_form.addRow(self.import_note)
        self.export_passphrase = QLineEdit()
        self.export_passphrase.setObjectName("exportPassphrase")
        self.export_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        import_form.addRow(self.tr("Passphrase of the export"), self.export_passphrase)
        self.import_box.hide()
        layout.addWidget(self.import_box)
        self.error = QLabel()
        self.error.setObjectName("protectError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.passphrase.textChanged.connect(self.completeChanged)
        self.confirm.textChanged.connect(self.completeChanged)
        self.export_passphrase.textChanged.connect(self.completeChanged)
        self.keyring: KeyringStatus | None = None
        self._creating = False
        self._import_encrypted = False

    def initializePage(self) -> None:
        if self.keyring is None:
            (op(self, lambda job: self._wizard.service.probe_keyring())
             .on_success(self._on_probe)
             .run())

    def _on_probe(self, status: KeyringStatus) -> None:
        self.keyring = status
        if status.usable:
            self.status.setText(self.tr("Your workspace key will be kept in this computer's keyring "
                                        "({backend}). Comptoir will open without asking for a password.")
                                .format(backend=status.backend.rsplit(".", 2)[-2]))
            self.use_passphrase.show()
        else:
            self.status.setText(self.tr("Choose a passphrase to protect your workspace. {reason} You will type "
                                        "the passphrase each time Comptoir opens. At least {n} characters.")
                                .format(reason=status.reason, n=MIN_PASSPHRASE))
            self.form_box.show()
        self.completeChanged.emit()

    @Slot(bool)
    def on_use_passphrase_toggled(self, checked: bool) -> None:
        self.form_box.setVisible(checked)
        self.completeChanged.emit()

    @property
    def needs_passphrase(self) -> bool:
        return self.keyring is not None and (not self.keyring.usable or self.use_passphrase.isChecked())

    def set_import(self, source: Path | None, *, encrypted: bool) -> None:
        """Import `source` instead of creating an empty workspace (None: create)."""
        self.setTitle(self.tr("Protect your workspace") if source is None else
                      self.tr("Protect the imported workspace"))
        self.import_note.setText("" if source is None else self.tr(
            "{name} is encrypted: type the passphrase chosen when it was exported.").format(name=source.name))
        self._import_encrypted = source is not None and encrypted
        self.import_box.setVisible(self._import_encrypted)
        self.export_passphrase.clear()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.keyring is None or self._creating:
            return False
        if self._import_encrypted and not self.export_passphrase.text():
            return False
        if not self.needs_passphrase:
            return True
        return len(self.passphrase.text()) >= MIN_PASSPHRASE and self.passphrase.text() == self.confirm.text()

    def validatePage(self) -> bool:
        """Create the workspace in the background; move on only once it exists."""
        if self._wizard.created is not None:
            return True
        passphrase = self.passphrase.text() if self.needs_passphrase else None
        prefer = self.use_passphrase.isChecked()
        status = self.keyring
        folder = self._wizard.folder
        self._creating = True
        self.completeChanged.emit()
        self.error.clear()

        def _create(job: object) -> tuple[Workspace, CreatedWorkspace]:
            return self._wizard.service.create(folder, passphrase=passphrase, prefer_passphrase=prefer,
                                               keyring_status=status, ui_language=self._wizard.language)

        source = self._wizard.import_source
        secret = self.export_passphrase.text() if self._import_encrypted else None
        service = self._wizard.service

        def _import(job: Job) -> tuple[Workspace, CreatedWorkspace]:
            assert source is not None
            report = import_export(service, folder, source, job=job, passphrase=passphrase, decrypt_passphrase=secret,
                                   prefer_passphrase=prefer, keyring_status=status)
            workspace = service.unlock(folder, passphrase=passphrase)
            return workspace, CreatedWorkspace(report.workspace, report.recovery_key)

        (op(self, _create if source is None else _import)
         .on_success(self._on_created)
         .on_failure(self._on_error)
         .on_done(self._on_done)
         .with_progress(self.tr("Creating your encrypted workspace…") if source is None
                        else self.tr("Importing your export into a new encrypted workspace…"))
         .run())
        return False

    def _on_done(self) -> None:
        self._creating = False
        self.completeChanged.emit()

    def _on_created(self, result: tuple[Workspace, CreatedWorkspace]) -> None:
        self._wizard.workspace, self._wizard.created = result
        self.passphrase.clear()
        self.confirm.clear()
        self.export_passphrase.clear()
        self._wizard.next()

    def _on_error(self, error: UserFacingError) -> None:
        self.error.setText(f"{error.message} {error.hint}".strip())

    def nextId(self) -> int:
        return PAGE_RECOVERY


class RecoveryPage(QWizardPage):
    """The recovery key, shown once; Finish stays disabled until the merchant says it is saved."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle(self.tr("Save your recovery key"))
        layout = QVBoxLayout(self)
        text = QLabel(self.tr(
            "This key opens your workspace if this computer's keyring is reset, if you forget your passphrase "
            "or when you move to a new computer. It is shown only now. Write it down or print it, and keep it "
            "somewhere safe, away from this computer."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.key = QLabel()
        self.key.setObjectName("recoveryKey")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 2)
        self.key.setFont(font)
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(self.key.textInteractionFlags().TextSelectableByMouse)
        layout.addWidget(self.key)
        copy = QPushButton(self.tr("Copy"))
        copy.clicked.connect(self.on_copy_clicked)
        layout.addWidget(copy)
        self.saved = QCheckBox(self.tr("I have saved my recovery key somewhere safe"))
        self.saved.setObjectName("recoverySaved")
        self.saved.toggled.connect(self.completeChanged)
        layout.addWidget(self.saved)
        layout.addStretch(1)

    def initializePage(self) -> None:
        created = self._wizard.created
        if created is not None:
            groups = created.recovery_key.split("-")
            self.key.setText("-".join(groups[:7]) + "-\n" + "-".join(groups[7:]))
        self._wizard.button(QWizard.WizardButton.BackButton).setEnabled(False)

    @Slot()
    def on_copy_clicked(self) -> None:
        if self._wizard.created is not None:
            QGuiApplication.clipboard().setText(self._wizard.created.recovery_key)

    def isComplete(self) -> bool:
        return self.saved.isChecked()

    def nextId(self) -> int:
        return -1


class FirstRunWizard(QWizard):
    """Emits `workspace_ready(workspace)` after creation, or `demo_requested()`."""

    workspace_ready = Signal(object)
    demo_requested = Signal()

    def __init__(self, service: WorkspaceService, folder: Path, *, language: str = "system",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.service = service
        self.folder = folder
        self.language = language
        self.workspace: Workspace | None = None
        self.created: CreatedWorkspace | None = None
        self.import_source: Path | None = None
        self.setWindowTitle(self.tr("Comptoir — first start"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.welcome = WelcomePage(self)
        self.currentIdChanged.connect(self.on_current_id_changed)
        self.protection = ProtectionPage(self)
        self.recovery = RecoveryPage(self)
        self.setPage(PAGE_WELCOME, self.welcome)
        self.setPage(PAGE_PROTECT, self.protection)
        self.setPage(PAGE_RECOVERY, self.recovery)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Open Comptoir"))
        self.resize(640, 460)

    @Slot(int)
    def on_current_id_changed(self, page_id: int) -> None:
        standard = [QWizard.WizardButton.Stretch, QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                    QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton]
        welcome = [QWizard.WizardButton.Stretch, QWizard.WizardButton.CancelButton]
        self.setButtonLayout(welcome if page_id == PAGE_WELCOME else standard)

    def choose_import(self, source: Path | None) -> None:
        """Import the export `source` on the next pages (None: create an empty workspace)."""
        self.import_source = source
        encrypted = False
        if source is not None:
            try:
                with source.open("rb") as fh:  # 16 bytes of a local file the merchant just picked
                    encrypted = fh.read(len(ENCRYPTED_MAGIC)) == ENCRYPTED_MAGIC
            except OSError:
                encrypted = False  # the import says what is wrong with the file
        self.protection.set_import(source, encrypted=encrypted)

    def choose_demo(self) -> None:
        self.done(QWizard.DialogCode.Accepted)
        self.demo_requested.emit()

    def accept(self) -> None:
        super().accept()
        if self.workspace is not None:
            self.workspace_ready.emit(self.workspace)
