"""Colours that follow the system: light, dark and high-contrast.

The app's signal colours (red for overdue, amber, green, muted grey) and its
tinted notes were chosen for a light window. On a dark palette they are
lightened so they stay readable; in a high-contrast theme they give way to the
theme's own text and window colours, since colour never carries meaning alone
here (every red item also says "Overdue", every RAG cell its word).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette


def _palette() -> QPalette | None:
    app = QGuiApplication.instance()
    return QGuiApplication.palette() if app is not None else None


def is_dark() -> bool:
    """Whether the window background is dark (the system's dark mode, or a dark theme)."""
    palette = _palette()
    return palette is not None and palette.color(QPalette.Window).lightness() < 128


def high_contrast() -> bool:
    """Whether the system asks for high contrast (Qt 6.10+ reports it; earlier versions cannot tell)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    if accessibility is None:
        return False
    preference = accessibility().contrastPreference()
    return preference.name == "HighContrast"


def signal(hex_colour: str) -> QColor:
    """A text colour meant for a light window, made readable on the palette in use."""
    colour = QColor(hex_colour)
    if high_contrast():
        palette = _palette()
        return palette.color(QPalette.WindowText) if palette is not None else colour
    if is_dark():
        hue, saturation, lightness, alpha = colour.getHsl()
        return QColor.fromHsl(max(hue, 0), saturation, max(lightness, 170), alpha)
    return colour


def tint(hex_colour: str) -> QColor:
    """A pale background tint meant for a light window, made a deep tint on a dark one."""
    colour = QColor(hex_colour)
    palette = _palette()
    if high_contrast() and palette is not None:
        return palette.color(QPalette.Base)
    if is_dark():
        hue, saturation, _, alpha = colour.getHsl()
        return QColor.fromHsl(max(hue, 0), min(saturation, 120), 55, alpha)
    return colour


def note_style(background: str) -> str:
    """A style sheet for a tinted note (a padded label), readable in light, dark and high-contrast palettes."""
    return f"background: {tint(background).name()}; padding: 6px; border-radius: 3px;"
