"""The hub content downloader against LocalSageMaker's file server, over real sockets: every
byte right, never outside its folder, resumable, outliving its URLs, riding out faults."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path

import pytest

from sagemaker_presign import DownloadError, PresignClient
from sagemaker_presign._download import PART_SIZE, Downloader, DownloadProgress
from sagemaker_presign._hub import HubContentUrls
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.testing._hub import HubContent

from .support import needs, new_client
from .test_cli import SIGNED

HUB = "SageMakerPublicHub"
pytestmark = needs("CreateHubContentPresignedUrls")
FILES = [
    ("/config.json", 700),
    ("/empty.txt", 0),
    ("/tokenizer/vocab.json", 90_000),
    ("/weights/model-00001.bin", PART_SIZE * 2 + 12_345),  # three ranged parts
]


@pytest.fixture
def content(sagemaker: LocalSageMaker) -> HubContent:
    return sagemaker.add_hub_content(HUB, "llama", FILES)


def assert_complete(sagemaker: LocalSageMaker, content: HubContent, folder: Path) -> None:
    for path, _ in FILES:
        written = (folder / path[1:]).read_bytes()
        assert written == sagemaker.hub_file_bytes(content, path), path
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith((".part", ".state"))]
    assert leftovers == []


def gets(sagemaker: LocalSageMaker) -> list[tuple[str, str]]:
    with sagemaker.locked():
        return list(sagemaker.hub_files().gets)


def test_every_file_lands_whole_and_a_rerun_skips_them(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    seen: list[DownloadProgress] = []
    summary = client.download_hub_content(
        HUB, "Model", "llama", to=tmp_path / "new" / "model", on_progress=seen.append
    )
    assert_complete(sagemaker, content, tmp_path / "new" / "model")
    total = sum(size for _, size in FILES)
    assert (summary.files, summary.skipped, summary.bytes_downloaded) == (4, 0, total)
    assert summary.presign_calls == 1
    assert seen[-1].files_done == 4
    assert seen[-1].bytes_total == total
    big = [r for key, r in gets(sagemaker) if key.endswith("model-00001.bin")]
    assert sorted(big) == [
        f"bytes=0-{PART_SIZE - 1}",
        f"bytes={PART_SIZE}-{2 * PART_SIZE - 1}",
        f"bytes={2 * PART_SIZE}-{2 * PART_SIZE + 12_344}",
    ], "a large file comes in ranged parts"
    before = len(gets(sagemaker))
    again = client.download_hub_content(HUB, "Model", "llama", to=tmp_path / "new" / "model")
    assert (again.skipped, again.bytes_downloaded) == (4, 0)
    assert len(gets(sagemaker)) == before, "nothing fetched again"


def test_a_reset_mid_body_and_a_503_are_retried_from_where_they_stopped(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    with sagemaker.locked():
        sagemaker.hub_files().file_faults.extend([("reset", 300_000), ("503", 0)])
    summary = client.download_hub_content(HUB, "Model", "llama", to=tmp_path, max_concurrency=1)
    assert_complete(sagemaker, content, tmp_path)
    assert summary.bytes_downloaded == sum(size for _, size in FILES), "no byte twice"
    resumed = [r for _, r in gets(sagemaker) if r.startswith("bytes=") and not r.endswith("-0")]
    assert any(not r.startswith(("bytes=0-", f"bytes={PART_SIZE}-")) for r in resumed)


def test_urls_that_expire_mid_download_cost_one_presign_and_no_byte_twice(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    files = sagemaker.hub_files()
    with sagemaker.locked():
        files.next_lifetimes = [1]  # only the first URLs die young
        files.rate_limit = 12 << 20  # each 16 MiB part takes over a second
    summary = client.download_hub_content(HUB, "Model", "llama", to=tmp_path, max_concurrency=1)
    assert_complete(sagemaker, content, tmp_path)
    assert summary.presign_calls == 2
    assert summary.bytes_downloaded == sum(size for _, size in FILES)


def test_short_lived_fresh_urls_are_used_at_once(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    """URLs that live two seconds: each is used the moment it arrives, never re-minted in a
    loop, and a download far longer than their life completes."""
    with sagemaker.locked():
        sagemaker.hub_files().url_lifetime = 2
        sagemaker.hub_files().rate_limit = 16 << 20
    summary = client.download_hub_content(HUB, "Model", "llama", to=tmp_path, max_concurrency=2)
    assert_complete(sagemaker, content, tmp_path)
    assert summary.bytes_downloaded == sum(size for _, size in FILES)
    assert summary.presign_calls <= 4


def test_a_symlink_inside_the_folder_is_never_followed(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights").symlink_to(elsewhere)
    (folder / "config.json").symlink_to(elsewhere / "config.json")
    with pytest.raises(DownloadError, match="symlink"):
        client.download_hub_content(HUB, "Model", "llama", to=folder)
    assert list(elsewhere.iterdir()) == []


def test_a_destination_that_is_a_file(
    client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    target = tmp_path / "a-file"
    target.write_text("mine")
    with pytest.raises(DownloadError, match="is a file"):
        client.download_hub_content(HUB, "Model", "llama", to=target)
    assert target.read_text() == "mine"


def test_plain_http_only_from_a_stand_in_reached_over_plain_http(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    def presign() -> HubContentUrls:
        return client.create_hub_content_presigned_urls(HUB, "Model", "llama")

    downloader = Downloader(
        presign,
        tmp_path,
        http=lambda url: None,
        allow_http_loopback=False,
        max_concurrency=2,
        on_progress=None,
    )
    with pytest.raises(DownloadError, match=r"is http://, not https://"):
        downloader.run()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="1 to 64"):
        client.download_hub_content(HUB, "Model", "llama", to=tmp_path, max_concurrency=0)


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Generator[Path, None, None]:
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_a_clear_error_and_nothing_looks_complete(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    with small_disk(tmp_path) as disk:
        with pytest.raises(DownloadError, match="the disk is full"):
            client.download_hub_content(HUB, "Model", "llama", to=disk / "model")
        assert not (disk / "model" / "weights" / "model-00001.bin").exists()


def _cli(sagemaker: LocalSageMaker, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "sagemaker_presign", "--region", "us-east-1"),
            *("--endpoint-url", sagemaker.endpoint_url, "hub", "download", "--hub", HUB),
            *("--name", "llama", "--max-concurrency", "2", *args),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **SIGNED},
    )


def _wait_for_bytes(folder: Path, minimum: int) -> None:
    """Until the resumable record says *minimum* bytes are done."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = 0
        for state in folder.rglob("*.part.state"):
            with contextlib.suppress(OSError, ValueError):
                done += sum(json.loads(state.read_text())["parts"].values())
        if done >= minimum:
            return
        time.sleep(0.02)
    raise AssertionError("the download never got that far")


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_an_interrupted_download_resumes_with_range(
    sagemaker: LocalSageMaker, content: HubContent, tmp_path: Path, how: str
) -> None:
    with sagemaker.locked():
        sagemaker.hub_files().rate_limit = 8 << 20
    with _cli(sagemaker, "--to", str(tmp_path)) as proc:
        _wait_for_bytes(tmp_path, 4 << 20)
        proc.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
        _, stderr = proc.communicate(timeout=60)
    if how == "ctrl-c":
        assert proc.returncode == 130
        assert stderr.strip().endswith("sagemaker-presign: error: interrupted")
        assert "Traceback" not in stderr
    assert not (tmp_path / "weights" / "model-00001.bin").exists()
    with sagemaker.locked():
        sagemaker.hub_files().rate_limit = 0
        sagemaker.hub_files().gets.clear()
    with _cli(sagemaker, "--to", str(tmp_path), "--json") as proc:
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert_complete(sagemaker, content, tmp_path)
    resumed = [r for key, r in gets(sagemaker) if key.endswith("model-00001.bin")]
    starts = {int(r.removeprefix("bytes=").partition("-")[0]) for r in resumed}
    assert starts - {0, PART_SIZE, 2 * PART_SIZE}, f"resumed mid-part with Range: {resumed}"
    assert '"bytes_downloaded"' in stdout


def test_https_downloads_verify_tls_as_the_client_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    import trustme
    from certifi import where

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)  # pyright: ignore[reportUnknownMemberType]
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(Path(where()).read_bytes() + authority.cert_pem.bytes())
    with LocalSageMaker(ssl_context=context) as local:
        content = local.add_hub_content(HUB, "llama", FILES[:3])
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
        monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
        with PresignClient(region_name="us-east-1", endpoint_url=local.endpoint_url) as client:
            summary = client.download_hub_content(HUB, "Model", "llama", to=tmp_path / "ok")
            assert summary.files == 3
            for path, _ in FILES[:3]:
                written = (tmp_path / "ok" / path[1:]).read_bytes()
                assert written == local.hub_file_bytes(content, path)
            found = client.create_hub_content_presigned_urls(HUB, "Model", "llama")
            assert all(file.url.startswith("https://127.0.0.1:") for file in found)
        # A ready client given its own verify= is trusted by botocore alone: the downloads do not
        # see that bundle (only AWS_CA_BUNDLE), so they fail closed, at once, saying so.
        monkeypatch.delenv("AWS_CA_BUNDLE")
        import boto3

        session = boto3.Session(region_name="us-east-1")
        raw = new_client(session, endpoint_url=local.endpoint_url, verify=str(bundle))
        with (
            PresignClient(raw) as client,
            pytest.raises(DownloadError, match="TLS verification failed"),
        ):
            client.download_hub_content(HUB, "Model", "llama", to=tmp_path / "refused")


def test_a_file_that_fails_its_md5_is_never_kept_under_its_name(
    sagemaker: LocalSageMaker, client: PresignClient, content: HubContent, tmp_path: Path
) -> None:
    with sagemaker.locked():
        sagemaker.hub_files().file_faults.append(("corrupt", 0))
    with pytest.raises(DownloadError, match="does not match its ETag"):
        client.download_hub_content(HUB, "Model", "llama", to=tmp_path, max_concurrency=1)
    assert not (tmp_path / "config.json").exists()
    summary = client.download_hub_content(HUB, "Model", "llama", to=tmp_path)
    assert summary.files == 4
    assert_complete(sagemaker, content, tmp_path)


def test_the_environments_proxy_is_used(
    sagemaker: LocalSageMaker, content: HubContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY names a proxy that is not there: the file GETs go to it (and fail) rather
    than around it; NO_PROXY for their host lets them through again."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    api = sagemaker.endpoint_url.removeprefix("http://")
    monkeypatch.setenv("NO_PROXY", api)  # the API call goes straight; the files would not
    with sagemaker.client() as client, pytest.raises(DownloadError, match="connection failed"):
        client.download_hub_content(HUB, "Model", "llama", to=tmp_path / "a")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with sagemaker.client() as client:
        assert client.download_hub_content(HUB, "Model", "llama", to=tmp_path / "b").files == 4
