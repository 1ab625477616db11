"""Initial and incremental mail sync: Comptoir against mbsync (isync) and a bare imapclient loop, in one run.

One Dovecot on loopback (tests.servers.dovecot, implicit TLS, certificate from a throwaway CA) serves
N generated customer mails (bench.mailgen) in alice's INBOX. Each round runs, in a rotating order:

  - Comptoir: the CLI as a merchant's machine runs it (`python main.py … sync --json`) in a fresh
    workspace: UID SEARCH, BODY.PEEK[] in batches, parsing in the worker processes, threads,
    customers and FTS5 written into the SQLCipher store (WAL, synchronous=FULL). Throughput is
    N / the `seconds` the sync reports (what the merchant waits for; process start-up and the
    Argon2id unlock are reported apart). Its process tree is sampled from /proc for memory and CPU;
    then three no-op syncs (nothing new on the server).
  - mbsync, default durable settings (`FSync yes`), TLS verified against the test CA, into a fresh
    Maildir; then three no-op re-syncs. And mbsync with `FSync no`, for information.
  - imapclient: UID SEARCH ALL + `BODY.PEEK[]` in batches of 200 into memory, over TLS: the ceiling
    for any Python client on this server.

Targets (issue): initial sync ≥ 1.0× mbsync `FSync yes` in messages/s; no-op sync ≤ 0.1 s.

Run from the repo root: `python -m bench.sync [--messages 10000] [--repeat 3] [--write-results]`.
Needs dovecot-imapd and isync (Debian: `apt-get install dovecot-imapd isync`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import imapclient

from bench.common import (
    REPO_ROOT,
    fmt_bytes,
    fmt_seconds,
    machine_info,
    median,
    now_utc,
    reproduce_command,
    run_and_report,
    work_dir,
)
from bench.mailgen import generate

SECTION = "sync"
USER = "alice"
EMAIL = "alice@shop.example"
PASSPHRASE = "bench sync passphrase, throwaway"  # noqa: S105 (a throwaway workspace)
FETCH_BATCH = 200
NOOP_RUNS = 3
INITIAL_TARGET_RATIO = 1.0
NOOP_TARGET_SECONDS = 0.1
SAMPLE_SECONDS = 0.05
CONTENDERS = ("comptoir", "mbsync", "mbsync-nofsync", "imapclient")
Log = Callable[[str], None]


# --- running and watching a process ------------------------------------------------------------------------------


@dataclass
class ProcStats:
    role: str
    max_rss_kib: int = 0   # largest VmRSS seen in a sample
    hwm_kib: int = 0       # VmHWM (the kernel's own peak) at the last sample
    cpu_seconds: float = 0.0
    first_seen: float = 0.0


@dataclass
class TreeStats:
    procs: dict[int, ProcStats] = field(default_factory=dict)
    peak_total_kib: int = 0              # largest sum of VmRSS over the tree in one sample
    main_rss_with_workers_kib: int = 0   # main's VmRSS while parse workers were alive (after the unlock)

    def by_role(self, role: str) -> list[ProcStats]:
        return [p for p in self.procs.values() if p.role == role]


_TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(x) for x in (task / "children").read_text().split()]
    return found


def _status_kib(pid: int) -> tuple[int, int] | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    rss = re.search(r"^VmRSS:\s+(\d+)", text, re.M)
    hwm = re.search(r"^VmHWM:\s+(\d+)", text, re.M)
    return (int(rss.group(1)) if rss else 0, int(hwm.group(1)) if hwm else 0)


def _cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """Samples a process and its descendants from /proc every SAMPLE_SECONDS: RSS, peak RSS, CPU.

    Roles: `main` (the CLI), `forkserver` and `tracker` (multiprocessing's helpers), `worker` (parse
    workers, children of the forkserver), `other`.
    """

    def __init__(self, pid: int, *, launcher: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.launcher = launcher  # `pid` is GNU time, the process to watch is its child
        self.stats = TreeStats()
        self._halt = threading.Event()
        self._t0 = time.perf_counter()

    def _role(self, pid: int, parent_role: str | None) -> str:
        if parent_role is None:
            return "launcher" if self.launcher else "main"
        if parent_role == "launcher":
            return "main"
        if parent_role == "forkserver":
            return "worker"
        cmd = _cmdline(pid)
        if "forkserver" in cmd:
            return "forkserver"
        if "resource_tracker" in cmd:
            return "tracker"
        return "other"

    def sample(self) -> None:
        stats = self.stats
        total = 0
        workers_alive = False
        main_rss = 0
        todo: list[tuple[int, str | None]] = [(self.pid, None)]
        while todo:
            pid, parent_role = todo.pop()
            proc = stats.procs.get(pid)
            if proc is None:
                proc = stats.procs[pid] = ProcStats(self._role(pid, parent_role),
                                                    first_seen=time.perf_counter() - self._t0)
            mem, cpu = _status_kib(pid), _cpu_seconds(pid)
            if mem is None or cpu is None:
                continue
            rss, hwm = mem
            if rss == 0 and hwm == 0:
                continue  # a zombie: its figures are gone, keep the last ones
            proc.max_rss_kib = max(proc.max_rss_kib, rss)
            proc.hwm_kib = max(proc.hwm_kib, hwm)
            proc.cpu_seconds = max(proc.cpu_seconds, cpu)
            if proc.role != "launcher":
                total += rss
            if proc.role == "main":
                main_rss = rss
            workers_alive |= proc.role == "worker"
            todo += [(child, proc.role) for child in _children(pid)]
        stats.peak_total_kib = max(stats.peak_total_kib, total)
        if workers_alive:
            stats.main_rss_with_workers_kib = max(stats.main_rss_with_workers_kib, main_rss)

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_SECONDS):
            self.sample()

    def stop(self) -> TreeStats:
        self._halt.set()
        self.join()
        return self.stats


@dataclass
class Ran:
    wall: float
    returncode: int
    stdout: str
    stderr: str
    maxrss_kib: int | None  # ru_maxrss by GNU time: the largest single process of the tree (reaped descendants count)
    cpu_seconds: float      # user + system of the process and its reaped descendants
    tree: TreeStats | None = None


GNU_TIME = "/usr/bin/time"


def run_timed(cmd: Sequence[str], env: dict[str, str], out_dir: Path, *, sample: bool = False,
              cwd: Path | None = None) -> Ran:
    """Run `cmd`, timed from fork to exit, under GNU time for its rusage when installed.

    Why GNU time rather than getrusage(RUSAGE_CHILDREN) or wait4 here: at exec, Linux folds the
    high-water RSS of the replaced address space into the new program's ru_maxrss, and a child that
    Python starts (vfork or fork) replaces a view of *this* process, so its ru_maxrss would never be
    below the benchmark's own RSS (~100 MiB-1 GiB with the corpus in memory). GNU time is a few MiB.
    """
    out, err, usage_file = out_dir / "stdout.txt", out_dir / "stderr.txt", out_dir / "rusage.txt"
    wrapped = Path(GNU_TIME).exists()
    full = [GNU_TIME, "-o", str(usage_file), "-f", "%M %U %S", *cmd] if wrapped else list(cmd)
    with out.open("wb") as fo, err.open("wb") as fe:
        started = time.perf_counter()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe, env=env, cwd=cwd)
        sampler = TreeSampler(proc.pid, launcher=wrapped) if sample else None
        if sampler:
            sampler.sample()
            sampler.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        tree = sampler.stop() if sampler else None
    maxrss: int | None = None
    cpu = usage.ru_utime + usage.ru_stime
    if wrapped:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = usage_file.read_text().split()[-3:]  # the last line ("Command exited…" may come first)
            maxrss, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
        usage_file.unlink(missing_ok=True)
    ran = Ran(wall, proc.returncode, out.read_text(errors="replace"), err.read_text(errors="replace"),
              maxrss, cpu, tree)
    out.unlink()
    err.unlink()
    return ran


def _check(ran: Ran, what: str) -> Ran:
    if ran.returncode != 0:
        raise RuntimeError(f"{what} failed ({ran.returncode}):\n{ran.stdout[-2000:]}\n{ran.stderr[-2000:]}")
    return ran


# --- the contenders ----------------------------------------------------------------------------------------------


@dataclass
class ComptoirRun:
    sync_seconds: float
    ran: Ran
    store_bytes: int
    noop_seconds: list[float]
    noop_walls: list[float]


class Comptoir:
    """The Comptoir CLI against the test server, each run in a fresh workspace under `root`."""

    def __init__(self, root: Path, port: int, ca_file: Path, imap_password: str) -> None:
        self.root = root
        self.port = port
        self.ca_file = ca_file
        self.env = {**os.environ, "COMPTOIR_BENCH_PASSPHRASE": PASSPHRASE, "COMPTOIR_BENCH_IMAP_PW": imap_password,
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "LANG": "C.UTF-8"}

    def cli(self, data: Path, *args: str) -> list[str]:
        return [sys.executable, str(REPO_ROOT / "main.py"), "--data-dir", str(data),
                "--passphrase-env", "COMPTOIR_BENCH_PASSPHRASE", *args]

    def prepare(self, data: Path) -> Path:
        """A new workspace with the account; returns the workspace folder."""
        ran = _check(run_timed(self.cli(data, "init", "--use-passphrase", "--json"), self.env, self.root,
                               cwd=REPO_ROOT), "comptoir init")
        workspace = Path(json.loads(ran.stdout)["workspace"])  # (the JSON also holds the recovery key: not kept)
        _check(run_timed(self.cli(data, "account", "add", "--email", EMAIL, "--imap-host", "127.0.0.1",
                                  "--imap-port", str(self.port), "--user", USER,
                                  "--password-env", "COMPTOIR_BENCH_IMAP_PW", "--json"),
                         self.env, self.root, cwd=REPO_ROOT), "comptoir account add")
        return workspace

    def sync(self, data: Path, *, sample: bool = False) -> tuple[dict[str, Any], Ran]:
        ran = _check(run_timed(self.cli(data, "--ca-file", str(self.ca_file), "sync", "--json"), self.env,
                               self.root, sample=sample, cwd=REPO_ROOT), "comptoir sync")
        reports = json.loads(ran.stdout)
        return reports[0], ran

    def run(self, expected: int, *, noop: int = NOOP_RUNS) -> ComptoirRun:
        data = self.root / "data"
        try:
            workspace = self.prepare(data)
            report, ran = self.sync(data, sample=True)
            if report["added"] != expected:
                raise RuntimeError(f"comptoir sync added {report['added']} messages, expected {expected}")
            size = sum(p.stat().st_size for p in workspace.glob("comptoir.db*"))
            noops, walls = [], []
            for _ in range(noop):
                again, ran_again = self.sync(data)
                if again["added"] or again["removed"]:
                    raise RuntimeError(f"a no-op sync changed something: {again}")
                noops.append(float(again["seconds"]))
                walls.append(ran_again.wall)
            return ComptoirRun(float(report["seconds"]), ran, size, noops, walls)
        finally:
            shutil.rmtree(data, ignore_errors=True)


class Mbsync:
    """mbsync pulling INBOX over TLS into a fresh Maildir under `root`."""

    def __init__(self, root: Path, port: int, ca_file: Path, imap_password: str) -> None:
        self.root = root
        self.port = port
        self.ca_file = ca_file
        self.password = imap_password
        self.env = {**os.environ, "HOME": str(root)}  # nothing read from or written to the real home

    def config(self, maildir: Path, *, fsync: bool) -> Path:
        """Defaults everywhere except what must be said: server, TLS and CA, where the Maildir is, FSync."""
        conf = self.root / f"mbsyncrc-{'fsync' if fsync else 'nofsync'}"
        conf.write_text(
            f"FSync {'yes' if fsync else 'no'}\n\n"
            f"IMAPAccount bench\nHost localhost\nPort {self.port}\nUser {USER}\nPass {self.password}\n"
            f"SSLType IMAPS\nCertificateFile {self.ca_file}\n\n"
            "IMAPStore remote\nAccount bench\n\n"
            f"MaildirStore local\nPath {maildir}/\nInbox {maildir}/INBOX\n\n"
            "Channel inbox\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSyncState *\n",
            encoding="utf-8")
        conf.chmod(0o600)
        return conf

    def run(self, expected: int, *, fsync: bool, noop: int = 0) -> tuple[Ran, list[float], int]:
        maildir = self.root / "Maildir"
        maildir.mkdir()
        try:
            conf = self.config(maildir, fsync=fsync)
            cmd = ["mbsync", "-q", "-c", str(conf), "-a"]
            ran = _check(run_timed(cmd, self.env, self.root), "mbsync")
            files = [p for sub in ("new", "cur") for p in (maildir / "INBOX" / sub).iterdir()]
            if len(files) != expected:
                raise RuntimeError(f"mbsync stored {len(files)} messages, expected {expected}")
            size = sum(p.stat().st_size for p in files)
            if noop:
                # mbsync's Maildir driver sleeps up to 1 s when the folder changed within the current second
                # ("sleeping due to recent directory modification"): no real re-sync follows that closely.
                time.sleep(1.1)
            noops = [_check(run_timed(cmd, self.env, self.root), "mbsync re-sync").wall for _ in range(noop)]
            return ran, noops, size
        finally:
            shutil.rmtree(maildir, ignore_errors=True)


def imapclient_loop(port: int, ca_file: Path, password: str, expected: int) -> tuple[float, int]:
    """UID SEARCH ALL, then BODY.PEEK[] in batches of FETCH_BATCH into a list; (seconds, bytes)."""
    started = time.perf_counter()
    context = ssl.create_default_context(cafile=str(ca_file))
    client = imapclient.IMAPClient("127.0.0.1", port=port, ssl=True, ssl_context=context, timeout=60)
    try:
        client.login(USER, password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        bodies: list[bytes] = []
        for i in range(0, len(uids), FETCH_BATCH):
            data = client.fetch(uids[i:i + FETCH_BATCH], ["BODY.PEEK[]"])
            bodies += [item[b"BODY[]"] for item in data.values()]
        client.logout()
    finally:
        with contextlib.suppress(Exception):
            client.shutdown()
    elapsed = time.perf_counter() - started
    if len(bodies) != expected:
        raise RuntimeError(f"imapclient fetched {len(bodies)} messages, expected {expected}")
    return elapsed, sum(len(b) for b in bodies)


# --- the run -----------------------------------------------------------------------------------------------------


@dataclass
class Results:
    messages: int = 0
    corpus_bytes: int = 0
    seed: int = 1
    load_before: float = 0.0
    load_after: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)
    warmup_seconds: float = 0.0
    order: list[list[str]] = field(default_factory=list)
    comptoir: list[ComptoirRun] = field(default_factory=list)
    mbsync: list[Ran] = field(default_factory=list)
    mbsync_noop: list[float] = field(default_factory=list)
    mbsync_bytes: int = 0
    mbsync_nofsync: list[Ran] = field(default_factory=list)
    imapclient: list[float] = field(default_factory=list)
    imapclient_bytes: int = 0


def _version(cmd: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not found"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"


def run(args: argparse.Namespace, log: Log) -> Results:
    from tests.servers.dovecot import Dovecot, dovecot_binary
    from tests.servers.tls import make_pki

    if dovecot_binary() is None:
        raise SystemExit("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    if shutil.which("mbsync") is None:
        raise SystemExit("mbsync is not installed (Debian: apt-get install isync)")
    res = Results(messages=args.messages, seed=args.seed, load_before=os.getloadavg()[0])
    res.versions = {"mbsync": _version(["mbsync", "--version"]),
                    "dovecot": _version([dovecot_binary() or "dovecot", "--version"]),
                    "imapclient": imapclient.__version__}
    log(f"generating {args.messages} mails (seed {args.seed})…")
    mails = generate(args.messages, args.seed)
    res.corpus_bytes = sum(len(m) for m in mails)
    with work_dir("sync") as work:
        server = Dovecot(pki=make_pki(work / "pki"))
        try:
            server.start()
            server.deliver(USER, "INBOX", mails)
            del mails
            password = server.users[USER]
            port, ca = server.ports.imaps, server.ca_file
            log("warm-up: Dovecot indexes the new mail on the first full fetch…")
            res.warmup_seconds, _ = imapclient_loop(port, ca, password, args.messages)
            comptoir = Comptoir(work, port, ca, password)
            mbsync = Mbsync(work, port, ca, password)
            contenders = list(CONTENDERS)
            for round_no in range(args.repeat):
                order = contenders[round_no % len(contenders):] + contenders[:round_no % len(contenders)]
                res.order.append(order)
                for name in order:
                    log(f"round {round_no + 1}/{args.repeat}: {name}…")
                    if name == "comptoir":
                        c = comptoir.run(args.messages)
                        res.comptoir.append(c)
                        log(f"  {c.sync_seconds:.2f} s ({args.messages / c.sync_seconds:.0f} msg/s), process "
                            f"{c.ran.wall:.2f} s; no-op {', '.join(f'{s * 1000:.0f} ms' for s in c.noop_seconds)}")
                    elif name in ("mbsync", "mbsync-nofsync"):
                        durable = name == "mbsync"
                        ran, noops, size = mbsync.run(args.messages, fsync=durable, noop=NOOP_RUNS if durable else 0)
                        (res.mbsync if durable else res.mbsync_nofsync).append(ran)
                        res.mbsync_noop += noops
                        res.mbsync_bytes = size
                        log(f"  {ran.wall:.2f} s ({args.messages / ran.wall:.0f} msg/s)"
                            + (f"; no-op {', '.join(f'{s * 1000:.0f} ms' for s in noops)}" if noops else ""))
                    else:
                        seconds, size = imapclient_loop(port, ca, password, args.messages)
                        res.imapclient.append(seconds)
                        res.imapclient_bytes = size
                        log(f"  {seconds:.2f} s ({args.messages / seconds:.0f} msg/s)")
        finally:
            server.close()
    res.load_after = os.getloadavg()[0]
    return res


# --- the report --------------------------------------------------------------------------------------------------


def _mib(kib: float) -> str:
    return fmt_bytes(kib * 1024)


def _maxrss(runs: Sequence[Ran]) -> str:
    values = [r.maxrss_kib for r in runs if r.maxrss_kib is not None]
    return _mib(median(values)) if values else f"n/a ({GNU_TIME} missing)"


def _cpu_total(trees: Sequence[TreeStats]) -> float:
    """Median over runs of the CPU seconds of the main process plus the parse workers."""
    return median([t.by_role("main")[0].cpu_seconds + sum(w.cpu_seconds for w in t.by_role("worker"))
                   for t in trees])


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}"


def _runs(values: Sequence[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def report(res: Results, argv: Sequence[str] | None) -> tuple[str, bool]:
    n = res.messages
    c_secs = [c.sync_seconds for c in res.comptoir]
    c_walls = [c.ran.wall for c in res.comptoir]
    mb = [r.wall for r in res.mbsync]
    mb_nofsync = [r.wall for r in res.mbsync_nofsync]
    c_med, mb_med = median(c_secs), median(mb)
    ratio = (n / c_med) / (n / mb_med)
    noop = [s for c in res.comptoir for s in c.noop_seconds]
    noop_walls = [s for c in res.comptoir for s in c.noop_walls]
    noop_med = median(noop)
    initial_ok = ratio >= INITIAL_TARGET_RATIO
    noop_ok = noop_med <= NOOP_TARGET_SECONDS
    verdict = {True: "**pass**", False: "**FAIL**"}

    trees = [c.ran.tree for c in res.comptoir if c.ran.tree]
    rows = [
        "| What | Median | Messages/s | vs mbsync `FSync yes` | Target | Result |",
        "|---|---:|---:|---:|---|---|",
        f"| Comptoir initial sync (`sync --json`, its reported `seconds`) | {fmt_seconds(c_med)} | {_rate(n, c_med)} "
        f"| {ratio:.2f}× | ≥ {INITIAL_TARGET_RATIO:.1f}× | {verdict[initial_ok]} |",
        f"| Comptoir, whole CLI process (start-up, Argon2id unlock, sync, close) | {fmt_seconds(median(c_walls))} "
        f"| {_rate(n, median(c_walls))} | {mb_med / median(c_walls):.2f}× | — | info |",
    ]
    rows += [
        f"| mbsync, default durable (`FSync yes`) | {fmt_seconds(mb_med)} | {_rate(n, mb_med)} | 1.00× | — | anchor |",
        f"| mbsync, `FSync no` | {fmt_seconds(median(mb_nofsync))} | {_rate(n, median(mb_nofsync))} "
        f"| {mb_med / median(mb_nofsync):.2f}× | — | info |",
        f"| imapclient UID FETCH `BODY.PEEK[]` ×{FETCH_BATCH} into memory (Python ceiling) "
        f"| {fmt_seconds(median(res.imapclient))} | {_rate(n, median(res.imapclient))} "
        f"| {mb_med / median(res.imapclient):.2f}× | — | info |",
        *([f"| CPU time of the initial sync: Comptoir (main process + parse workers) vs mbsync `FSync yes` "
           f"| {fmt_seconds(_cpu_total(trees))} vs {fmt_seconds(median([r.cpu_seconds for r in res.mbsync]))} | — "
           f"| {median([r.cpu_seconds for r in res.mbsync]) / _cpu_total(trees):.2f}× | — | info |"] if trees else []),
        f"| Comptoir no-op sync (nothing new), its reported `seconds` | {fmt_seconds(noop_med)} | — "
        f"| {median(res.mbsync_noop) / noop_med:.2f}× | ≤ {NOOP_TARGET_SECONDS * 1000:.0f} ms "
        f"| {verdict[noop_ok]} |",
        f"| Comptoir no-op sync, whole CLI process | {fmt_seconds(median(noop_walls))} | — "
        f"| {median(res.mbsync_noop) / median(noop_walls):.2f}× | — | info |",
        f"| mbsync no-op re-sync (`FSync yes`) | {fmt_seconds(median(res.mbsync_noop))} | — | 1.00× | — | anchor |",
    ]


    def _med_kib(get: Callable[[TreeStats], float]) -> str:
        return _mib(median([get(t) for t in trees])) if trees else "n/a"

    def _workers(t: TreeStats) -> list[ProcStats]:
        return t.by_role("worker")

    worker_counts = sorted({len(_workers(t)) for t in trees})
    mem_rows = [
        "| Process (Comptoir initial sync, median of the runs) | Peak RSS |",
        "|---|---:|",
        "| `ru_maxrss` of the CLI process, by GNU time (the largest single process of its tree, workers included) "
        f"| {_maxrss([c.ran for c in res.comptoir])} |",
        "| main process, VmHWM (includes the 64 MiB Argon2id unlock at start) "
        f"| {_med_kib(lambda t: t.by_role('main')[0].hwm_kib)} |",
        "| main process, largest sampled RSS while the parse workers ran "
        f"| {_med_kib(lambda t: t.main_rss_with_workers_kib)} |",
        f"| each parse worker, VmHWM (largest of the {'/'.join(map(str, worker_counts))}) "
        f"| {_med_kib(lambda t: max((w.hwm_kib for w in _workers(t)), default=0))} |",
        f"| forkserver, VmHWM | {_med_kib(lambda t: max((p.hwm_kib for p in t.by_role('forkserver')), default=0))} |",
        f"| whole tree, largest sum of RSS in one sample (shared pages counted twice) "
        f"| {_med_kib(lambda t: t.peak_total_kib)} |",
        f"| mbsync `FSync yes`, `ru_maxrss` by GNU time | {_maxrss(res.mbsync)} |",
    ]
    cpu_main = [t.by_role("main")[0].cpu_seconds for t in trees]
    cpu_workers = [sum(w.cpu_seconds for w in _workers(t)) for t in trees]

    details = [
        f"- Runs (s), in round order — Comptoir sync `seconds`: {_runs(c_secs)}; Comptoir process: {_runs(c_walls)}; "
        f"mbsync `FSync yes`: {_runs(mb)}; `FSync no`: {_runs(mb_nofsync)}; imapclient: {_runs(res.imapclient)}.",
        "- Order of each round (rotated so that no contender always goes first or after the same one): "
        + "; ".join(" → ".join(o) for o in res.order) + ".",
        f"- No-op syncs: Comptoir `seconds` {', '.join(f'{s * 1000:.0f}' for s in noop)} ms (process "
        f"{', '.join(f'{s:.2f}' for s in noop_walls)} s); mbsync "
        f"{', '.join(f'{s * 1000:.0f}' for s in res.mbsync_noop)} ms.",
    ]
    if trees:
        details.append(
            f"- CPU time of the Comptoir initial sync (median): main process {median(cpu_main):.1f} s "
            f"(network, TLS, DB thread with SQLCipher and FTS5), parse workers {median(cpu_workers):.1f} s in all "
            "(from /proc). mbsync `FSync yes` (GNU time): "
            f"{median([r.cpu_seconds for r in res.mbsync]):.1f} s.")
    details += [
        "- Stored: Comptoir's encrypted store after the sync "
        f"{fmt_bytes(median([c.store_bytes for c in res.comptoir]))} "
        f"(`comptoir.db*`: messages, raw sources zlib'd, threads, customers, FTS5); mbsync's Maildir "
        f"{fmt_bytes(res.mbsync_bytes)}.",
        f"- Corpus: {n:,} mails from `bench.mailgen` (seed {res.seed}), {fmt_bytes(res.corpus_bytes)}, delivered "
        f"into alice's INBOX (Dovecot `deliver`, maildir). Before the rounds one unmeasured full fetch "
        f"({res.warmup_seconds:.2f} s) lets Dovecot build its index and cache; every file is in the page cache.",
        "- Comptoir: `python main.py --data-dir D --passphrase-env … init --use-passphrase`, `account add` "
        "(127.0.0.1, implicit TLS), then `--ca-file CA sync --json`, each run in a new workspace. The `seconds` it "
        "reports run from the start of `MailService.sync` (connect, login, LIST, SELECT, UID SEARCH, fetch in "
        "batches of 200, parse in the worker pool, write on the DB thread with `synchronous=FULL`) to the last "
        "commit; INBOX and the (empty) Sent folder. Memory and CPU by sampling /proc every "
        f"{SAMPLE_SECONDS * 1000:.0f} ms.",
        "- mbsync: `mbsync -q -c CONF -a`, config defaults except `Host localhost` (the name in the certificate), "
        "`SSLType IMAPS`, `CertificateFile` = the test CA, `Patterns INBOX`, `Create Near`, `SyncState *` "
        "(state kept in the Maildir); a fresh Maildir each run.",
        f"- imapclient: a new TLS connection (test CA), LOGIN, SELECT INBOX read-only, UID SEARCH ALL, UID FETCH "
        f"`BODY.PEEK[]` {FETCH_BATCH} at a time, bodies kept in a list ({fmt_bytes(res.imapclient_bytes)}).",
    ]
    info = machine_info()
    machine = ", ".join(f"{k} {v}" for k, v in info.items())
    text = "\n".join([
        '## Mail sync: Comptoir vs mbsync and imapclient <a id="sync"></a>',
        "",
        f"Measured {now_utc()} by `bench/sync.py`: one Dovecot on loopback, implicit TLS with a certificate "
        f"from a throwaway CA, {n:,} generated customer mails in INBOX; medians of {len(res.comptoir)} runs "
        "(fresh workspace / Maildir each time) measured in the same run, contenders rotating.",
        "",
        *rows,
        "",
        *mem_rows,
        "",
        "Details:",
        "",
        *details,
        "",
        f"Machine: {machine}; Dovecot {res.versions['dovecot']}, "
        f"{res.versions['mbsync']}, IMAPClient {res.versions['imapclient']}. Load average (1 min) "
        f"{res.load_before:.2f} before, {res.load_after:.2f} after: anything well above 1 means other work shared "
        "the machine and the figures are noisier.",
        "",
        "Reproduce from the repo root with the venv active:",
        "",
        "```sh",
        reproduce_command("bench.sync", argv),
        "```",
    ])
    return text, initial_ok and noop_ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="mails in INBOX (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each contender runs once per round (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="bench.mailgen seed (default 1)")
    parser.add_argument("--write-results", action="store_true", help="update the sync section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.repeat < 1:
        parser.error("--messages and --repeat must be positive")

    return run_and_report(SECTION, args, argv, run, report)


if __name__ == "__main__":
    sys.exit(main())
