"""The running application's use of Python's memory: start-up objects leave the collector's sight.

Once the window is up and the data layer loaded, the process holds hundreds of
thousands of objects that live until it closes: modules, Qt wrappers,
SQLAlchemy's mappers and compiled statements. A full cyclic garbage
collection walks every one of them, and allocation-heavy work (the Coming up
list of a large caseload builds tens of thousands of rows) triggers one every
other run: 60 to 80 ms on the large demo, on whatever thread was running.
Freezing those objects once (``gc.freeze``) leaves the collector only what
was made since, and it still frees cycles among that.
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
