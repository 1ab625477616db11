"""The Assistant page and Settings → Assistant, driven as a merchant would, against a real local model server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.core.errors import UserFacingError
from desktop.services.session import Session
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.ui.assistant_page import AssistantPage
from desktop.ui.assistant_settings import AssistantSettings, ProviderDialog, ProvidersPanel
from desktop.ui.bridge import init_bridge, running_operations
from desktop.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE
from tests.llm_server import LLMServer, Stall, Text, ToolCalls
from tests.test_ui import shot

ANSWER = "This week you have 3 open conversations: 2 about late parcels and 1 return request."


@pytest.fixture(autouse=True)
def _bridge(qapp: QApplication) -> None:
    init_bridge()


def wait_idle(qtbot: QtBot, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=timeout)


@pytest.fixture
def session(no_keyring_service: WorkspaceService, tmp_path: Path, qtbot: QtBot) -> Iterator[Session]:
    workspace = no_keyring_service.create_ephemeral(tmp_path / "ws")
    try:
        yield Session(workspace)
    finally:
        wait_idle(qtbot)
        workspace.close()


def open_window(qtbot: QtBot, session: Session) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    return window


def assistant_page(qtbot: QtBot, window: MainWindow) -> AssistantPage:
    page = window.show_page("assistant")
    assert isinstance(page, AssistantPage)
    wait_idle(qtbot)
    return page


def send(qtbot: QtBot, page: AssistantPage, text: str, *, outcome: str = "done", timeout: int = 20000) -> None:
    page.input.setPlainText(text)
    with qtbot.waitSignal(page.answer_finished, timeout=timeout,
                          check_params_cb=lambda result: result == outcome):
        qtbot.keyClick(page.input, Qt.Key.Key_Return)  # Enter sends


def settings_of(qtbot: QtBot, window: MainWindow) -> AssistantSettings:
    page = window.show_page("settings")
    settings = page.findChild(AssistantSettings)
    assert settings is not None
    wait_idle(qtbot)
    return settings


def test_chat_streams_and_the_conversations_are_kept_across_a_restart(
        qtbot: QtBot, no_keyring_service: WorkspaceService, data_dir: Path, llm_server: LLMServer) -> None:
    workspace, _created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    session = Session(workspace)
    session.assistant.add_provider("custom", base_url=llm_server.base_url, model="test-model")
    window = open_window(qtbot, session)
    page = assistant_page(qtbot, window)
    assert not page.no_provider.isVisible() and "test-model" in page.provider_label.text()
    assert page.stack.currentWidget() is page.suggestions  # a new conversation offers prompts
    assert any("announcement" in b.text() for b in page.suggestion_buttons)

    # Shift+Enter starts a new line, it does not send
    page.input.setPlainText("How many open conversations")
    page.input.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(page.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert page.input.toPlainText() == "How many open conversations\n" and not page.streaming

    # the answer streams in: parts of it are on screen before it is complete
    llm_server.script([Text(ANSWER, chunk_size=3, delay=0.03)])
    partials: list[str] = []
    page.answer_streamed.connect(partials.append)
    page.input.setPlainText("How many open conversations do I have this week?")
    with qtbot.waitSignal(page.answer_finished, timeout=20000) as finished:
        qtbot.keyClick(page.input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.streaming and not page.send_button.isEnabled(), timeout=5000)
        assert page.stop_button.isEnabled() and not page.chat_list.isEnabled()
    assert finished.args == ["done"]
    assert any(0 < len(p) < len(ANSWER) and ANSWER.startswith(p) for p in partials), partials
    qtbot.waitUntil(lambda: page.chat_list.count() == 1 and page.chat_id is not None, timeout=10000)
    wait_idle(qtbot)
    shown = page.view.toPlainText()
    assert "How many open conversations do I have this week?" in shown and ANSWER in shown
    assert page.input.toPlainText() == "" and page.send_button.isEnabled() and not page.stop_button.isEnabled()
    sent = llm_server.chat_requests[-1].json
    assert sent["messages"][-1] == {"role": "user", "content": "How many open conversations do I have this week?"}
    shot(window, "assistant-chat")

    # a follow-up continues the same conversation, with its history
    llm_server.script([Text("Two of them are older than three days.")])
    send(qtbot, page, "Which ones are late?")
    history = [m["content"] for m in llm_server.chat_requests[-1].json["messages"] if m["role"] != "system"]
    assert history == ["How many open conversations do I have this week?", ANSWER, "Which ones are late?"]
    first_chat = page.chat_id

    # a second conversation, started from a suggested prompt
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.chat_id is None and page.stack.currentWidget() is page.suggestions
    announcement = next(b for b in page.suggestion_buttons if "announcement" in b.text())
    qtbot.mouseClick(announcement, Qt.MouseButton.LeftButton)
    assert page.input.toPlainText() == announcement.text()
    llm_server.script([Text("Dear customers, parcels will be a few days late this week.")])
    send(qtbot, page, page.input.toPlainText())
    qtbot.waitUntil(lambda: page.chat_list.count() == 2, timeout=10000)
    assert page.chat_id not in (None, first_chat)

    # search through titles and messages
    page.search.setText("older than three")
    qtbot.waitUntil(lambda: page.chat_titles() == ["How many open conversations do I have this week?"],
                    timeout=10000)
    page.search.setText("nothing like this")
    qtbot.waitUntil(lambda: page.chat_list.count() == 0, timeout=10000)
    page.search.clear()
    qtbot.waitUntil(lambda: page.chat_list.count() == 2, timeout=10000)

    # rename in place
    page.select_chat(first_chat)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: "Which ones are late?" in page.view.toPlainText(), timeout=10000)
    item = page.chat_list.currentItem()
    assert item.flags() & Qt.ItemFlag.ItemIsEditable
    item.setText("Weekly review")
    qtbot.waitUntil(lambda: "Weekly review" in page.chat_titles(), timeout=10000)
    wait_idle(qtbot)
    assert {c.title for c in session.assistant.chats()} >= {"Weekly review"}

    # delete, after confirming
    second = next(i for i in range(page.chat_list.count()) if page.chat_list.item(i).text() != "Weekly review")
    page.chat_list.setCurrentRow(second)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    box = page.findChild(QMessageBox, "deleteChatBox")
    assert box is not None and box.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert len(session.assistant.chats()) == 2  # cancel keeps it
    page.chat_list.setCurrentRow(second)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    box = next(b for b in page.findChildren(QMessageBox, "deleteChatBox") if b.isVisible())
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.chat_titles() == ["Weekly review"], timeout=10000)
    assert [c.title for c in session.assistant.chats()] == ["Weekly review"]

    # restart: close everything, unlock the workspace again, the conversation is still there
    wait_idle(qtbot)
    window.stop_background()
    window.close()
    wait_idle(qtbot)
    session.close()
    workspace.close()
    reopened: Workspace = no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE)
    try:
        again = Session(reopened)
        window2 = open_window(qtbot, again)
        page2 = assistant_page(qtbot, window2)
        qtbot.waitUntil(lambda: page2.chat_titles() == ["Weekly review"], timeout=10000)
        page2.chat_list.setCurrentRow(0)
        qtbot.waitUntil(lambda: ANSWER in page2.view.toPlainText(), timeout=10000)
        text = page2.view.toPlainText()
        assert text.index("How many open conversations do I have this week?") < text.index(ANSWER) \
            < text.index("Which ones are late?") < text.index("Two of them are older than three days.")
        shot(window2, "assistant-after-restart")
        window2.stop_background()
        wait_idle(qtbot)
    finally:
        reopened.close()


def test_stop_cancels_a_stalled_answer_at_once_and_the_next_question_continues(
        qtbot: QtBot, session: Session, llm_server: LLMServer) -> None:
    session.assistant.add_provider("custom", base_url=llm_server.base_url, model="test-model")
    window = open_window(qtbot, session)
    page = assistant_page(qtbot, window)
    llm_server.script([Stall("Let me look at your orders", seconds=60, rest=" and here they are.")])
    page.input.setPlainText("Summarise this week")
    qtbot.keyClick(page.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Let me look at your orders" in page.view.toPlainText(), timeout=10000)
    assert page.streaming and page.stop_button.isEnabled()
    started = time.monotonic()
    with qtbot.waitSignal(page.answer_finished, timeout=2000) as finished:
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["stopped"]
    assert page.send_button.isEnabled() and not page.stop_button.isEnabled() and page.chat_list.isEnabled()
    assert "Stopped" in page.view.toPlainText() and page.status.text() == "Stopped."
    wait_idle(qtbot, timeout=5000)  # the worker really stopped reading the stalled stream
    assert time.monotonic() - started < 5
    assert "here they are" not in page.view.toPlainText()
    shot(window, "assistant-stopped")
    # the question was kept, the partial answer was not; the next question continues that conversation
    chats = session.assistant.chats()
    assert len(chats) == 1 and page.chat_id == chats[0].id
    assert [m["role"] for m in session.assistant.chat_messages(chats[0].id)] == ["user"]
    llm_server.script([Text("Here is the summary.")])
    send(qtbot, page, "Try again please")
    assert len(session.assistant.chats()) == 1
    assert [m["role"] for m in session.assistant.chat_messages(chats[0].id)] == ["user", "user", "assistant"]
    assert "Here is the summary." in page.view.toPlainText()


def test_without_a_provider_or_with_a_dead_server_the_page_says_what_to_do(
        qtbot: QtBot, session: Session, llm_server_factory: Callable[..., LLMServer]) -> None:
    window = open_window(qtbot, session)
    page = assistant_page(qtbot, window)
    qtbot.waitUntil(page.no_provider.isVisible, timeout=10000)
    assert "Settings" in page.no_provider_text.text()
    send(qtbot, page, "Hello?", outcome="failed")
    assert "No AI provider is configured." in page.view.toPlainText()
    assert "Settings" in page.status.text()
    assert page.send_button.isEnabled() and session.assistant.chats() == []
    shot(window, "assistant-no-provider")
    qtbot.mouseClick(page.settings_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.pages["settings"]

    dead = llm_server_factory()
    session.assistant.add_provider("custom", base_url=dead.base_url, model="test-model")
    dead.stop()
    page = assistant_page(qtbot, window)
    qtbot.waitUntil(lambda: not page.no_provider.isVisible(), timeout=10000)
    send(qtbot, page, "Are you there?", outcome="failed")
    wait_idle(qtbot)
    assert page.send_button.isEnabled() and "Are you there?" in page.view.toPlainText()
    # the question was kept in a conversation, and the next one goes to the same conversation
    qtbot.waitUntil(lambda: page.chat_list.count() == 1, timeout=10000)
    assert [page.chat_id] == [c.id for c in session.assistant.chats()]
    with pytest.raises(UserFacingError) as raised:  # what the service says, shown as it is
        session.assistant.chat(page.chat_id, "Are you there?")
    error = raised.value
    assert error.message in page.view.toPlainText() and error.hint in page.view.toPlainText()
    assert page.status.text() == f"{error.message} {error.hint}".strip()


def test_adding_a_provider_through_the_dialog_and_testing_it(
        qtbot: QtBot, session: Session, llm_server: LLMServer,
        llm_server_factory: Callable[..., LLMServer]) -> None:
    window = open_window(qtbot, session)
    settings = settings_of(qtbot, window)
    panel = settings.providers
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.base_url.text() == "http://127.0.0.1:11434/v1" and not dialog.api_key.isEnabled()
    assert not dialog.cloud_note.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("openai"))
    assert dialog.base_url.text() == "https://api.openai.com/v1" and dialog.api_key.isEnabled()
    assert dialog.api_key.echoMode() == dialog.api_key.EchoMode.Password
    assert dialog.cloud_note.isVisible() and "placeholders" in dialog.cloud_note.text()
    shot(dialog, "assistant-provider-cloud")
    dialog.kind.setCurrentIndex(dialog.kind.findData("custom"))
    dialog.base_url.setText(llm_server.base_url)
    assert not dialog.cloud_note.isVisible()  # on this computer: nothing to pseudonymise
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.models() == llm_server.models, timeout=10000)
    assert dialog.model_draft.currentText() == "test-model"
    dialog.model_chat.setCurrentText("llama3.2:latest")
    dialog.name.setText("My test server")
    shot(dialog, "assistant-provider-local")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        dialog.on_save_clicked()
    qtbot.waitUntil(lambda: panel.list.count() == 1 and "(active)" in panel.list.item(0).text(), timeout=10000)
    active = session.assistant.active_provider()
    assert active is not None and active.name == "My test server" and active.base_url == llm_server.base_url
    assert active.model_draft == "test-model" and active.model_chat == "llama3.2:latest"

    # a model the server does not have is refused, and the dialog says which ones exist
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    wrong = panel.dialog
    assert wrong is not None and wrong is not dialog
    wrong.kind.setCurrentIndex(wrong.kind.findData("custom"))
    wrong.base_url.setText(llm_server.base_url)
    wrong.model_draft.setCurrentText("no-such-model")
    wrong.on_save_clicked()
    qtbot.waitUntil(lambda: "no-such-model" in wrong.result_label.text(), timeout=10000)
    assert "test-model" in wrong.result_label.text() and wrong.isVisible()
    wrong.reject()

    # Test on a server that refuses the key says so, without repeating the key
    locked = llm_server_factory(api_key="sk-the-right-key")
    locked_id = session.assistant.add_provider("custom", base_url=locked.base_url, api_key="sk-a-wrong-key",
                                               model="test-model", name="Locked", check=False)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=10000)
    panel.select(locked_id)
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("✘"), timeout=15000)
    report = session.assistant.test_provider(locked_id)
    assert not report.ok and report.message in panel.status.text()
    assert "sk-a-wrong-key" not in panel.status.text()
    shot(window, "assistant-settings-401")

    # Test on the good one; make it active again; remove the locked one after confirming
    panel.select(active.id)
    llm_server.script([ToolCalls([("ping", {})])])  # a model that can use tools
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("✔"), timeout=20000)
    assert "test-model" in panel.status.text() and "tools" in panel.status.text()
    qtbot.mouseClick(panel.activate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.assistant.active_provider().id == active.id, timeout=10000)  # type: ignore[union-attr]
    wait_idle(qtbot)
    panel.select(locked_id)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    box = panel.findChild(QMessageBox, "removeProviderBox")
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=10000)
    assert [p.id for p in session.assistant.providers()] == [active.id]


def test_detect_offers_to_add_the_local_server_it_finds(qtbot: QtBot, session: Session,
                                                        llm_server: LLMServer) -> None:
    panel = ProvidersPanel(session, detect_ports={"ollama": llm_server.port})
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    qtbot.mouseClick(panel.detect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Found 1" in panel.status.text(), timeout=10000)
    from desktop.ui.assistant_settings import DetectedDialog

    chooser = panel.findChild(DetectedDialog)
    assert chooser is not None and llm_server.base_url in chooser.list.item(0).text()
    chooser.accept()
    dialog = panel.dialog
    assert isinstance(dialog, ProviderDialog) and dialog.isVisible()
    assert dialog.kind.currentData() == "ollama" and dialog.base_url.text() == llm_server.base_url
    assert dialog.models() == llm_server.models
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        dialog.on_save_clicked()
    qtbot.waitUntil(lambda: "(active)" in panel.list.item(0).text(), timeout=10000)
    wait_idle(qtbot)


def test_shop_profile_templates_and_drafting_preferences_are_saved(qtbot: QtBot, session: Session) -> None:
    window = open_window(qtbot, session)
    settings = settings_of(qtbot, window)
    profile = settings.profile
    profile.shop_name.setText("Atelier Lune")
    profile.website.setText("https://atelier-lune.fr")
    profile.tone.setText("warm, concise, vouvoiement")
    profile.languages.setText("fr; en")
    profile.signature.setPlainText("Camille\nAtelier Lune")
    profile.shipping.setPlainText("Colissimo, 2 to 4 working days.")
    profile.returns.setPlainText("30 days to return an unused item.")
    profile.refunds.setPlainText("Refunds within 5 days of receiving the return.")
    profile.add_faq_row("Do you ship to Belgium?", "Yes, in 3 to 5 days.")
    profile.add_faq_row("", "")  # an empty row is dropped
    profile.add_faq_row("Gift wrapping?", "Free on request.")
    settings.setCurrentWidget(settings.widget(1))
    shot(window, "assistant-settings-profile")
    qtbot.mouseClick(profile.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: profile.status.text() == "Saved.", timeout=10000)
    stored = session.shop_profile()
    assert stored["shop_name"] == "Atelier Lune" and stored["languages"] == "fr, en"
    assert stored["signature"] == "Camille\nAtelier Lune"
    # a fresh Settings page shows what was saved
    window.close()
    wait_idle(qtbot)
    window2 = open_window(qtbot, session)
    again = settings_of(qtbot, window2).profile
    assert again.shop_name.text() == "Atelier Lune" and again.website.text() == "https://atelier-lune.fr"
    assert again.refunds.toPlainText() == "Refunds within 5 days of receiving the return."
    assert again.values()["faq"] == [{"question": "Do you ship to Belgium?", "answer": "Yes, in 3 to 5 days."},
                                     {"question": "Gift wrapping?", "answer": "Free on request."}]

    # templates: built-in ones are read-only and can be copied; the merchant's own are saved and deleted
    templates = settings_of(qtbot, window2).templates
    assert templates.list.count() > 0
    builtin = next(i for i in range(templates.list.count()) if templates.list.item(i).text().startswith("Built-in"))
    templates.list.setCurrentRow(builtin)
    assert templates.body.isReadOnly() and not templates.save_button.isEnabled() and templates.copy_button.isEnabled()
    qtbot.mouseClick(templates.copy_button, Qt.MouseButton.LeftButton)
    assert not templates.body.isReadOnly() and templates.name.text().endswith("(my version)")
    templates.body.setPlainText("Bonjour {{customer.first_name | \"\"}}, votre colis {{order.number}} arrive : "
                                "{{order.tracking_url}}")
    qtbot.mouseClick(templates.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(templates.mine) == 1, timeout=10000)
    mine = session.assistant.templates()
    assert len(mine) == 1 and mine[0]["name"].endswith("(my version)") and "{{order.tracking_url}}" in mine[0]["body"]
    qtbot.mouseClick(templates.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(templates.save_button, Qt.MouseButton.LeftButton)  # empty: refused with a reason
    qtbot.waitUntil(lambda: "name" in templates.status.text(), timeout=10000)
    templates.list.setCurrentRow(0)
    assert templates.delete_button.isEnabled()
    qtbot.mouseClick(templates.delete_button, Qt.MouseButton.LeftButton)
    box = templates.findChild(QMessageBox, "deleteTemplateBox")
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: templates.mine == [], timeout=10000)
    assert session.assistant.templates() == []

    # drafting preferences
    drafting = settings_of(qtbot, window2).drafting
    assert not drafting.auto_prepare.isChecked()
    drafting.auto_prepare.setChecked(True)
    qtbot.waitUntil(lambda: session.get_setting("drafting.auto_prepare") is True, timeout=10000)
    drafting.instructions.setPlainText("Never promise a delivery date.")
    qtbot.mouseClick(drafting.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.get_setting("assistant.extra_instructions") == "Never promise a delivery date.",
                    timeout=10000)
    wait_idle(qtbot)


def test_a_local_server_is_found_and_used_in_one_click(qtbot: QtBot, session: Session,
                                                       llm_server: LLMServer) -> None:
    page = AssistantPage(session, detect_ports={"ollama": llm_server.port})
    qtbot.addWidget(page)
    page.show()
    page.activate()
    button = page.use_detected_button
    qtbot.waitUntil(button.isVisible, timeout=10000)
    assert "Ollama" in page.no_provider_text.text() and "test-model" in button.text()
    assert session.assistant.providers() == []  # nothing is set up without the merchant's click
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.no_provider.isVisible(), timeout=10000)
    wait_idle(qtbot)
    (provider,) = session.assistant.providers()
    assert (provider.kind, provider.base_url, provider.model_draft, provider.active) == (
        "ollama", llm_server.base_url, "test-model", True)
    assert "test-model" in page.provider_label.text()
