"""Helpers shared by the benchmarks: work folders, statistics, machine facts, RESULTS.md sections."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_ROOT = BENCH_DIR / ".work"  # gitignored
RESULTS = BENCH_DIR / "RESULTS.md"

_RESULTS_HEADER = (
    "# Benchmark results\n\n"
    "Written by the benchmarks in `bench/` when run with `--write-results`; see "
    "[bench/README.md](README.md) for what each one measures. Each section is replaced only by "
    "its own benchmark.\n"
)


@contextmanager
def work_dir(prefix: str) -> Iterator[Path]:
    """A fresh temporary folder under bench/.work/, removed afterwards (whatever happens)."""
    WORK_ROOT.mkdir(exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=WORK_ROOT))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            WORK_ROOT.rmdir()  # only if nothing else is left in it


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 200 values is the 190th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1_000_000:.0f} µs"


def fmt_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.2f} GiB"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return fmt_bytes(int(line.split()[1]) * 1024)
    except OSError:
        pass
    return "unknown"


def machine_info() -> dict[str, str]:
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(nproc),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def reproduce_command(module: str, argv: Sequence[str] | None = None) -> str:
    """The command line that was run, as it would be typed from the repo root."""
    args = list(sys.argv[1:] if argv is None else argv)
    return shlex.join(["python", "-m", module, *args])


def replace_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` (appended if absent)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else _RESULTS_HEADER
    i, j = text.find(start), text.find(end)
    if i != -1 and j > i:
        text = text[:i] + block + text[j + len(end):]
    else:
        if i != -1 or j != -1:
            raise ValueError(f"{path}: the markers for section {name!r} are unbalanced; fix them by hand")
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def log(text: str) -> None:
    """Progress of a benchmark, on stderr (stdout carries the report)."""
    print(text, file=sys.stderr, flush=True)


def run_and_report(section: str, args: Any, argv: Sequence[str] | None,
                   run: Callable[[Any, Callable[[str], None]], Any],
                   report: Callable[[Any, Sequence[str] | None], tuple[str, bool]]) -> int:
    """The end of every benchmark's `main()`: run, print the report, write its RESULTS.md section if asked."""
    res = run(args, log)
    text, passed = report(res, argv)
    print(text)
    if args.write_results:
        replace_section(section, text)
        log("updated bench/RESULTS.md")
    log("all targets met" if passed else "a target was missed")
    return 0
