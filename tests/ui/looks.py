"""What a person would see in a screenshot: the named widgets drawn inside it, and no text cut short."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


def _clipped_texts(root: QWidget) -> list[str]:
    """Single-line labels and buttons whose text is wider than the room they were given."""
    clipped = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QAbstractButton) and widget.text() and widget.width() < widget.sizeHint().width():
            clipped.append(f"button {widget.text()!r}: {widget.width()} px wide, needs {widget.sizeHint().width()}")
        if isinstance(widget, QLabel) and not widget.wordWrap() and "<" not in widget.text():
            room = widget.contentsRect().width() - 2 * widget.margin() - max(widget.indent(), 0)
            for line in widget.text().replace("&", "").splitlines():
                needs = widget.fontMetrics().horizontalAdvance(line)
                if needs > room:
                    clipped.append(f"label {line!r}: {room} px wide, needs {needs}")
    return clipped


def assert_looks_right(root: QWidget, image: QPixmap, named: Iterable[QWidget]) -> None:
    """Each named widget is shown, lies inside the image and has something drawn there; no text is clipped."""
    shot = image.toImage()
    assert not image.isNull() and image.size() == root.size()
    for widget in named:
        label = widget.accessibleName() or getattr(widget, "text", lambda: "")() or type(widget).__name__
        assert widget.isVisibleTo(root), f"{label} is not shown"
        area = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
        assert image.rect().contains(area), f"{label} lies outside the window ({area} in {image.rect()})"
        colours = {shot.pixel(x, y) for x in range(area.left(), area.right(), max(1, area.width() // 40))
                   for y in range(area.top(), area.bottom(), max(1, area.height() // 20))}
        assert len(colours) > 1, f"{label} is drawn as a blank area"
    assert _clipped_texts(root) == []
