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
