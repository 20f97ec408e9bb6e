"""Save a picture of the main window on a database (for the README and for checking screens).

``python -m placedesk.ui.screenshot --db FILE --out PNG [--tab NAME]`` renders
offscreen; no display is needed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--tab", default="", help="tab module to show (referrals, providers, ...)")
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from placedesk.db import open_database
    from placedesk.ui.app import build_main_window
    from placedesk.ui.tasks import wait_for_tasks

    app = QApplication.instance() or QApplication([])
    window = build_main_window(open_database(args.db))
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    if args.tab:
        window.show_tab(args.tab)
    window.show()
    for _ in range(5):
        app.processEvents()
        wait_for_tasks(5000)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
