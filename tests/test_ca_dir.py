"""One-shot runs read only the CA certificates a chain needs, from a hashed directory of the
bundle (`_ca_dir`, `_ca_bundle.lazy_lookups`): the same certificates trusted, the same refusals,
nothing read whole; and the whole bundle again as soon as a run turns long-lived or anything is
unusual. Structural facts, counted in the SSL context's own store, never timed."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sagemaker_presign import NetworkError, PresignClient, _ca_bundle, _ca_dir, _cli_entry
from sagemaker_presign.testing import LocalSageMaker

from .support import NOTEBOOK
from .test_https import bundle, ca, concurrently, https, serving, trusted

__all__ = ["bundle", "ca", "https", "trusted"]  # fixtures shared with test_https


class Load(NamedTuple):
    context: ssl.SSLContext
    cafile: str | None
    capath: str | None


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "sagemaker-presign"


@pytest.fixture
def one_shot(cache: Path) -> Iterator[None]:
    _ca_bundle.lazy_lookups(True)
    try:
        yield
    finally:
        _ca_bundle.lazy_lookups(False)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Load]:
    seen: list[Load] = []
    real = ssl.SSLContext.load_verify_locations

    def recording(
        self: ssl.SSLContext, cafile: Any = None, capath: Any = None, cadata: Any = None
    ) -> None:
        seen.append(Load(self, cafile, capath))
        real(self, cafile, capath, cadata)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", recording)
    return seen


def a_crl() -> bytes:
    """A certificate revocation list in PEM (OpenSSL loads CRLs from a CA file, not from a
    hashed directory made of certificates only)."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "revoker")])
    now = datetime.datetime.now(datetime.timezone.utc)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer)
        .last_update(now)
        .next_update(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.PEM)


def certificates_in(path: Path) -> int:
    return path.read_bytes().count(b"-----BEGIN CERTIFICATE-----")


def held(load: Load) -> int:
    return load.context.cert_store_stats()["x509_ca"]


def test_a_one_shot_run_reads_only_the_certificates_its_chain_needs(
    https: LocalSageMaker, trusted: Path, one_shot: None, loads: list[Load], cache: Path
) -> None:
    with PresignClient(endpoint_url=https.endpoint_url) as client:
        urls = concurrently(lambda: client.create_presigned_url(NOTEBOOK).url)
    assert len(urls) == 5
    [load] = loads  # one load for five connections, as before...
    assert load.cafile is None
    assert load.capath is not None  # ...of a hashed directory
    assert Path(load.capath).parent == cache / "ca"
    assert held(load) == 1  # the test CA, read when the chain needed it; none of the others
    names = sorted(p.name for p in Path(load.capath).iterdir() if p.name != "complete")
    assert len(names) == certificates_in(trusted)  # every certificate of the bundle is there
    assert all(re.fullmatch(r"[0-9a-f]{8}\.[0-9]+", n) for n in names), names


def test_the_names_are_openssls_own_subject_hashes(
    trusted: Path, ca: trustme.CA, one_shot: None, cache: Path, tmp_path: Path
) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to compare with")
    folder = _ca_dir.hashed_dir(str(trusted), str(cache))
    assert folder is not None
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    expected = subprocess.run(
        [openssl, "x509", "-in", str(pem), "-noout", "-subject_hash"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert (Path(folder) / f"{expected}.0").read_bytes() == ca.cert_pem.bytes()


def test_verification_is_unchanged(
    https: LocalSageMaker, ca: trustme.CA, trusted: Path, one_shot: None, loads: list[Load]
) -> None:
    stranger = serving(trustme.CA(), "127.0.0.1")  # a certificate from a CA nobody trusts
    wrong_name = serving(ca, "localhost")  # a trusted CA, but not for 127.0.0.1
    with stranger, wrong_name:
        for local in (stranger, wrong_name):
            local.add_notebook_instance(NOTEBOOK)
            with PresignClient(endpoint_url=local.endpoint_url) as client:
                for _ in range(2):
                    with pytest.raises(NetworkError):
                        client.create_presigned_url(NOTEBOOK)
    assert all(load.capath is not None for load in loads)  # refused with the directory


def test_a_certificate_taken_out_of_the_bundle_is_no_longer_trusted(
    https: LocalSageMaker, trusted: Path, ca: trustme.CA, one_shot: None, cache: Path
) -> None:
    with PresignClient(endpoint_url=https.endpoint_url) as client:
        client.create_presigned_url(NOTEBOOK)  # the directory with the test CA exists now
    trusted.write_bytes(trusted.read_bytes().replace(ca.cert_pem.bytes(), b""))
    with PresignClient(endpoint_url=https.endpoint_url) as client, pytest.raises(NetworkError):
        client.create_presigned_url(NOTEBOOK)
    assert len(list((cache / "ca").iterdir())) == 2  # one directory per bundle content


def test_a_run_that_turns_long_lived_loads_the_whole_bundle(
    https: LocalSageMaker, ca: trustme.CA, trusted: Path, one_shot: None, loads: list[Load]
) -> None:
    with PresignClient(endpoint_url=https.endpoint_url) as client:
        client.create_presigned_url(NOTEBOOK)
        _cli_entry.turn_long_lived()  # what serve and waits call
        client.create_presigned_url(NOTEBOOK)
        assert [(load.cafile is None, load.capath is None) for load in loads] == [
            (True, False),
            (False, True),
        ]
        assert held(loads[-1]) == certificates_in(trusted)  # all of them, in memory
        shutil.rmtree(str(loads[0].capath))  # nothing depends on the cache folder any more
        with serving(ca, "127.0.0.1") as other:  # a new connection, a new chain to verify
            other.add_notebook_instance(NOTEBOOK)
            client.create_presigned_url(NOTEBOOK)
    assert len(loads) == 2


@pytest.mark.parametrize(
    "unusual",
    ["a CRL", "a trusted certificate", "no hash", "unwritable", "shared"],
)
def test_anything_unusual_loads_the_whole_bundle(
    *,
    https: LocalSageMaker,
    trusted: Path,
    one_shot: None,
    loads: list[Load],
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    unusual: str,
) -> None:
    original = trusted.read_bytes()
    if unusual == "a CRL":
        trusted.write_bytes(original + a_crl())
    elif unusual == "a trusted certificate":
        block = original.split(b"-----END CERTIFICATE-----")[0].split(b"-----\n", 1)[1]
        trusted.write_bytes(
            original + b"-----BEGIN TRUSTED CERTIFICATE-----\n" + block
            + b"-----END TRUSTED CERTIFICATE-----\n"
        )  # fmt: skip
    elif unusual == "no hash":
        monkeypatch.setattr(_ca_dir, "_subject_hasher", lambda: None)
    elif unusual == "unwritable":
        cache.parent.parent.mkdir(parents=True, exist_ok=True)
        cache.parent.write_text("a file where the cache folder should be")
    elif unusual == "shared":
        folder = _ca_dir.hashed_dir(str(trusted), str(cache))
        assert folder is not None
        os.chmod(folder, 0o770)  # another user (the group) could add a CA of theirs
    with PresignClient(endpoint_url=https.endpoint_url) as client:
        assert client.create_presigned_url(NOTEBOOK).url.startswith("https://")
    assert [(load.cafile, load.capath) for load in loads] == [(str(trusted), None)]


def test_no_directory_for_a_certificate_openssl_cannot_parse(trusted: Path, cache: Path) -> None:
    broken = trusted.with_name("broken.pem")
    broken.write_bytes(
        trusted.read_bytes() + b"-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n"
    )
    assert _ca_dir.hashed_dir(str(trusted), str(cache)) is not None
    assert _ca_dir.hashed_dir(str(broken), str(cache)) is None  # loading it whole fails, as ever
    assert _ca_dir.hashed_dir(str(trusted.with_name("missing.pem")), str(cache)) is None


def test_turned_off_by_the_environment(
    https: LocalSageMaker, trusted: Path, loads: list[Load], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_ca_bundle.DISABLE_VARIABLE, "1")
    _ca_bundle.lazy_lookups(True)
    try:
        with PresignClient(endpoint_url=https.endpoint_url) as client:
            client.create_presigned_url(NOTEBOOK)
    finally:
        _ca_bundle.lazy_lookups(False)
    assert [(load.cafile, load.capath) for load in loads] == [(str(trusted), None)]


def test_library_clients_load_the_whole_bundle(
    https: LocalSageMaker, trusted: Path, loads: list[Load]
) -> None:
    with PresignClient(endpoint_url=https.endpoint_url) as client:  # no console script here
        client.create_presigned_url(NOTEBOOK)
    assert [(load.cafile, load.capath) for load in loads] == [(str(trusted), None)]


def test_the_console_script_over_https(
    https: LocalSageMaker, ca: trustme.CA, trusted: Path, cache: Path
) -> None:
    command = [sys.executable, "-m", "sagemaker_presign", "--endpoint-url"]
    ok = subprocess.run(
        [*command, https.endpoint_url, NOTEBOOK], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("https://")
    assert len(list((cache / "ca").iterdir())) == 1
    with serving(trustme.CA(), "127.0.0.1") as stranger:
        stranger.add_notebook_instance(NOTEBOOK)
        refused = subprocess.run(
            [*command, stranger.endpoint_url, NOTEBOOK], capture_output=True, text=True, check=False
        )
    assert refused.returncode == 5  # network/TLS failure
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr
    assert refused.stdout == ""
