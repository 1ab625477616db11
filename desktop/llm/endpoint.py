"""Where the model lives: an endpoint's address and key, the rules for a safe address, and known presets.

- HTTPS only, except to a loopback host (127.0.0.0/8, ::1, localhost), where plain HTTP is allowed: local model
  servers (Ollama, LM Studio, llama.cpp) do not speak TLS, and nothing leaves the computer. A customer's mail must
  never travel unencrypted to another machine, so `http://192.168.…` is refused.
- An address without a path gets `/v1` (what every OpenAI-compatible server serves); an address with a path keeps it,
  without the trailing slash, and without `/chat/completions` when the merchant pasted the full endpoint.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from desktop.core.errors import UserFacingError

PRESETS: dict[str, str] = {
    "ollama": "http://127.0.0.1:11434/v1",
    "lmstudio": "http://127.0.0.1:1234/v1",
    "llamacpp": "http://127.0.0.1:8080/v1",
    "openai": "https://api.openai.com/v1",
    "mistral": "https://api.mistral.ai/v1",
}

_DEFAULT_PORTS = {"http": 80, "https": 443}
_PASTED_SUFFIXES = ("/chat/completions", "/completions", "/models")


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible server. `timeout` is the longest silence (seconds) tolerated while it answers."""

    base_url: str
    api_key: str = field(default="", repr=False)  # never in a repr, a log line or a message
    name: str = ""
    timeout: float = 60.0


def _host_is_loopback(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(url: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, path) of `url`; a missing scheme is http for loopback hosts, https otherwise."""
    text = (url or "").strip()
    if "://" not in text:
        probe = urlsplit("//" + text)
        scheme = "http" if probe.hostname and _host_is_loopback(probe.hostname) else "https"
        text = f"{scheme}://{text}"
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise UserFacingError(f"“{_shorten(url)}” has an invalid port number.",
                              "Enter the address like http://127.0.0.1:11434/v1") from None
    return parts.scheme.lower(), (parts.hostname or ""), port, parts.path


def is_loopback(url: str) -> bool:
    """True when `url` (or a bare host, `host:port`) points at this computer."""
    try:
        _scheme, host, _port, _path = _split(url)
    except UserFacingError:
        return False
    return bool(host) and _host_is_loopback(host)


def host_of(url: str) -> str:
    """`host:port` for the egress ledger (`[::1]:11434` for IPv6; the scheme's port when none is written)."""
    scheme, host, port, _path = _split(url)
    if port is None:
        port = _DEFAULT_PORTS.get(scheme, 0)
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}"


def validate_base_url(url: str) -> str:
    """The normalised base address, or UserFacingError saying what is wrong with it.

    `127.0.0.1:11434` → `http://127.0.0.1:11434/v1`; `https://api.openai.com/` → `https://api.openai.com/v1`;
    `https://llm.example.com/openai/v1/chat/completions` → `https://llm.example.com/openai/v1`.
    """
    raw = (url or "").strip()
    if not raw:
        raise UserFacingError("No address was given for the AI model server.",
                              "Pick a preset (Ollama, LM Studio, llama.cpp…) or enter the server's address.")
    scheme, host, port, path = _split(raw)
    parts = urlsplit(raw if "://" in raw else f"{scheme}://{raw}")
    if scheme not in ("http", "https") or not host:
        raise UserFacingError(f"“{_shorten(raw)}” is not a web address.",
                              "Enter the address like http://127.0.0.1:11434/v1 or https://api.openai.com/v1")
    if parts.username is not None or parts.password is not None:
        raise UserFacingError("The address contains a user name or password.",
                              "Enter the address without credentials; the API key has its own field.")
    if parts.query or parts.fragment:
        raise UserFacingError(f"“{_shorten(raw)}” has a query string or fragment (after ? or #).",
                              "Enter only the base address, like https://api.openai.com/v1")
    if scheme == "http" and not _host_is_loopback(host):
        raise UserFacingError(
            f"Comptoir only sends mail to {host} over HTTPS, and this address starts with http://.",
            "Use the https:// address of the server. Plain http:// is only allowed for a model running on this "
            "computer (127.0.0.1 or localhost).")
    path = path.rstrip("/")
    for suffix in _PASTED_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)].rstrip("/")
            break
    if not path:
        path = "/v1"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc.lower(), path, "", ""))


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
