"""Mail accounts in Settings: list, add or edit with "Test connection", remove (keep or erase mail)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.core.mail import AccountConfig, Security
from desktop.services.session import Session
from desktop.ui.bridge import op

_DEFAULT_PORTS = {("imap", Security.TLS): 993, ("imap", Security.STARTTLS): 143, ("imap", Security.NONE): 143,
                  ("smtp", Security.TLS): 465, ("smtp", Security.STARTTLS): 587, ("smtp", Security.NONE): 25}


class AccountDialog(QDialog):
    """Add or edit a mailbox. "Test connection" runs in the background and says precisely what is wrong."""

    def __init__(self, session: Session, account: AccountConfig | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountDialog")
        self.session = session
        self.account = account
        self.setWindowTitle(self.tr("Mail account"))
        form = QFormLayout()
        self.email = QLineEdit(account.email if account else "")
        self.email.setObjectName("accountEmail")
        self.display_name = QLineEdit(account.display_name if account else "")
        self.imap_host = QLineEdit(account.imap_host if account else "")
        self.imap_host.setObjectName("imapHost")
        self.imap_security = self._security_combo(account.imap_security if account else Security.TLS)
        self.imap_port = self._port(account.imap_port if account else 993)
        self.user = QLineEdit(account.imap_user if account else "")
        self.password = QLineEdit()
        self.password.setObjectName("accountPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if account:
            self.password.setPlaceholderText(self.tr("unchanged"))
        self.smtp_host = QLineEdit(account.smtp_host if account else "")
        self.smtp_security = self._security_combo(account.smtp_security if account else Security.TLS)
        self.smtp_port = self._port(account.smtp_port if account else 465)
        self.signature = QPlainTextEdit(account.signature if account else "")
        self.signature.setFixedHeight(60)
        self.fingerprint = QLineEdit(account.trusted_cert_sha256 or "" if account else "")
        self.fingerprint.setPlaceholderText(self.tr("only for a self-signed certificate you checked"))
        form.addRow(self.tr("Shop e-mail address"), self.email)
        form.addRow(self.tr("Sender name"), self.display_name)
        form.addRow(self.tr("Incoming server (IMAP)"), self.imap_host)
        form.addRow(self.tr("Security"), self._pair(self.imap_security, self.imap_port))
        form.addRow(self.tr("User name"), self.user)
        form.addRow(self.tr("Password or app password"), self.password)
        form.addRow(self.tr("Outgoing server (SMTP)"), self.smtp_host)
        form.addRow(self.tr("Security"), self._pair(self.smtp_security, self.smtp_port))
        form.addRow(self.tr("Signature"), self.signature)
        form.addRow(self.tr("Trusted certificate (SHA-256)"), self.fingerprint)
        self.imap_security.currentIndexChanged.connect(lambda _i: self._default_port("imap"))
        self.smtp_security.currentIndexChanged.connect(lambda _i: self._default_port("smtp"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.result_label = QLabel()
        self.result_label.setObjectName("testResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnection")
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.clicked.connect(self.on_test_clicked)
        buttons.accepted.connect(self.on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)

    def _security_combo(self, value: Security) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr("TLS (recommended)"), Security.TLS.value)
        combo.addItem(self.tr("STARTTLS"), Security.STARTTLS.value)
        combo.addItem(self.tr("None (this computer only)"), Security.NONE.value)
        combo.setCurrentIndex(max(0, combo.findData(value.value)))
        return combo

    def _port(self, value: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(1, 65535)
        box.setValue(value)
        return box

    def _pair(self, a: QWidget, b: QWidget) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(a, 1)
        row.addWidget(b)
        return w

    def _default_port(self, kind: str) -> None:
        combo, port = (self.imap_security, self.imap_port) if kind == "imap" else (self.smtp_security, self.smtp_port)
        port.setValue(_DEFAULT_PORTS[(kind, Security(combo.currentData()))])

    def config(self) -> AccountConfig:
        email = self.email.text().strip()
        return AccountConfig(
            name=email, email=email, display_name=self.display_name.text().strip(),
            imap_host=self.imap_host.text().strip(), imap_port=self.imap_port.value(),
            imap_security=Security(self.imap_security.currentData()), imap_user=self.user.text().strip(),
            smtp_host=self.smtp_host.text().strip(), smtp_port=self.smtp_port.value(),
            smtp_security=Security(self.smtp_security.currentData()), smtp_user=self.user.text().strip(),
            signature=self.signature.toPlainText(),
            trusted_cert_sha256=self.fingerprint.text().strip().lower().replace(":", "") or None,
            id=self.account.id if self.account else None,
        )

    def _password(self) -> str:
        if self.password.text() or self.account is None or self.account.id is None:
            return self.password.text()
        account_id = self.account.id
        from desktop.store import mail_repo

        return self.session.db.call(lambda c: mail_repo.account_password(c, account_id))

    @Slot()
    def on_test_clicked(self) -> None:
        cfg = self.config()
        self.test_button.setEnabled(False)
        self.result_label.setText(self.tr("Connecting…"))
        (op(self, lambda job: self.session.mail.test_account(cfg, self._password()))
         .on_success(lambda lines: self.result_label.setText("✔ " + "\n".join(lines)))
         .on_failure(lambda e: self.result_label.setText(f"✘ {e.message}\n{e.hint}"))
         .on_done(lambda: self.test_button.setEnabled(True))
         .run())

    @Slot()
    def on_save_clicked(self) -> None:
        cfg = self.config()
        password = self.password.text() or None

        def _save(job: object) -> None:
            if self.account is not None and self.account.id is not None:
                self.session.mail.update_account(self.account.id, cfg, password)
            else:
                self.session.mail.add_account(cfg, password or "")

        (op(self, _save).on_success(lambda _r: self.accept())
         .on_failure(lambda e: self.result_label.setText(f"✘ {e.message}\n{e.hint}")).run())


class AccountsPanel(QWidget):
    """The list of mailboxes with Add / Edit / Remove."""

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountsPanel")
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("accountList")
        self.list.setMaximumHeight(110)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add a mailbox…"))
        self.add_button.setObjectName("addAccount")
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove…"))
        for b in (self.add_button, self.edit_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.edit_button.clicked.connect(self.on_edit_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.accounts: list[AccountConfig] = []

    def refresh(self) -> None:
        op(self, lambda job: self.session.mail.accounts()).on_success(self._show).run()

    def _show(self, accounts: list[AccountConfig]) -> None:
        self.accounts = accounts
        self.list.clear()
        for a in accounts:
            item = QListWidgetItem(f"{a.email} — {a.imap_host}:{a.imap_port} ({a.imap_security})")
            item.setData(0x0100, a.id)
            self.list.addItem(item)
        if not accounts:
            self.list.addItem(self.tr("No mailbox yet."))

    def _selected(self) -> AccountConfig | None:
        row = self.list.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    @Slot()
    def on_add_clicked(self) -> None:
        dialog = AccountDialog(self.session, None, self)
        dialog.accepted.connect(self._after_change)
        dialog.open()

    @Slot()
    def on_edit_clicked(self) -> None:
        account = self._selected()
        if account is not None:
            dialog = AccountDialog(self.session, account, self)
            dialog.accepted.connect(self._after_change)
            dialog.open()

    @Slot()
    def on_remove_clicked(self) -> None:
        account = self._selected()
        if account is None or account.id is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove mailbox"),
                          self.tr("Remove {email} from Comptoir?").format(email=account.email), parent=self)
        box.setObjectName("removeAccountBox")
        box.setInformativeText(self.tr("Nothing is deleted on the mail server. Keep this mailbox's mail in Comptoir "
                                       "(readable offline), or erase it from this computer?"))
        keep = box.addButton(self.tr("Keep its mail"), QMessageBox.ButtonRole.AcceptRole)
        erase = box.addButton(self.tr("Erase its mail"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        account_id = account.id

        def _chosen(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked not in (keep, erase):
                return
            (op(self, lambda job: self.session.mail.remove_account(account_id, erase_mail=clicked is erase))
             .on_success(lambda _n: self._after_change()).run())

        box.finished.connect(_chosen)
        box.open()

    def _after_change(self) -> None:
        self.refresh()
        self.changed.emit()


def describe_error(error: UserFacingError) -> str:
    return f"{error.message} {error.hint}".strip()
