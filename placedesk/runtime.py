"""The running application's use of Python's memory: start-up objects leave the collector's sight.

Once the window is up and the data layer loaded, the process holds hundreds of
thousands of objects that live until it closes: modules, Qt wrappers,
SQLAlchemy's mappers and compiled statements. A full cyclic garbage
collection walks every one of them, and allocation-heavy work (the Coming up
list of a large caseload builds tens of thousands of rows) triggers one every
other run: 60 to 80 ms on the large demo, on whatever thread was running.
Freezing those objects once (``gc.freeze``) leaves the collector only what
was made since, and it still frees cycles among that.

A process about to end freezes everything too (:func:`before_exit`): Python's
exit would otherwise walk every object left, SQLAlchemy's, pyHanko's and
reportlab's among them, in search of cycles to free, memory the operating
system takes back at once anyway. That walk was a third of the CPU time of
``placedesk ipa --sign``.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> bool:
    """Leave every object alive now out of future collections; once per process.

    Only the first call freezes: a later one (another database opened) would
    also freeze the cycles a closed window left behind, which would then never
    be freed. Returns whether this call froze.
    """
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.freeze()
    return True


def before_exit() -> None:
    """Leave every object out of the collections Python's exit makes; call only as the process ends.

    Objects are still released as their modules are torn down, and exit
    handlers (logging's flush, temporary folders' clean-up) still run; only
    cycles still alive at exit are left to the operating system.
    """
    gc.freeze()
