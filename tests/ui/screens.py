"""Every screen of the app, found and opened generically, for the accessibility and screen-size checks.

Dialogs are discovered as the QDialog subclasses defined anywhere in
``placedesk.ui``, so a dialog added later is checked too: it is built by
:data:`FACTORIES` when it needs records to show, or from its constructor's
parameter names (``ctx``, ``parent``, ``today``, ``settings``…) when that is
enough. A dialog neither can build fails the tests, asking for a factory here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QSlider,
    QTabBar,
    QTextEdit,
    QWidget,
)
from sqlalchemy import select

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.models import Cap, CapAction, CapReview, CapSanction, CarePeriod, Placement, Provider
from placedesk.models.enums import RiskLevel
from placedesk.ui.context import AppContext

TODAY = dt.date(2026, 6, 15)
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit, QTextEdit,
               QSlider, QTabBar)


def _internal(widget: QWidget) -> bool:
    """Parts Qt builds inside a widget (headers, corner buttons, a combo's pop-up list, a line edit's clear button)."""
    parent = widget.parentWidget()
    if isinstance(widget, (QHeaderView, QScrollBar)) or widget.objectName().startswith("qt_"):
        return True
    if isinstance(parent, (QLineEdit, QComboBox, QAbstractSpinBox)):
        return True
    return parent is not None and (parent.inherits("QComboBoxPrivateContainer")
                                   or parent.inherits("QCalendarWidget")
                                   or (parent.parentWidget() is not None
                                       and parent.parentWidget().inherits("QCalendarWidget")))


def accessible_name(widget: QWidget) -> str:
    """What a screen reader announces as the widget's name (its own, its label buddy's, or its text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Name).strip() if interface is not None else ""


def unnamed_widgets(root: QWidget) -> list[str]:
    """Every interactive widget under ``root`` (and ``root`` itself) that has no accessible name."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, INTERACTIVE) and not _internal(widget) and not accessible_name(widget):
            hint = getattr(widget, "placeholderText", lambda: "")() or getattr(widget, "text", lambda: "")()
            found.append(f"{type(widget).__name__} in {type(widget.window()).__name__} "
                         f"(parent {type(widget.parentWidget()).__name__}) {hint!r}")
    return found


def dialog_classes() -> list[type[QDialog]]:
    """Every QDialog subclass defined in placedesk.ui (modules are imported to find them)."""
    import placedesk.ui

    for module in pkgutil.walk_packages(placedesk.ui.__path__, "placedesk.ui."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {c for c in subclasses(QDialog) if c.__module__.startswith("placedesk.ui")}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


@dataclass
class Records:
    """Ids from the demo database that dialogs open on."""

    ctx: AppContext
    provider_id: uuid.UUID
    cap_id: uuid.UUID
    cap_ref: str
    action_id: uuid.UUID
    sanction_id: uuid.UUID
    review_id: uuid.UUID
    child_id: uuid.UUID
    placement_id: uuid.UUID
    referral_id: uuid.UUID


def demo_records(db: Database) -> Records:
    from placedesk.services.monitoring.caps import add_action, add_review, escalate, open_cap
    from placedesk.models.enums import CapSeverity, SanctionKind

    settings = Settings()
    settings.officer.name = "Test Officer"
    settings.laptop_id = "T1"
    ctx = AppContext(db, settings)
    with db.session_scope() as session:
        placement = session.scalars(select(Placement).where(Placement.referral_id.is_not(None))).first()
        provider = session.get(Provider, placement.provider_id)
        cap = session.scalars(select(Cap).join(CapAction)).first() or open_cap(
            session, provider, issue="Late notifications", severity=CapSeverity.LOW, opened_on=TODAY,
            laptop_id="T1")
        action = session.scalars(select(CapAction).where(CapAction.cap_id == cap.id)).first() or add_action(
            session, cap, description="Send reports", owner="Registered manager", due_date=cap.opened_on)
        sanction = session.scalars(select(CapSanction)).first() or escalate(
            session, cap, SanctionKind.RESTRICT_REFERRALS, today=TODAY, notes="No improvement")
        review = session.scalars(select(CapReview)).first() or add_review(session, cap, TODAY)
        return Records(ctx, cap.provider_id, cap.id, cap.ref, action.id, sanction.id, review.id,
                       placement.child_id, placement.id, placement.referral_id)


def _care_period_row(r: Records) -> Any:
    from placedesk.services.care.child_summary import child_page

    with r.ctx.read() as session:
        child_id = session.scalar(select(CarePeriod.child_id)) or r.child_id
        page = child_page(session, child_id, TODAY)
    return page.care_history[0] if page.care_history else None


def _returns_dialog(r: Records) -> QDialog:
    from placedesk.services.monitoring.kpis import ReturnsTable
    from placedesk.ui.monitoring.dialogs.kpi_dialogs import ImportReturnsDialog

    table = ReturnsTable(["Month", "Occupancy %", "Notifications"], [(2, ["2026-05", "92", "3"])])
    return ImportReturnsDialog(r.ctx, r.provider_id, Path("returns.csv"), table, {"Month": "month"},
                               [("OCC", "Occupancy"), ("NOT", "Notifications")], TODAY)


# Dialogs that need records (or values only the screen opening them knows), by class name.
def _edit_conflict() -> Any:
    from placedesk.errors import EditConflict, FieldClash

    return EditConflict(entity="child", entity_id=uuid.uuid4(), record_label="child", changed_by="A. Khan",
                        changed_at=dt.datetime(2026, 3, 2, 10, 42, tzinfo=dt.timezone.utc), your_version=2,
                        their_version=3,
                        clashes=tuple(FieldClash(f"field_{i}", f"Field {i}", "Your value " * 6, "Their value " * 6,
                                                 i % 2 == 0) for i in range(12)))


FACTORIES: dict[str, Callable[[Records], QDialog]] = {
    "EditConflictDialog": lambda r: _class("EditConflictDialog")(_edit_conflict()),
    "ServiceDialog": lambda r: _service_dialog(r),
    "TermsDialog": lambda r: _class("TermsDialog")(None, new_version=False,
                                                   current={"fee_lines": [], "notice_period_days": 28}),
    "CarePeriodDialog": lambda r: _class("CarePeriodDialog")(r.ctx, r.child_id, "Ava Brown", TODAY,
                                                             _care_period_row(r)),
    "OpenCapDialog": lambda r: _class("OpenCapDialog")(r.ctx, r.provider_id, [(r.placement_id, "PL-1 – Ava")],
                                                       TODAY),
    "AddActionDialog": lambda r: _class("AddActionDialog")(r.ctx, r.cap_id, r.cap_ref, TODAY),
    "ChangeActionDialog": lambda r: _class("ChangeActionDialog")(r.ctx, r.action_id, TODAY),
    "ActionStatusDialog": lambda r: _class("ActionStatusDialog")(r.ctx, r.action_id, "Send reports", TODAY),
    "EscalateDialog": lambda r: _class("EscalateDialog")(r.ctx, r.cap_id, r.cap_ref, TODAY),
    "LiftSanctionDialog": lambda r: _class("LiftSanctionDialog")(r.ctx, r.sanction_id, "Restriction", TODAY),
    "CloseCapDialog": lambda r: _class("CloseCapDialog")(r.ctx, r.cap_id, r.cap_ref, TODAY),
    "ReviewDialog": lambda r: _class("ReviewDialog")(r.ctx, r.cap_id, r.cap_ref, TODAY, r.review_id, "Review"),
    "MonthGridDialog": lambda r: _class("MonthGridDialog")(r.ctx, r.provider_id, "Provider", TODAY, TODAY),
    "ImportReturnsDialog": _returns_dialog,
    "OutcomeDialog": lambda r: _class("OutcomeDialog")(r.ctx, r.child_id, "Ava Brown", r.placement_id, TODAY),
    "RiskOverrideDialog": lambda r: _class("RiskOverrideDialog")(r.ctx, r.provider_id, RiskLevel.MEDIUM,
                                                                 "Two red KPIs", None, ""),
    "InspectionDialog": lambda r: _class("InspectionDialog")(r.ctx, r.provider_id, TODAY),
    "VisitDialog": lambda r: _class("VisitDialog")(r.ctx, r.provider_id, TODAY, "Test Officer"),
    "ReportPeriodDialog": lambda r: _class("ReportPeriodDialog")("Provider", TODAY),
    "ReferralWizard": lambda r: _class("ReferralWizard")(r.ctx, None, None, TODAY),
    "SettingsDialog": lambda r: _class("SettingsDialog")(r.ctx.settings),
    "ServerPasswordDialog": lambda r: _class("ServerPasswordDialog")(
        "placedesk-db.northshire.gov.uk/placedesk as akhan",
        "The team server refused the login akhan: the password is wrong, or there is no such login."),
    "ShortcutsDialog": lambda r: _class("ShortcutsDialog")(_shortcuts()),
    "BackupChooser": lambda r: _class("BackupChooser")(None, []),
    "BundlePreviewDialog": lambda r: _bundle_preview(),
    "ColumnMappingDialog": lambda r: _column_mapping(),
}


def _column_mapping() -> QDialog:
    """An Ofsted list whose columns were not recognised, with a preview row."""
    from placedesk.services.referrals.ofsted_layout import ColumnsNotRecognised

    problem = ColumnsNotRecognised("no URN column", headers=["Ref", "Kind of setting", "Home", "Town"],
                                   preview=[["SC070007", "Children's home", "Holly House", "Leeds"]],
                                   guess={"town": "Town"}, sheet="Homes")
    return _class("ColumnMappingDialog")("council.xlsx", problem)


def _bundle_preview() -> QDialog:
    """A colleague's signed bundle not yet trusted: the dialog at its fullest (with its Trust button)."""
    import datetime as _dt

    from placedesk.services.sync.bundle_signing import SignatureCheck
    from placedesk.services.sync.colleagues import BundlePreview

    signer = SignatureCheck(certificate=None, fingerprint="ab" * 32, name="Officer B",
                            signed_at=_dt.datetime(2026, 6, 15, 9, 30, tzinfo=_dt.timezone.utc))
    preview = BundlePreview(officer="Officer B", laptop_id="LAPB",
                            created_at=_dt.datetime(2026, 6, 15, 9, 30, tzinfo=_dt.timezone.utc),
                            record_counts={"child": 3, "referral": 2}, signer=signer, trusted=False, problem=None)
    return _class("BundlePreviewDialog")(preview)


def _shortcuts() -> list[tuple[str, str]]:
    from placedesk.ui.main_window import SHORTCUTS

    return SHORTCUTS


def _class(name: str) -> type:
    return next(c for c in dialog_classes() if c.__name__ == name)


def _service_dialog(r: Records) -> QDialog:
    from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog

    dialog = ServiceDialog(r.ctx, "A form", lambda session: None, ())
    dialog.form.add("note", "Note", QLineEdit())
    return dialog


# Values for constructor parameters, by name, for dialogs with no factory.
def _by_name(r: Records) -> dict[str, Any]:
    return {"ctx": r.ctx, "parent": None, "today": TODAY, "settings": r.ctx.settings,
            "provider_id": r.provider_id, "child_id": r.child_id, "placement_id": r.placement_id,
            "referral_id": r.referral_id, "cap_id": r.cap_id, "action_id": r.action_id}


def build_dialog(cls: type[QDialog], records: Records) -> QDialog:
    """The dialog ``cls`` on the demo records; raises LookupError if it cannot be built generically."""
    factory = FACTORIES.get(cls.__name__)
    if factory is not None:
        return factory(records)
    values = _by_name(records)
    arguments: dict[str, Any] = {}
    for name, parameter in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in values:
            arguments[name] = values[name]
        elif parameter.default is parameter.empty:
            raise LookupError(f"{cls.__module__}.{cls.__name__} needs '{name}': add a factory for it to "
                              "FACTORIES in tests/ui/screens.py")
    return cls(**arguments)
