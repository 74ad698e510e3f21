"""Structural facts about the package (no timings)."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_import_loads_no_submodule_until_a_name_is_used() -> None:
    loaded = run_python(
        "import sys, sagemaker_presign; "
        "print(sorted(m for m in sys.modules if m.startswith('sagemaker_presign.')))"
    )
    assert loaded == "[]"
    loaded = run_python(
        "import sys; from sagemaker_presign import validate_session_duration; "
        "print(sorted(m for m in sys.modules if m.startswith('sagemaker_presign.')))"
    )
    assert "sagemaker_presign._validation" in loaded
    assert "sagemaker_presign._client" not in loaded


def test_public_surface() -> None:
    from sagemaker_presign import _LOCATIONS  # pyright: ignore[reportPrivateUsage]

    assert set(sagemaker_presign.__all__) == set(_LOCATIONS)
    assert set(sagemaker_presign.__all__) <= set(dir(sagemaker_presign))
    for name in sagemaker_presign.__all__:
        value = getattr(sagemaker_presign, name)
        module = __import__(f"sagemaker_presign.{_LOCATIONS[name]}", fromlist=["_"])
        if name != "__version__":
            assert value is getattr(module, name), name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = sagemaker_presign.nope  # type: ignore[attr-defined]
    assert sagemaker_presign.__version__ == run_python(
        "from importlib.metadata import version; print(version('sagemaker-presign'))"
    )


def test_every_public_exception_has_a_docstring() -> None:
    for name in sagemaker_presign.__all__:
        value = getattr(sagemaker_presign, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert value.__doc__, name
            assert value.__doc__.strip(), name
            # Every error is a PresignError; the one warning is a UserWarning.
            assert issubclass(value, (sagemaker_presign.PresignError, UserWarning)), name


def test_py_typed_ships() -> None:
    from importlib.resources import files

    assert files("sagemaker_presign").joinpath("py.typed").is_file()
