"""``python -m sagemaker_presign``: the same as the ``sagemaker-presign`` command."""

from ._cli_entry import run

run()
