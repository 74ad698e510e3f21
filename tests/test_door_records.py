"""The doors as records: one description per door, read by the client, the async client, the
CLI and the web app; a door none of them has heard of works in all of them."""

from __future__ import annotations

import ast
import asyncio
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import sagemaker_presign
from sagemaker_presign import AsyncPresignClient, PresignClient, ResourceState
from sagemaker_presign._doors import DOORS
from sagemaker_presign._mlflow import MLFLOW
from sagemaker_presign._partner_app import PARTNER_APP
from sagemaker_presign.cli import ExitCode, build_parser, main
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.web import allow_users, trusted_header

from .support import needs
from .web_support import Site

PACKAGE = Path(sagemaker_presign.__file__).parent
#: The modules that serve every door: none may name one.
DOOR_BLIND = ["cli/_main.py", "cli/_parser.py", "web/_app.py", "web/_request.py"]


def _strings(tree: ast.AST) -> set[str]:
    """The module's string constants, docstrings left out."""
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docstrings.add(id(body[0].value))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    }


@pytest.mark.parametrize("module", DOOR_BLIND)
def test_the_shared_modules_never_name_a_door(module: str) -> None:
    named = set(DOORS)
    for door in DOORS.values():
        named |= {door.operation, door.method, *(param.name for param in door.params)}
    found = _strings(ast.parse((PACKAGE / module).read_text()))
    assert not found & named, f"{module} branches on a door: {sorted(found & named)}"


def _imports(path: Path) -> set[str]:
    """The package modules *path* imports at run time (TYPE_CHECKING blocks left out)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if module.endswith(".__init__"):
        module = module[: -len(".__init__")]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base.startswith("sagemaker_presign"):
                found.add(base)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("sagemaker_presign")}
    return found - {module}


def test_no_import_cycle_between_our_modules() -> None:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        graph[module.removesuffix(".__init__")] = _imports(path)
    # The package's __init__ names every public module lazily: leave it out, as Python does.
    graph.pop("sagemaker_presign")
    for edges in graph.values():
        edges.discard("sagemaker_presign")

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        pending = list(graph.get(start, ()))
        while pending:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending.extend(graph.get(node, ()))
        return seen

    cycles = sorted(module for module in graph if module in reachable(module))
    assert cycles == []


def test_no_arrow_points_up() -> None:
    """Doors and the shared machinery never import the client, the CLI or the web app."""
    lower = [
        PACKAGE / name
        for name in ("_door.py", "_notebook.py", "_studio.py", "_mlflow.py", "_partner_app.py")
    ]
    lower.append(PACKAGE / "_core.py")
    upper = ("sagemaker_presign._client", "sagemaker_presign._async", "sagemaker_presign.cli")
    for path in lower:
        found = _imports(path)
        assert not {m for m in found if m.startswith(upper) or ".web" in m}, path.name


def test_the_registry_lists_every_door_record() -> None:
    from sagemaker_presign import _door

    modules = [PACKAGE / f"{name}.py" for name in ("_notebook", "_studio", "_mlflow")]
    records = {door.name for door in DOORS.values()}
    assert {"notebook", "studio", "mlflow", "mlflow-app", "partner-app"} <= records
    for door in DOORS.values():
        assert isinstance(door, _door.Door)
        assert door.params, door.name
        if door.lifecycle is not None:
            assert door.lifecycle.default_timeout > 0
    assert all(path.exists() for path in modules)


# --- a door nobody wrote code for ---

NEW_DOORS_OPS = needs("CreatePresignedMlflowTrackingServerUrl", "CreatePartnerAppPresignedUrl")
#: An MLflow tracking server door under another word: its record is all that is new.
TRACKER = MLFLOW._replace(name="tracker")
#: A partner app door under another word, with no route and no lifecycle.
PARTNER = PARTNER_APP._replace(name="other-app")


@pytest.fixture
def new_doors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DOORS, TRACKER.name, TRACKER)
    monkeypatch.setitem(DOORS, PARTNER.name, PARTNER)


@pytest.mark.usefixtures("new_doors")
def test_a_new_door_is_a_subcommand_with_its_own_flags() -> None:
    parser = build_parser()
    args = parser.parse_args(["tracker", "tracks", "--start", "--expires-in", "60"])
    assert (args.door, args.tracking_server_name, args.start) == ("tracker", "tracks", True)
    args = parser.parse_args(["other-app", "arn:x"])
    assert args.arn == "arn:x"
    with pytest.raises(SystemExit):  # no lifecycle, no --start
        parser.parse_args(["other-app", "arn:x", "--start"])


@pytest.mark.usefixtures("new_doors")
@NEW_DOORS_OPS
def test_a_new_door_presigns_waits_and_starts_through_the_cli() -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["tracker", "tracks", "--local", "--start", "--json"])
    assert code == ExitCode.OK, err.getvalue()
    assert '"tracking_server_name": "tracks"' in out.getvalue()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["tracker", "Bad_Name", "--local"])
    assert code == ExitCode.USAGE
    assert "invalid tracking server name 'Bad_Name'" in err.getvalue()


@pytest.mark.usefixtures("new_doors")
@NEW_DOORS_OPS
def test_a_new_door_through_the_generic_and_async_clients(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_mlflow_tracking_server("tracks", status="Stopped")
    state = client.status("tracker", tracking_server_name="tracks")
    assert state == ResourceState("startable", "Stopped")
    client.wait("tracker", tracking_server_name="tracks", start=True, sleep=lambda _: None)
    assert client.status("tracker", tracking_server_name="tracks").is_ready
    result = client.presign("tracker", tracking_server_name="tracks", expires_in=60)
    assert result.url.startswith("https://")
    assert "tracks" in repr(result)
    arn = sagemaker.add_partner_app().arn

    async def both() -> list[str]:
        async with AsyncPresignClient.from_sync(client) as aclient:
            found = await aclient.presign("other-app", arn=arn)
            state = await aclient.status("tracker", tracking_server_name="tracks")
            return [found.url, state.condition]

    url, condition = asyncio.run(both())
    assert url.startswith("https://")
    assert condition == "ready"


@pytest.mark.usefixtures("new_doors")
@NEW_DOORS_OPS
def test_a_new_door_is_a_route_of_the_web_app(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_mlflow_tracking_server("tracks")
    identity = trusted_header("X-Forwarded-User")
    site = Site(sagemaker, client, authorize=allow_users(identity, ["alice"]))
    try:
        status, headers, _ = site.request("GET", "/tracker/tracks", {"X-Forwarded-User": "alice"})
        assert status == 303
        assert headers["Location"].startswith("https://")
        status, _, _ = site.request("GET", "/tracker/tracks", {"X-Forwarded-User": "mallory"})
        assert status == 403, "the new door's route is authorized like every other"
        status, _, _ = site.request("GET", "/tracker/bad_name", {"X-Forwarded-User": "alice"})
        assert status == 404, "its name is checked by the door's own rule"
    finally:
        site.close()


def test_the_generic_methods_refuse_what_a_door_does_not_take(client: PresignClient) -> None:
    with pytest.raises(ValueError, match="no door is called 'nope'"):
        client.presign("nope", name="x")
    with pytest.raises(TypeError, match="takes no expires_in"):
        client.presign("notebook", notebook_instance_name="nb", expires_in=60)
    with pytest.raises(TypeError, match="takes no space"):
        client.status("notebook", notebook_instance_name="nb", space="x")
    with pytest.raises(TypeError, match="cannot be started"):
        client.start("studio", domain_id="d-abc", user_profile_name="alice")
    with pytest.raises(TypeError, match="has no status"):
        client.status("partner-app", arn="arn:aws:sagemaker:us-east-1:123456789012:x")
