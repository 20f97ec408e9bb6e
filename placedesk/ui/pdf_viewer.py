"""Showing a PDF inside the window, and its pages as images for printing.

Qt's own PDF module (QtPdf: ``QPdfDocument`` and ``QPdfView``) is used where
the installed PySide6 has it. Some PySide6 builds ship without it; then the
pages are drawn with poppler's ``pdftoppm`` when that is installed, in the
background, and failing both the viewer shows the document's text with a
button to open the file in the laptop's PDF reader. The officer always sees
the agreement, never a blank box.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

HAS_QTPDF = importlib.util.find_spec("PySide6.QtPdf") is not None and (
    importlib.util.find_spec("PySide6.QtPdfWidgets") is not None
)
SCREEN_DPI = 96


def poppler() -> str | None:
    return shutil.which("pdftoppm")


def backend() -> str:
    """How pages are shown here: "qtpdf", "poppler" or "text"."""
    if HAS_QTPDF:
        return "qtpdf"
    return "poppler" if poppler() else "text"


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Every page as an image at ``dpi`` (safe off the GUI thread); empty when nothing can draw PDFs."""
    if HAS_QTPDF:
        from PySide6.QtCore import QSize
        from PySide6.QtPdf import QPdfDocument

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
    tool = poppler()
    if tool is None:
        return []
    with tempfile.TemporaryDirectory(prefix="placedesk-pdf-") as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        result = subprocess.run([tool, "-png", "-r", str(dpi), str(source), str(Path(folder) / "page")],
                                capture_output=True, timeout=120, check=False)
        if result.returncode != 0:
            return []
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [QImage.fromData(p.read_bytes(), "PNG") for p in pages]


def pdf_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


class PdfViewer(QStackedWidget):
    """A PDF on screen: Qt's viewer, page images, or its text; a placeholder when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf: bytes | None = None
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(placeholder-text); font-size: 11pt; padding: 24px;")
        self.addWidget(self.placeholder)
        self.kind = backend()
        if self.kind == "qtpdf":
            from PySide6.QtPdf import QPdfDocument
            from PySide6.QtPdfWidgets import QPdfView

            self._document = QPdfDocument(self)
            self._buffer = QBuffer(self)
            self.view: QWidget = QPdfView(self)
            self.view.setDocument(self._document)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif self.kind == "poppler":
            self.view = QScrollArea()
            self.view.setWidgetResizable(True)
            self.view.setAlignment(Qt.AlignHCenter)
            self.view.setStyleSheet("QScrollArea { background: #5b6170; }")
            self._pages = QWidget()
            self._pages.setStyleSheet("background: #5b6170;")
            self._pages_layout = QVBoxLayout(self._pages)
            self._pages_layout.setAlignment(Qt.AlignHCenter)
            self._pages_layout.setSpacing(12)
            self.view.setWidget(self._pages)
        else:
            self.view = QWidget()
            layout = QVBoxLayout(self.view)
            note = QLabel("A page preview is not available on this computer; this is the agreement's text. "
                          "Open it in your PDF reader to see the pages.")
            note.setWordWrap(True)
            self.open_button = QPushButton("Open in PDF reader")
            self.open_button.clicked.connect(self.open_externally)
            self.text = QTextBrowser()
            layout.addWidget(note)
            layout.addWidget(self.open_button, 0, Qt.AlignLeft)
            layout.addWidget(self.text, 1)
        self.addWidget(self.view)
        self.show_placeholder("")

    def show_placeholder(self, text: str) -> None:
        self.pdf = None
        self.placeholder.setText(text)
        self.setCurrentWidget(self.placeholder)

    def show_pdf(self, pdf: bytes) -> None:
        """Show ``pdf`` (page images, if used, must come through :meth:`show_pages`)."""
        self.pdf = pdf
        if self.kind == "qtpdf":
            self._document.close()
            self._buffer.close()
            self._buffer.setData(QByteArray(pdf))
            self._buffer.open(QIODevice.ReadOnly)
            self._document.load(self._buffer)
        elif self.kind == "text":
            pages = pdf_text(pdf)
            self.text.setPlainText("\n\n".join(f"— Page {n} of {len(pages)} —\n{t}" for n, t in enumerate(pages, 1)))
        self.setCurrentWidget(self.view)

    def show_pages(self, pdf: bytes, images: list[QImage]) -> None:
        """Show pre-rendered page images of ``pdf`` (the poppler route)."""
        self.pdf = pdf
        while self._pages_layout.count():
            item = self._pages_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for image in images:
            page = QLabel()
            page.setPixmap(QPixmap.fromImage(image))
            page.setStyleSheet("background: white; border: 1px solid #30343c;")
            self._pages_layout.addWidget(page)
        self.setCurrentWidget(self.view)

    @property
    def page_count(self) -> int:
        if self.kind == "qtpdf":
            return int(self._document.pageCount())
        if self.kind == "poppler":
            return self._pages_layout.count()
        return len(pdf_text(self.pdf)) if self.pdf else 0

    def open_externally(self) -> None:
        """Open the shown PDF in the laptop's own PDF reader (a private temporary copy)."""
        if not self.pdf:
            return
        handle = tempfile.NamedTemporaryFile(prefix="placedesk-", suffix=".pdf", delete=False)
        with handle:
            handle.write(self.pdf)
        QDesktopServices.openUrl(QUrl.fromLocalFile(handle.name))


__all__ = ["HAS_QTPDF", "PdfViewer", "backend", "pdf_text", "render_pages"]
