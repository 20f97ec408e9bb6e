"""Showing a PDF inside the window with Qt's own PDF module, and its pages as images for printing.

QtPdf ships in PySide6-Addons, which pyproject.toml requires, so every
installation has it.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

SCREEN_DPI = 96


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Every page as an image at ``dpi`` (safe off the GUI thread: no widgets are touched)."""
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.ReadOnly)
    document.load(buffer)
    images = []
    for page in range(document.pageCount()):
        size = document.pagePointSize(page)
        images.append(document.render(page, QSize(int(size.width() * dpi / 72), int(size.height() * dpi / 72))))
    return images


class PdfViewer(QStackedWidget):
    """A PDF on screen, or a placeholder sentence when there is none to show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf: bytes | None = None
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(placeholder-text); font-size: 11pt; padding: 24px;")
        self.addWidget(self.placeholder)
        self._document = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.view = QPdfView(self)
        self.view.setDocument(self._document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.addWidget(self.view)
        self.show_placeholder("")

    def show_placeholder(self, text: str) -> None:
        self.pdf = None
        self.placeholder.setText(text)
        self.setCurrentWidget(self.placeholder)

    def show_pdf(self, pdf: bytes) -> None:
        self.pdf = pdf
        self._document.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.ReadOnly)
        self._document.load(self._buffer)
        self.setCurrentWidget(self.view)

    @property
    def page_count(self) -> int:
        return int(self._document.pageCount())


__all__ = ["SCREEN_DPI", "PdfViewer", "render_pages"]
