"""Side-by-side benchmark of sagemaker-presign's performance targets.

    python tests/benchmarks/benchmark.py [--runs 7] [--warm-calls 1000] [--peers DIR]

(``bash .ci/dev bench`` runs it in the project's venv.) It sets up the AWS CLI v1 as a peer in a
throwaway venv, starts a LocalSageMaker in its own process, runs every contender in turn (runs
interleaved, so drift on a shared machine hits all of them alike), and prints medians, min-max
and the ratio of each target. Exit status 0 when every target is met.

The raw boto3 script runs on this venv's interpreter, with the very boto3 and botocore the
package uses: the fairest peer. The AWS CLI brings its own pinned botocore, as its users get it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

NAME = "bench-nb"
RAW_BOTO3_SCRIPT = """\
import sys, boto3
client = boto3.client("sagemaker", endpoint_url=sys.argv[1])
print(client.create_presigned_notebook_instance_url(NotebookInstanceName=sys.argv[2])["AuthorizedUrl"])
"""
IMPORT_TIMER = (
    "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)

WARM_SCRIPT = """\
import sys, time, boto3
from sagemaker_presign import PresignClient
url, name, calls, block = sys.argv[1], sys.argv[2], int(sys.argv[3]), 10
ours = PresignClient(region_name="us-east-1", endpoint_url=url)
bare = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=url)
def run_ours():
    ours.create_presigned_url(name)
def run_bare():
    bare.create_presigned_notebook_instance_url(NotebookInstanceName=name)["AuthorizedUrl"]
for warm_up in (run_ours, run_bare):
    for _ in range(100):
        warm_up()
totals = {"ours": 0.0, "bare": 0.0}
# Small blocks in ABBA order, so a slow patch of the machine hits both alike.
for index in range(calls // block):
    pair = [("ours", run_ours), ("bare", run_bare)]
    for label, call in (pair if index % 2 == 0 else pair[::-1]):
        start = time.perf_counter()
        for _ in range(block):
            call()
        totals[label] += time.perf_counter() - start
print(totals["ours"], totals["bare"])
"""


@dataclass
class Sample:
    """One contender's measurements over the runs."""

    seconds: list[float] = field(default_factory=list[float])
    max_rss_kib: list[int] = field(default_factory=list[int])

    def median(self) -> float:
        return statistics.median(self.seconds)

    def median_rss(self) -> float:
        return statistics.median(self.max_rss_kib)


@dataclass(frozen=True)
class Target:
    label: str
    ours: str
    peer: str
    ratio: float
    limit: float
    spread: str

    @property
    def met(self) -> bool:
        return self.ratio <= self.limit


def run_with_rusage(command: Sequence[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run *command*; return wall seconds, its own peak RSS (KiB, from wait4) and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({process.returncode}): {err.read().decode()}")
        return elapsed, usage.ru_maxrss, out.read().decode()


def set_up_peers(folder: Path) -> Path:
    """A venv with the AWS CLI v1 in it; returns the path of its ``aws``."""
    aws = folder / "bin" / "aws"
    if not aws.exists():
        print(f"setting up the AWS CLI in {folder} ...", file=sys.stderr)
        venv.create(folder, with_pip=True)
        subprocess.run(
            [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "awscli"],
            check=True,
        )
    return aws


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_presign.testing", "--notebook", NAME],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()  # its first line is the endpoint URL


def isolated_environment(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDBENCHMARK",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        XDG_CACHE_HOME=str(cache),
    )
    return env


def spread(samples: Sample, scale: float = 1.0, unit: str = "s") -> str:
    low, high = min(samples.seconds) * scale, max(samples.seconds) * scale
    return f"{low:.3g}-{high:.3g} {unit}"


def measure_cold(
    commands: dict[str, list[str]],
    env: dict[str, str],
    runs: int,
    check: Callable[[str, str], None],
) -> dict[str, Sample]:
    samples = {label: Sample() for label in commands}
    for run in range(runs):
        order = list(commands)
        if run % 2:
            order.reverse()  # no contender always runs right after the same other one
        for label in order:
            elapsed, rss, stdout = run_with_rusage(commands[label], env)
            check(label, stdout)
            if label.startswith("import"):
                elapsed = float(stdout)  # the import alone, timed inside the process
            samples[label].seconds.append(elapsed)
            samples[label].max_rss_kib.append(rss)
    return samples


def measure_warm(endpoint: str, env: dict[str, str], calls: int) -> tuple[float, float]:
    """Seconds for *calls* presign calls on a PresignClient and on a bare boto3 client."""
    out = subprocess.run(
        [sys.executable, "-c", WARM_SCRIPT, endpoint, NAME, str(calls)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def count_requests() -> tuple[int, int]:
    """Requests made by a wait on an InService instance, and by one presign call."""
    from sagemaker_presign.testing import LocalSageMaker

    with LocalSageMaker() as sagemaker:
        sagemaker.add_notebook_instance(NAME)
        client = sagemaker.client()
        client.wait_until_in_service(NAME, poll_interval=timedelta(seconds=1))
        waited = len(sagemaker.requests)
        sagemaker.clear_requests()
        client.create_presigned_url(NAME)
        return waited, len(sagemaker.requests)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Side-by-side benchmark of the targets.")
    parser.add_argument("--runs", type=int, default=7, help="cold runs per contender")
    parser.add_argument("--warm-calls", type=int, default=1000, help="calls per warm contender")
    parser.add_argument("--warm-rounds", type=int, default=7, help="warm measurements (median)")
    parser.add_argument("--peers", type=Path, help="reuse this venv for the AWS CLI")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="sagemaker-presign-bench-"))
    aws = set_up_peers(args.peers or work / "peers")
    raw_script = work / "raw_boto3.py"
    raw_script.write_text(RAW_BOTO3_SCRIPT)
    env = isolated_environment(work / "cache")
    server, endpoint = start_server()
    try:
        bin_dir = Path(sys.executable).parent
        commands = {
            "ours": [str(bin_dir / "sagemaker-presign"), NAME, "--endpoint-url", endpoint],
            "raw boto3": [sys.executable, str(raw_script), endpoint, NAME],
            "aws cli": [
                str(aws),
                "sagemaker",
                "create-presigned-notebook-instance-url",
                "--notebook-instance-name",
                NAME,
                "--endpoint-url",
                endpoint,
                "--output",
                "text",
            ],
            "import ours": [sys.executable, "-c", IMPORT_TIMER.format(module="sagemaker_presign")],
            "import boto3": [sys.executable, "-c", IMPORT_TIMER.format(module="boto3")],
        }

        def check(label: str, stdout: str) -> None:
            if not label.startswith("import") and not stdout.startswith("https://"):
                raise RuntimeError(f"{label} printed no URL: {stdout!r}")

        first_run, _, _ = run_with_rusage(commands["ours"], env)  # fills the model cache
        cold = measure_cold(commands, env, args.runs, check)
        warm = [measure_warm(endpoint, env, args.warm_calls) for _ in range(args.warm_rounds)]
    finally:
        server.terminate()
        server.wait()
    waited, presigned = count_requests()

    ours, raw, cli = cold["ours"], cold["raw boto3"], cold["aws cli"]
    imp_ours, imp_boto3 = cold["import ours"], cold["import boto3"]
    targets = [
        Target(
            "1  import sagemaker_presign / import boto3",
            f"{imp_ours.median() * 1000:.2f} ms",
            f"{imp_boto3.median() * 1000:.1f} ms",
            imp_ours.median() / imp_boto3.median(),
            0.10,
            f"{spread(imp_ours, 1000, 'ms')} / {spread(imp_boto3, 1000, 'ms')}",
        ),
        Target(
            "2a cold CLI to a URL / AWS CLI v1",
            f"{ours.median():.3f} s",
            f"{cli.median():.3f} s",
            ours.median() / cli.median(),
            0.55,
            f"{spread(ours)} / {spread(cli)}",
        ),
        Target(
            "2b cold CLI to a URL / raw boto3 script",
            f"{ours.median():.3f} s",
            f"{raw.median():.3f} s",
            ours.median() / raw.median(),
            0.75,
            f"{spread(ours)} / {spread(raw)}",
        ),
        Target(
            "3  peak RSS of the cold CLI / raw boto3",
            f"{ours.median_rss() / 1024:.1f} MiB",
            f"{raw.median_rss() / 1024:.1f} MiB",
            ours.median_rss() / raw.median_rss(),
            0.75,
            f"{min(ours.max_rss_kib) / 1024:.1f}-{max(ours.max_rss_kib) / 1024:.1f} / "
            f"{min(raw.max_rss_kib) / 1024:.1f}-{max(raw.max_rss_kib) / 1024:.1f} MiB",
        ),
        Target(
            f"4  warm: {args.warm_calls} calls, PresignClient / bare",
            f"{statistics.median(o for o, _ in warm):.3f} s",
            f"{statistics.median(b for _, b in warm):.3f} s",
            statistics.median(o / b for o, b in warm),
            1.05,
            f"ratios {min(o / b for o, b in warm):.3f}-{max(o / b for o, b in warm):.3f} "
            f"over {len(warm)} rounds",
        ),
        Target(
            "5  requests: wait when InService; presign",
            f"{waited}; {presigned}",
            "1; 1",
            float(waited + presigned) / 2,
            1.0,
            "exact counts",
        ),
    ]
    print_report(targets, args.runs, first_run, aws)
    return 0 if all(target.met for target in targets) else 1


def print_report(targets: list[Target], runs: int, first_run: float, aws: Path) -> None:
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
    print(f"first ever run of ours (empty model cache): {first_run:.3f} s\n")
    header = f"{'target':44} {'ours':>11} {'peer':>11} {'ratio':>6} {'limit':>6}  met  spread"
    print(header)
    print("-" * len(header))
    for target in targets:
        print(
            f"{target.label:44} {target.ours:>11} {target.peer:>11} {target.ratio:6.2f} "
            f"{target.limit:6.2f}  {'yes' if target.met else 'NO ':3}  {target.spread}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
