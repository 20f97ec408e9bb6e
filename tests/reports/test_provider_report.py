"""The provider monitoring report: KPIs with charts, inspections, visits and CAPs for a period."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError
from placedesk.models import StoredDocument
from placedesk.models.enums import Rag
from placedesk.reports.provider_report import (
    find_provider,
    make_provider_report,
    provider_report_data,
    with_unit,
)
from tests.services.monitoring.helpers import build_monitored_provider, make_provider

TODAY = dt.date(2026, 6, 15)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_report_covers_the_period(session: Session) -> None:
    provider, _ = build_monitored_provider(session, TODAY)
    data = provider_report_data(session, provider, start=dt.date(2025, 7, 1), end=dt.date(2026, 6, 30), today=TODAY)
    attendance = next(k for k in data.kpis if k.code == "SCHOOL_ATTENDANCE")
    assert len(attendance.points) == 12 and attendance.reds == 6
    assert attendance.latest is not None and attendance.latest.rag is Rag.RED  # June 2026 is an odd month
    assert [i[2] for i in data.inspections] == ["Requires improvement to be good"]
    assert [v[1] for v in data.visits] == ["Unannounced visit"]
    [cap] = data.caps
    assert cap[0] == "CAP-T1-0001" and cap[5:] == (1, 1, Rag.RED)
    assert any("Escalated CAP" in line for line in data.risk_lines)


def test_pdf_has_charts_tables_and_is_stored(session: Session) -> None:
    provider, _ = build_monitored_provider(session, TODAY)
    filename, pdf = make_provider_report(session, provider, start=dt.date(2025, 7, 1), end=dt.date(2026, 6, 30),
                                         today=TODAY)
    text = _text(pdf)
    for expected in ("Provider monitoring report: Brook Lodge", "School attendance (%)", "6 of 12", "Complaints",
                     "Unannounced visit", "CAP-T1-0001", "Requires improvement"):
        assert expected in text, expected
    [stored] = session.scalars(select(StoredDocument).where(StoredDocument.kind == "provider_report")).all()
    assert stored.filename == filename == "PRV-T-0001 monitoring 2025-07-01 to 2026-06-30.pdf"


def test_empty_period_explains_itself(session: Session) -> None:
    provider = make_provider(session, "P1")
    _, pdf = make_provider_report(session, provider, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31),
                                  today=TODAY, store=False)
    text = _text(pdf)
    assert "No KPI values were recorded" in text and "No visits or reviews" in text
    assert "No corrective action plan" in text


def test_period_and_provider_lookup_errors(session: Session) -> None:
    provider = make_provider(session, "PRV-A", urn="SC999")
    assert find_provider(session, "prv-a") is provider and find_provider(session, "SC999") is provider
    with pytest.raises(NotFound):
        find_provider(session, "nobody")
    with pytest.raises(ValidationError):
        provider_report_data(session, provider, start=TODAY, end=TODAY - dt.timedelta(days=1), today=TODAY)


@pytest.mark.parametrize(("value", "unit", "text"), [(92.0166, "%", "92%"), (75.25, "%", "75.2%"),
                                                     (3, "moves", "3 moves"), (0.5, "episodes", "0.5 episodes")])
def test_values_read_naturally(value: float, unit: str, text: str) -> None:
    assert with_unit(value, unit) == text


def test_a_count_kpi_is_charted_on_whole_numbers() -> None:
    from placedesk.reports import fonts
    from placedesk.reports.provider_report import KpiSeries, kpi_chart
    from placedesk.services.monitoring.kpis import KpiPoint

    def point(month: int, value: float) -> KpiPoint:
        return KpiPoint(code="COMPLAINTS", name="Complaints", unit="complaints", period=dt.date(2026, month, 1),
                        value=value, target=0, rag=Rag.GREEN)

    series = KpiSeries("COMPLAINTS", "Complaints", "complaints", 0, [point(1, 1), point(2, 3), point(3, 2)])
    plot = next(item for item in kpi_chart(series, fonts.register_fonts()).contents if hasattr(item, "yValueAxis"))
    # Values 0 to 3: one complaint a step, from 0 to 4, never 0.6, 1.1, 1.7.
    assert plot.yValueAxis.valueSteps == [0, 1, 2, 3, 4]
    assert with_unit(1, "complaints") == "1 complaint"
