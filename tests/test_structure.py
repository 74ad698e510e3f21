"""Structural facts about the package (no timings)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


# --- we never patch code we don't own (developer rules in docs/performance.md) ---

FORBIDDEN = {"ctypes", "marshal", "pickle", "_pickle", "cffi"}


def package_modules() -> list[tuple[str, ast.Module]]:
    root = Path(sagemaker_presign.__file__).parent
    return [
        (str(path.relative_to(root.parent)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(root.rglob("*.py"))
    ]


def foreign_modules(tree: ast.Module) -> set[str]:
    """The names a module binds to modules that are not ours (``import re``, ``import
    botocore.session`` binds ``botocore``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not alias.name.startswith("sagemaker_presign"):
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def patches_in(name: str, tree: ast.Module) -> list[str]:
    """What in *tree* replaces modules or writes attributes of modules that are not ours."""
    found: list[str] = []
    modules = foreign_modules(tree)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            imported.append(getattr(node, "module", None) or "")
            found += [f"{where} imports {m}" for m in imported if m.split(".")[0] in FORBIDDEN]
        targets: list[ast.expr] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            text = ast.unparse(target)
            if isinstance(target, ast.Subscript) and ast.unparse(target.value) == "sys.modules":
                found.append(f"{where} assigns sys.modules[...]")
            elif isinstance(target, (ast.Attribute, ast.Subscript)) and (
                text.split(".")[0] in modules and "." in text
            ):
                found.append(f"{where} assigns {text}")
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            if called in ("sys.modules.update", "sys.modules.setdefault", "sys.modules.pop"):
                found.append(f"{where} calls {called}")
            on_module = node.args and ast.unparse(node.args[0]).split(".")[0] in modules
            if called in ("setattr", "delattr") and on_module:
                found.append(f"{where} {called} on a module")
        if isinstance(node, ast.Attribute) and ast.unparse(node) == "re._cache":
            found.append(f"{where} touches re._cache")
    return found


def test_the_package_patches_nothing_it_does_not_own() -> None:
    assert [hit for name, tree in package_modules() for hit in patches_in(name, tree)] == []


def test_the_structural_check_catches_what_it_names() -> None:
    source = (
        "import sys, re, botocore.session\nimport ctypes\nfrom marshal import loads\n"
        "sys.modules['x'] = 1\nre._cache[1] = 2\nbotocore.session.Session = 1\n"
        "setattr(re, '_x', 1)\nsys.modules.setdefault('y', 1)\nx = re._cache\n"
    )
    hits = patches_in("example.py", ast.parse(source))
    assert sorted(hit.split(" ", 1)[1] for hit in hits) == sorted(
        [
            "imports ctypes",
            "imports marshal",
            "assigns sys.modules[...]",
            "assigns re._cache[1]",
            "touches re._cache",
            "assigns botocore.session.Session",
            "setattr on a module",
            "calls sys.modules.setdefault",
            "touches re._cache",
        ]
    )
