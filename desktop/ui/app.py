"""The desktop app: single instance per data folder, first run or unlock, then the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from desktop import APP_ID, APP_NAME, __version__
from desktop.core.errors import KeyUnavailable, UserFacingError
from desktop.core.models import KeyMode, WorkspaceInfo
from desktop.paths import AppPaths
from desktop.services.demo import open_demo
from desktop.services.erase import EraseReport, erase_everything
from desktop.services.retention import RetentionPlan
from desktop.services.session import Session
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.tasks.cancel import Job
from desktop.ui.bridge import init_bridge, op, show_user_error, shutdown_bridge
from desktop.ui.dialogs import UnlockDialog
from desktop.ui.i18n import install_translators, resolve_language, resources_dir
from desktop.ui.main_window import MainWindow
from desktop.ui.privacy_page import RecoveryKeyDialog, erase_report_lines
from desktop.ui.wizard import FirstRunWizard

HOUSEKEEPING_MS = 60 * 60 * 1000  # retention runs at most daily; checked hourly

log = logging.getLogger("comptoir.ui")


class AppController(QObject):
    """Decides what to show: the wizard, the unlock dialog, or the main window."""

    def __init__(self, paths: AppPaths, service: WorkspaceService, *, language: str = "system") -> None:
        super().__init__()
        self.paths = paths
        self.service = service
        self.language = language
        self.workspace: Workspace | None = None
        self.session: Session | None = None
        self.window: MainWindow | None = None
        self.wizard: FirstRunWizard | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.relock: QLockFile | None = None
        self._fatal_box: QMessageBox | None = None
        self.erase_report_box: QMessageBox | None = None

    # --- start ------------------------------------------------------------------------------------

    def start(self) -> None:
        try:
            info = self.service.describe(self.paths.workspace)
        except UserFacingError as exc:
            self.fatal(exc)
            return
        if info is None:
            self.show_wizard()
        elif info.key_mode == KeyMode.KEYRING:
            # The keyring may be slow or locked: never on the UI thread.
            (op(None, lambda job: self.service.unlock(Path(info.path)))
             .on_success(self.open_workspace)
             .on_failure(lambda error: self.show_unlock(info, error))
             .run())
        else:
            self.show_unlock(info, None)

    def show_wizard(self) -> None:
        self.wizard = FirstRunWizard(self.service, self.paths.workspace, language=self.language)
        self.wizard.workspace_ready.connect(self.open_workspace)
        self.wizard.demo_requested.connect(self.on_demo_requested)
        self.wizard.rejected.connect(self.quit_if_idle)
        self.wizard.show()

    def show_unlock(self, info: WorkspaceInfo, error: UserFacingError | None) -> None:
        reason = ""
        if isinstance(error, KeyUnavailable):
            reason = f"{error.message} {error.hint}"
        elif error is not None:
            self.fatal(error)
            return
        self.unlock_dialog = UnlockDialog(self.service, info, reason=reason)
        self.unlock_dialog.unlocked.connect(self.on_unlocked_by_dialog)
        self.unlock_dialog.rejected.connect(self.quit_if_idle)
        self.unlock_dialog.show()

    def fatal(self, error: UserFacingError) -> None:
        """An error before any window exists: say it, then quit (nothing was changed)."""
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, error.message, QMessageBox.StandardButton.Ok)
        box.setObjectName("fatalError")
        box.setInformativeText(error.hint)
        box.finished.connect(self.quit_if_idle)
        self._fatal_box = box
        box.open()

    @Slot()
    def quit_if_idle(self) -> None:
        """Quit when no main window is open (the wizard or unlock dialog was closed)."""
        if self.window is None or not self.window.isVisible():
            QApplication.quit()

    @Slot()
    def on_demo_requested(self) -> None:
        (op(None, lambda job: open_demo(self.service, self.paths.demo_workspace))
         .on_success(self.open_workspace)
         .with_progress(self.tr("Preparing the demo shop…"))
         .run())

    @Slot(object)
    def on_unlocked_by_dialog(self, workspace: Workspace) -> None:
        dialog = self.unlock_dialog
        if dialog is not None and dialog.using_recovery:
            self._store_key_again(workspace, dialog.recovery.text())
        self.open_workspace(workspace)

    def _store_key_again(self, workspace: Workspace, recovery_key: str) -> None:
        """After a recovery, protect the key again: keyring if one works, else a new passphrase."""
        new_passphrase: str | None = None
        if workspace.info.key_mode == KeyMode.PASSPHRASE:
            text, ok = QInputDialog.getText(None, APP_NAME, self.tr("Choose a new passphrase for this workspace:"),
                                            QLineEdit.EchoMode.Password)
            if not ok or not text:
                return
            new_passphrase = text
        (op(None, lambda job: self.service.rewrap_after_recovery(workspace, recovery_key,
                                                                  new_passphrase=new_passphrase))
         .run())

    # --- main window ------------------------------------------------------------------------------

    @Slot(object)
    def open_workspace(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.session = Session(workspace)
        self.window = MainWindow(self.session)
        self.window.create_workspace_requested.connect(self.on_create_workspace_requested)
        self.window.closing.connect(self.on_window_closing)
        self.window.erase_everything_requested.connect(self.on_erase_everything_requested)
        self.window.show()
        self._housekeeping_timer = QTimer(self.window)
        self._housekeeping_timer.setInterval(HOUSEKEEPING_MS)
        self._housekeeping_timer.timeout.connect(self.run_housekeeping)
        self._housekeeping_timer.start()
        self.run_housekeeping()

    @Slot()
    def run_housekeeping(self) -> None:
        """Finish an interrupted erasure, purge by the retention rules (at start, then checked hourly)."""
        window, session = self.window, self.session
        if window is None or session is None:
            return

        def _done(result: tuple[EraseReport | None, RetentionPlan | None]) -> None:
            finished, _purged = result
            if finished is not None and finished.recovery_key and self.window is not None:
                RecoveryKeyDialog(finished.recovery_key, self.window).open()

        op(window, lambda _job: session.housekeeping()).on_success(_done).run()

    @Slot()
    def on_create_workspace_requested(self) -> None:
        if self.service.describe(self.paths.workspace) is not None:
            QMessageBox.information(self.window, APP_NAME, self.tr(
                "You already have a workspace. Restart Comptoir to open it."))
            return
        self.show_wizard()

    @Slot()
    def on_window_closing(self) -> None:
        self.close_workspace()
        QApplication.quit()

    # --- erase everything (Privacy page) -----------------------------------------------------------

    @Slot(bool)
    def on_erase_everything_requested(self, remove_server_drafts: bool) -> None:
        """The merchant confirmed on the Privacy page: erase in the background, then back to first run."""
        window, session, workspace = self.window, self.session, self.workspace
        if window is None or session is None or workspace is None:
            return
        window.stop_background()
        window.setEnabled(False)  # no Cancel: an erasure stopped halfway would help nobody
        window.statusBar().showMessage(self.tr("Erasing everything…"))
        paths, service = self.paths, self.service

        def _erase(job: Job) -> EraseReport:
            drafts = (lambda: session.mail.delete_own_drafts(job)) if remove_server_drafts else None
            return erase_everything(paths, service, workspace=workspace, remove_server_drafts=drafts)

        (op(window, _erase)
         .on_success(self._on_erased)
         .on_failure(self._on_erase_failed)
         .run())

    def _drop_window(self) -> None:
        """Close the main window without quitting, and forget the (closed) workspace."""
        window = self.window
        self.window = None
        if window is not None:
            window.closing.disconnect(self.on_window_closing)
            window.close()
            window.deleteLater()
        if self.session is not None:
            self.session.close()
            self.session = None
        self.workspace = None

    def _on_erased(self, report: EraseReport) -> None:
        self._drop_window()
        # the erasure removed the data folder's files, our comptoir.lock too: take it again so a second
        # Comptoir still cannot open the same folder
        self.paths.data.mkdir(parents=True, exist_ok=True)
        self.relock = single_instance_lock(self.paths)
        self.show_wizard()
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME,
                          self.tr("Everything was erased. Comptoir starts again as on its first day."),
                          QMessageBox.StandardButton.Ok, self.wizard)
        box.setObjectName("eraseReportBox")
        box.setInformativeText("\n\n".join(erase_report_lines(report)))
        self.erase_report_box = box
        box.open()

    def _on_erase_failed(self, error: UserFacingError) -> None:
        window, workspace = self.window, self.workspace
        if window is None:
            return
        if workspace is not None and workspace.db.closed:
            # The database could not be deleted after it was closed: nothing was erased, open it again.
            self._drop_window()
            self.start()
            box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, error.message, QMessageBox.StandardButton.Ok)
            box.setObjectName("userErrorBox")
            box.setInformativeText(error.hint)
            self.erase_report_box = box  # no parent window any more: keep it alive
            box.open()
            return
        window.setEnabled(True)
        window.statusBar().clearMessage()
        window.pages["inbox"].refresh()  # watching the mailboxes again
        show_user_error(window, error)

    def close_workspace(self) -> None:
        if self.window is not None:
            self.window.stop_background()
        if self.session is not None:
            self.session.close()
            self.session = None
        elif self.workspace is not None:
            self.workspace.close()
        self.workspace = None


def single_instance_lock(paths: AppPaths) -> QLockFile | None:
    """Hold `comptoir.lock` in the data folder; None if another Comptoir already does."""
    lock = QLockFile(str(paths.data / "comptoir.lock"))
    lock.setStaleLockTime(0)  # a crashed instance's lock is detected by its dead PID instead
    if not lock.tryLock(200):
        return None
    return lock


def run_gui(paths: AppPaths, *, language: str | None = None, service: WorkspaceService | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    icon = resources_dir() / "icons" / "comptoir.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    service = service or WorkspaceService()
    chosen = language
    if chosen is None:
        try:
            info = service.describe(paths.workspace)
        except UserFacingError:
            info = None
        chosen = info.ui_language if info else "system"
    install_translators(app, resolve_language(chosen))
    lock = single_instance_lock(paths)
    if lock is None:
        QMessageBox.warning(None, APP_NAME, QApplication.translate(
            "AppController", "Comptoir is already open with this data folder. Switch to its window."))
        return 1
    app.setQuitOnLastWindowClosed(False)  # between the wizard and the main window no window is open
    init_bridge()
    controller = AppController(paths, service, language=chosen)
    controller.start()
    try:
        return app.exec()
    finally:
        controller.close_workspace()
        shutdown_bridge()
        lock.unlock()

