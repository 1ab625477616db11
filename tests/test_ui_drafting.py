"""Drafting with the assistant in the Inbox, as the merchant does it (pytest-qt, offscreen, real workspace, a real
OpenAI-compatible server on loopback), and sorting the inbox by topic."""

from __future__ import annotations

import email
import email.policy
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.paths import AppPaths
from desktop.services.demo import open_demo
from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService
from desktop.ui.bridge import init_bridge, running_operations
from desktop.ui.drafting import RequestPreviewDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages import InboxPage
from tests.llm_server import LLMServer, Stall, Text
from tests.mailtools import SHOP, customer_mail, mail_session
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.servers.tls import Pki
from tests.test_ui import shot

WISMO = "where_is_my_order"


@pytest.fixture(autouse=True)
def _bridge(qapp: QApplication) -> None:
    init_bridge()


def wait_idle(qtbot: QtBot, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=timeout)


@pytest.fixture
def demo(qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path) -> Iterator[tuple[MainWindow, Session]]:
    paths = AppPaths.under(tmp_path / "root").ensure()
    workspace = open_demo(no_keyring_service, paths.demo_workspace)
    session = Session(workspace)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    yield window, session
    window.stop_background()
    wait_idle(qtbot)
    workspace.close()


def inbox_of(qtbot: QtBot, window: MainWindow) -> InboxPage:
    inbox = window.pages["inbox"]
    assert isinstance(inbox, InboxPage)
    qtbot.waitUntil(lambda: inbox.model.rowCount() > 0 and not inbox.model.loading, timeout=15000)
    return inbox


def open_thread(qtbot: QtBot, inbox: InboxPage, *, intent: str | None = None, with_orders: bool = False,
                session: Session | None = None) -> int:
    """Select the first thread (of this intent, whose customer has orders) and wait until its reply is loaded."""
    for row in range(inbox.model.rowCount()):
        t = inbox.model.thread_at(row)
        if intent and t.intent != intent:
            continue
        if with_orders:
            assert session is not None
            detail = session.thread(t.id)
            if detail is None or not any(o.tracking for o in detail.orders):
                continue
        with qtbot.waitSignal(inbox.thread_shown, timeout=15000):
            inbox.list.selectRow(row)
        qtbot.waitUntil(lambda: inbox.editor.isEnabled() and inbox.assistant.draft_button.isEnabled(),
                        timeout=15000)
        wait_idle(qtbot)
        return t.id
    raise AssertionError(f"no thread with intent {intent}")


def use_server(session: Session, server: LLMServer, inbox: InboxPage, qtbot: QtBot) -> None:
    session.assistant.add_provider("custom", base_url=server.base_url, model="test-model", check=False)
    inbox.assistant.refresh_provider()
    qtbot.waitUntil(lambda: inbox.assistant.has_provider, timeout=10000)
    assert inbox.assistant.draft_button.text() == "Draft with assistant"


def type_and_keep(qtbot: QtBot, inbox: InboxPage, session: Session, thread_id: int, text: str) -> None:
    inbox.editor.setPlainText(text)  # as if typed: the autosave keeps it
    autosave = inbox.findChild(QTimer, "draftAutosave")
    assert autosave is not None
    qtbot.waitUntil(lambda: not autosave.isActive(), timeout=5000)
    wait_idle(qtbot)
    assert session.draft_text(thread_id) == text


def test_a_draft_streams_into_the_editor_and_is_kept(qtbot: QtBot, demo: tuple[MainWindow, Session],
                                                     llm_server: LLMServer) -> None:
    window, session = demo
    inbox = inbox_of(qtbot, window)
    use_server(session, llm_server, inbox, qtbot)
    thread_id = open_thread(qtbot, inbox, intent=WISMO)
    bar = inbox.assistant
    before = inbox.editor.toPlainText()
    assert session.draft_text(thread_id) == before
    final = ("Bonjour, votre colis est parti hier et arrivera d'ici deux jours. Vous pouvez le suivre avec le "
             "lien de suivi de votre commande. Bonne journée !")
    llm_server.script([Text(final, chunk_size=6, delay=0.1)])
    qtbot.mouseClick(bar.draft_button, Qt.MouseButton.LeftButton)
    assert bar.stop_button.isVisible() and not bar.draft_button.isVisible()
    assert not inbox.send_button.isEnabled() and not inbox.save_draft_button.isEnabled()
    # part of the answer is on screen while the model is still writing
    qtbot.waitUntil(lambda: len(inbox.editor.toPlainText()) >= 12, timeout=10000)
    partial = inbox.editor.toPlainText()
    assert bar.generating and final.startswith(partial) and len(partial) < len(final)
    assert inbox.editor.isReadOnly()
    qtbot.wait(1000)  # longer than the autosave delay: a partial draft is never saved
    assert bar.generating
    assert session.draft_text(thread_id) == before
    qtbot.waitUntil(lambda: not bar.generating, timeout=20000)
    wait_idle(qtbot)
    assert inbox.editor.toPlainText() == final and not inbox.editor.isReadOnly(), bar.note.text()
    assert session.draft_text(thread_id) == final
    assert bar.grounding.isVisible()
    grounding = bar.grounding.text()
    assert grounding.startswith("Grounded on:") and "message" in grounding and "test-model (local)" in grounding
    assert not bar.warnings.isVisible()
    assert inbox.send_button.isEnabled()
    shot(window, "inbox-draft")

    # regenerate with an instruction: the instruction reaches the model, the new text replaces the old
    bar.instruction.setEditText("Shorter")
    llm_server.script([Text("Bonjour, votre colis arrive sous deux jours.")])
    qtbot.mouseClick(bar.regenerate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.generating, timeout=20000)
    wait_idle(qtbot)
    assert inbox.editor.toPlainText() == "Bonjour, votre colis arrive sous deux jours."
    sent = json.dumps(llm_server.chat_requests[-1].json["messages"], ensure_ascii=False)
    assert "Shorter" in sent and "votre colis est parti hier" in sent  # the instruction and the draft to rework
    assert session.draft_text(thread_id) == "Bonjour, votre colis arrive sous deux jours."

    # "What will be sent": the exact request, read-only, before anything is sent
    requests = len(llm_server.chat_requests)
    qtbot.mouseClick(bar.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.findChild(RequestPreviewDialog) is not None, timeout=10000)
    dialog = bar.findChild(RequestPreviewDialog)
    assert dialog is not None and dialog.text.isReadOnly()
    shown = json.loads(dialog.text.toPlainText())
    assert shown["request"]["model"] == "test-model" and shown["request"]["messages"]
    assert dialog.text.font().styleHint() == QFont.StyleHint.Monospace
    assert len(llm_server.chat_requests) == requests  # a preview sends nothing
    dialog.close()


def test_stop_during_a_stalled_stream_gives_the_previous_draft_back(qtbot: QtBot, demo: tuple[MainWindow, Session],
                                                                   llm_server: LLMServer) -> None:
    window, session = demo
    inbox = inbox_of(qtbot, window)
    use_server(session, llm_server, inbox, qtbot)
    thread_id = open_thread(qtbot, inbox, intent=WISMO)
    bar = inbox.assistant
    type_and_keep(qtbot, inbox, session, thread_id, "Mon brouillon à moi")
    llm_server.script([Stall(after_text="Bonjour, je regarde", seconds=60, rest=" et voilà.")])
    qtbot.mouseClick(bar.draft_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "je regarde" in inbox.editor.toPlainText(), timeout=10000)
    started = time.monotonic()
    qtbot.mouseClick(bar.stop_button, Qt.MouseButton.LeftButton)
    assert inbox.editor.toPlainText() == "Mon brouillon à moi"  # at once, not when the server gives up
    assert not bar.generating and not inbox.editor.isReadOnly() and bar.draft_button.isVisible()
    assert "Cancelled" in bar.note.text() and "previous draft was kept" in bar.note.text()
    wait_idle(qtbot, timeout=5000)  # the stalled request is abandoned within moments
    assert time.monotonic() - started < 5
    assert session.draft_text(thread_id) == "Mon brouillon à moi"
    assert inbox.send_button.isEnabled()


def test_a_dead_server_says_so_and_keeps_the_draft(qtbot: QtBot, demo: tuple[MainWindow, Session],
                                                   llm_server: LLMServer) -> None:
    window, session = demo
    inbox = inbox_of(qtbot, window)
    use_server(session, llm_server, inbox, qtbot)
    thread_id = open_thread(qtbot, inbox, intent=WISMO)
    bar = inbox.assistant
    type_and_keep(qtbot, inbox, session, thread_id, "Texte précieux")
    llm_server.stop()
    qtbot.mouseClick(bar.draft_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.generating, timeout=30000)
    wait_idle(qtbot)
    assert bar.note.isVisible()
    note = bar.note.text()
    assert "Nothing answers at 127.0.0.1" in note and "Start the model server" in note
    assert "previous draft was kept" in note
    assert inbox.editor.toPlainText() == "Texte précieux"
    assert session.draft_text(thread_id) == "Texte précieux"
    assert window.findChild(QMessageBox, "userErrorBox") is None  # shown inline, not as a pop-up


@pytest.fixture
def shop_smtp(server_pki: Pki, dovecot: Dovecot) -> Iterator[SmtpServer]:
    server = SmtpServer(server_pki, users={SHOP: dovecot.users[SHOP]})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def answer_box(qtbot: QtBot, inbox: InboxPage, button_name: str | None) -> QMessageBox:
    def shown() -> list[QMessageBox]:
        return [b for b in inbox.findChildren(QMessageBox, "replyWarningsBox") if b.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=15000)
    box = shown()[0]
    if button_name is None:
        button = box.defaultButton()
        assert button is box.button(QMessageBox.StandardButton.Cancel)  # Cancel unless the merchant says otherwise
    else:
        found = box.findChild(QPushButton, button_name)
        assert found is not None
        button = found
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return box


def test_synced_mail_is_sorted_and_a_flagged_draft_is_sent_only_when_confirmed(
        qtbot: QtBot, no_keyring_service: WorkspaceService, tmp_path: Path, dovecot: Dovecot,
        shop_smtp: SmtpServer, llm_server: LLMServer) -> None:
    dovecot.append_many(SHOP, "INBOX", [customer_mail(1)])
    with mail_session(no_keyring_service, tmp_path / "ws", dovecot, smtp=shop_smtp) as (session, _account):
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        inbox = window.pages["inbox"]
        assert isinstance(inbox, InboxPage)
        qtbot.waitUntil(inbox.sync_button.isEnabled, timeout=15000)
        qtbot.mouseClick(inbox.sync_button, Qt.MouseButton.LeftButton)
        # after the sync, the new conversation is sorted (offline rules: no provider yet) and shows its topic
        qtbot.waitUntil(lambda: inbox.model.rowCount() == 1 and inbox.model.thread_at(0).intent == WISMO,
                        timeout=30000)
        assert inbox.model.index(0, 2).data() == "Where is my order"
        assert inbox.model.index(0, 3).data() == "FR"
        thread_id = inbox.model.thread_at(0).id
        use_server(session, llm_server, inbox, qtbot)
        open_thread(qtbot, inbox)
        assert inbox.triage.intent.currentData() == WISMO
        foreign = "paul.martin@example.net"
        llm_server.script([Text(f"Bonjour Claire,\nvotre commande #1001 est en route. Écrivez à {foreign} pour "
                                "le suivi.\nAtelier Test")])
        qtbot.mouseClick(inbox.assistant.draft_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not inbox.assistant.generating, timeout=20000)
        wait_idle(qtbot)
        warnings = inbox.assistant.warnings
        assert warnings.isVisible() and foreign in warnings.text()
        assert "not this customer's" in warnings.text()
        shot(window, "inbox-draft-flagged")
        # Send asks first; the default answer is Cancel and nothing goes out
        qtbot.mouseClick(inbox.send_button, Qt.MouseButton.LeftButton)
        box = answer_box(qtbot, inbox, None)
        assert foreign in box.informativeText()
        qtbot.waitUntil(lambda: "Not sent" in inbox.reply_status.text(), timeout=5000)
        wait_idle(qtbot)
        assert shop_smtp.messages == [] and inbox.send_button.isEnabled()
        assert session.draft_text(thread_id).endswith("Atelier Test")  # still there, unsent
        # only an explicit "Send anyway" sends it
        qtbot.mouseClick(inbox.send_button, Qt.MouseButton.LeftButton)
        answer_box(qtbot, inbox, "confirmAnyway")
        received = shop_smtp.wait_for(1)
        body = email.message_from_bytes(received[0].raw, policy=email.policy.default).get_content()
        assert foreign in body and "#1001" in body
        qtbot.waitUntil(lambda: "Sent." in inbox.reply_status.text(), timeout=20000)
        window.stop_background()
        wait_idle(qtbot)


def test_the_topic_filter_and_the_merchant_s_correction(qtbot: QtBot, demo: tuple[MainWindow, Session]) -> None:
    window, session = demo
    inbox = inbox_of(qtbot, window)
    wait_idle(qtbot)
    total = inbox.model.rowCount()
    combo = inbox.intent_filter
    combo.setCurrentIndex(combo.findData(WISMO))
    qtbot.waitUntil(lambda: not inbox.model.loading and 0 < inbox.model.rowCount() < total, timeout=15000)
    rows = [inbox.model.thread_at(r) for r in range(inbox.model.rowCount())]
    assert {t.intent for t in rows} == {WISMO}
    assert {inbox.model.index(r, 2).data() for r in range(len(rows))} == {"Where is my order"}
    assert len(rows) == len(session.threads(intent=WISMO, limit=1000))
    # the merchant says the first one is a complaint: it leaves this list
    moved = open_thread(qtbot, inbox)
    header = inbox.triage
    assert header.intent.currentData() == WISMO
    index = header.intent.findData("complaint")
    header.intent.setCurrentIndex(index)
    header.intent.activated.emit(index)
    qtbot.waitUntil(lambda: not inbox.model.loading and inbox.model.rowCount() == len(rows) - 1, timeout=15000)
    assert moved not in {inbox.model.thread_at(r).id for r in range(inbox.model.rowCount())}
    qtbot.waitUntil(lambda: "set by you" in header.details.text(), timeout=10000)
    combo.setCurrentIndex(combo.findData("complaint"))
    qtbot.waitUntil(lambda: not inbox.model.loading and moved in {
        inbox.model.thread_at(r).id for r in range(inbox.model.rowCount())}, timeout=15000)
    untriaged = len(session.threads(intent="untriaged", limit=1000))
    combo.setCurrentIndex(combo.findData("untriaged"))
    qtbot.waitUntil(lambda: not inbox.model.loading and inbox.model.rowCount() == untriaged, timeout=15000)
    combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not inbox.model.loading and inbox.model.rowCount() == total, timeout=15000)


def test_without_a_provider_the_template_fills_the_editor(qtbot: QtBot, demo: tuple[MainWindow, Session]) -> None:
    window, session = demo
    inbox = inbox_of(qtbot, window)
    thread_id = open_thread(qtbot, inbox, intent=WISMO, with_orders=True, session=session)
    bar = inbox.assistant
    qtbot.waitUntil(lambda: bar.draft_button.text() == "Draft from template", timeout=10000)
    assert not bar.regenerate_button.isEnabled() and not bar.preview_button.isEnabled()
    detail = session.thread(thread_id)
    assert detail is not None
    qtbot.mouseClick(bar.draft_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.generating, timeout=15000)
    wait_idle(qtbot)
    text = inbox.editor.toPlainText()
    numbers = [o.number for o in detail.orders]
    tracking = [t.number for o in detail.orders for t in o.tracking]
    assert any(n.lstrip("#") in text for n in numbers) and any(t in text for t in tracking)
    assert "{{" not in text
    assert session.draft_text(thread_id) == text
    grounding = bar.grounding.text()
    assert "template “" in grounding and "no AI" in grounding
