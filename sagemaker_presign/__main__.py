"""``python -m sagemaker_presign``: the same as the ``sagemaker-presign`` command."""

from ._cli import main

raise SystemExit(main())
