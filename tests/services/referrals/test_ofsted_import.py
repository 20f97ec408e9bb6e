"""Ofsted providers list import: CSV and XLSX, by URN without duplicates, bad rows by line, malformed files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.db import Database
from placedesk.errors import ChangedMeanwhile, PlaceDeskError
from placedesk.models import Inspection, Provider
from placedesk.models.enums import (
    ContractRoute,
    OfstedJudgement,
    ProviderType,
    RiskLevel,
)
from placedesk.services.referrals.ofsted_import import (
    import_ofsted_providers,
    parse_ofsted_row,
    provider_type_for,
)

TODAY = dt.date(2026, 3, 2)
HEADER = ["URN", "Provision type", "Registration status", "Name", "Address 1", "Town", "Postcode",
          "Local authority", "Ofsted region", "Sector", "Places", "Organisation which owns the provider",
          "Inspection date", "Overall experiences and progress of children and young people"]
ROWS = [
    ["SC123456", "Children's home", "Active", "Oak House", "1 Oak Road", "Sheffield", "S10 1AA", "Sheffield",
     "North East, Yorkshire and the Humber", "Private", "4", "Oak Care Ltd", "12/01/2026", "Good"],
    ["SC654321", "Independent Fostering Agency", "Active", "Bright Futures Fostering", "2 High St", "Leeds",
     "LS1 1AA", "Leeds", "North East, Yorkshire and the Humber", "Private", "0", "Bright Futures Ltd", "", ""],
    ["SC777777", "Voluntary Adoption Agency", "Active", "Adopt North", "", "York", "YO1 1AA", "York", "", "Voluntary",
     "", "", "", ""],
    ["SC888888", "Residential Special School (registered as a children's home)", "Active", "Hill School", "", "Derby",
     "DE1 1AA", "Derby", "", "Private", "12", "", "05/11/2025", "Requires improvement to be good"],
]


def _csv(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER, name: str = "ofsted.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(session: Session, path: Path):
    return import_ofsted_providers(session, path, today=TODAY, laptop_id="7f3a")


def test_new_providers_are_added_with_inspections(session: Session, tmp_path: Path) -> None:
    report = _import(session, _csv(tmp_path, ROWS))
    assert (report.rows_read, report.added, report.updated, report.inspections_added) == (4, 3, 0, 2)
    assert report.skipped_types == {"Voluntary Adoption Agency": 1} and report.problems == []
    oak = session.scalars(select(Provider).where(Provider.urn == "SC123456")).one()
    assert oak.ref == "PRV-7F3A-0001" and oak.provider_type is ProviderType.CHILDRENS_HOME
    assert (oak.places, oak.town, oak.owner_organisation) == (4, "Sheffield", "Oak Care Ltd")
    assert oak.ofsted_judgement is OfstedJudgement.GOOD and oak.last_inspection_date == dt.date(2026, 1, 12)
    school = session.scalars(select(Provider).where(Provider.urn == "SC888888")).one()
    assert school.provider_type is ProviderType.RESIDENTIAL_SPECIAL_SCHOOL
    ifa = session.scalars(select(Provider).where(Provider.urn == "SC654321")).one()
    assert ifa.ofsted_judgement is OfstedJudgement.NOT_YET_INSPECTED
    # The judgement sets the monitoring risk (services.risk rule 1).
    assert (oak.risk_level, school.risk_level, ifa.risk_level) == (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM)


def test_reimport_updates_by_urn_and_never_duplicates(session: Session, tmp_path: Path) -> None:
    _import(session, _csv(tmp_path, ROWS))
    oak = session.scalars(select(Provider).where(Provider.urn == "SC123456")).one()
    oak.contract_route = ContractRoute.FRAMEWORK
    oak.vacancies = 3
    changed = [list(r) for r in ROWS]
    changed[0][10] = "2"  # places cut to 2
    changed[0][12], changed[0][13] = "20/02/2026", "Inadequate"
    report = _import(session, _csv(tmp_path, changed, name="again.csv"))
    assert (report.added, report.updated, report.unchanged, report.inspections_added) == (0, 1, 2, 1)
    assert session.scalar(select(func.count()).select_from(Provider)) == 3
    assert oak.places == 2 and oak.vacancies == 2  # vacancies trimmed to places
    assert oak.contract_route is ContractRoute.FRAMEWORK  # the officer's own data is kept
    assert oak.ofsted_judgement is OfstedJudgement.INADEQUATE and oak.risk_level is RiskLevel.HIGH
    assert session.scalar(select(func.count()).select_from(Inspection).where(Inspection.provider_id == oak.id)) == 2


def test_an_older_inspection_adds_history_without_changing_the_judgement(session: Session, tmp_path: Path) -> None:
    _import(session, _csv(tmp_path, ROWS[:1]))
    older = [list(ROWS[0])]
    older[0][12], older[0][13] = "01/06/2024", "Outstanding"
    _import(session, _csv(tmp_path, older, name="old.csv"))
    oak = session.scalars(select(Provider).where(Provider.urn == "SC123456")).one()
    assert oak.ofsted_judgement is OfstedJudgement.GOOD


def test_bad_rows_are_reported_by_line_and_the_rest_imported(session: Session, tmp_path: Path) -> None:
    bad = [list(ROWS[0]), list(ROWS[1]), list(ROWS[0]), list(ROWS[0]), list(ROWS[0])]
    bad[1][0] = "not-a-urn"
    bad[2][0], bad[2][13] = "SC100001", "Brilliant"
    bad[3][0], bad[3][12] = "SC100002", "31/02/2025"
    bad[4][0], bad[4][3] = "SC100003", ""
    report = _import(session, _csv(tmp_path, bad))
    assert report.added == 1
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "URN 'NOT-A-URN' is not an Ofsted URN (like SC123456 or 1234567)"),
        (4, "overall judgement 'Brilliant' is not one of Outstanding, Good, Requires improvement to be good, "
            "Inadequate, Not judged (or Ofsted's codes 1 to 5)"),
        (5, "inspection date '31/02/2025' is not a real date"),
        (6, "no provider name"),
    ]


def test_headers_are_matched_tolerantly_below_title_lines(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "ofsted.csv"
    header = ["urn", "PROVISION TYPE", "Registration  status", "name", "Address_1", "town", "post code",
              "Local Authority", "Ofsted Region", "sector", "places", "Organisation which owns the provider",
              "Inspection Date", "Overall experiences and progress of children and young people "]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Children's social care providers and places, as at 31 December 2025"])
        writer.writerow([])
        writer.writerow(header)
        writer.writerow(ROWS[0])
    report = _import(session, path)
    assert report.added == 1 and report.problems == []
    assert session.scalars(select(Provider.postcode)).one() == "S10 1AA"


def test_xlsx_is_imported_from_the_sheet_with_the_list(session: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["About this data"])
    sheet = workbook.create_sheet("Providers")
    sheet.append(["Management information"])
    sheet.append(HEADER)
    for row in ROWS:
        values = list(row)
        values[10] = int(values[10]) if values[10] else None
        values[12] = dt.datetime.strptime(values[12], "%d/%m/%Y") if values[12] else None
        sheet.append(values)
    path = tmp_path / "ofsted.xlsx"
    workbook.save(path)
    report = _import(session, path)
    assert (report.added, report.inspections_added, report.problems) == (3, 2, [])
    assert session.scalars(select(Provider.places).where(Provider.urn == "SC888888")).one() == 12


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("list.pdf", b"%PDF-1.7 not a list", "not a CSV or XLSX file"),
     ("list.csv", b"Name,Town\nOak House,Sheffield\n", "no URN column"),
     ("list.csv", b"URN,Town\nSC123456,Sheffield\n", "no Provision type or Name column"),
     ("list.xlsx", b"PK\x03\x04 broken zip", "not a readable XLSX workbook"),
     ("list.csv", b"\x00\x01\x02binary", "not a CSV or XLSX file")],
)
def test_malformed_files_are_refused_clearly(session: Session, tmp_path: Path, name: str, content: bytes,
                                             message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlaceDeskError, match=message):
        _import(session, path)
    assert session.scalar(select(func.count()).select_from(Provider)) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Children's home", ProviderType.CHILDRENS_HOME), ("Secure children’s home", ProviderType.CHILDRENS_HOME),
     ("Independent Fostering Agency", ProviderType.IFA), ("Supported Accommodation Undertaking",
     ProviderType.SUPPORTED_ACCOMMODATION), ("Residential Family Centre", ProviderType.PARENT_AND_CHILD),
     ("Boarding School", None)],
)
def test_provision_types_map_to_provider_types(text: str, expected: ProviderType | None) -> None:
    assert provider_type_for(text) is expected


cells = st.one_of(st.none(), st.text(max_size=20), st.integers(-5, 100000), st.dates().map(str))


@given(st.fixed_dictionaries({}, optional={k: cells for k in (
    "urn", "provision_type", "name", "places", "inspection_date", "judgement", "postcode", "town")}))
def test_row_parser_gives_a_clean_row_or_a_reason(values: dict[str, object]) -> None:
    try:
        row = parse_ofsted_row(values)
    except ValueError as exc:
        assert str(exc)
    else:
        assert row.urn and row.name and row.provision_type
        assert row.places is None or row.places >= 0
        assert isinstance(row.judgement, OfstedJudgement)


def test_bulk_added_records_carry_the_audit_events_the_orm_hook_would_write(session: Session,
                                                                           tmp_path: Path) -> None:
    from placedesk.models import AuditEvent
    from placedesk.models.audit import _snapshot
    from placedesk.models.enums import AuditAction

    session.info["officer"] = "Test Officer"
    _import(session, _csv(tmp_path, ROWS[:1]))
    oak = session.scalars(select(Provider).where(Provider.urn == "SC123456")).one()
    inspection = session.scalars(select(Inspection).where(Inspection.provider_id == oak.id)).one()
    for record, entity in ((oak, "provider"), (inspection, "inspection")):
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == record.id)).one()
        assert (event.entity, event.action, event.officer) == (entity, AuditAction.INSERT, "Test Officer")
        # What the hook snapshots for a new record, read back from what was stored.
        assert event.changes == {key: {"after": value} for key, value in _snapshot(record).items()}
    assert oak.created_at.tzinfo is not None and oak.version == 1 and oak.capabilities == []
    assert oak.kpi_import_mapping is None


def test_a_colleagues_change_made_while_the_import_runs_refuses_the_whole_import(
        db: Database, colleague: Database, engine_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine_name == "sqlite":
        pytest.skip("on a file the import holds the write lock from its start: no colleague's save can land in it")
    from placedesk.services.referrals import ofsted_import

    with db.session_scope() as s:
        _import(s, _csv(tmp_path, ROWS))
    renamed = [list(r) for r in ROWS]
    renamed[0][3], renamed[1][10] = "Oak House Children's Home", "3"
    real_update = ofsted_import.update_audited

    def colleague_saves_first(*args: object, **kwargs: object) -> None:
        # A. Khan renames Oak House after the import read it and before it writes (READ COMMITTED lets her).
        with colleague.session_scope() as theirs:
            theirs.scalars(select(Provider).where(Provider.urn == "SC123456")).one().name = "Oak House (Sheffield)"
        monkeypatch.setattr(ofsted_import, "update_audited", real_update)
        real_update(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ofsted_import, "update_audited", colleague_saves_first)
    with pytest.raises(ChangedMeanwhile) as caught, db.session_scope() as s:
        _import(s, _csv(tmp_path, renamed, name="renamed.csv"))
    message = str(caught.value)
    assert message.startswith("A. Khan changed the provider Oak House (Sheffield), PRV-7F3A-0001 (name) at ")
    assert "while this import was running. Nothing was imported: import the list again" in message
    with db.session() as s:
        names = {urn: name for urn, name in s.execute(select(Provider.urn, Provider.name))}
        places = {urn: n for urn, n in s.execute(select(Provider.urn, Provider.places))}
    # Her name stands, and nothing else of the refused import was kept either.
    assert names["SC123456"] == "Oak House (Sheffield)" and places["SC654321"] == 0
    # Imported again, the list applies to her version.
    with db.session_scope() as s:
        report = _import(s, _csv(tmp_path, renamed, name="renamed.csv"))
    assert report.updated == 2
