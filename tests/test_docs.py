"""Every Python example in the README and docs/ runs, against LocalSageMaker, so none can rot.

Each page's examples run in order in one namespace (later ones build on earlier ones), with the
environment pointing boto3 at a LocalSageMaker that holds the instances the examples name.
Functions an example defines as ``test_*`` are called with the pytest plugin's fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sagemaker_presign import UnsupportedOperationError
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOTEBOOKS = ("my-notebook", "demo-nb")
STUDIO_DOMAIN = "d-abc123def456"
MLFLOW_APP = "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/app-abc123def456"
PARTNER_APP = "arn:aws:sagemaker:us-east-1:123456789012:partner-app/app-ABC123DEF456"


def examples(page: Path) -> list[str]:
    return PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.fixture
def aws_pointing_at_local(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[LocalSageMaker]:
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile team]\nregion = eu-west-1\n")
    credentials.write_text(
        f"[team]\naws_access_key_id = {DUMMY_ACCESS_KEY_ID}\n"
        f"aws_secret_access_key = {DUMMY_SECRET_ACCESS_KEY}\n"
    )
    with LocalSageMaker() as sagemaker:
        for name in NOTEBOOKS:
            sagemaker.add_notebook_instance(name)
        # What the Studio, MLflow and partner app pages name.
        sagemaker.add_domain(STUDIO_DOMAIN, name="research")
        for profile in ("alice", "new-hire"):
            sagemaker.add_user_profile(STUDIO_DOMAIN, profile)
        sagemaker.add_space(STUDIO_DOMAIN, "team-space", owner="alice")
        sagemaker.add_mlflow_tracking_server("my-tracker", status="Stopped")
        sagemaker.add_mlflow_app(arn=MLFLOW_APP)
        sagemaker.add_partner_app(arn=PARTNER_APP)
        # What the hub content page downloads, into a folder of the test's own.
        files = [("/config.json", 700), ("/weights/model.safetensors", 40 << 20)]
        for model in ("meta-textgeneration-llama-3-8b", "my-model"):
            sagemaker.add_hub_content("SageMakerPublicHub", model, files, gated=True)
        monkeypatch.chdir(tmp_path)
        for name, value in {
            "AWS_ENDPOINT_URL": sagemaker.endpoint_url,
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "BROWSER": "true",  # webbrowser.open runs `true` instead of a browser
        }.items():
            monkeypatch.setenv(name, value)
        yield sagemaker


def test_the_docs_have_examples() -> None:
    counted = {page.name: len(examples(page)) for page in PAGES}
    for name in (
        "README.md",
        "usage.md",
        "lifecycle.md",
        "testing.md",
        "quickstart.md",
        "async.md",
        "studio.md",
        "mlflow.md",
        "partner-apps.md",
    ):
        assert counted[name] > 0, name


@pytest.mark.parametrize("page", [p for p in PAGES if examples(p)], ids=lambda p: p.name)
def test_examples_run(page: Path, aws_pointing_at_local: LocalSageMaker) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, source in enumerate(examples(page), 1):
        code = compile(source, f"{page.name}, example {number}", "exec")
        try:
            exec(code, namespace)
        except UnsupportedOperationError as exc:
            # The lowest botocore we allow predates some doors: the page says so, and so does
            # the package, sending nothing.
            pytest.skip(f"example {number} needs a newer botocore: {exc}")
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            with LocalSageMaker() as local, local.client() as client:
                value(local_sagemaker=local, presign_client=client)
    # The examples talked to the local endpoint, not to AWS.
    assert aws_pointing_at_local.requests or page.name == "testing.md"


def test_the_api_reference_covers_every_public_name() -> None:
    import sagemaker_presign
    import sagemaker_presign.testing

    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in sagemaker_presign.__all__:
        assert f"::: sagemaker_presign.{name}\n" in reference or f"`{name}`" in reference, name
    for name in sagemaker_presign.testing.__all__:
        if not name.startswith("DUMMY_"):
            assert f"::: sagemaker_presign.testing.{name}\n" in reference, name


@pytest.fixture(scope="module")
def api_reference(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The built API reference page, as text (tags stripped)."""
    import html
    import os
    import subprocess
    import sys

    pytest.importorskip("mkdocs", reason="the docs tools are not installed (dependency group docs)")
    site = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [
            *(sys.executable, "-m", "mkdocs", "build", "--strict", "-q"),
            # Relative: mkdocs refuses this docs_dir when the config path is absolute.
            *("-f", "docs/mkdocs.yml", "--site-dir", str(site)),
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    page = (site / "api" / "index.html").read_text(encoding="utf-8")
    # Tags out (a signature's every token is a span of its own), white space folded.
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


@pytest.mark.parametrize(
    "shown",
    [
        # Constructor signatures.
        "PresignClient( sagemaker_client: BaseClient | None = None, *, session:",
        "AsyncPresignClient( sagemaker_client:",
        "profile_name: str | None = None",
        # Dataclass fields and exception attributes, each with its type and docstring.
        "notebook_instance_name: str The notebook instance the URL opens.",
        "issued_at: datetime When the request was sent",
        "url property ¶ url: str The presigned URL itself",
        "code: str | None = code The service's error code",
        "request_id: str | None = request_id The x-amzn-RequestId",
        "http_status: int | None = http_status The HTTP status",
        "last_status: str | None = last_status The last status seen",
        "failure_reason: str | None = failure_reason The service's FailureReason",
        "status: S = status The status that ended the wait.",
        # Defaults as values, not private names.
        "timeout: float | timedelta | None = None",
        "margin: timedelta = timedelta(0)",
    ],
)
def test_the_api_reference_shows(api_reference: str, shown: str) -> None:
    assert shown in api_reference


@pytest.mark.parametrize(
    "hidden", ["DEFAULT_TIMEOUT", "DEFAULT_POLL_INTERVAL", "_ZERO", "context manager::", "advance"]
)
def test_the_api_reference_hides(api_reference: str, hidden: str) -> None:
    assert hidden not in api_reference
