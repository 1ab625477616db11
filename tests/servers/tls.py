"""Throwaway TLS material for the loopback test servers.

`make_pki(directory)` writes, as PEM files:

- a certificate authority (`ca.pem`), the only thing the tests' client contexts trust;
- `server.pem`/`server.key`: signed by that CA for `localhost`, `127.0.0.1` and `::1`, the certificate the
  servers use by default;
- `self-signed.pem`/`self-signed.key`: also for `localhost`/`127.0.0.1`, but signed by itself, not by the CA;
- `wrong-host.pem`/`wrong-host.key`: signed by the CA, but for `wrong.example` only;
- `expired.pem`/`expired.key`: signed by the CA for the right names, but expired yesterday;
- `remote.pem`/`remote.key`: signed by the CA for this machine's non-loopback address (`Pki.remote_ip`), so a
  test server can stand in for a provider that is *not* on this computer (pseudonymisation tests).

Keys are ECDSA P-256: generating them takes a millisecond, where RSA-2048 would take tens. Nothing here
touches the system's trust store; `client_context` trusts the throwaway CA and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOCAL_NAMES = ("localhost", "127.0.0.1", "127.0.0.2", "::1")
WRONG_HOST = "wrong.example"


@dataclass(frozen=True)
class CertPair:
    """A certificate and its private key, as PEM files."""

    cert: Path
    key: Path

    @property
    def fingerprint(self) -> str:
        return fingerprint_sha256(self.cert)


@dataclass(frozen=True)
class Pki:
    directory: Path
    ca: CertPair
    server: CertPair       # CA-signed, for localhost / 127.0.0.1 / ::1
    self_signed: CertPair  # for the right names, but not from the CA
    wrong_host: CertPair   # CA-signed, for wrong.example
    expired: CertPair      # CA-signed, right names, not valid any more
    remote: CertPair | None = None   # CA-signed, for this machine's non-loopback address
    remote_ip: str | None = None

    @property
    def ca_file(self) -> Path:
        return self.ca.cert

    def client_context(self) -> ssl.SSLContext:
        return client_context(self.ca.cert)

    def by_name(self, name: str) -> CertPair:
        """`"server"`, `"self_signed"`, `"wrong_host"` or `"expired"`."""
        pair = getattr(self, name, None)
        if not isinstance(pair, CertPair) or name in ("ca", "remote"):
            raise ValueError(f"no server certificate called {name!r}")
        return pair


def client_context(cafile: Path | str) -> ssl.SSLContext:
    """A verifying client context (CERT_REQUIRED, check_hostname, TLS ≥ 1.2) that trusts only `cafile`."""
    context = ssl.create_default_context(cafile=str(cafile))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


def fingerprint_sha256(cert: Path | str | bytes | x509.Certificate) -> str:
    """SHA-256 of the certificate's DER encoding, lower-case hex without separators.

    Accepts a PEM file path, PEM or DER bytes, or a loaded certificate. For a live server,
    `ssl_socket.getpeercert(binary_form=True)` gives the DER bytes to pass here.
    """
    if isinstance(cert, x509.Certificate):
        der = cert.public_bytes(serialization.Encoding.DER)
    else:
        data = Path(cert).read_bytes() if isinstance(cert, Path | str) else cert
        if data.lstrip().startswith(b"-----BEGIN"):
            der = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
        else:
            der = data
    return hashlib.sha256(der).hexdigest()


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Comptoir tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _san(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _write(directory: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> CertPair:
    cert_path = directory / f"{stem}.pem"
    key_path = directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key_path.chmod(0o600)
    return CertPair(cert_path, key_path)


def _leaf(subject_names: tuple[str, ...], issuer: x509.Name, issuer_key: ec.EllipticCurvePrivateKey | None,
          *, not_before: dt.datetime, not_after: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(subject_names[0])
    self_signed = issuer_key is None
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if self_signed else issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_san(subject_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not self_signed:
        assert issuer_key is not None
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    return builder.sign(key if issuer_key is None else issuer_key, hashes.SHA256()), key


def make_pki(directory: Path) -> Pki:
    """Generate the CA and the server certificates into `directory` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=30)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Comptoir throwaway test CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca = _write(directory, "ca", ca_cert, ca_key)

    valid = {"not_before": start, "not_after": end}
    server = _write(directory, "server", *_leaf(LOCAL_NAMES, ca_name, ca_key, **valid))
    self_signed = _write(directory, "self-signed", *_leaf(LOCAL_NAMES, ca_name, None, **valid))
    wrong_host = _write(directory, "wrong-host", *_leaf((WRONG_HOST,), ca_name, ca_key, **valid))
    expired = _write(directory, "expired", *_leaf(
        LOCAL_NAMES, ca_name, ca_key, not_before=now - dt.timedelta(days=10), not_after=now - dt.timedelta(days=1)))
    ip = non_loopback_ip()
    remote = _write(directory, "remote", *_leaf((ip,), ca_name, ca_key, **valid)) if ip else None
    return Pki(directory, ca, server, self_signed, wrong_host, expired, remote, ip)


def non_loopback_ip() -> str | None:
    """An address of this machine that is not loopback (None when it has none, e.g. no network at all)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it only picks the outgoing address
            ip = str(s.getsockname()[0])
        except OSError:
            return None
    address = ipaddress.ip_address(ip)
    return None if address.is_loopback or address.is_unspecified else ip
