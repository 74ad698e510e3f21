"""``--local``: a LocalSageMaker holding what the command names, for an offline demo of a door."""

from __future__ import annotations

import argparse
from collections.abc import Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .testing import LocalSageMaker


@contextmanager
def local_sagemaker(args: argparse.Namespace) -> Generator[LocalSageMaker, None, None]:
    """A running LocalSageMaker with the notebook, profile, server or app *args* name.

    Quick transitions, so a demo shows Stopped -> Pending -> InService in seconds.
    """
    from .testing import LocalSageMaker

    region = args.region or "us-east-1"
    with LocalSageMaker(region_name=region, transition_polls=3) as sagemaker:
        start = getattr(args, "start", False)
        if args.door in ("list", "serve") or (args.door == "notebook" and args.name is None):
            _assorted(sagemaker)
        elif args.door == "notebook":
            sagemaker.add_notebook_instance(args.name, status="Stopped" if start else "InService")
        elif args.door == "studio":
            is_id = args.domain.startswith("d-")
            domain = sagemaker.add_domain(
                args.domain if is_id else None, name="studio" if is_id else args.domain
            ).domain_id
            # Left out, the profile (or a --space alone) is picked: give a choice.
            profiles = [args.user_profile] if args.user_profile else ["alice", "bob"]
            for profile in profiles:
                sagemaker.add_user_profile(
                    domain,
                    profile,
                    status="Pending" if getattr(args, "wait", False) else "InService",
                ).upcoming = ["Pending", "Pending", "InService"]
            if args.space == "?":
                sagemaker.add_space(domain, "team-space")
                sagemaker.add_space(domain, "scratch", owner=profiles[0]).app_type = "CodeEditor"
            elif args.space:
                sagemaker.add_space(domain, args.space)
        elif args.door == "mlflow":
            status = "Stopped" if start else "Started"
            sagemaker.add_mlflow_tracking_server(args.name, status=status)
        elif args.door == "mlflow-app":
            sagemaker.add_mlflow_app(arn=args.arn)
        else:
            sagemaker.add_partner_app(arn=args.arn)
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
