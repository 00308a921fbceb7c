"""HTTPS on the LAN: a local CA made once, server certificates it signs for the phones' addresses."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import stat
import urllib.request

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from checklist_app import tls

from ..browser.app_server import AppServer
from .conftest import make_test_app

NOW = dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC)
HOSTS = ["192.168.1.20", "xunjian.local", "localhost", "127.0.0.1"]
NO_CHECK_TIME = 0x200000  # OpenSSL's X509_V_FLAG_NO_CHECK_TIME


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_server_certificate_is_signed_by_the_local_ca_for_every_address(tmp_path):
    files = tls.ensure(tmp_path / "tls", HOSTS, NOW)
    ca, cert = load(files.ca_cert), load(files.cert)
    cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("192.168.1.20") in names.get_values_for_type(x509.IPAddress)
    assert "xunjian.local" in names.get_values_for_type(x509.DNSName)
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=825)  # iOS's limit
    for key in (files.key, files.ca_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_ca_is_kept_and_the_server_certificate_reissued_only_when_needed(tmp_path):
    first = tls.ensure(tmp_path / "tls", HOSTS, NOW)
    ca, cert = load(first.ca_cert).serial_number, load(first.cert).serial_number
    tls.ensure(tmp_path / "tls", HOSTS, NOW + dt.timedelta(days=1))
    assert load(first.cert).serial_number == cert  # nothing new: the same certificate
    tls.ensure(tmp_path / "tls", [*HOSTS, "192.168.1.21"], NOW + dt.timedelta(days=2))
    assert load(first.cert).serial_number != cert  # a new address: a new certificate ...
    assert load(first.ca_cert).serial_number == ca  # ... from the same CA, so phones need nothing new
    renewed = load(first.cert).serial_number
    tls.ensure(tmp_path / "tls", [*HOSTS, "192.168.1.21"], NOW + dt.timedelta(days=790))
    assert load(first.cert).serial_number != renewed  # renewed 30 days before it expires
    assert load(first.ca_cert).serial_number == ca


def test_the_ca_certificate_is_offered_for_download_and_the_command_makes_it(
    monkeypatch, tmp_path, handbook_dir, sample_site, clock
):
    monkeypatch.setenv("CHECKLIST_INSTANCE_PATH", str(tmp_path / "instance"))  # not the project's
    app = make_test_app(handbook_dir, sample_site, tmp_path / "data", clock)
    client = app.test_client()
    assert client.get("/tls/ca.crt").status_code == 404
    result = app.test_cli_runner().invoke(args=["tls", "--host", "192.168.1.20"])
    assert result.exit_code == 0, result.output
    assert "根证书指纹 SHA-256：" in result.output and "192.168.1.20" in result.output
    assert (tmp_path / "instance" / "tls" / "ca.key").exists()
    with client.get("/tls/ca.crt") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/x-x509-ca-cert"
        assert b"BEGIN CERTIFICATE" in response.data


def test_gunicorn_serves_the_app_over_https_with_that_certificate(tmp_path, handbook_dir, sample_site):
    files = tls.ensure(tmp_path / "tls", ["127.0.0.1", "localhost"], NOW)
    server = AppServer(
        tmp_path,
        handbook_dir,
        sample_site,
        workers=1,
        extra_args=("--certfile", str(files.cert), "--keyfile", str(files.key)),
    )
    try:
        trusting = ssl.create_default_context(cafile=str(files.ca_cert))  # a phone that installed the CA
        trusting.verify_flags |= NO_CHECK_TIME  # the certificates are dated by the test clock, not today
        with urllib.request.urlopen(server.url + "/login", context=trusting, timeout=10) as response:
            assert response.status == 200 and "登录" in response.read().decode()
    finally:
        server.stop()
