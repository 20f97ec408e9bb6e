"""Shared report building blocks: a label that would run into its value wraps instead."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from placedesk.reports.common import key_value_table, report_styles


def test_long_labels_and_values_wrap_inside_their_column() -> None:
    styles = report_styles()
    table = key_value_table(
        [("Age", "13"), ("Relationship with the provider", "Long-standing provider; open communication."),
         ("Evidence", "Monitoring visit notes, KPI returns for the last quarter and the provider's own log. " * 2)],
        styles,
    )
    cells = table._cellvalues
    assert cells[0] == ["Age", "13"]
    # Thirty bold characters are wider than the label column: as a plain string they overlapped the value.
    assert isinstance(cells[1][0], Paragraph)
    assert cells[1][1] == "Long-standing provider; open communication."
    assert isinstance(cells[2][1], Paragraph)


def test_columns_widen_to_their_longest_word_and_the_table_keeps_its_width() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from placedesk.reports.common import fit_column_widths

    styles = report_styles()
    rows = [["Status", "Issue"], [Paragraph("Closed (Escalated)", styles.cell),
                                  Paragraph("Staff ratio below the agreed level at night", styles.cell)]]
    widths = fit_column_widths(rows, [30.0, 300.0], styles.fonts.bold, 9, padding=8)
    word = stringWidth("(Escalated)", styles.cell.fontName, styles.cell.fontSize)
    assert widths[0] >= word + 8 and abs(sum(widths) - 330.0) < 0.01
    # Columns that already fit are left as they were.
    assert fit_column_widths(rows, [200.0, 300.0], styles.fonts.bold, 9) == [200.0, 300.0]


def test_the_council_logo_in_the_data_folder_heads_every_page(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image
    from pypdf import PdfReader
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    from placedesk.config import data_dir
    from placedesk.reports.common import council_letterhead, numbered_canvas

    assert council_letterhead().logo is None
    data_dir().mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (60, 20), "navy").save(data_dir() / "logo.png")
    letterhead = council_letterhead()
    assert letterhead.logo is not None and letterhead.council == "Local authority"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    doc.build([Paragraph("One", report_styles().body), PageBreak(), Paragraph("Two", report_styles().body)],
              canvasmaker=numbered_canvas("Sheffield City Council", "Report", "Ref", "OFFICIAL",
                                          logo=letterhead.logo))
    pages = PdfReader(io.BytesIO(buffer.getvalue())).pages
    assert len(pages) == 2
    for page in pages:
        assert "Sheffield City Council" in page.extract_text()
        assert len(page.images) == 1
    # A file that is not an image is left out, and the header still prints.
    (data_dir() / "logo.png").write_bytes(b"not a picture")
    broken = io.BytesIO()
    SimpleDocTemplate(broken, pagesize=A4).build(
        [Paragraph("One", report_styles().body)],
        canvasmaker=numbered_canvas("Sheffield City Council", "Report", "Ref", "OFFICIAL",
                                    logo=council_letterhead().logo))
    assert "Sheffield City Council" in PdfReader(io.BytesIO(broken.getvalue())).pages[0].extract_text()
