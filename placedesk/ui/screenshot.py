"""Save pictures of the app on a database (for the README and for checking screens by eye).

``python -m placedesk.ui.screenshot --db FILE --out PNG [--tab NAME]`` renders the
main window offscreen; no display is needed. ``--all DIR`` saves every tab and
every referral-wizard page at the laptop size (1280x720) into DIR.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def _settle(app: Any) -> None:
    """Let the screen finish what it started: delayed starts (a page waits a moment before it ranks
    providers, so paging through is not slowed), then the background work they begin."""
    from PySide6.QtCore import QEventLoop, QTimer

    from placedesk.ui.tasks import wait_for_tasks

    for _ in range(6):
        loop = QEventLoop()
        QTimer.singleShot(200, loop.quit)
        loop.exec()
        wait_for_tasks(10000)


def _wizard_pictures(app: Any, window: Any, out: Path, width: int, height: int) -> list[Path]:
    """Each wizard page, on a demo referral whose state lets that page show its work."""
    from sqlalchemy import select

    from placedesk.models import Referral
    from placedesk.models.enums import ReferralStatus
    from placedesk.ui.referrals.wizard.referral_wizard import ReferralWizard

    def referral(*statuses: ReferralStatus) -> Any:
        with window.ctx.read() as session:
            return session.scalars(select(Referral.id).where(Referral.status.in_(statuses))
                                   .order_by(Referral.ref)).first()

    early = referral(ReferralStatus.DRAFT, ReferralStatus.READY)
    plan = [(0, None), (1, early), (2, early), (3, early),
            (4, referral(ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED)),
            (5, referral(ReferralStatus.OFFERS_RECEIVED)),
            (6, referral(ReferralStatus.IPA_ISSUED, ReferralStatus.IPA_SIGNED, ReferralStatus.PLACED))]
    saved = []
    for step, referral_id in plan:
        if step and referral_id is None:
            continue
        wizard = ReferralWizard(window.ctx, referral_id, window)
        if step:
            wizard.resume(step)
        wizard.show()
        wizard.resize(width, height)
        _settle(app)
        page = wizard.pages[wizard.currentId()]
        name = page.title().split(". ", 1)[-1].lower()
        path = out / f"wizard-{step + 1}-{name}.png"
        wizard.grab().save(str(path))
        saved.append(path)
        wizard.close()
        wizard.deleteLater()
    return saved


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--out", type=Path, help="the PNG to write (one picture of the main window)")
    parser.add_argument("--all", type=Path, help="a folder for a picture of every tab and wizard page")
    parser.add_argument("--tab", default="", help="tab to show (referrals, providers, ...)")
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args()
    if not args.out and not args.all:
        parser.error("give --out PNG or --all DIR")

    from PySide6.QtWidgets import QApplication

    from placedesk.db import open_database
    from placedesk.ui.app import build_main_window
    from placedesk.ui.main_window import TABS

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    window = build_main_window(open_database(args.db))
    if not window.ctx.settings.officer.name:
        # Pictures show demo data only: an invented officer (kept in memory, never saved) lets
        # the wizard reach pages that need a complete profile instead of stopping to ask for one.
        from placedesk.config import OfficerSettings

        window.ctx.settings.officer = OfficerSettings(
            name="Demo Officer", role="Placement Officer", local_authority="Northshire County Council",
            email="placements@northshire.example.gov.uk")
        window.ctx.db.officer = window.ctx.settings.officer.name
        window._update_settings_label()
    # The path as given (demo/placedesk-demo.sqlite from make), not this machine's folders.
    window.db_label.setText(f"Database: {args.db.as_posix()}")
    width, height = (int(v) for v in (args.size if not args.all else "1280x720").split("x"))
    window.show()
    window.resize(width, height)
    _settle(app)
    if args.all:
        args.all.mkdir(parents=True, exist_ok=True)
        for number, (key, *_) in enumerate(TABS, start=1):
            window.show_tab(key)
            _settle(app)
            path = args.all / f"tab-{number}-{key.replace('_', '-')}.png"
            window.grab().save(str(path))
            print(path)
        # A child's page, as Ctrl+F and a double-click open it.
        from sqlalchemy import select

        from placedesk.models import Placement

        with window.ctx.read() as session:
            child_id = session.scalars(select(Placement.child_id).order_by(Placement.ref)).first()
        if child_id is not None:
            window.open_record("child", child_id)
            _settle(app)
            path = args.all / "tab-2-children-child-page.png"
            window.grab().save(str(path))
            print(path)
        for path in _wizard_pictures(app, window, args.all, width, height):
            print(path)
        return 0
    if args.tab:
        window.show_tab(args.tab)
        _settle(app)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
