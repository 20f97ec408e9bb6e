"""A process's own peak memory, which ``getrusage`` misreports for a process another one started.

Linux counts, in a new process's ``ru_maxrss``, the pages of the process that
started it: a child forked from a benchmark holding 800 MB reports at least
800 MB, however little it used (the kernel keeps the high-water mark across
``exec``). The high-water mark of the memory the process now runs in
(``VmHWM`` in ``/proc/self/status``) is its own. Elsewhere ``getrusage`` is all
there is; ``bench_imports`` runs its commands under ``/usr/bin/time``, whose
small fork gives the same answer.

Benchmark children written as ``python -c`` text embed :data:`SOURCE`.
"""

from __future__ import annotations

import inspect


def own_peak_kb() -> int:
    """This process's peak resident memory in KB, not counting the process that started it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


# The function's text, for a child started with ``python -c``.
SOURCE = inspect.getsource(own_peak_kb)
