"""The Privacy page, driven as a merchant would (pytest-qt, offscreen), on real encrypted workspaces.

Each button runs end to end through its confirmation: export (plain and encrypted, with progress and
Cancel), one customer (search, what is held, restrict, rectify, erase with the new recovery key),
retention (preview, purge), the egress ledger (filters, totals, CSV), and erase everything back to first run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from desktop.core.errors import UserFacingError
from desktop.core.settings import RETENTION_CONVERSATIONS
from desktop.paths import BOOTSTRAP_NAME, DB_NAME, WRAP_NAME, AppPaths
from desktop.services.demo import fill
from desktop.services.erase import customer_holdings
from desktop.services.export import ENCRYPTED_MAGIC, export_workspace, open_export
from desktop.services.retention import retention_preview
from desktop.services.session import Session
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.tasks.cancel import Job
from desktop.ui.app import AppController
from desktop.ui.bridge import init_bridge, running_operations
from desktop.ui.main_window import MainWindow
from desktop.ui.privacy_page import EraseEverythingDialog, PrivacyPage, RecoveryKeyDialog, RectifyDialog
from desktop.ui.wizard import FirstRunWizard
from tests.conftest import PASSPHRASE

LEDGER = [  # at (UTC, midday: the same day in any time zone), destination, purpose, bytes out, bytes in
    ("2026-10-20T12:00:00Z", "api.openai.com", "draft", 1200, 300),
    ("2026-11-05T12:00:00Z", "api.openai.com", "draft", 2400, 600),
    ("2026-11-12T12:00:00Z", "shop.myshopify.com", "orders", 150, 9000),
    ("2026-11-20T12:00:00Z", "api.openai.com", "chat", 800, 200),
    ("2026-12-02T12:00:00Z", "imap.example.net", "sync", 40, 70000),
]


@pytest.fixture(autouse=True)
def _bridge(qapp: QApplication) -> None:
    init_bridge()


def wait_idle(qtbot: QtBot, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=timeout)


def click(qtbot: QtBot, widget: Any) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The merchant picks `path` in the save dialog (Qt's static dialog, answered without a window)."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def shown_box(qtbot: QtBot, parent: Any, name: str) -> QMessageBox:
    def visible() -> list[QMessageBox]:
        return [b for b in parent.findChildren(QMessageBox, name) if b.isVisible()]

    qtbot.waitUntil(lambda: len(visible()) == 1, timeout=15000)
    return visible()[0]


def count(session: Session, sql: str, *args: Any) -> int:
    return int(session.db.call(lambda c: c.execute(sql, args).fetchone()[0]))


def plant_ledger(session: Session) -> None:
    def add(conn: Any) -> None:
        for at, dest, purpose, out_b, in_b in LEDGER:
            conn.execute("INSERT INTO egress_ledger(at, destination, kind, purpose, model, data_categories, "
                         "bytes_out, bytes_in, pseudonymised) VALUES (?, ?, 'llm', ?, 'm', 'text', ?, ?, 1)",
                         (at, dest, purpose, out_b, in_b))

    session.db.write(add)


@dataclass
class Shop:
    paths: AppPaths
    session: Session
    window: MainWindow
    page: PrivacyPage


def open_shop(qtbot: QtBot, service: WorkspaceService, root: Path) -> tuple[AppPaths, Session]:
    paths = AppPaths.under(root).ensure()
    workspace, _created = service.create(paths.workspace, passphrase=PASSPHRASE)
    fill(workspace)
    session = Session(workspace)
    plant_ledger(session)
    return paths, session


def show_privacy(qtbot: QtBot, window: MainWindow) -> PrivacyPage:
    page = window.show_page("privacy")
    assert isinstance(page, PrivacyPage)
    qtbot.waitUntil(lambda: page.counts.text().startswith("Held:") and page.ledger_model.rowCount() > 0
                    and page.keep_conversations.isEnabled(), timeout=30000)
    wait_idle(qtbot)
    return page


@pytest.fixture
def shop(qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path) -> Iterator[Shop]:
    """A passphrase workspace filled with the demo shop and a few ledger rows, its window on the Privacy page."""
    paths, session = open_shop(qtbot, no_keyring_service, tmp_path / "root")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    page = show_privacy(qtbot, window)
    yield Shop(paths, session, window, page)
    wait_idle(qtbot)
    window.stop_background()
    wait_idle(qtbot)
    session.close()


def test_the_page_says_what_is_held_and_where_the_key_is(qtbot: QtBot, shop: Shop, qtmodeltester: Any) -> None:
    counts = shop.session.stats().counts
    text = shop.page.counts.text()
    assert f"{counts['threads']} conversations with {counts['messages']} messages" in text
    assert f"{counts['customers']} customers" in text and f"{len(LEDGER)} ledger entries" in text
    assert "Size on disk:" in text
    protection = shop.page.findChild(type(shop.page.counts), "privacyKeyProtection")
    assert protection is not None and "passphrase" in protection.text()
    qtmodeltester.check(shop.page.ledger_model)


def manifest_of(path: Path, passphrase: str | None = None) -> dict[str, Any]:
    with open_export(path, passphrase=passphrase) as (archive, _encrypted):
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def test_export_everything_shows_progress_says_it_is_not_encrypted_and_cancel_leaves_nothing(
        qtbot: QtBot, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = shop.page
    assert not page.export_secrets.isChecked()  # passwords and API keys stay out unless asked for
    page.export_secrets.setChecked(True)
    assert page.export_secrets_warning.isVisibleTo(page)
    page.export_secrets.setChecked(False)
    dest = tmp_path / "out" / "everything.zip"
    dest.parent.mkdir()
    save_to(monkeypatch, dest)
    seen: list[tuple[int, int]] = []
    page.export_progress.valueChanged.connect(lambda v: seen.append((v, page.export_progress.maximum())))
    click(qtbot, page.export_button)
    assert page.exporting and page.export_cancel.isVisible() and not page.export_button.isEnabled()
    assert not page.erase_all_button.isEnabled()  # no erasing while a file is being written
    qtbot.waitUntil(lambda: not page.exporting, timeout=60000)
    assert seen and max(m for _v, m in seen) > 0 and max(v for v, _m in seen) > 0  # the bar moved
    assert dest.is_file() and zipfile.is_zipfile(dest)
    result = page.export_result.text()
    assert str(dest) in result and "NOT encrypted" in result
    counts = shop.session.stats().counts
    manifest = manifest_of(dest)
    assert manifest["encrypted"] is False and manifest["secrets_included"] is False
    for table, n in counts.items():
        assert manifest["counts"][table] == n, table
    assert page.erase_all_button.isEnabled() and not page.export_progress.isVisible()

    second = tmp_path / "out" / "cancelled.zip"
    save_to(monkeypatch, second)
    click(qtbot, page.export_button)
    click(qtbot, page.export_cancel)  # the merchant changes their mind at once
    qtbot.waitUntil(lambda: not page.exporting, timeout=60000)
    wait_idle(qtbot)
    assert "cancelled" in page.export_result.text()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["everything.zip"]  # no partial file left behind


def test_an_encrypted_export_needs_matching_passphrases_and_opens_only_with_it(
        qtbot: QtBot, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = shop.page
    page.export_encrypt.click()  # (a mouse click at the centre of a wide check box misses its label)
    assert page.export_passphrase.isVisible()
    assert page.export_passphrase.echoMode() == page.export_passphrase.EchoMode.Password
    assert not page.export_button.isEnabled()
    page.export_passphrase.setText("short")
    page.export_confirm.setText("short")
    assert not page.export_button.isEnabled() and "At least" in page.export_passphrase_hint.text()
    secret = "export passphrase for the accountant"
    page.export_passphrase.setText(secret)
    page.export_confirm.setText(secret + "!")
    assert not page.export_button.isEnabled() and "differ" in page.export_passphrase_hint.text()
    page.export_confirm.setText(secret)
    assert page.export_button.isEnabled()
    save_to(monkeypatch, tmp_path / "shop-archive")  # no extension typed: the right one is added
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: not page.exporting, timeout=60000)
    dest = tmp_path / "shop-archive.comptoir-export"
    assert dest.is_file() and dest.read_bytes()[:len(ENCRYPTED_MAGIC)] == ENCRYPTED_MAGIC
    result = page.export_result.text()
    assert str(dest) in result and "encrypted with your passphrase" in result and "NOT" not in result
    assert page.export_passphrase.text() == "" and page.export_confirm.text() == ""  # not kept in the widgets
    with pytest.raises(UserFacingError):
        manifest_of(dest, "not the passphrase")
    manifest = manifest_of(dest, secret)
    assert manifest["encrypted"] is True
    assert manifest["counts"]["messages"] == shop.session.stats().counts["messages"]


def test_one_customer_search_holdings_restrict_rectify_export_and_erase(
        qtbot: QtBot, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_keyring_service: WorkspaceService) -> None:
    page, session = shop.page, shop.session
    customer = max(session.customers(), key=lambda c: (c.thread_count, c.order_count, -c.id))
    assert customer.thread_count > 0 and customer.emails
    others = count(session, "SELECT count(*) FROM customers") - 1
    held = customer_holdings(session, customer.id).counts()

    page.customer_search.setText("zzz-nobody")
    qtbot.waitUntil(lambda: "No customer matches" in page.customer_none.text(), timeout=15000)
    assert not page.customer_panel.isEnabled()
    with qtbot.waitSignal(page.holdings_shown, timeout=15000):
        page.customer_search.setText(customer.emails[0].upper())  # one match: shown at once
    assert page.customer_results.count() == 1
    summary = page.holdings_summary.text()
    assert customer.emails[0] in summary
    assert f"{held['threads']} conversations, {held['messages']} messages" in summary
    assert f"{held['orders']} cached orders" in summary
    assert page.holdings_tree.topLevelItemCount() == 7  # identity, conversations, messages, drafts, orders…
    assert page.holdings_tree.topLevelItem(1).childCount() == held["threads"]

    # Restrict: no AI processing, saved at once.
    page.no_ai.click()
    qtbot.waitUntil(lambda: count(session, "SELECT no_ai FROM customers WHERE id = ?", customer.id) == 1,
                    timeout=15000)
    qtbot.waitUntil(lambda: "no AI" in page.customer_results.item(0).text(), timeout=15000)
    assert count(session, "SELECT no_marketing FROM customers WHERE id = ?", customer.id) == 0

    # Rectify: a bad phone number is refused inline and changes nothing; a good one is saved.
    click(qtbot, page.customer_rectify)
    dialog = page.findChild(RectifyDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.phone.setText("call me maybe")
    dialog.last_name.setText("Rectifiée")
    dialog.on_save_clicked()
    qtbot.waitUntil(dialog.error.isVisible, timeout=15000)
    assert "phone" in dialog.error.text() and dialog.isVisible()
    assert count(session, "SELECT count(*) FROM customers WHERE last_name = 'Rectifiée'") == 0
    dialog.phone.setText("+33 6 12 34 56 78")
    with qtbot.waitSignal(dialog.rectified, timeout=15000):
        dialog.on_save_clicked()
    assert not dialog.isVisible()
    row = session.db.call(lambda c: c.execute("SELECT last_name, phone FROM customers WHERE id = ?",
                                              (customer.id,)).fetchone())
    assert tuple(row) == ("Rectifiée", "+33 6 12 34 56 78")

    # Export their data.
    dest = tmp_path / "for-the-customer.zip"
    save_to(monkeypatch, dest)
    click(qtbot, page.customer_export)
    qtbot.waitUntil(lambda: str(dest) in page.customer_status.text(), timeout=30000)
    assert "NOT encrypted" in page.customer_status.text()
    assert manifest_of(dest)["kind"] == "customer"

    # Erase: Cancel first (the default) erases nothing.
    qtbot.waitUntil(page.customer_erase.isEnabled, timeout=15000)
    click(qtbot, page.customer_erase)
    box = shown_box(qtbot, page, "eraseCustomerBox")
    text = box.text() + box.informativeText()
    assert f"{held['threads']} conversations with {held['messages']} messages" in text
    assert "new key" in text and "recovery key" in text
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    wait_idle(qtbot)
    assert count(session, "SELECT count(*) FROM customers WHERE id = ?", customer.id) == 1
    assert page.findChild(RecoveryKeyDialog) is None

    click(qtbot, page.customer_erase)
    box = shown_box(qtbot, page, "eraseCustomerBox")
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: page.findChild(RecoveryKeyDialog) is not None, timeout=60000)
    wait_idle(qtbot)
    assert count(session, "SELECT count(*) FROM customers WHERE id = ?", customer.id) == 0
    assert count(session, "SELECT count(*) FROM customers") == others  # nobody else went
    assert count(session, "SELECT count(*) FROM customer_addresses WHERE email = ?", customer.emails[0]) == 0
    assert "Erased:" in page.customer_status.text() and "new key" in page.customer_status.text()
    qtbot.waitUntil(lambda: page.customer_results.count() == 0, timeout=15000)

    # The new recovery key, shown once: the dialog stays until the merchant says it is saved.
    keybox = page.findChild(RecoveryKeyDialog)
    assert keybox is not None and keybox.isVisible()
    new_key = keybox.key.text().replace("\n", "")
    assert not keybox.done_button.isEnabled()
    keybox.reject()  # Escape
    assert keybox.isVisible()
    keybox.saved.setChecked(True)
    click(qtbot, keybox.done_button)
    assert not keybox.isVisible()

    # That key opens the re-keyed workspace.
    shop.window.stop_background()
    wait_idle(qtbot)
    session.close()
    reopened = no_keyring_service.unlock(shop.paths.workspace, recovery_key=new_key)
    try:
        assert reopened.db.call(lambda c: c.execute("SELECT count(*) FROM customers").fetchone()[0]) == others
    finally:
        reopened.close()
    shop.session = Session(no_keyring_service.unlock(shop.paths.workspace, passphrase=PASSPHRASE))


def test_retention_settings_preview_and_purge_with_confirmation(qtbot: QtBot, shop: Shop) -> None:
    page, session = shop.page, shop.session
    old = (datetime.now(UTC) - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def plant(conn: Any) -> int:
        tid = int(conn.execute("INSERT INTO threads(subject, last_message_at, message_count) "
                               "VALUES ('Vieille commande', ?, 1)", (old,)).lastrowid)
        conn.execute("INSERT INTO messages(thread_id, subject, body_text, date) VALUES (?, 'Vieille commande', "
                     "'x', ?)", (tid, old))
        return tid

    old_thread = session.db.write(plant)
    assert page.keep_conversations.value() == session.get_setting(RETENTION_CONVERSATIONS.key) == 12
    page.keep_conversations.setValue(6)
    qtbot.waitUntil(lambda: session.get_setting(RETENTION_CONVERSATIONS.key) == 6, timeout=15000)
    qtbot.waitUntil(lambda: page.retention_status.text().startswith("Saved"), timeout=15000)

    plan = retention_preview(session, datetime.now(UTC))
    assert plan.threads >= 1
    click(qtbot, page.retention_preview_button)
    qtbot.waitUntil(lambda: page.retention_status.text().startswith("The next purge removes"), timeout=15000)
    assert f"{plan.threads} conversations with {plan.messages} messages" in page.retention_status.text()

    click(qtbot, page.retention_purge_button)
    box = shown_box(qtbot, page, "purgeBox")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    wait_idle(qtbot)
    assert count(session, "SELECT count(*) FROM threads WHERE id = ?", old_thread) == 1

    click(qtbot, page.retention_purge_button)
    box = shown_box(qtbot, page, "purgeBox")
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: page.retention_status.text().startswith("Removed"), timeout=30000)
    assert f"{plan.threads} conversations" in page.retention_status.text()
    assert count(session, "SELECT count(*) FROM threads WHERE id = ?", old_thread) == 0
    assert retention_preview(session, datetime.now(UTC)).threads == 0


def test_ledger_filters_totals_and_csv_export(qtbot: QtBot, shop: Shop, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    page = shop.page
    model = page.ledger_model
    assert model.rowCount() == len(LEDGER)
    assert [model.entry(r).destination for r in range(model.rowCount())] == [d for _a, d, *_r in LEDGER]
    names = [page.ledger_destination.itemText(i) for i in range(page.ledger_destination.count())]
    assert names[1:] == ["api.openai.com", "imap.example.net", "shop.myshopify.com"]

    with qtbot.waitSignal(page.ledger_shown, timeout=15000):
        page.ledger_destination.setCurrentIndex(page.ledger_destination.findData("api.openai.com"))
    assert model.rowCount() == 3 and {model.entry(r).destination for r in range(3)} == {"api.openai.com"}
    assert page.ledger_totals.text().startswith("api.openai.com: 3 calls")

    with qtbot.waitSignal(page.ledger_shown, timeout=15000):
        page.ledger_destination.setCurrentIndex(0)
    page.ledger_from.setDate(QDate(2026, 11, 1))
    page.ledger_to.setDate(QDate(2026, 11, 30))
    page.ledger_from_on.setChecked(True)
    with qtbot.waitSignal(page.ledger_shown, timeout=15000):
        page.ledger_to_on.setChecked(True)
    wait_idle(qtbot)
    assert [model.entry(r).at[:10] for r in range(model.rowCount())] == ["2026-11-05", "2026-11-12", "2026-11-20"]
    totals = page.ledger_totals.text().splitlines()
    assert totals[0].startswith("api.openai.com: 2 calls") and totals[1].startswith("shop.myshopify.com: 1 calls")

    dest = tmp_path / "ledger-november"
    save_to(monkeypatch, dest)
    click(qtbot, page.ledger_export)
    qtbot.waitUntil(lambda: page.ledger_status.text().startswith("Saved 3 entries"), timeout=15000)
    written = dest.with_suffix(".csv")
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8"))))
    assert [r["bytes_out"] for r in rows] == ["2400", "150", "800"]
    if os.name == "posix":
        assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_erase_everything_asks_for_the_word_then_returns_to_first_run(
        qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path) -> None:
    paths, session = open_shop(qtbot, no_keyring_service, tmp_path / "root")
    (paths.cache / "thumbnails.bin").write_bytes(b"cached")
    (paths.logs / "comptoir.log").write_text("a log line\n")
    controller = AppController(paths, no_keyring_service)
    controller.open_workspace(session.workspace)  # as after the unlock dialog (it makes its own Session)
    window = controller.window
    assert window is not None
    page = show_privacy(qtbot, window)

    # Cancel: nothing happens.
    click(qtbot, page.erase_all_button)
    dialog = page.findChild(EraseEverythingDialog)
    assert dialog is not None and dialog.isVisible()
    what = dialog.findChild(type(page.counts), "eraseWhat").text()
    for words in ("encrypted database", "key", "backups", "caches and logs", "exports still being written"):
        assert words in what
    assert "crypto-erasure" in dialog.findChild(type(page.counts), "eraseSsdNote").text()
    assert dialog.cancel_button.isDefault() and not dialog.erase_button.isEnabled()
    click(qtbot, dialog.cancel_button)
    wait_idle(qtbot)
    assert (paths.workspace / DB_NAME).exists() and controller.window is window

    # The word must be typed exactly; Enter is Cancel.
    click(qtbot, page.erase_all_button)
    dialog = next(d for d in page.findChildren(EraseEverythingDialog) if d.isVisible())
    qtbot.keyClicks(dialog.confirm_word, "ERASR")
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClick(dialog.confirm_word, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    wait_idle(qtbot)
    assert (paths.workspace / DB_NAME).exists() and controller.window is window

    click(qtbot, page.erase_all_button)
    dialog = next(d for d in page.findChildren(EraseEverythingDialog) if d.isVisible())
    qtbot.keyClicks(dialog.confirm_word, "ERASE")
    assert dialog.erase_button.isEnabled()
    click(qtbot, dialog.erase_button)

    qtbot.waitUntil(lambda: controller.wizard is not None and controller.wizard.isVisible(), timeout=30000)
    wizard = controller.wizard
    assert wizard is not None
    qtbot.addWidget(wizard)
    wait_idle(qtbot)
    assert controller.window is None and controller.session is None
    assert wizard.currentId() == 0 and isinstance(wizard, QWizard)
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", WRAP_NAME, BOOTSTRAP_NAME):
        assert not (paths.workspace / name).exists(), name
    assert not (paths.cache / "thumbnails.bin").exists() and not (paths.logs / "comptoir.log").exists()
    assert no_keyring_service.describe(paths.workspace) is None  # the next start is a first run
    report = controller.erase_report_box
    assert report is not None and report.isVisible()
    assert "Everything was erased" in report.text()
    assert "Erased 1 workspace(s)" in report.informativeText() and "1 key file(s)" in report.informativeText()
    report.close()
    wizard.close()


def test_the_first_run_wizard_imports_an_encrypted_export(
        qtbot: QtBot, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_keyring_service: WorkspaceService) -> None:
    secret = "moving to the new laptop"
    export = tmp_path / "move.comptoir-export"
    export_workspace(shop.session, export, job=Job(), passphrase=secret)
    expected = shop.session.stats().counts
    folder = tmp_path / "new-computer"
    wizard = FirstRunWizard(no_keyring_service, folder)
    qtbot.addWidget(wizard)
    ready: list[Workspace] = []
    wizard.workspace_ready.connect(ready.append)
    wizard.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(export), "")))
    click(qtbot, wizard.welcome.import_button)
    page = wizard.protection
    qtbot.waitUntil(lambda: page.keyring is not None, timeout=15000)
    assert page.title() == "Protect the imported workspace" and page.import_box.isVisible()
    page.passphrase.setText(PASSPHRASE)
    page.confirm.setText(PASSPHRASE)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # the export's own passphrase is still missing
    page.export_passphrase.setText("not the one")
    click(qtbot, next_button)
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=30000)
    assert wizard.currentId() == 1 and no_keyring_service.describe(folder) is None  # nothing was created
    page.export_passphrase.setText(secret)
    click(qtbot, next_button)
    qtbot.waitUntil(lambda: wizard.currentId() == 2, timeout=60000)
    assert wizard.created is not None and wizard.recovery.key.text().replace("\n", "") == wizard.created.recovery_key
    wizard.recovery.saved.setChecked(True)
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert len(ready) == 1
    imported = Session(ready[0])
    try:
        counts = imported.stats().counts
        for table in ("threads", "messages", "customers", "orders", "drafts", "chats", "egress_ledger"):
            assert counts[table] == expected[table], table
    finally:
        imported.close()
