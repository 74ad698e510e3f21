"""HTTPS: LocalSageMaker over TLS, and clients we build reading their CA bundle once however
many connections they open, verification unchanged (structural: loads are counted, not timed)."""

from __future__ import annotations

import gc
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import trustme
from botocore.httpsession import where

from sagemaker_presign import NetworkError, PresignClient
from sagemaker_presign._ca_bundle import load_ca_bundle_once
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK, raw_client

CONNECTIONS = 5


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def serving(ca: trustme.CA, *names: str, latency: float = 0.0) -> LocalSageMaker:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)  # pyright: ignore[reportUnknownMemberType]
    local = LocalSageMaker(ssl_context=context, latency=latency)
    return local


@pytest.fixture
def bundle(ca: trustme.CA, tmp_path: Path) -> Path:
    """The default bundle's certificates plus the test CA: as costly to read as a real one."""
    path = tmp_path / "bundle.pem"
    path.write_bytes(Path(where()).read_bytes() + ca.cert_pem.bytes())
    return path


@pytest.fixture
def trusted(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return bundle


@pytest.fixture
def https(ca: trustme.CA) -> Iterator[LocalSageMaker]:
    # A latency, so that concurrent calls overlap and each needs a connection of its own.
    with serving(ca, "127.0.0.1", latency=0.3) as local:
        local.add_notebook_instance(NOTEBOOK)
        yield local


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CA files loaded into any SSL context from now on."""
    seen: list[str] = []
    real = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, cafile: Any = None, *args: Any, **kwargs: Any) -> None:
        seen.append(str(cafile))
        real(self, cafile, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    return seen


def concurrently(call: Callable[[], object]) -> list[object]:
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(call())) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def fresh_connections(https: LocalSageMaker) -> int:
    return len({request.client_port for request in https.requests})


def test_the_https_endpoint_is_https(https: LocalSageMaker, trusted: Path) -> None:
    assert https.endpoint_url.startswith("https://127.0.0.1:")
    with PresignClient(endpoint_url=https.endpoint_url) as client:
        assert client.create_presigned_url(NOTEBOOK).url.startswith("https://")


def test_a_client_we_build_loads_its_bundle_once_over_five_connections(
    https: LocalSageMaker, trusted: Path, loads: list[str]
) -> None:
    with PresignClient(endpoint_url=https.endpoint_url) as client:
        urls = concurrently(lambda: client.create_presigned_url(NOTEBOOK).url)
    assert len(urls) == CONNECTIONS
    assert fresh_connections(https) == CONNECTIONS
    assert loads == [str(trusted)]


def test_a_plain_boto3_client_loads_it_on_every_connection(
    https: LocalSageMaker, trusted: Path, loads: list[str]
) -> None:
    # The control: what botocore does on its own, and what the test above would see without us.
    client = raw_client(https)
    try:
        calls = concurrently(
            lambda: client.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
        )
    finally:
        client.close()
    assert len(calls) == CONNECTIONS
    assert fresh_connections(https) == CONNECTIONS
    assert loads == [str(trusted)] * CONNECTIONS


def test_verification_is_unchanged_after_the_bundle_is_held(
    https: LocalSageMaker, ca: trustme.CA, trusted: Path
) -> None:
    stranger = serving(trustme.CA(), "127.0.0.1")  # a certificate from a CA nobody trusts
    wrong_name = serving(ca, "localhost")  # a trusted CA, but not for 127.0.0.1
    with stranger, wrong_name, PresignClient(endpoint_url=https.endpoint_url) as client:
        client.create_presigned_url(NOTEBOOK)  # the bundle is now held by the context
        for local in (stranger, wrong_name):
            local.add_notebook_instance(NOTEBOOK)
            with PresignClient(endpoint_url=local.endpoint_url) as other:
                for _ in range(2):  # the first connection and a later one alike
                    with pytest.raises(NetworkError):
                        other.create_presigned_url(NOTEBOOK)


def test_nothing_changes_when_botocore_is_shaped_otherwise(trusted: Path) -> None:
    assert not load_ca_bundle_once(object())
    assert not load_ca_bundle_once(
        SimpleNamespace(_endpoint=SimpleNamespace(http_session=object()))
    )


def test_a_pool_of_another_shape_keeps_urllib3s_own_loading(trusted: Path) -> None:
    set_up: list[object] = []

    def setup_ssl_cert(conn: Any, url: str, verify: Any) -> None:
        conn.ca_certs = str(trusted)
        set_up.append(conn)

    session = SimpleNamespace(_setup_ssl_cert=setup_ssl_cert)
    assert load_ca_bundle_once(SimpleNamespace(_endpoint=SimpleNamespace(http_session=session)))
    assert not load_ca_bundle_once(SimpleNamespace(_endpoint=SimpleNamespace(http_session=session)))
    no_conn_kw = SimpleNamespace()
    session._setup_ssl_cert(no_conn_kw, "https://example.invalid", True)
    assert no_conn_kw.ca_certs == str(trusted)  # left for urllib3 to load, as botocore meant
    context = ssl.create_default_context()
    held = SimpleNamespace(conn_kw={"ssl_context": context}, ca_cert_dir=None)
    session._setup_ssl_cert(held, "https://example.invalid", True)
    assert held.ca_certs is None
    assert set_up == [no_conn_kw, held]


def test_what_is_held_leaves_with_its_context(trusted: Path) -> None:
    def setup_ssl_cert(conn: Any, url: str, verify: Any) -> None:
        conn.ca_certs = str(trusted)

    session = SimpleNamespace(_setup_ssl_cert=setup_ssl_cert)
    assert load_ca_bundle_once(SimpleNamespace(_endpoint=SimpleNamespace(http_session=session)))
    loaded: dict[int, set[str]] = session._setup_ssl_cert._loaded
    context = ssl.create_default_context()
    conns = [SimpleNamespace(conn_kw={"ssl_context": context}, ca_cert_dir=None) for _ in "ab"]
    setups = [session._setup_ssl_cert(c, "https://example.invalid", True) for c in conns]
    assert setups == [None, None]
    assert [c.ca_certs for c in conns] == [None, None]
    assert list(loaded.values()) == [{str(trusted)}]
    del context, conns
    gc.collect()
    assert loaded == {}  # no entry outlives its context (whose id could be reused)

    class Unreferenceable:  # a context of another kind: no weak references
        __slots__ = ()

        def load_verify_locations(self, cafile: str) -> None:
            raise AssertionError("not to be called")

    odd = SimpleNamespace(conn_kw={"ssl_context": Unreferenceable()}, ca_cert_dir=None)
    session._setup_ssl_cert(odd, "https://example.invalid", True)
    assert odd.ca_certs == str(trusted)  # left to urllib3


def test_the_command_line_server_speaks_https_with_a_latency(
    ca: trustme.CA, trusted: Path, tmp_path: Path
) -> None:
    pem = tmp_path / "server.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    command = [sys.executable, "-m", "sagemaker_presign.testing", "--notebook", NOTEBOOK]
    server = subprocess.Popen(
        [*command, "--tls-cert", str(pem), "--latency", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        assert endpoint.startswith("https://127.0.0.1:")
        with PresignClient(endpoint_url=endpoint) as client:
            started = time.monotonic()
            assert client.create_presigned_url(NOTEBOOK).url.startswith("https://")
            assert time.monotonic() - started >= 0.2  # the latency was waited (a lower bound)
    finally:
        server.terminate()
        server.wait(10)
        if server.stdout is not None:
            server.stdout.close()


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--latency", "-1"], "cannot be negative"),
        (["--tls-key", "key.pem"], "--tls-key goes with --tls-cert"),
        (["--tls-cert", "/no/such.pem"], "cannot load --tls-cert"),
    ],
)
def test_the_command_line_server_refuses_bad_options(arguments: list[str], complaint: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sagemaker_presign.testing", *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2
    assert complaint in proc.stderr
