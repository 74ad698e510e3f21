"""The hub content door: every page, every parameter checked before sending, every LocalPath
checked when the answer arrives, expiry read from the URL itself, no licence ever assumed."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sagemaker_presign import (
    InvalidParameterError,
    PresignClient,
    ServiceError,
    UnexpectedResponseError,
    UnsupportedOperationError,
)
from sagemaker_presign._hub import HUB_URL_VALIDITY, url_expiry
from sagemaker_presign.testing import LocalSageMaker

from .support import client_of_an_older_botocore, needs
from .test_cli import against

HUB = "SageMakerPublicHub"
HUB_DOOR = needs("CreateHubContentPresignedUrls")


def presigns(sagemaker: LocalSageMaker) -> list[dict[str, object]]:
    return [
        dict(r.body) for r in sagemaker.requests if r.operation == "CreateHubContentPresignedUrls"
    ]


@HUB_DOOR
def test_every_page_is_followed(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    files = [(f"/shard-{index:03d}.bin", index) for index in range(250)]
    sagemaker.add_hub_content(HUB, "big-model", files)
    found = client.create_hub_content_presigned_urls(HUB, "Model", "big-model")
    assert [file.local_path for file in found] == [path for path, _ in files]
    assert len(found) == 250
    sent = presigns(sagemaker)
    assert len(sent) == 3, "250 files at 100 a page"
    assert "NextToken" not in sent[0]
    assert all("NextToken" in body for body in sent[1:])
    assert all(body["MaxResults"] == 100 for body in sent)


@HUB_DOOR
def test_the_url_is_masked_and_expires_by_its_own_signature(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_hub_content(HUB, "m", [("/config.json", 10)])
    with sagemaker.locked():
        sagemaker.hub_files().url_lifetime = 60
    [file] = client.create_hub_content_presigned_urls(HUB, "Model", "m")
    signature = file.url.partition("X-Amz-Signature=")[2]
    assert signature
    assert signature not in repr(file)
    assert signature not in str(file)
    # X-Amz-Date has whole seconds: the URL's own end, not issued_at + 60 s, which may be
    # a fraction of a second earlier.
    date = parse_qs(urlsplit(file.url).query)["X-Amz-Date"][0]
    signed = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert file.expires_at == signed + timedelta(seconds=60)
    assert timedelta(seconds=55) <= file.time_remaining <= file.valid_for


def test_url_expiry_is_never_later_than_fifteen_minutes() -> None:
    issued = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
    signed = "https://b.s3.amazonaws.com/k?X-Amz-Date=20261204T120000Z&X-Amz-Expires="
    assert url_expiry(signed + "300", issued) == issued + timedelta(seconds=300)
    assert url_expiry(signed + "86400", issued) == issued + HUB_URL_VALIDITY
    assert url_expiry("https://b.s3.amazonaws.com/k", issued) == issued + HUB_URL_VALIDITY
    assert url_expiry(signed + "not-a-number", issued) == issued + HUB_URL_VALIDITY


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"hub_name": "bad hub"}, "invalid hub name or ARN"),
        ({"hub_name": "arn:aws:sagemaker:us-east-1:123:hub/x"}, "invalid hub name or ARN"),
        ({"content_type": "Weights"}, "one of Model, Notebook"),
        ({"content_name": "-model"}, "invalid hub content name"),
        ({"version": "1.0"}, "three numbers"),
        ({"version": "\u0661.0.0"}, "three numbers"),
        ({"version": "12345.0.0"}, "at most 14|three numbers"),
        ({"expected_s3_url": "ftp://bucket/x"}, "s3:// or https://"),
        ({"expected_s3_url": "s3://bucket/a b"}, "s3:// or https://"),
    ],
)
def test_every_parameter_is_checked_before_sending(
    sagemaker: LocalSageMaker, client: PresignClient, arguments: dict[str, str], fragment: str
) -> None:
    values: dict[str, Any] = {"hub_name": HUB, "content_type": "Model", "content_name": "m"}
    values.update(arguments)
    with pytest.raises(InvalidParameterError, match=fragment):
        client.create_hub_content_presigned_urls(
            values.pop("hub_name"), values.pop("content_type"), values.pop("content_name"), **values
        )
    assert sagemaker.requests == []


@HUB_DOOR
def test_accept_eula_is_never_assumed(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_hub_content(HUB, "gated", [("/weights.bin", 10)], gated=True)
    with pytest.raises(ServiceError, match="end-user license agreement"):
        client.create_hub_content_presigned_urls(HUB, "Model", "gated")
    assert "AccessConfig" not in presigns(sagemaker)[0]
    with pytest.raises(TypeError, match="accept_eula must be True or False"):
        client.create_hub_content_presigned_urls(HUB, "Model", "gated", accept_eula="yes")  # type: ignore[arg-type]
    found = client.create_hub_content_presigned_urls(HUB, "Model", "gated", accept_eula=True)
    assert len(found) == 1
    assert presigns(sagemaker)[-1]["AccessConfig"] == {"AcceptEula": True}


@pytest.mark.parametrize(
    "hostile",
    [
        "/../etc/passwd",
        "/weights/../../escape",
        "relative/path",
        "/a\\..\\b",
        "/C:/Windows/x",
        "/a//b",
        "/a/./b",
        "/nul\x00byte",
        "/line\nbreak",
        "/",
        "",
    ],
)
@HUB_DOOR
def test_a_hostile_local_path_is_refused(
    sagemaker: LocalSageMaker, client: PresignClient, tmp_path: Path, hostile: str
) -> None:
    sagemaker.add_hub_content(HUB, "m", [("/config.json", 10), ("/other.json", 10)])
    with sagemaker.locked():
        sagemaker.hub_files().path_overrides.append(hostile)
    with pytest.raises(UnexpectedResponseError, match="LocalPath"):
        client.create_hub_content_presigned_urls(HUB, "Model", "m")
    with sagemaker.locked():
        sagemaker.hub_files().path_overrides.append(hostile)
    with pytest.raises(UnexpectedResponseError, match="LocalPath"):
        client.download_hub_content(HUB, "Model", "m", to=tmp_path / "out")
    assert not (tmp_path / "out").exists(), "nothing, not even the folder, before the check"


@HUB_DOOR
def test_a_path_named_twice_is_refused(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_hub_content(HUB, "m", [("/a.json", 10), ("/b.json", 10)])
    with sagemaker.locked():
        sagemaker.hub_files().path_overrides.extend(["/Same.json", "/same.json"])
    with pytest.raises(UnexpectedResponseError, match="twice"):
        client.create_hub_content_presigned_urls(HUB, "Model", "m")


def test_listing_hub_content(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_hub_content(HUB, "llama", [("/a", 1)], version="2.1.0")
    sagemaker.add_hub_content(HUB, "intro", [("/n.ipynb", 1)], content_type="Notebook")
    [model] = list(client.list_hub_contents(HUB))
    assert (model.name, model.version, model.content_type) == ("llama", "2.1.0", "Model")
    assert [c.name for c in client.list_hub_contents(HUB, "Notebook")] == ["intro"]
    with pytest.raises(InvalidParameterError):
        list(client.list_hub_contents(HUB, "Weights"))


def test_an_old_botocore_names_the_release_that_added_the_operation(
    sagemaker: LocalSageMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_of_an_older_botocore(
        sagemaker, tmp_path, monkeypatch, ("CreateHubContentPresignedUrls",)
    )
    with pytest.raises(UnsupportedOperationError, match=r"which botocore 1\.39\.3 added"):
        client.create_hub_content_presigned_urls(HUB, "Model", "m")
    assert sagemaker.requests == []


@HUB_DOOR
def test_no_url_in_any_log_record(
    sagemaker: LocalSageMaker,
    client: PresignClient,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    sagemaker.add_hub_content(HUB, "m", [("/config.json", 100), ("/w.bin", 3 << 20)])
    with caplog.at_level(logging.DEBUG):
        found = client.create_hub_content_presigned_urls(HUB, "Model", "m")
        client.download_hub_content(HUB, "Model", "m", to=tmp_path)
    signatures = [file.url.partition("X-Amz-Signature=")[2] for file in found]
    assert caplog.records, "botocore's DEBUG records were captured"
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert not [s for s in signatures if s in text]


@HUB_DOOR
def test_the_command_prints_urls_only_when_asked(sagemaker: LocalSageMaker) -> None:
    sagemaker.add_hub_content(HUB, "m", [("/config.json", 100), ("/w/x.bin", 200)])
    proc = against(sagemaker, "hub", "urls", "--hub", HUB, "--name", "m")
    assert proc.returncode == 0, proc.stderr
    lines = [line.split("\t") for line in proc.stdout.splitlines()]
    assert [path for path, _ in lines] == ["/config.json", "/w/x.bin"]
    assert all(url.startswith("http://127.0.0.1:") for _, url in lines)
    assert proc.stderr == ""
    as_json = against(sagemaker, "hub", "urls", "--hub", HUB, "--name", "m", "--json")
    assert [json.loads(line)["local_path"] for line in as_json.stdout.splitlines()] == [
        "/config.json",
        "/w/x.bin",
    ]


@HUB_DOOR
def test_the_command_says_what_accept_eula_means(sagemaker: LocalSageMaker, tmp_path: Path) -> None:
    sagemaker.add_hub_content(HUB, "gated", [("/w.bin", 10)], gated=True)
    proc = against(
        sagemaker, "hub", "download", "--hub", HUB, "--name", "gated", "--to", str(tmp_path)
    )
    assert proc.returncode == 5
    error, hint = proc.stderr.splitlines()
    assert "end-user license agreement" in error
    assert "--accept-eula" in hint
    assert "means you accept it" in hint
    assert "Traceback" not in proc.stderr


def test_list_hub_content_on_the_command_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", "list", "hub-content", "--hub", HUB, "--local"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "demo-model" in proc.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", "list", "hub-content", "--local"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    assert "needs --hub" in missing.stderr
