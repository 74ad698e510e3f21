"""The ``sagemaker-presign`` command: one subcommand per door, generated from the doors'
records (``_parser``), ``list`` and ``serve``; ``main`` runs it and returns its exit status."""

from ._exit import ExitCode
from ._flags import parse_duration
from ._main import main
from ._parser import build_parser

__all__ = ["ExitCode", "build_parser", "main", "parse_duration"]
