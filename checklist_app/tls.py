"""HTTPS on the LAN: a local certificate authority and the server certificate it signs, in ``instance/tls/``.

Phones reach the server by its LAN address, and a service worker (the offline app) needs a secure
context there, so the server must speak HTTPS with a certificate the phones trust. Rather than a
self-signed server certificate (which phones refuse to trust for service workers), the app keeps a
small CA: its certificate is installed once on each phone, and the server certificate it signs can
be renewed, or re-issued for a new address, without touching the phones again. The certificates
follow the rules Apple and Chrome apply to a user-installed root: subjectAltName with every name and
address, serverAuth, at most 825 days.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Blueprint, Flask, Response, abort, current_app
from flask.cli import with_appcontext

from .extensions import clock

bp = Blueprint("tls", __name__)

CA_DAYS = 3650
SERVER_DAYS = 800  # under the 825 days iOS allows for a certificate from a user-installed root
RENEW_BEFORE = dt.timedelta(days=30)
CA_NAME = "巡检清单 本地证书颁发机构"


@dataclass(frozen=True)
class Files:
    """Where the CA and the server certificate live (PEM)."""

    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def cert(self) -> Path:
        return self.folder / "server.crt"

    @property
    def key(self) -> Path:
        return self.folder / "server.key"


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _ca(files: Files, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    if files.ca_cert.exists() and files.ca_key.exists():
        cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        if cert.not_valid_after_utc - RENEW_BEFORE > now:
            return cert, _read_key(files.ca_key)
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(files.ca_key, key)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.cert.unlink(missing_ok=True)  # a new CA: the old server certificate no longer chains to it
    return cert, key


def _alt_names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _covers(
    cert: x509.Certificate, names: list[x509.GeneralName], now: dt.datetime, ca: x509.Certificate
) -> bool:
    try:
        have = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return (
        cert.issuer == ca.subject
        and all(name in have for name in names)
        and cert.not_valid_after_utc - RENEW_BEFORE > now
    )


def ensure(folder: Path, hosts: list[str], now: dt.datetime) -> Files:
    """The CA (made once) and a server certificate for ``hosts`` (made again when a host is new or it
    expires within 30 days), all in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = Files(folder)
    ca_cert, ca_key = _ca(files, now)
    names = _alt_names(hosts)
    if files.cert.exists() and files.key.exists():
        if _covers(x509.load_pem_x509_certificate(files.cert.read_bytes()), names, now, ca_cert):
            return files
    key = _new_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(files.key, key)
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return files


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other phones can reach (best effort, no packet sent)."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # UDP connect only picks the outgoing interface
            found.append(probe.getsockname()[0])
        except OSError:
            pass
    return [a for a in found if not a.startswith("127.")]


def fingerprint(path: Path) -> str:
    """The certificate's SHA-256 fingerprint, as phones show it (AB:CD:…)."""
    digest = x509.load_pem_x509_certificate(path.read_bytes()).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def folder_of(app: Flask) -> Path:
    return Path(app.instance_path) / "tls"


@bp.get("/tls/ca.crt")
def ca_certificate():
    """The local CA's certificate, to install on a phone (public: it holds no key)."""
    path = Files(folder_of(current_app)).ca_cert
    if not path.exists():
        abort(404)
    response = Response(path.read_bytes(), mimetype="application/x-x509-ca-cert")
    response.headers["Content-Disposition"] = 'attachment; filename="xunjian-ca.crt"'
    return response


@click.command("tls")
@click.option("--host", "hosts", multiple=True, help="a name or address the phones use (repeatable)")
@with_appcontext
def tls_command(hosts: tuple[str, ...]) -> None:
    """Make (or renew) the local CA and the server certificate in instance/tls/, and print the paths."""
    app = current_app
    wanted = [h for h in hosts if h and h not in ("0.0.0.0", "::")]
    names = [*wanted, *lan_addresses(), socket.gethostname(), "localhost", "127.0.0.1"]
    files = ensure(folder_of(app), names, clock().now().astimezone(dt.UTC))
    click.echo(f"证书：{files.cert}\n私钥：{files.key}\n根证书（装到手机上）：{files.ca_cert}")
    click.echo(f"根证书指纹 SHA-256：{fingerprint(files.ca_cert)}")
    click.echo("包含的地址：" + "、".join(dict.fromkeys(names)))


def init_app(app: Flask) -> None:
    """Register the ``flask tls`` command."""
    app.cli.add_command(tls_command)
