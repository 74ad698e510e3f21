"""``--local``: a LocalSageMaker holding what the command names, for an offline demo of a door."""

from __future__ import annotations

import argparse
from collections.abc import Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagemaker_presign._door import Cli
    from sagemaker_presign.testing import LocalSageMaker


@contextmanager
def local_sagemaker(args: argparse.Namespace) -> Generator[LocalSageMaker, None, None]:
    """A running LocalSageMaker with the notebook, profile, server or app *args* name.

    Quick transitions, so a demo shows Stopped -> Pending -> InService in seconds.
    """
    from sagemaker_presign.testing import LocalSageMaker

    region = args.region or "us-east-1"
    with LocalSageMaker(region_name=region, transition_polls=3) as sagemaker:
        from sagemaker_presign._doors import DOORS

        door = DOORS.get(args.door)
        picks = door is not None and door.cli is not None and _picks(door.cli, args)
        if door is None or door.demo is None or picks:
            _assorted(sagemaker)
        else:
            door.demo(sagemaker, args)
        yield sagemaker


def _assorted(sagemaker: LocalSageMaker) -> None:
    """A few resources in assorted states, for ``list --local`` and picking."""
    for name, status in (
        ("analysis", "InService"),
        ("training-prep", "Stopped"),
        ("gpu-box", "Pending"),
        ("old-experiment", "Failed"),
    ):
        sagemaker.add_notebook_instance(name, status=status)
    domain = sagemaker.add_domain(name="research").domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.add_user_profile(domain, "bob", status="Pending")
    sagemaker.add_space(domain, "team-space")
    sagemaker.add_space(domain, "alice-scratch", owner="alice").app_type = "CodeEditor"
    sagemaker.add_mlflow_tracking_server("experiments")
    sagemaker.add_mlflow_tracking_server("archive", status="Stopped")
    sagemaker.add_mlflow_app("experiments-app")
    sagemaker.add_partner_app("comet")
    files = [("/config.json", 700), ("/tokenizer.json", 90_000), ("/weights/model.bin", 3 << 20)]
    sagemaker.add_hub_content("SageMakerPublicHub", "demo-model", files)
    sagemaker.add_hub_content("SageMakerPublicHub", "gated-model", files, gated=True)


def _picks(cli: Cli, args: argparse.Namespace) -> bool:
    """Whether the command picks from a list (a positional NAME left out): show a few."""
    return any(
        not flags[0].startswith("-") and getattr(args, flags[0], None) is None
        for flags, _ in cli.arguments
    )
