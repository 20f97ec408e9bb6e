"""Windows that fit the screen they open on, and come back where the officer left them.

Council laptops are 1920x1080 panels at 150% scaling: 1280x720 logical pixels
less a taskbar. Every top-level window and dialog opens no larger than the
available screen area, and its size and position are remembered per screen
(one entry for the laptop panel, another for the office monitor), so moving
between desks never strands a window off-screen.

:class:`WindowFitter` does this for every dialog the app shows, including ones
added later, by watching show and hide events application-wide.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMainWindow, QMessageBox, QWidget

from placedesk.config import config_dir

# Room for the window frame and title bar, which availableGeometry does not include.
FRAME_ALLOWANCE = QSize(16, 40)


def window_settings() -> QSettings:
    return QSettings(str(config_dir() / "window.ini"), QSettings.IniFormat)


def _screen(widget: QWidget) -> QScreen | None:
    return widget.screen() or QGuiApplication.primaryScreen()


def screen_key(widget: QWidget, name: str) -> str:
    """The settings key for ``name`` on the screen ``widget`` is on (its name and size)."""
    screen = _screen(widget)
    if screen is None:
        return f"geometry/{name}"
    size = screen.availableGeometry().size()
    screen_name = "".join(ch if ch.isalnum() else "_" for ch in screen.name()) or "screen"
    return f"geometry/{name}/{screen_name}-{size.width()}x{size.height()}"


def available_area(widget: QWidget) -> QRect:
    screen = _screen(widget)
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 680)


def fit_to_screen(widget: QWidget, preferred: QSize | None = None) -> None:
    """Size ``widget`` to ``preferred`` (or its size hint), never beyond the available screen area, centred."""
    area = available_area(widget)
    limit = QSize(area.width() - FRAME_ALLOWANCE.width(), area.height() - FRAME_ALLOWANCE.height())
    wanted = preferred or widget.sizeHint().expandedTo(widget.size())
    size = wanted.boundedTo(limit).expandedTo(widget.minimumSize().boundedTo(limit))
    widget.resize(size)
    frame = widget.frameGeometry()
    frame.moveCenter(area.center())
    widget.move(max(area.left(), frame.left()), max(area.top(), frame.top()))


def restore_geometry(widget: QWidget, name: str, preferred: QSize | None = None) -> None:
    """Put ``widget`` where it was last left on this screen, or fit it to the screen the first time."""
    saved = window_settings().value(screen_key(widget, name))
    if isinstance(saved, QByteArray) and not saved.isEmpty() and widget.restoreGeometry(saved):
        area = available_area(widget)
        if area.intersects(widget.frameGeometry()) and widget.height() <= area.height():
            return
    fit_to_screen(widget, preferred)


def save_geometry(widget: QWidget, name: str) -> None:
    window_settings().setValue(screen_key(widget, name), widget.saveGeometry())


class WindowFitter(QObject):
    """Application-wide: fits each dialog and window to its screen when shown, remembers it when hidden."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fitted: set[int] = set()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Qt's own message, file and input dialogs size themselves to what they say.
        if isinstance(watched, (QMessageBox, QFileDialog, QInputDialog)):
            return False
        if isinstance(watched, (QDialog, QMainWindow)) and watched.isWindow():
            name = type(watched).__name__
            if event.type() == QEvent.Show and id(watched) not in self._fitted:
                self._fitted.add(id(watched))
                if not isinstance(watched, QMainWindow):
                    restore_geometry(watched, name, watched.size().expandedTo(watched.sizeHint()))
            elif event.type() == QEvent.Hide and not isinstance(watched, QMainWindow):
                save_geometry(watched, name)
                self._fitted.discard(id(watched))
        return False
