"""PlaceDesk benchmarks: ``python -m bench [area ...]`` (``make bench``) runs every ``bench/bench_<area>.py``.

Each module exposes ``run(ctx: bench.common.BenchContext) -> list[bench.common.Result]``;
the harness prints a table and rewrites ``bench/RESULTS.md``. Benchmarks are
kept out of the unit tests on purpose: timings on a shared machine are not
pass/fail material for every commit.
"""
