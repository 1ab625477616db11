"""A real Dovecot IMAP server on loopback, private to one test (or one test session).

Each `Dovecot` writes its own `dovecot.conf` into its own temporary directory and runs `dovecot -F -c` on it:
nothing is read from or written to /etc, /var/run or /var/lib, and no system user is created. The server has

- an implicit-TLS listener (`ports.imaps`) and a plain listener with STARTTLS (`ports.imap`), both on
  127.0.0.1 and on ports chosen below the kernel's ephemeral range, so that outgoing connections never take
  them between a `stop()` and a `start()`;
- a certificate from the throwaway CA in `tests.servers.tls` (`ca_file`), swappable for the self-signed, the
  wrong-host or the expired one with `use_certificate()`;
- users from a passwd-file with plain passwords, maildir storage, the special-use folders Drafts, Sent, Trash
  and Junk (auto-subscribed), and Dovecot's own CONDSTORE, QRESYNC, IDLE, UIDPLUS, SPECIAL-USE…

Running as root: Dovecot refuses mail access as uid 0 ("Mail access not allowed for root", even with
`first_valid_uid = 0`), so the mail processes run as the existing unprivileged `nobody`/`nogroup` (override with
`COMPTOIR_TEST_MAIL_USER`), the mailboxes are chowned to it, and login processes run as Debian's `dovenull`.
Running as a normal user: everything runs as that user (Dovecot's "rootless" mode, no chroot).

Dovecot treats a connection whose client and server addresses are equal as secure, so on 127.0.0.1 the plain port
accepts LOGIN before STARTTLS (the "loopback-plain" case) even with `require_tls=True`. To see what a remote
client sees (LOGINDISABLED until STARTTLS), connect to `remote_host` (127.0.0.2, same listener, other address).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from tests.servers import HOST, free_ports
from tests.servers.tls import Pki, make_pki

REMOTE_HOST = "127.0.0.2"  # same listener, but Dovecot does not count the connection as local (see docstring)
SPECIAL_USE = {"Drafts": "\\Drafts", "Sent": "\\Sent", "Trash": "\\Trash", "Junk": "\\Junk"}
DEFAULT_USERS = {"alice": "alice-imap-password", "bob": "bob-imap-password"}

_running: weakref.WeakSet[Dovecot] = weakref.WeakSet()


def _which(tool: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin",
                            "/opt/homebrew/sbin", "/opt/homebrew/bin"])
    return shutil.which(tool, path=path)


def dovecot_binary() -> str | None:
    """The `dovecot` executable, or None (Debian puts it in /usr/sbin, which a normal user's PATH may lack)."""
    return _which("dovecot")


@dataclass(frozen=True)
class Ports:
    imap: int   # plain IMAP, STARTTLS offered
    imaps: int  # implicit TLS


@dataclass(frozen=True)
class Message:
    uid: int
    flags: tuple[bytes, ...]
    raw: bytes
    internal_date: dt.datetime


class DovecotError(RuntimeError):
    pass


def _group_members(pgid: int) -> list[tuple[int, str]] | None:
    """(pid, command) of the group's running processes; zombies waiting for init to reap them do not count.
    None where there is no /proc to read."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp …
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append((int(entry.name), comm))
    return members


def _group_alive(pgid: int) -> bool:
    members = _group_members(pgid)
    if members is not None:
        return bool(members)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Dovecot:
    """One Dovecot instance. Not started by the constructor: call `start()` (the fixtures do)."""

    def __init__(self, root: Path | None = None, *, users: dict[str, str] | None = None, pki: Pki | None = None,
                 require_tls: bool = False, auth_failure_delay: str = "0", auth_penalty: bool = False,
                 extra_config: str = "") -> None:
        """`root`: an empty or missing directory for everything (a new one in the temp dir, removed by `close()`,
        if None; when running as root it must be reachable by the mail user, which pytest's `tmp_path` is not).
        `require_tls`: `ssl = required` and `disable_plaintext_auth = yes`, as a strict provider would have it.
        `auth_failure_delay`: Dovecot's pause before answering a failed login ("2 secs" by default in Dovecot; 0
        here, and then a failure still takes ~0.5 s: Dovecot flushes them on a 500 ms timer); `auth_penalty`:
        Dovecot's growing delay (seconds, doubling, up to 15 s) after repeated failures from one address, off by
        default for the same reason. `extra_config`: raw lines appended to dovecot.conf (e.g. an oauth2 passdb).
        """
        binary = dovecot_binary()
        if binary is None:
            raise DovecotError("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
        self.users = dict(DEFAULT_USERS if users is None else users)
        for name, password in self.users.items():
            if not re.fullmatch(r"[A-Za-z0-9._@+-]+", name) or any(c in password for c in ":\r\n"):
                raise ValueError(f"user {name!r}: names are [A-Za-z0-9._@+-], passwords have no ':' or newline")
        self.binary = binary
        self.doveadm_binary = _which("doveadm") or "doveadm"
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.pki = pki if pki is not None else make_pki(self.root / "pki")
        self.require_tls = require_tls
        self.auth_failure_delay = auth_failure_delay
        self.auth_penalty = auth_penalty
        self.extra_config = extra_config
        self.certificate = "server"
        self.host = HOST
        self.remote_host = REMOTE_HOST
        self.ports = Ports(*free_ports(2))
        self.process: subprocess.Popen[bytes] | None = None
        self.conf = self.root / "dovecot.conf"
        self.log_file = self.root / "dovecot.log"
        self.base_dir = self.root / "run"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            mail_user = pwd.getpwnam(os.environ.get("COMPTOIR_TEST_MAIL_USER", "nobody"))
            self.mail_uid, self.mail_gid = mail_user.pw_uid, mail_user.pw_gid
            self.login_user = "dovenull"
            try:
                pwd.getpwnam(self.login_user)
            except KeyError:  # not Debian's package: any unprivileged user will do for the login processes
                self.login_user = mail_user.pw_name
        else:
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
            self.login_user = pwd.getpwuid(self.mail_uid).pw_name
        try:
            self._prepare()
        except BaseException:
            if self._own_root:
                shutil.rmtree(self.root, ignore_errors=True)
            raise

    # --- files -----------------------------------------------------------------------------------------------

    @property
    def ca_file(self) -> Path:
        return self.pki.ca_file

    def home(self, user: str) -> Path:
        return self.root / "home" / user

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        """The maildir of `folder` (LAYOUT=fs: INBOX is Maildir/INBOX, `a/b` is Maildir/a/b)."""
        return self.home(user) / "Maildir" / folder

    @property
    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _chown(self, path: Path) -> None:
        if self._as_root:
            os.chown(path, self.mail_uid, self.mail_gid)

    def _prepare(self) -> None:
        (self.root / "state").mkdir(exist_ok=True)
        self.base_dir.mkdir(exist_ok=True)
        if self._as_root:
            # The mail processes (uid `nobody`) must reach their homes: the root and home/ need the x bit for others.
            # Nothing secret lives here (the passwords are throwaway and written below, readable by root only).
            self.root.chmod(0o711)
            parent = self.root.parent
            while parent != parent.parent:
                if not parent.stat().st_mode & 0o001:
                    raise DovecotError(f"{parent} is not searchable by the mail user (uid {self.mail_uid}): "
                                       "give Dovecot a root directory under /tmp")
                parent = parent.parent
        homes = self.root / "home"
        homes.mkdir(exist_ok=True)
        homes.chmod(0o711)
        lines = []
        for name, password in self.users.items():
            home = self.home(name)
            home.mkdir(exist_ok=True)
            home.chmod(0o700)
            self._chown(home)
            lines.append(f"{name}:{{PLAIN}}{password}::::{home}::\n")
        users_file = self.root / "users"
        users_file.write_text("".join(lines))
        users_file.chmod(0o600)
        self._write_conf()

    def _write_conf(self) -> None:
        pair = self.pki.by_name(self.certificate)
        mailboxes = "".join(
            f"  mailbox {name} {{\n    special_use = {flag}\n    auto = subscribe\n  }}\n"
            for name, flag in SPECIAL_USE.items()
        )
        if self._as_root:
            identity = f"""\
default_login_user = {self.login_user}
default_internal_user = root
default_internal_group = root
mail_uid = {self.mail_uid}
mail_gid = {self.mail_gid}
"""
            chroot = ""
        else:
            identity = f"""\
default_login_user = {self.login_user}
default_internal_user = {self.login_user}
default_internal_group = {grp.getgrgid(self.mail_gid).gr_name}
mail_uid = {self.mail_uid}
mail_gid = {self.mail_gid}
"""
            chroot = "  chroot =\n"
        # Dovecot slows down repeated failed logins from one IP (seconds, doubling, up to 15 s), on top of
        # auth_failure_delay. Off unless asked for: wrong-password tests would otherwise wait on each other.
        penalty = "" if self.auth_penalty else "  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n"
        conf = f"""\
# Written by tests/servers/dovecot.py for one test run. Includes nothing from /etc.
base_dir = {self.base_dir}
state_dir = {self.root / "state"}
instance_name = comptoir-test-{self.ports.imaps}
log_path = {self.log_file}
info_log_path = {self.log_file}
debug_log_path = {self.log_file}
protocols = imap
listen = {HOST}
{identity}first_valid_uid = 1
first_valid_gid = 1
ssl = {"required" if self.require_tls else "yes"}
disable_plaintext_auth = {"yes" if self.require_tls else "no"}
ssl_cert = <{pair.cert}
ssl_key = <{pair.key}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
auth_failure_delay = {self.auth_failure_delay}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root / "users"}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.root / "users"}
}}
mail_location = maildir:~/Maildir:LAYOUT=fs:INBOX=~/Maildir/INBOX
mail_fsync = never
mail_max_userip_connections = 100
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = {HOST}, {REMOTE_HOST}
    port = {self.ports.imap}
  }}
  inet_listener imaps {{
    address = {HOST}, {REMOTE_HOST}
    port = {self.ports.imaps}
    ssl = yes
  }}
}}
service anvil {{
{chroot}{penalty}}}
{self.extra_config}
"""
        self.conf.write_text(conf)

    # --- process ---------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 15) -> None:
        """Start the master and wait until the plain port sends the IMAP greeting and the TLS port accepts."""
        if self.running:
            return
        # No master of ours is running, so these are stale: a master killed while it held the instance list's lock
        # would make the next one wait ten seconds for it.
        (self.base_dir / "master.pid").unlink(missing_ok=True)
        for lock in (self.root / "state").glob("*.lock"):
            lock.unlink(missing_ok=True)
        with (self.root / "master.out").open("ab") as out:
            self.process = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        _running.add(self)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self.process = None
                raise DovecotError(f"dovecot exited at startup:\n{self._log_tail()}")
            if self._ready():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise DovecotError(f"dovecot did not accept connections within {timeout} s:\n{self._log_tail()}")
            time.sleep(0.01)

    def _ready(self) -> bool:
        """Both listeners answer with a greeting (over TLS for imaps, whatever certificate it is serving)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # readiness only: the certificate may be the deliberately bad one
        try:
            with socket.create_connection((HOST, self.ports.imap), timeout=2) as sock:
                if not sock.recv(200).startswith(b"* OK"):
                    return False
            with socket.create_connection((HOST, self.ports.imaps), timeout=2) as raw, \
                    context.wrap_socket(raw) as sock:
                return sock.recv(200).startswith(b"* OK")
        except OSError:
            return False

    def _log_tail(self, lines: int = 30) -> str:
        text = self.log + (self.root / "master.out").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10) -> None:
        """Stop the master and wait until none of its processes is left."""
        process, self.process = self.process, None
        if process is None:
            return
        pgid = process.pid
        # SIGTERM to the whole group: every Dovecot process shuts down cleanly on it, at once (signalling only the
        # master makes it wait a second or more for its children). Then, none of which holds mail state:
        # - a login process still being forked or starting up when the signal comes sits on it for ~5 s, and the
        #   master waits for it: those get SIGKILL;
        # - the master may respawn a service (log, anvil) it saw die before it handled its own signal, and then
        #   waits for it: whatever appears after the signal gets a SIGTERM of its own;
        # - the master itself sometimes sleeps up to a second in its shutdown loop after its children are gone:
        #   once they are, it gets 100 ms, then SIGKILL.
        signalled = {pid for pid, _ in _group_members(pgid) or []}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        alone_since: float | None = None
        while process.poll() is None:
            now = time.monotonic()
            members = _group_members(pgid)
            for pid, comm in members or []:
                if pid == pgid:
                    continue
                if comm.endswith("-login") or comm == "dovecot":  # "dovecot": forked, not exec'd yet
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                elif pid not in signalled:
                    signalled.add(pid)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGTERM)
            if members is not None and all(pid == pgid for pid, _ in members):
                alone_since = now if alone_since is None else alone_since
            else:
                alone_since = None
            if now > deadline or (alone_since is not None and now - alone_since > 0.1):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.005)
        deadline = time.monotonic() + timeout
        while _group_alive(pgid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                break
            time.sleep(0.01)
        (self.base_dir / "master.pid").unlink(missing_ok=True)
        _running.discard(self)

    def restart(self) -> None:
        """Stop and start again on the same ports (open client connections see the server go away)."""
        self.stop()
        self.start()

    def use_certificate(self, name: str) -> None:
        """Serve `"server"` (CA-signed, the default), `"self_signed"`, `"wrong_host"` or `"expired"` from now on
        (restarts the server if it is running)."""
        self.pki.by_name(name)
        self.certificate = name
        self._write_conf()
        if self.running:
            self.restart()

    @property
    def server_certificate(self) -> Path:
        return self.pki.by_name(self.certificate).cert

    def close(self) -> None:
        """Stop and, if the directory was ours, remove it."""
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- admin access ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def connect(self, user: str, *, password: str | None = None) -> Iterator[IMAPClient]:
        """A logged-in IMAPClient for `user` over the plain loopback port, for the test's own bookkeeping.

        This is the harness's side door (Dovecot lets loopback log in without TLS); code under test must go through
        `ports.imaps` with a verifying context.
        """
        client = IMAPClient(HOST, port=self.ports.imap, ssl=False, timeout=10)
        try:
            client.login(user, self.users[user] if password is None else password)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()
            with contextlib.suppress(Exception):
                client.shutdown()

    def create_folder(self, user: str, folder: str) -> None:
        with self.connect(user) as client:
            client.create_folder(folder)
            client.subscribe_folder(folder)

    def append(self, user: str, folder: str, raw: bytes, flags: Iterable[bytes | str] = (),
               internal_date: dt.datetime | None = None) -> int:
        """APPEND `raw` unchanged and return its UID (from the APPENDUID response)."""
        with self.connect(user) as client:
            response = client.append(folder, raw, flags=tuple(flags), msg_time=internal_date)
        match = re.search(rb"\[APPENDUID (\d+) (\d+)\]", response)
        if match is None:
            raise DovecotError(f"no APPENDUID in {response!r}")
        return int(match.group(2))

    def append_many(self, user: str, folder: str, messages: Sequence[bytes],
                    flags: Iterable[bytes | str] = ()) -> list[int]:
        """APPEND several messages over one connection; their UIDs, in order."""
        uids = []
        flags = tuple(flags)
        with self.connect(user) as client:
            for raw in messages:
                response = client.append(folder, raw, flags=flags)
                match = re.search(rb"\[APPENDUID \d+ (\d+)\]", response)
                if match is None:
                    raise DovecotError(f"no APPENDUID in {response!r}")
                uids.append(int(match.group(1)))
        return uids

    def deliver(self, user: str, folder: str, messages: Iterable[bytes], *, seen: bool = False,
                start_time: float | None = None) -> int:
        """Drop messages straight into the maildir (as an MDA would): thousands per second, for bulk data.

        Dovecot assigns UIDs, in the given order, when a client next opens the folder. The internal dates
        are `start_time` (default: now − 1 day) plus one second per message. Returns how many were written.
        """
        box = self.maildir(user, folder)
        if not (box / "cur").is_dir():
            if folder == "INBOX" or folder in SPECIAL_USE:
                with self.connect(user) as client:  # the first login creates INBOX and the special folders
                    client.select_folder(folder, readonly=True)
            else:
                self.create_folder(user, folder)
        base = time.time() - 86400 if start_time is None else start_time
        host = socket.gethostname().replace("/", "_").replace(":", "_")
        count = 0
        for count, raw in enumerate(messages, 1):
            stamp = int(base) + count
            name = f"{stamp}.M{count:07d}P{os.getpid()}.{host},S={len(raw)}"
            tmp = box / "tmp" / name
            tmp.write_bytes(raw)
            self._chown(tmp)
            os.utime(tmp, (stamp, stamp))
            if seen:
                tmp.rename(box / "cur" / f"{name}:2,S")
            else:
                tmp.rename(box / "new" / name)
        return count

    def messages(self, user: str, folder: str = "INBOX") -> list[Message]:
        """Every message of `folder`, read with BODY.PEEK[] (does not set \\Seen), in UID order."""
        with self.connect(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            data = client.fetch(uids, ["FLAGS", "BODY.PEEK[]", "INTERNALDATE"]) if uids else {}
        return [Message(uid, tuple(item[b"FLAGS"]), item[b"BODY[]"], item[b"INTERNALDATE"])
                for uid, item in sorted(data.items())]

    def status(self, user: str, folder: str = "INBOX") -> dict[bytes, int]:
        """STATUS: MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ."""
        with self.connect(user) as client:
            return dict(client.folder_status(folder, ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
                                                     "HIGHESTMODSEQ"]))

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        return self.status(user, folder)[b"UIDVALIDITY"]

    def set_flags(self, user: str, folder: str, uid: int, flags: Iterable[bytes | str]) -> None:
        """Replace the flags of one message (UID STORE FLAGS), as another client of the merchant's would."""
        with self.connect(user) as client:
            client.select_folder(folder)
            client.set_flags([uid], tuple(flags), silent=True)

    def add_flags(self, user: str, folder: str, uid: int, flags: Iterable[bytes | str]) -> None:
        with self.connect(user) as client:
            client.select_folder(folder)
            client.add_flags([uid], tuple(flags), silent=True)

    def expunge(self, user: str, folder: str, uid: int | Iterable[int]) -> None:
        """Delete messages for good (\\Deleted + UID EXPUNGE of exactly those UIDs)."""
        uids = [uid] if isinstance(uid, int) else list(uid)
        with self.connect(user) as client:
            client.select_folder(folder)
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            client.uid_expunge(uids)

    def doveadm(self, *args: str) -> str:
        """Run `doveadm -c <our conf> ARGS…` against this instance (it must be running); its stdout."""
        result = subprocess.run([self.doveadm_binary, "-c", str(self.conf), *args],
                                capture_output=True, text=True, timeout=30, check=False)
        if result.returncode != 0:
            raise DovecotError(f"doveadm {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def set_uidvalidity(self, user: str, folder: str, value: int) -> None:
        """Change the folder's UIDVALIDITY to `value`, keeping its messages and their UIDs.

        `doveadm mailbox update --uid-validity`: what a server does after a restore or a migration, and enough for
        "the client must notice and throw its cached UIDs away". Sessions that have the folder selected are
        disconnected by Dovecot. For UIDs that now point at *other* messages, use `renumber()`.
        """
        if not 0 < value < 2**32:
            raise ValueError("UIDVALIDITY is a non-zero 32-bit number")
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)
        if (now := self.uidvalidity(user, folder)) != value:
            raise DovecotError(f"UIDVALIDITY of {folder} is {now} after setting it to {value}")

    def renumber(self, user: str, folder: str = "INBOX") -> int:
        """Throw the folder's UID list and indexes away and give its messages new UIDs, in reverse order.

        The server is stopped while the files are changed, and started again (same ports). Dovecot then picks a
        new UIDVALIDITY (higher than any it used for this user) and numbers the messages from 1 again; because
        the order is reversed, a cached (UID → message) map is now wrong for every message but the middle one,
        which is the case RFC 3501 §2.3.1.1 exists for. Flags stored in file names (\\Seen, \\Answered, \\Flagged,
        \\Deleted, \\Draft) survive; keywords do not. Returns the new UIDVALIDITY.
        """
        old = self.uidvalidity(user, folder)  # also makes Dovecot bring the UID list up to date
        box = self.maildir(user, folder)
        self.stop()
        # The current order, by UID, from the UID list ("<uid> [fields] :<file name without the :2, part>").
        uid_of: dict[str, int] = {}
        uidlist = box / "dovecot-uidlist"
        for line in uidlist.read_text(errors="replace").splitlines()[1:] if uidlist.exists() else []:
            number, _, name = line.partition(" :")
            with contextlib.suppress(ValueError):
                uid_of[name] = int(number.split()[0])
        for index in [*box.glob("dovecot.index*"), uidlist,
                      *(self.home(user) / "Maildir").glob("dovecot.list.index*")]:
            index.unlink(missing_ok=True)
        files = sorted((path for sub in ("new", "cur") for path in (box / sub).iterdir()),
                       key=lambda path: (uid_of.get(path.name.split(":2,")[0], 2**32), path.name))
        # Dovecot numbers files it does not know by the time stamp their name starts with (then the microseconds
        # and the rest of the name): give them stamps in the reverse of the current order.
        base = int(time.time())
        for position, path in enumerate(reversed(files)):
            rest = path.name.split(".", 1)[1]
            path.rename(path.with_name(f"{base + position}.{rest}"))
        self.start()
        new = self.uidvalidity(user, folder)
        if new == old:
            raise DovecotError(f"UIDVALIDITY of {folder} did not change ({old})")
        return new


@atexit.register
def _stop_all() -> None:
    """Never leave a Dovecot behind, even when a test run is interrupted between fixture set-up and teardown."""
    for server in list(_running):
        with contextlib.suppress(Exception):
            server.stop()
