"""The benchmark's table: each figure with its peer, ratio, target and PASS/MISS."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Sample:
    """One contender's measurements over the cold runs."""

    seconds: list[float] = field(default_factory=list[float])
    max_rss_kib: list[int] = field(default_factory=list[int])

    def median(self) -> float:
        return statistics.median(self.seconds)

    def median_rss(self) -> float:
        return statistics.median(self.max_rss_kib)

    def spread(self, scale: float = 1.0, unit: str = "s") -> str:
        low, high = min(self.seconds) * scale, max(self.seconds) * scale
        return f"{low:.3g}-{high:.3g} {unit}"


@dataclass(frozen=True)
class Target:
    """One line of the table. *ratio* meets *limit* from below, or from above when
    *at_least* (throughput)."""

    label: str
    ours: str
    peer: str
    ratio: float
    limit: float
    spread: str
    at_least: bool = False

    @property
    def met(self) -> bool:
        return self.ratio >= self.limit if self.at_least else self.ratio <= self.limit


def cold_target(label: str, ours: Sample, peer: Sample, limit: float) -> Target:
    return Target(
        label,
        f"{ours.median():.3f} s",
        f"{peer.median():.3f} s",
        ours.median() / peer.median(),
        limit,
        f"{ours.spread()} / {peer.spread()}",
    )


def print_report(
    targets: list[Target], runs: int, first_runs: tuple[float, float], aws: Path
) -> None:
    import botocore

    aws_version = (
        subprocess.run(
            [str(aws), "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or "?"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; botocore "
        f"{botocore.__version__}; {aws_version.split()[0]}"
    )
    print(f"cold runs: {runs} per contender, interleaved; medians (min-max)")
    print(
        f"first ever run of ours (empty cache folder): {first_runs[0]:.3f} s; "
        f"then the first over HTTPS: {first_runs[1]:.3f} s\n"
    )
    header = f"{'figure':46} {'ours':>11} {'peer':>11} {'ratio':>7} {'target':>7}  result  spread"
    print(header)
    print("-" * len(header))
    for target in targets:
        bound = f"{'>=' if target.at_least else '<='}{target.limit:g}"
        print(
            f"{target.label:46} {target.ours:>11} {target.peer:>11} {target.ratio:7.3f} "
            f"{bound:>7}  {'PASS' if target.met else 'MISS':6}  {target.spread}"
        )
    missed = [target.label.split()[0] for target in targets if not target.met]
    print(f"\n{len(targets) - len(missed)} of {len(targets)} targets met", end="")
    print(f"; missed: {', '.join(missed)}" if missed else "")
