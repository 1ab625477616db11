"""Dialogs: the crash report and the unlock dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.core.models import KeyMode, WorkspaceInfo
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.ui.bridge import op


class CrashDialog(QDialog):
    """Something unexpected happened: say so plainly and let the merchant copy the details."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(self.tr("Comptoir ran into a problem"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "Something went wrong that Comptoir did not expect. Your data is safe: nothing was deleted.\n"
            "If it happens again, copy the report below and send it to your support contact. "
            "It holds no passwords or keys.")))
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy report"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)

    @Slot()
    def on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class UnlockDialog(QDialog):
    """Unlock a workspace with its passphrase, or with the recovery key.

    The unlock itself (Argon2id, opening the database) runs in the background; a wrong passphrase
    or recovery key is shown inline and the dialog stays open.
    """

    unlocked = Signal(object)  # Workspace

    def __init__(self, service: WorkspaceService, info: WorkspaceInfo, *, reason: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.service = service
        self.info = info
        self.workspace: Workspace | None = None
        self.setWindowTitle(self.tr("Unlock Comptoir"))
        layout = QVBoxLayout(self)
        self.reason = QLabel(reason)
        self.reason.setWordWrap(True)
        self.reason.setVisible(bool(reason))
        layout.addWidget(self.reason)

        self.stack = QStackedWidget()
        # Passphrase page
        page = QWidget()
        pl = QVBoxLayout(page)
        pl.addWidget(QLabel(self.tr("Type the passphrase of your workspace:")))
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphraseField")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        pl.addWidget(self.passphrase)
        self.stack.addWidget(page)
        # Recovery page
        page = QWidget()
        rl = QVBoxLayout(page)
        rl.addWidget(QLabel(self.tr("Type the recovery key you saved when the workspace was created:")))
        self.recovery = QLineEdit()
        self.recovery.setObjectName("recoveryField")
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-…")
        rl.addWidget(self.recovery)
        self.stack.addWidget(page)
        layout.addWidget(self.stack)

        self.error = QLabel()
        self.error.setObjectName("unlockError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)

        self.toggle = QPushButton()
        self.toggle.setObjectName("toggleRecovery")
        self.toggle.setFlat(True)
        self.toggle.clicked.connect(self.on_toggle_clicked)
        layout.addWidget(self.toggle)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Unlock"))
        self.buttons.accepted.connect(self.on_unlock_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        use_recovery = info.key_mode == KeyMode.KEYRING  # keyring mode only lands here when the key is missing
        self._set_mode(recovery=use_recovery)
        self.toggle.setVisible(info.key_mode == KeyMode.PASSPHRASE)

    def _set_mode(self, *, recovery: bool) -> None:
        self.stack.setCurrentIndex(1 if recovery else 0)
        self.toggle.setText(self.tr("Use my passphrase instead") if recovery else
                            self.tr("I forgot my passphrase: use the recovery key"))
        (self.recovery if recovery else self.passphrase).setFocus()

    @property
    def using_recovery(self) -> bool:
        return self.stack.currentIndex() == 1

    @Slot()
    def on_toggle_clicked(self) -> None:
        self._set_mode(recovery=not self.using_recovery)
        self.error.hide()

    @Slot()
    def on_unlock_clicked(self) -> None:
        folder = Path(self.info.path)
        recovery = self.recovery.text() if self.using_recovery else None
        passphrase = None if self.using_recovery else self.passphrase.text()
        self.buttons.setEnabled(False)
        self.error.hide()
        (op(self, lambda job: self.service.unlock(folder, passphrase=passphrase, recovery_key=recovery))
         .on_success(self._on_unlocked)
         .on_failure(self._on_error)
         .on_done(lambda: self.buttons.setEnabled(True))
         .run())

    def _on_unlocked(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.passphrase.clear()
        self.unlocked.emit(workspace)
        self.accept()

    def _on_error(self, error: UserFacingError) -> None:
        self.error.setText(f"{error.message}\n{error.hint}".strip())
        self.error.show()
        self.passphrase.selectAll()
