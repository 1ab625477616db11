"""The Inbox with a real mailbox (Dovecot): list, search, read, draft, as the merchant does it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.services.workspace import WorkspaceService
from desktop.ui.bridge import init_bridge, running_operations
from desktop.ui.main_window import MainWindow
from tests.mailtools import SHOP, customer_mail, mail_session
from tests.servers.dovecot import Dovecot
from tests.test_ui import shot


@pytest.fixture(autouse=True)
def _bridge(qapp: QApplication) -> None:
    init_bridge()


def test_inbox_syncs_lists_searches_reads_and_drafts(qtbot: QtBot, no_keyring_service: WorkspaceService,
                                                     tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.append_many(SHOP, "INBOX", [
        customer_mail(1),
        customer_mail(2, sender="bob@example.com", name="Bob Martin", subject="Cracked vase",
                      body="Hello, the vase arrived cracked. Order #2002."),
        customer_mail(3, sender="ines@example.org", name="Inès Roy", subject="Changement d'adresse",
                      body="Bonjour, pouvez-vous livrer au 3 rue des Lilas ?"),
    ])
    with mail_session(no_keyring_service, tmp_path / "ws", dovecot) as (session, _account):
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        inbox = window.pages["inbox"]
        qtbot.waitUntil(lambda: inbox.sync_button.isEnabled(), timeout=15000)
        qtbot.mouseClick(inbox.sync_button, Qt.MouseButton.LeftButton)  # "Check mail"
        qtbot.waitUntil(lambda: inbox.model.rowCount() == 3, timeout=20000)
        assert "3 new" in inbox.sync_status.text() or inbox.model.rowCount() == 3
        # search narrows
        inbox.search.setText("vase")
        qtbot.waitUntil(lambda: inbox.model.rowCount() == 1 and not inbox.model.loading, timeout=15000)
        assert inbox.model.thread_at(0).subject == "Cracked vase"
        thread_id = inbox.model.thread_at(0).id
        # open it
        with qtbot.waitSignal(inbox.thread_shown, timeout=15000):
            inbox.list.selectRow(0)
        assert "arrived cracked" in inbox.view.toPlainText()
        qtbot.waitUntil(inbox.editor.isEnabled, timeout=10000)
        # write and save to Drafts
        inbox.editor.setPlainText("Hello Bob, a new vase is on its way.")
        qtbot.mouseClick(inbox.save_draft_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Saved in" in inbox.reply_status.text(), timeout=20000)
        shot(window, "inbox-mail")
        drafts = dovecot.messages(SHOP, "Drafts")
        assert len(drafts) == 1 and b"new vase is on its way" in drafts[0].raw
        # the typed text is kept with the thread
        assert session.draft_text(thread_id) == "Hello Bob, a new vase is on its way."
        window.stop_background()
        qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)


def test_formatted_view_and_attachments(qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path,
                                        dovecot: Dovecot) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Zoé <zoe@example.fr>"
    msg["To"] = "alice@shop.example"
    msg["Subject"] = "Photo du colis"
    msg["Message-ID"] = "<photo-1@example.fr>"
    msg.set_content("Voici la photo.")
    msg.add_alternative('<p>Voici la <b>photo</b>.<img src="https://tracker.example/pixel.gif"></p>', subtype="html")
    msg.add_attachment(b"\x89PNG fake", maintype="image", subtype="png", filename="colis.png")
    dovecot.append_many(SHOP, "INBOX", [msg.as_bytes()])
    with mail_session(no_keyring_service, tmp_path / "ws", dovecot) as (session, account):
        session.mail.sync(account)
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        inbox = window.pages["inbox"]
        qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=15000)
        with qtbot.waitSignal(inbox.thread_shown, timeout=15000):
            inbox.list.selectRow(0)
        assert "colis.png" in inbox.view.toPlainText()
        assert 'href="comptoir-attachment:' in inbox.view.toHtml()
        inbox.formatted.setChecked(True)
        formatted = inbox.view.toHtml()
        assert "font-weight" in formatted or "<b>" in formatted  # the bold survived sanitising
        assert "tracker.example" not in formatted  # remote content never even referenced
        detail = session.thread(inbox.model.thread_at(0).id)
        path = session.open_attachment(detail.messages[0].attachment_ids[0])  # type: ignore[union-attr]
        assert path.read_bytes() == b"\x89PNG fake" and oct(path.stat().st_mode & 0o777) == "0o600"
        window.stop_background()
        qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)
    assert not path.exists()  # removed when the workspace closed
