"""Officer profile and settings: who signs, the shared folder, monitoring intervals, the team server, encryption.

Every problem is shown at once beside its field; the shared folder is chosen
with Browse and checked (it must exist and be writable) before it is saved.
The team server's address is typed in its fields or pasted whole, and Test
connection says what is wrong with it; its password is never saved here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from placedesk.config import Settings
from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.services.common.settings import SettingsInput, apply_settings
from placedesk.services.common.team_server import (
    ServerCheck,
    TeamServerInput,
    TeamServerProblem,
    check_connection,
    check_team_server,
    parse_server_url,
)
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.team_server import ServerLogin
from placedesk.ui.widgets.field_error import (
    INVALID_SHEET,
    FieldError,
    FieldForm,
    align_captions,
    clear_when_fixed,
    mark_invalid,
)


class SettingsDialog(QDialog):
    """The settings form; ``result_settings`` holds the checked settings once accepted."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, ctx: AppContext | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle("Officer profile and settings")
        self.setStyleSheet(INVALID_SHEET)
        self._settings = settings
        self.result_settings: Settings | None = None
        o, m = settings.officer, settings.monitoring
        self.fields: dict[str, QLineEdit] = {}
        self.forms: list[FieldForm] = []
        self.la_address = QPlainTextEdit(o.la_address)
        self.la_address.setFixedHeight(60)
        self.la_address.setTabChangesFocus(True)
        self.error = FieldError()

        profile = QGroupBox("Officer profile (recorded with every change; printed on packs and agreements)")
        form = FieldForm()
        QVBoxLayout(profile).addWidget(form)
        self.forms.append(form)
        self._line(form, "name", "Name", o.name)
        self._line(form, "role", "Role", o.role)
        self._line(form, "local_authority", "Local authority", o.local_authority)
        form.add("la_address", "LA address", self.la_address)
        self._line(form, "email", "Email", o.email)
        self._line(form, "phone", "Phone", o.phone)
        needs = QLabel("Packs and agreements need the local authority, your name, and an email or phone.")
        needs.setWordWrap(True)
        profile.layout().addWidget(needs)

        work = QGroupBox("Working settings")
        form2 = FieldForm()
        QVBoxLayout(work).addWidget(form2)
        self.forms.append(form2)
        self.shared_folder = QLineEdit(settings.shared_folder)
        self.fields["shared_folder"] = self.shared_folder
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setToolTip("Choose the shared folder colleagues exchange bundles through")
        self.browse_button.clicked.connect(self.browse_shared_folder)
        folder_row = QWidget()
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.shared_folder, 1)
        row.addWidget(self.browse_button)
        form2.add("shared_folder", "Shared folder for bundles", folder_row,
                  "A folder on the shared drive that every colleague can write to; leave empty to work alone",
                  wide=True)
        # Errors name the line edit itself; point the registry at it, and name it for screen readers.
        form2.fields["shared_folder"] = (self.shared_folder, form2.fields["shared_folder"][1])
        clear_when_fixed(self.shared_folder, form2.fields["shared_folder"][1])
        self.shared_folder.setAccessibleName("Shared folder for bundles")
        self._line(form2, "high_days", "Review every … days (high risk)", str(m.high_days))
        self._line(form2, "medium_days", "Review every … days (medium risk)", str(m.medium_days))
        self._line(form2, "low_days", "Review every … days (low risk)", str(m.low_days))
        self._line(form2, "backup_keep", "Daily backups to keep", str(settings.backup_keep))
        self._line(form2, "coming_up_days", "Days ahead in Coming up", str(settings.coming_up_days))

        team = QGroupBox("Team server (the placement team's shared PostgreSQL database)")
        form3 = FieldForm()
        QVBoxLayout(team).addWidget(form3)
        self.forms.append(form3)
        ts = settings.team_server
        self.team_fields: dict[str, QLineEdit] = {}
        self.team_url = QLineEdit()
        self.team_url.setPlaceholderText("postgresql+psycopg://login@host:5432/placedesk?sslmode=verify-full")
        self.team_url.editingFinished.connect(self.fill_from_address)
        form3.add("team_url", "Paste an address", self.team_url,
                  "A whole address from IT fills the fields below (a password in it is refused)", wide=True)
        self._team_line(form3, "team_host", "Host", ts.host, "placedesk-db.council.gov.uk")
        self._team_line(form3, "team_port", "Port", str(ts.port), "5432")
        self._team_line(form3, "team_database", "Database", ts.database, "placedesk")
        self._team_line(form3, "team_login", "Your login", ts.login, "your own server login")
        self._team_line(form3, "team_options", "Connection options", ts.options,
                        "sslmode=verify-full&sslrootcert=/path/council-ca.pem")
        self.team_fields["team_options"].setToolTip(
            "libpq options: TLS (sslmode, sslrootcert), Kerberos single sign-on (gssencmode, krbsrvname)")
        self.use_team_server = QCheckBox("&Start PlaceDesk on the team server")
        self.use_team_server.setChecked(ts.use)
        self.use_team_server.setToolTip("Otherwise PlaceDesk starts on this laptop's own database file")
        self.test_button = QPushButton("&Test connection")
        self.test_button.setToolTip("Log in to the team server with these settings and check it is ready for "
                                    "you; nothing is changed")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName("Test connection result")
        self.test_result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        note = QLabel("PlaceDesk never saves the server password in these settings: it asks when it connects, and "
                      "can keep it in this computer's keystore. With the council's single sign-on nothing is "
                      "asked.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        test_row = QHBoxLayout()
        test_row.addWidget(self.use_team_server)
        test_row.addStretch(1)
        test_row.addWidget(self.test_button)
        team.layout().addWidget(note)
        team.layout().addLayout(test_row)
        team.layout().addWidget(self.test_result)

        security = QGroupBox("This database")
        row = QVBoxLayout(security)
        self.encryption = QLabel()
        self.encryption.setWordWrap(True)
        self.encrypt_button = QPushButton("&Encrypt this database…")
        self.encrypt_button.clicked.connect(self._encrypt)
        row.addWidget(self.encryption)
        row.addWidget(self.encrypt_button)
        self._show_encryption()

        align_captions(self.forms)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(profile)
        column.addWidget(work)
        column.addWidget(team)
        column.addWidget(security)
        column.addStretch(1)
        # A long form scrolls inside; the Save and Cancel buttons stay on screen.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setFocusPolicy(Qt.NoFocus)
        self.scroll.setWidget(body)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(760, 640)
        self.setMinimumSize(560, 360)
        self.fields["name"].setFocus()

    def _team_line(self, form: FieldForm, key: str, label: str, value: str, placeholder: str) -> None:
        edit = QLineEdit(value)
        edit.setObjectName(key)
        edit.setPlaceholderText(placeholder)
        self.team_fields[key] = edit
        form.add(key, label, edit)

    def team_input(self) -> TeamServerInput:
        f = self.team_fields
        return TeamServerInput(host=f["team_host"].text(), port=f["team_port"].text(),
                               database=f["team_database"].text(), login=f["team_login"].text(),
                               options=f["team_options"].text())

    def fill_from_address(self) -> None:
        """Split a pasted address into the fields (the officer then checks them and tests)."""
        text = self.team_url.text().strip()
        if not text:
            return
        self._clear_errors()
        try:
            parsed = parse_server_url(text)
        except ValidationError as exc:
            self._show_problems(exc)
            return
        for key, value in (("team_host", parsed.host), ("team_port", parsed.port),
                           ("team_database", parsed.database), ("team_login", parsed.login),
                           ("team_options", parsed.options)):
            self.team_fields[key].setText(value)
        self.team_url.clear()

    def test_connection(self) -> None:
        """Log in with the form's settings and say what was found, or what is wrong, under the button."""
        self._clear_errors()
        try:
            server = check_team_server(self.team_input())
        except ValidationError as exc:
            self._show_problems(exc)
            return
        if not server.host:
            self.test_result.setText("Fill in the team server's host, database and your login first.")
            return
        self.test_result.setText("Connecting…")
        self.test_button.setEnabled(False)
        ServerLogin(self, server, check_connection, self._tested, on_failed=self._test_failed,
                    on_cancelled=lambda: self._test_finished("Not tested: no password was given."),
                    label="Testing the connection…").start()

    def _tested(self, found: ServerCheck) -> None:
        self._test_finished(found.text())

    def _test_failed(self, exc: BaseException) -> None:
        if isinstance(exc, TeamServerProblem):
            self._test_finished(str(exc))
            return
        from placedesk.ui.tasks import show_error

        self._test_finished("The test could not be finished.")
        show_error(self, exc)

    def _test_finished(self, text: str) -> None:
        self.test_result.setText(text)
        self.test_button.setEnabled(True)

    def _show_encryption(self) -> None:
        db = self._ctx.db if self._ctx is not None else None
        if db is not None and db.is_server:
            self.encryption.setText("This window is on the team server: the council's server protects the data "
                                    "(each officer's login, TLS) and is backed up with pg_dump, so encrypting a "
                                    "file does not apply.")
            self.encrypt_button.setEnabled(False)
            self.encrypt_button.setToolTip("Only a laptop database file is encrypted by PlaceDesk")
            return
        encrypted = db is not None and db.encrypted
        self.encryption.setText(
            "Encrypted with SQLCipher: the file cannot be read without its key." if encrypted else
            "Not encrypted: anyone who copies the file can read it. Encrypting keeps the key in this computer's "
            "keystore (or asks you for a passphrase where there is none).")
        self.encrypt_button.setEnabled(db is not None and not encrypted)

    def _encrypt(self) -> None:
        if self._ctx is not None:
            encrypt_open_database(self, self._ctx)
            self._show_encryption()

    def _line(self, form: FieldForm, key: str, label: str, value: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setObjectName(key)
        self.fields[key] = edit
        form.add(key, label, edit)
        return edit

    def browse_shared_folder(self) -> None:
        folder = dialogs.choose_directory(self, "Shared folder for bundles", self.shared_folder.text().strip())
        if folder is not None:
            self.shared_folder.setText(str(folder))
            self.shared_folder.textEdited.emit(str(folder))

    def _entry(self, field: str | None) -> tuple[QWidget, FieldError] | None:
        return next((f.fields[field] for f in self.forms if field is not None and field in f.fields), None)

    def error_text(self, field: str) -> str:
        entry = self._entry(field)
        return entry[1].text() if entry is not None and not entry[1].isHidden() else ""

    def _clear_errors(self) -> None:
        for form in self.forms:
            for widget, error in form.fields.values():
                error.clear_message()
                mark_invalid(widget, False)
        self.error.clear_message()

    def _show_problems(self, exc: ValidationError) -> None:
        first: QWidget | None = None
        for field, message in exc.problems:
            entry = self._entry(field)
            if entry is None:
                self.error.show_message(message)
                continue
            entry[1].show_message(message)
            mark_invalid(entry[0], True)
            first = first or entry[0]
        if first is not None:
            self.scroll.ensureWidgetVisible(first)
            first.setFocus()

    def accept(self) -> None:
        self._clear_errors()
        text = {key: edit.text() for key, edit in self.fields.items()}
        try:
            self.result_settings = apply_settings(
                self._settings, SettingsInput(la_address=self.la_address.toPlainText(), team_server=self.team_input(),
                                              use_team_server=self.use_team_server.isChecked(), **text)
            )
        except ValidationError as exc:
            self._show_problems(exc)
            return
        super().accept()


def choose_key(parent: QWidget) -> str | None:
    """A key for a database about to be encrypted: the keystore's, else a passphrase typed twice."""
    from placedesk.db import remember_passphrase
    from placedesk.dbkey import ensure_keystore_key, keystore_available, new_passphrase_key

    if keystore_available():
        return ensure_keystore_key()
    first = dialogs.ask_passphrase(parent, "Choose a passphrase",
                                   "This computer has no keystore, so the database is encrypted with a passphrase "
                                   "you type when PlaceDesk starts. At least 10 characters; if it is lost, so is "
                                   "the data.\n\nPassphrase:")
    if not first:
        return None
    if dialogs.ask_passphrase(parent, "Choose a passphrase", "Type the passphrase again:") != first:
        dialogs.warn(parent, "Encrypt", "The two passphrases differ: nothing was changed.")
        return None
    key = new_passphrase_key(first)
    remember_passphrase(first)
    return key


def encrypt_open_database(parent: QWidget, ctx: AppContext) -> bool:
    """Encrypt the open database in place (through a checked encrypted copy) and reopen it."""
    from placedesk.db import encrypt_database, open_database
    from placedesk.ui.tasks import wait_for_tasks

    if ctx.db.encrypted:
        return False
    if not dialogs.confirm(parent, "Encrypt this database",
                           f"Encrypt {ctx.db.path}? An encrypted copy is made and checked before it replaces "
                           "the file. Backups made before now stay unencrypted: delete them once a new backup "
                           "is made.", "Encrypt"):
        return False
    try:
        key = choose_key(parent)
        if key is None:
            return False
        wait_for_tasks()
        path = ctx.db.path
        ctx.db.close()
        encrypt_database(path, key)
        ctx.replace_database(open_database(path, key=key))
    except PlaceDeskError as exc:
        dialogs.warn(parent, "Encrypt this database", str(exc))
        return False
    dialogs.inform(parent, "Encrypt this database", f"{ctx.db.path.name} is now encrypted.")
    return True


def edit_settings(parent: QWidget, ctx: AppContext) -> bool:
    """Show the dialog; apply and return True when the officer saves valid settings."""
    dialog = SettingsDialog(ctx.settings, parent, ctx=ctx)
    if not dialogs.run_modal(dialog) or dialog.result_settings is None:
        return False
    ctx.settings = dialog.result_settings
    ctx.settings_problem = None
    ctx.db.officer = ctx.settings.officer.name
    return True
