"""The running application's use of Python's memory: start-up objects leave the collector's sight.

Once the window is up and the data layer loaded, the process holds hundreds of
thousands of objects that live until it closes: modules, Qt wrappers,
SQLAlchemy's mappers and compiled statements. A full cyclic garbage
collection walks every one of them, and allocation-heavy work (the Coming up
list of a large caseload builds tens of thousands of rows) triggers one every
other run: 60 to 80 ms on the large demo, on whatever thread was running.
Freezing those objects once (``gc.freeze``) leaves the collector only what
was made since, and it still frees cycles among that.

A sub-command run from the command line loads hundreds of thousands of
objects in its first second (the code of SQLAlchemy, reportlab and pyHanko,
PlaceDesk's mapped classes) and keeps them until it ends, making few cycles.
Every collection of new objects walks all those loaded since the last one,
and every tenth walks all those that survived: collecting after every
100,000 allocations, ``placedesk ipa --sign`` (whose code and work make some
250,000 objects) still made two collections, 60 to 80 ms of its 0.8 s. A
one-shot command collects after every 500,000 allocations
(:func:`one_shot_command`): none in signing an agreement, and in a long
import a walk every half a million new objects, with at most that many
objects' worth of cycles (tens of MB) waiting to be freed; the large
imports' peak memory did not change. And a process about to end freezes
everything (:func:`before_exit`): Python's exit would otherwise walk every
object left, SQLAlchemy's, pyHanko's and reportlab's among them, in
search of cycles to free, memory the operating system takes back at once
anyway. That walk was a third of the CPU time of ``placedesk ipa --sign``.
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


# Allocations between collections of new objects in a one-shot command (Python's default: 700).
ONE_SHOT_THRESHOLD = 500_000


_one_shot = False


def one_shot_command() -> None:
    """Collect garbage for a process that runs one command and ends; not for the window.

    Cyclic garbage waits for longer (at most ``ONE_SHOT_THRESHOLD`` objects'
    worth), and the collector walks the code loaded far less often.
    """
    global _one_shot
    _one_shot = True
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(ONE_SHOT_THRESHOLD, middle, old)


def before_exit() -> None:
    """After a one-shot command, leave every object out of the collections Python's exit makes.

    Call only as the process ends. Objects are still released as their
    modules are torn down, and exit handlers (logging's flush, temporary
    folders' clean-up) still run; only cycles still alive at exit are left to
    the operating system. The window's exit is left as Python makes it.
    """
    if _one_shot:
        gc.freeze()
