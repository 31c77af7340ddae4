"""URL imports cannot reach the platform's own network (SSRF), however the address is spelt.

Every refused form points at a real HTTP server on a loopback address that counts its hits:
a refusal must leave it at zero hits and store nothing. The same forms with the addresses
allowed reach the server, so the refusals are not vacuous.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from urllib.parse import unquote

import httpx
import pyarrow.fs as pafs
import pytest

from daas.platform.datasets import object_stores
from daas.platform.datasets.url_guard import AllowList, refusal
from tests.platform.test_datasets import API, SALES_CSV, dataset_files

ALLOW_EVERYTHING = "0.0.0.0/0, ::/0"


class _Counting(http.server.BaseHTTPRequestHandler):
    """``/to/<url>`` redirects to ``<url>``, ``/loop`` to itself, ``/secret`` fails with a
    body and header that must not be echoed; anything else answers the sales CSV."""

    server: _CountingServer

    def do_GET(self) -> None:
        self.server.hits += 1
        self.server.hosts.append(self.headers.get("Host"))
        if self.path == "/secret":
            self.send_response(500)
            self.send_header("X-Internal", "SECRET-HEADER")
            self.end_headers()
            self.wfile.write(b"SECRET-BODY")
            return
        if self.path == "/loop" or self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", unquote(self.path.removeprefix("/to/")))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(SALES_CSV)))
        self.end_headers()
        self.wfile.write(SALES_CSV)

    def log_message(self, *args) -> None:
        pass


class _CountingServer(http.server.ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.hits = 0
        self.hosts: list[str | None] = []
        super().__init__(address, _Counting)

    @property
    def port(self) -> int:
        return self.server_address[1]


@pytest.fixture
def serve() -> Iterator[Callable[..., _CountingServer]]:
    """Start counting servers: ``serve("127.0.0.1")``, ``serve("::1", port)``, ``tls=context``."""
    servers: list[_CountingServer] = []

    def start(host: str = "127.0.0.1", port: int = 0, tls=None) -> _CountingServer:
        server = _CountingServer((host, port))
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def import_url(client, url: str, name: str = "web", **body):
    return client.post(f"{API}/import", json={"name": name, "url": url, "format": "csv", **body})


def assert_nothing_stored(platform_app, client) -> None:
    assert client.get(API).json()["total"] == 0
    assert dataset_files(platform_app) == []


# (URL template, rule); {v4} is a server on 127.0.0.1, {v6} one on ::1.
SSRF_FORMS = [
    ("http://127.0.0.1:{v4}/sales.csv", "loopback"),
    ("http://localhost:{v4}/sales.csv", "loopback"),
    ("http://[::1]:{v6}/sales.csv", "loopback"),
    ("http://0.0.0.0:{v4}/sales.csv", "unspecified"),
    ("http://[::]:{v6}/sales.csv", "unspecified"),
    ("http://[::ffff:127.0.0.1]:{v4}/sales.csv", "loopback"),
    ("http://2130706433:{v4}/sales.csv", "loopback"),
    ("http://0x7f.1:{v4}/sales.csv", "loopback"),
    ("http://127.1:{v4}/sales.csv", "loopback"),
]


@pytest.fixture
def loopback_servers(serve) -> tuple[_CountingServer, _CountingServer]:
    return serve("127.0.0.1"), serve("::1")


@pytest.mark.parametrize(("template", "rule"), SSRF_FORMS)
def test_each_loopback_form_is_refused_naming_the_rule_without_a_hit(
        platform_app, client, loopback_servers, template, rule):
    v4, v6 = loopback_servers
    response = import_url(client, template.format(v4=v4.port, v6=v6.port))
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["details"]["rule"] == rule and error["details"]["field"] == "url"
    assert f"a {rule} address" in error["message"] or rule == "unspecified"
    assert "DAAS_DATASET_IMPORT_ALLOW" in error["message"]
    assert v4.hits == v6.hits == 0
    assert_nothing_stored(platform_app, client)


@pytest.mark.parametrize(("template", "rule"), SSRF_FORMS)
def test_the_same_forms_import_once_allowed(platform_app, client, loopback_servers, template, rule):
    v4, v6 = loopback_servers
    platform_app.settings.dataset_import_allow = ALLOW_EVERYTHING
    response = import_url(client, template.format(v4=v4.port, v6=v6.port))
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 3
    assert v4.hits + v6.hits == 1


def test_an_allowed_loopback_server_imports_by_host_name(platform_app, client, serve):
    server = serve()
    platform_app.settings.dataset_import_allow = "localhost"
    response = import_url(client, f"http://localhost:{server.port}/sales.csv")
    assert response.status_code == 201, response.text
    assert server.hosts == [f"localhost:{server.port}"]
    assert import_url(client, f"http://127.0.0.1:{server.port}/x.csv", "other").status_code == 403


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/sales.csv",
                                    "http://2130706434:{port}/sales.csv",
                                    "http://[::1]:{port}/sales.csv"])
def test_a_redirect_from_an_allowed_server_to_loopback_is_refused(
        platform_app, client, serve, target):
    allowed = serve("127.0.0.1")
    forbidden = serve("::1" if "::1" in target else "127.0.0.2")
    platform_app.settings.dataset_import_allow = "127.0.0.1/32"
    url = f"http://127.0.0.1:{allowed.port}/to/{target.format(port=forbidden.port)}"
    response = import_url(client, url)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["details"]["rule"] == "loopback"
    assert (allowed.hits, forbidden.hits) == (1, 0)
    assert_nothing_stored(platform_app, client)

    platform_app.settings.dataset_import_allow = ALLOW_EVERYTHING
    assert import_url(client, url).status_code == 201
    assert (allowed.hits, forbidden.hits) == (2, 1)


def test_redirects_are_bounded(platform_app, client, serve):
    server = serve()
    platform_app.settings.dataset_import_allow = "127.0.0.1"
    response = import_url(client, f"http://127.0.0.1:{server.port}/loop")
    assert response.status_code == 422, response.text
    assert "redirects" in response.json()["error"]["message"]
    assert server.hits == 6
    assert_nothing_stored(platform_app, client)


def test_the_checked_address_is_pinned_against_dns_rebinding(platform_app, client, serve, monkeypatch):
    """The name resolves to an allowed address first and to a refused one on any later ask."""
    checked = serve("127.0.0.1")
    rebound = serve("127.0.0.2", checked.port)
    platform_app.settings.dataset_import_allow = "127.0.0.1/32"
    real_getaddrinfo = socket.getaddrinfo
    answers: list[str] = []

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host != "data.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        answers.append("127.0.0.1" if not answers else "127.0.0.2")
        return real_getaddrinfo(answers[-1], port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    response = import_url(client, f"http://data.example:{checked.port}/sales.csv")
    assert response.status_code == 201, response.text
    assert answers == ["127.0.0.1"]
    assert (checked.hits, rebound.hits) == (1, 0)
    assert checked.hosts == [f"data.example:{checked.port}"]
    # A client resolving the name itself would have landed on the rebound address.
    httpx.get(f"http://data.example:{checked.port}/sales.csv", trust_env=False)
    assert rebound.hits == 1


def test_octal_forms_are_refused_as_invalid_urls_without_a_hit(platform_app, client, serve):
    server = serve()
    for url in (f"http://0177.0.0.1:{server.port}/sales.csv", f"http://017700000001:{server.port}/"):
        response = import_url(client, url)
        assert response.status_code in (403, 422), response.text
        assert response.json()["error"]["details"]["field"] == "url"
    assert server.hits == 0
    assert_nothing_stored(platform_app, client)


def test_refusals_do_not_echo_the_answer(platform_app, client, serve):
    server = serve()
    platform_app.settings.dataset_import_allow = "127.0.0.1"
    response = import_url(client, f"http://127.0.0.1:{server.port}/secret")
    assert server.hits == 1
    assert response.status_code == 422
    assert response.json()["error"]["message"].endswith("the server answered HTTP 500")
    assert "SECRET" not in response.text


@pytest.mark.parametrize(("address", "rule"), [
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("10.1.2.3", "private"),
    ("192.168.0.1", "private"), ("fc00::1", "private"), ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"), ("240.0.0.1", "private"), ("100.64.0.1", "not-global"),
    ("64:ff9b::7f00:1", "loopback"), ("2002:7f00:1::", "loopback"),
    ("::ffff:10.0.0.1", "private"), ("::", "unspecified"), ("fec0::1", "site-local"),
    ("feff:ffff::1", "site-local"),
])
def test_non_public_addresses_have_a_rule(address, rule):
    import ipaddress

    assert refusal(ipaddress.ip_address(address))[0] == rule


def test_public_addresses_pass_and_the_allow_list_matches_networks_and_names():
    import ipaddress

    assert refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111")) is None
    allow = AllowList.parse(" 10.0.0.0/8, [::1], Minio.Internal. ,")
    assert allow.allows_address(ipaddress.ip_address("10.9.9.9"))
    assert allow.allows_address(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert allow.allows_address(ipaddress.ip_address("::1"))
    assert not allow.allows_address(ipaddress.ip_address("127.0.0.1"))
    assert allow.allows_name("minio.internal") and not allow.allows_name("internal")


def test_malformed_urls_are_422(client):
    for url in ("http://[::1/x.csv", "http:///x.csv", "http://exa mple.com/x.csv"):
        response = import_url(client, url)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["error"]["details"]["field"] == "url"


# --- object stores ---------------------------------------------------------------------------

def editor_client(platform_app):
    token = platform_app.client().post("/api/v1/tokens", json={"name": "ed", "role": "editor"})
    return platform_app.client(token.json()["token"])


def test_object_store_imports_need_request_credentials_unless_the_role_may(platform_app, client):
    as_editor = editor_client(platform_app)
    response = import_url(as_editor, "s3://bucket/sales.csv")
    assert response.status_code == 403, response.text
    assert response.json()["error"]["details"]["field"] == "credentials"
    assert "DAAS_DATASET_IMPORT_PLATFORM_CREDENTIALS" in response.json()["error"]["message"]
    platform_app.settings.dataset_import_platform_credentials = "none"
    assert import_url(client, "gs://bucket/sales.csv").status_code == 403
    assert_nothing_stored(platform_app, client)


def test_object_store_urls_take_no_query_and_other_urls_no_credentials(client):
    keys = {"access_key_id": "AK", "secret_access_key": "SK"}
    with_query = import_url(client, "s3://bucket/x.csv?endpoint_override=127.0.0.1:8265&scheme=http",
                            credentials=keys)
    assert with_query.status_code == 422 and with_query.json()["error"]["details"]["field"] == "url"
    on_http = import_url(client, "http://example.com/x.csv", credentials=keys)
    assert on_http.status_code == 422
    assert on_http.json()["error"]["details"]["field"] == "credentials"
    half = import_url(client, "s3://bucket/x.csv", credentials={"access_key_id": "AK"})
    assert half.status_code == 422 and half.json()["error"]["details"]["field"] == "credentials"


def test_a_loopback_object_store_endpoint_is_refused_without_a_hit(platform_app, client, serve):
    server = serve()
    credentials = {"access_key_id": "AK", "secret_access_key": "SK",
                   "endpoint": f"http://localhost:{server.port}"}
    response = import_url(editor_client(platform_app), "s3://bucket/sales.csv",
                          credentials=credentials)
    assert response.status_code == 403, response.text
    details = response.json()["error"]["details"]
    assert details == {"field": "credentials.endpoint", "rule": "loopback", "address": "127.0.0.1"}
    assert server.hits == 0
    assert_nothing_stored(platform_app, client)


def test_request_credentials_open_the_object_and_the_endpoint_is_pinned(
        platform_app, client, tmp_path, monkeypatch):
    (tmp_path / "bucket").mkdir()
    (tmp_path / "bucket" / "sales.csv").write_bytes(SALES_CSV)
    opened: list[dict] = []

    def local_s3(**options):
        opened.append(options)
        return pafs.SubTreeFileSystem(str(tmp_path), pafs.LocalFileSystem())

    monkeypatch.setattr(object_stores.pafs, "S3FileSystem", local_s3)
    platform_app.settings.dataset_import_allow = "127.0.0.1"
    credentials = {"access_key_id": "AK", "secret_access_key": "very-secret",
                   "endpoint": "http://localhost:9000", "region": "eu-north-1"}
    response = import_url(editor_client(platform_app), "s3://bucket/sales.csv",
                          credentials=credentials)
    assert response.status_code == 201, response.text
    assert response.json()["source"] == "s3://bucket/sales.csv" and response.json()["rows"] == 3
    assert "very-secret" not in response.text
    assert opened == [{"access_key": "AK", "secret_key": "very-secret", "session_token": None,
                       "region": "eu-north-1", "scheme": "http",
                       "endpoint_override": "127.0.0.1:9000"}]


# --- https: the pinned connection still checks the certificate against the name -----------

def _self_signed(folder, name: str):
    """A certificate and key for ``name`` (PEM files), its own CA."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.mark.parametrize(("cert_name", "status"), [("data.example", 201), ("other.example", 422)])
def test_https_connects_to_the_checked_address_and_verifies_the_name(
        platform_app, client, serve, tmp_path, monkeypatch, cert_name, status):
    import ssl

    import certifi

    cert_file, key_file = _self_signed(tmp_path, cert_name)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = serve("127.0.0.1", tls=context)
    monkeypatch.setattr(certifi, "where", lambda: str(cert_file))
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *rest, **kw: real_getaddrinfo(
        "127.0.0.1" if host == "data.example" else host, *rest, **kw))
    platform_app.settings.dataset_import_allow = "127.0.0.1/32"

    response = import_url(client, f"https://data.example:{server.port}/sales.csv")
    assert response.status_code == status, response.text
    if status == 201:
        assert server.hosts == [f"data.example:{server.port}"]
    else:
        assert server.hits == 0 and "download failed" in response.json()["error"]["message"]


def test_object_store_urls_cannot_smuggle_options(client):
    keys = {"access_key_id": "AK", "secret_access_key": "SK"}
    for url in ("s3://AK:SK@bucket/x.csv", "s3://bucket:9000/x.csv", "s3:///x.csv", "s3://bucket/"):
        response = import_url(client, url, credentials=keys)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["error"]["details"]["field"] == "url"
