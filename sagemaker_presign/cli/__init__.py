"""The ``sagemaker-presign`` command: one subcommand per door, generated from the doors'
records (``_parser``), ``list`` and ``serve``; ``main`` runs it and returns its exit status."""

from ._main import ExitCode, main
from ._parser import build_parser, parse_duration

__all__ = ["ExitCode", "build_parser", "main", "parse_duration"]
