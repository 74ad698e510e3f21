"""``python -m sagemaker_presign``: the same as the ``sagemaker-presign`` command."""

from .cli._entry import run

run()
