"""The release artefacts: an sdist and a wheel that install clean and run the demo."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"{command} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, ROOT)
    return out


def version() -> str:
    # sagemaker_presign/_version.py is the one source; the built metadata is what it says.
    from importlib.metadata import version as installed_version

    from sagemaker_presign._version import __version__

    assert installed_version("sagemaker-presign") == __version__
    return __version__


def test_wheel_holds_the_package_and_py_typed_not_tests(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    assert wheel.name.startswith(f"sagemaker_presign-{version()}-py3-none-any")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sagemaker_presign/py.typed" in names
    assert "sagemaker_presign/__init__.py" in names
    assert "sagemaker_presign/testing/__init__.py" in names
    assert all(
        name.startswith(("sagemaker_presign/", f"sagemaker_presign-{version()}.dist-info/"))
        for name in names
    ), names
    metadata = zipfile.ZipFile(wheel).read(
        f"sagemaker_presign-{version()}.dist-info/entry_points.txt"
    )
    assert b"sagemaker-presign = sagemaker_presign.cli._entry:run" in metadata
    assert b"sagemaker_presign = sagemaker_presign.pytest_plugin" in metadata


def test_sdist_and_twine_check(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    assert sdist.name == f"sagemaker_presign-{version()}.tar.gz"
    output = run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert output.count("PASSED") == 2


def test_the_wheel_installs_into_a_fresh_venv_and_runs_the_demo(dist: Path, tmp_path: Path) -> None:
    [wheel] = dist.glob("*.whl")
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    bin_dir = target / ("Scripts" if os.name == "nt" else "bin")
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel)
    url = run(bin_dir / "sagemaker-presign", "--local", "demo-nb")
    assert url.startswith("https://demo-nb.notebook.us-east-1.sagemaker.aws?authToken=")
    installed = run(
        bin_dir / "python", "-c", "import sagemaker_presign; print(sagemaker_presign.__version__)"
    )
    assert installed.strip() == version()


def test_license_ships_in_both_and_only_runtime_dependencies_are_declared(dist: Path) -> None:
    import tarfile

    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"sagemaker_presign-{version()}.dist-info/METADATA").decode()
    assert f"sagemaker_presign-{version()}.dist-info/licenses/LICENSE" in names
    with tarfile.open(sdist) as archive:
        assert f"sagemaker_presign-{version()}/LICENSE" in archive.getnames()
    assert "License-Expression: MIT" in metadata
    requirements = [
        line.split(":", 1)[1].split()[0].split(">")[0].split("=")[0].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    # The developer tools are dependency groups, never published extras.
    assert sorted(requirements) == ["boto3", "botocore", "typing-extensions"]
    assert "Provides-Extra" not in metadata
