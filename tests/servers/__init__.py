"""Real servers on loopback for the tests: Dovecot (IMAP), aiosmtpd (SMTP), and the throwaway PKI they use.

The pytest fixtures live in `tests.servers.fixtures` (not here: the fixture `dovecot` would clash with the
module `tests.servers.dovecot`). This package itself stays import-light.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

HOST = "127.0.0.1"


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on 127.0.0.1 right now.

    Chosen at random below the kernel's ephemeral range (so 20000–32767 by default): outgoing connections never
    get those, so a server can stop and start again on the same port without another process taking it meanwhile.
    """
    high = min(_ephemeral_low(), 32768)
    low = max(1025, high - 12768)
    rng = random.Random()
    ports: list[int] = []
    while len(ports) < count:
        port = rng.randrange(low, high)
        if port in ports:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
        ports.append(port)
    return ports
