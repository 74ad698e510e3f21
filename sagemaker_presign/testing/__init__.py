"""Test helpers: a local SageMaker endpoint that a real boto3 client can talk to.

Standard library only (plus boto3 for the ready-made clients); nothing here is imported by
``import sagemaker_presign``.
"""

from ._backend import Fault, RecordedRequest
from ._doors import App, Domain, MlflowTrackingServer, StudioResource
from ._local import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker
from ._notebooks import NotebookInstance

__all__ = [
    "DUMMY_ACCESS_KEY_ID",
    "DUMMY_SECRET_ACCESS_KEY",
    "App",
    "Domain",
    "Fault",
    "LocalSageMaker",
    "MlflowTrackingServer",
    "NotebookInstance",
    "RecordedRequest",
    "StudioResource",
]
