"""Structural facts about the package (no timings)."""

from __future__ import annotations

import subprocess
import sys

import sagemaker_presign


def run_python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return proc.stdout.strip()


def test_import_loads_no_boto() -> None:
    loaded = run_python(
        "import sys, sagemaker_presign; print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('boto3', 'botocore', 'urllib3')))"
    )
    assert loaded == "[]"


def test_validation_failure_loads_no_boto() -> None:
    loaded = run_python(
        "import sys, sagemaker_presign as s\n"
        "try:\n    s.create_presigned_url('-bad-')\nexcept s.InvalidParameterError:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    assert loaded == "[]"


def test_public_surface() -> None:
    for name in sagemaker_presign.__all__:
        assert getattr(sagemaker_presign, name) is not None
    assert sagemaker_presign.__version__ == run_python(
        "from importlib.metadata import version; print(version('sagemaker-presign'))"
    )


def test_every_public_exception_has_a_docstring() -> None:
    for name in sagemaker_presign.__all__:
        value = getattr(sagemaker_presign, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert value.__doc__, name
            assert value.__doc__.strip(), name
            assert issubclass(value, sagemaker_presign.PresignError)


def test_py_typed_ships() -> None:
    from importlib.resources import files

    assert files("sagemaker_presign").joinpath("py.typed").is_file()
