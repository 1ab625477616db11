"""The desktop app, driven as a merchant would (pytest-qt, offscreen). Any Qt warning fails a test."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWizard
from pytestqt.qtbot import QtBot

from desktop.core.models import KeyMode
from desktop.paths import AppPaths
from desktop.services.demo import open_demo
from desktop.services.session import Session
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.ui.bridge import init_bridge, running_operations
from desktop.ui.dialogs import UnlockDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.models import CustomerModel, ThreadListModel
from desktop.ui.wizard import FirstRunWizard
from tests.conftest import PASSPHRASE

SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"


def shot(widget: object, name: str) -> None:
    """Keep a screenshot of what the merchant sees (CI keeps them as artifacts)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _bridge(qapp: QApplication) -> None:
    init_bridge()


def wait_idle(qtbot: QtBot, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=timeout)


def test_wizard_creates_a_passphrase_workspace_and_shows_the_recovery_key(
        qtbot: QtBot, no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    wizard = FirstRunWizard(no_keyring_service, data_dir)
    qtbot.addWidget(wizard)
    ready: list[Workspace] = []
    wizard.workspace_ready.connect(ready.append)
    wizard.show()
    assert not wizard.button(QWizard.WizardButton.NextButton).isVisible()  # two clear choices instead
    qtbot.mouseClick(wizard.welcome.create_button, Qt.MouseButton.LeftButton)
    page = wizard.protection
    qtbot.waitUntil(lambda: page.keyring is not None, timeout=10000)
    assert "Choose a passphrase" in page.status.text() and "No system keyring" in page.status.text()
    assert page.form_box.isVisible()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    page.passphrase.setText(PASSPHRASE)
    page.confirm.setText(PASSPHRASE + "x")
    assert not next_button.isEnabled()  # the two do not match
    page.confirm.setText(PASSPHRASE)
    assert next_button.isEnabled()
    shot(wizard, "wizard-protection")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == 2, timeout=20000)
    key_text = wizard.recovery.key.text().replace("\n", "")
    assert wizard.created is not None and key_text == wizard.created.recovery_key
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the merchant confirms the key is saved
    wizard.recovery.saved.setChecked(True)
    assert finish.isEnabled()
    shot(wizard, "wizard-recovery")
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert len(ready) == 1
    workspace = ready[0]
    try:
        assert workspace.info.key_mode == KeyMode.PASSPHRASE
        assert (data_dir / "comptoir.db").exists() and (data_dir / "key.wrap").exists()
    finally:
        workspace.close()
    no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE).close()


def test_unlock_dialog_rejects_a_wrong_passphrase_then_accepts_the_right_one(
        qtbot: QtBot, no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    workspace.close()
    dialog = UnlockDialog(no_keyring_service, created.info)
    qtbot.addWidget(dialog)
    dialog.show()
    field = dialog.findChild(QLineEdit, "passphraseField")
    assert field is not None and field.echoMode() == QLineEdit.EchoMode.Password
    field.setText("wrong passphrase")
    dialog.on_unlock_clicked()
    error = dialog.findChild(QLabel, "unlockError")
    assert error is not None
    qtbot.waitUntil(error.isVisible, timeout=15000)
    assert "not the one for this workspace" in error.text()
    assert dialog.isVisible() and dialog.workspace is None
    shot(dialog, "unlock-wrong")
    field.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked, timeout=15000) as blocker:
        dialog.on_unlock_clicked()
    opened: Workspace = blocker.args[0]
    try:
        assert opened.info.workspace_id == created.info.workspace_id
        assert field.text() == ""  # the passphrase does not linger in the widget
    finally:
        opened.close()


def test_unlock_dialog_accepts_the_recovery_key(qtbot: QtBot, no_keyring_service: WorkspaceService,
                                                data_dir: Path) -> None:
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    workspace.close()
    dialog = UnlockDialog(no_keyring_service, created.info)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.on_toggle_clicked()
    assert dialog.using_recovery
    dialog.recovery.setText("AAAA-BBBB")
    dialog.on_unlock_clicked()
    qtbot.waitUntil(dialog.error.isVisible, timeout=15000)
    assert "not a Comptoir recovery key" in dialog.error.text()
    dialog.recovery.setText(created.recovery_key)
    with qtbot.waitSignal(dialog.unlocked, timeout=15000) as blocker:
        dialog.on_unlock_clicked()
    blocker.args[0].close()


@pytest.fixture
def demo_window(qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path) -> MainWindow:
    paths = AppPaths.under(tmp_path / "root").ensure()
    workspace = open_demo(no_keyring_service, paths.demo_workspace)
    window = MainWindow(Session(workspace))
    qtbot.addWidget(window)
    window.show()
    yield window
    wait_idle(qtbot)
    workspace.close()


def test_main_window_opens_on_the_demo_and_every_page_shows(qtbot: QtBot, demo_window: MainWindow) -> None:
    window = demo_window
    assert window.session.workspace.info.key_mode == KeyMode.EPHEMERAL  # no keyring: throw-away demo
    assert "demo" in window.windowTitle()
    inbox = window.pages["inbox"]
    qtbot.waitUntil(lambda: inbox.model.rowCount() >= 30, timeout=15000)
    shot(window, "inbox")
    for key in ("assistant", "customers", "reports", "privacy", "settings"):
        page = window.show_page(key)
        assert page.isVisible()
        wait_idle(qtbot)
        shot(window, key)
    customers = window.pages["customers"]
    assert customers.model.rowCount() >= 20
    privacy = window.pages["privacy"]
    assert "conversations" in privacy.counts.text()
    settings = window.pages["settings"]
    where = settings.findChild(QLabel, "keyProtection")
    assert where is not None and "only in memory" in where.text()
    location = settings.findChild(QLabel, "workspaceLocation")
    assert location is not None and location.text() == window.session.workspace.info.path


def test_opening_a_thread_shows_messages_and_orders_with_tracking_links(
        qtbot: QtBot, demo_window: MainWindow) -> None:
    inbox = demo_window.pages["inbox"]
    qtbot.waitUntil(lambda: inbox.model.rowCount() > 0, timeout=15000)
    rows = [inbox.model.thread_at(r) for r in range(inbox.model.rowCount())]
    wismo = next(r for r in range(len(rows)) if rows[r].intent == "where_is_my_order")
    with qtbot.waitSignal(inbox.thread_shown, timeout=15000):
        inbox.list.selectRow(wismo)
    shown = inbox.view.toHtml()
    assert rows[wismo].subject.split()[0] in inbox.view.toPlainText()
    assert "Orders" in inbox.view.toPlainText()
    assert "href=\"https://" in shown  # tracking link, opened only on a click
    shot(demo_window, "thread")


def test_search_narrows_the_inbox(qtbot: QtBot, demo_window: MainWindow) -> None:
    inbox = demo_window.pages["inbox"]
    qtbot.waitUntil(lambda: inbox.model.rowCount() >= 30, timeout=15000)
    total = inbox.model.rowCount()
    inbox.search.setText("commande")
    qtbot.waitUntil(lambda: 0 < inbox.model.rowCount() < total and not inbox.model.loading, timeout=15000)
    inbox.search.setText("zzzz-no-such-word")
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 0 and not inbox.model.loading, timeout=15000)
    inbox.search.clear()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == total, timeout=15000)


def test_thread_model_loads_page_by_page(qtbot: QtBot, qtmodeltester: object, no_keyring_service: WorkspaceService,
                                         tmp_path: Path) -> None:
    workspace = no_keyring_service.create_ephemeral(tmp_path / "big")
    session = Session(workspace)
    try:
        def fill(conn: object) -> None:
            for i in range(450):
                tid = conn.execute("INSERT INTO threads(subject, last_message_at, message_count) VALUES (?, ?, 1)",  # type: ignore[attr-defined]
                                   (f"Thread {i}", f"2026-11-{1 + i % 28:02d}T10:00:00Z")).lastrowid
                conn.execute("INSERT INTO messages(thread_id, subject, body_text, date) VALUES (?, ?, 'x', ?)",  # type: ignore[attr-defined]
                             (tid, f"Thread {i}", "2026-11-01"))

        workspace.db.write(fill)
        model = ThreadListModel(lambda o, n, q: session.threads(limit=n, offset=o, query=q))
        model.reload()
        qtbot.waitUntil(lambda: model.rowCount() == 200 and not model.loading, timeout=15000)
        assert model.canFetchMore()
        model.fetchMore()
        qtbot.waitUntil(lambda: model.rowCount() == 400 and not model.loading, timeout=15000)
        model.fetchMore()
        qtbot.waitUntil(lambda: model.rowCount() == 450 and not model.loading, timeout=15000)
        assert not model.canFetchMore()
        qtmodeltester.check(model)  # type: ignore[attr-defined]
        customers = CustomerModel()
        customers.set_rows(session.customers())
        qtmodeltester.check(customers)  # type: ignore[attr-defined]
    finally:
        wait_idle(qtbot)
        workspace.close()


def test_language_setting_is_saved(qtbot: QtBot, demo_window: MainWindow) -> None:
    settings = demo_window.show_page("settings")
    qtbot.waitUntil(lambda: settings._ready, timeout=15000)  # type: ignore[attr-defined]
    with qtbot.waitSignal(settings.language_changed, timeout=15000):  # type: ignore[attr-defined]
        settings.language.setCurrentIndex(settings.language.findData("fr"))  # type: ignore[attr-defined]
    assert demo_window.session.get_setting("ui.language") == "fr"


def test_background_operations_report_progress_cancel_and_route_errors(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

    from desktop.core.errors import UserFacingError
    from desktop.tasks.cancel import Job
    from desktop.ui.bridge import op
    from desktop.ui.dialogs import CrashDialog

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    results: list[object] = []

    def slow(job: Job) -> str:
        for i in range(200):
            job.progress(i, 200, f"step {i}")
            job.token.wait(0.02)
        return "finished"

    token = op(parent, slow).on_success(results.append).with_progress("Working…").run()
    qtbot.waitUntil(lambda: parent.findChild(QProgressDialog) is not None
                    and parent.findChild(QProgressDialog).value() > 0, timeout=10000)
    dialog = parent.findChild(QProgressDialog)
    assert dialog.maximum() == 200
    from PySide6.QtWidgets import QPushButton

    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # the merchant clicks Cancel
    wait_idle(qtbot)
    assert token.cancelled and results == []  # cancelled work reports nothing, silently

    def refuse(job: Job) -> None:
        raise UserFacingError("The disk is full, so Comptoir could not save.", "Free some space.")

    op(parent, refuse).run()
    wait_idle(qtbot)
    box = parent.findChild(QMessageBox, "userErrorBox")
    assert box is not None and box.text().startswith("The disk is full") and box.informativeText() == "Free some space."
    box.close()

    secret = "ab" * 32

    def bug(job: Job) -> None:
        raise RuntimeError(f"unexpected with key {secret}")

    op(parent, bug).run()
    wait_idle(qtbot)
    crash = parent.findChild(CrashDialog)
    assert crash is not None
    report = crash.details.toPlainText()
    assert "RuntimeError" in report and "Traceback" in report
    assert secret not in report  # the crash report the merchant copies holds no key
    crash.close()


def test_one_window_per_data_folder(qapp: QApplication, tmp_path: Path) -> None:
    from desktop.ui.app import single_instance_lock

    paths = AppPaths.under(tmp_path / "root").ensure()
    first = single_instance_lock(paths)
    assert first is not None
    try:
        assert single_instance_lock(paths) is None
        other = single_instance_lock(AppPaths.under(tmp_path / "other").ensure())
        assert other is not None  # another data folder is another instance
        other.unlock()
    finally:
        first.unlock()
    again = single_instance_lock(paths)
    assert again is not None
    again.unlock()


def test_first_start_offers_the_demo_and_opens_it(qtbot: QtBot, no_keyring_service: WorkspaceService,
                                                  tmp_path: Path) -> None:
    from desktop.ui.app import AppController

    paths = AppPaths.under(tmp_path / "root").ensure()
    controller = AppController(paths, no_keyring_service)
    controller.start()
    wizard = controller.wizard
    assert wizard is not None and wizard.isVisible()
    shot(wizard, "wizard-welcome")
    qtbot.mouseClick(wizard.welcome.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.window is not None and controller.window.isVisible(), timeout=20000)
    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    inbox = window.pages["inbox"]
    qtbot.waitUntil(lambda: inbox.model.rowCount() >= 30, timeout=15000)
    wait_idle(qtbot)
    controller.close_workspace()
    assert not any((paths.demo_workspace / "session").glob("comptoir.db*"))  # throw-away demo is gone


def test_an_existing_passphrase_workspace_starts_at_the_unlock_dialog(
        qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path) -> None:
    from desktop.ui.app import AppController

    paths = AppPaths.under(tmp_path / "root").ensure()
    no_keyring_service.create(paths.workspace, passphrase=PASSPHRASE)[0].close()
    controller = AppController(paths, no_keyring_service)
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.using_recovery
    qtbot.addWidget(dialog)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.on_unlock_clicked()
    qtbot.waitUntil(lambda: controller.window is not None, timeout=15000)
    qtbot.addWidget(controller.window)
    assert controller.window.windowTitle() == "Comptoir"
    wait_idle(qtbot)
    controller.close_workspace()


def test_customers_page_finds_a_customer_by_address(qtbot: QtBot, demo_window: MainWindow) -> None:
    page = demo_window.show_page("customers")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 20, timeout=15000)  # type: ignore[attr-defined]
    email = page.model._rows[3].emails[0]  # type: ignore[attr-defined]
    page.search.setText(email.upper())  # type: ignore[attr-defined]
    assert page.proxy.rowCount() == 1  # type: ignore[attr-defined]
    page.search.setText("nobody-like-this")  # type: ignore[attr-defined]
    assert page.proxy.rowCount() == 0  # type: ignore[attr-defined]
