"""The hub content downloader against aria2c and a sequential urllib loop, side by side.

LocalSageMaker serves ~1.5 GB of hub content (files from 1 KB to 1 GB) with a per-connection
rate cap and latency; each contender downloads all of it into a folder of its own, one after
the other, in rounds. Figures: throughput against aria2c (Debian's ``aria2``, fed the same URL
list, the same number of connections, splitting on) and against a loop a user writes with
``urllib.request``; our peak RSS; and what a forced mid-download expiry costs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .report import Target

HUB = "SageMakerPublicHub"
#: ~1.47 GB: one 1 GB file, a few large ones, many small ones.
CONTENT = [
    ("/weights/model-00001.safetensors", 1 << 30),
    ("/weights/model-00002.safetensors", 300 << 20),
    ("/weights/model-00003.safetensors", 100 << 20),
    ("/weights/optimizer.bin", 50 << 20),
    *((f"/shards/shard-{i:02d}.bin", 1 << 20) for i in range(20)),
    *((f"/tokenizer/part-{i:02d}.json", 10 << 10) for i in range(50)),
    *((f"/meta/file-{i:03d}.txt", 1 << 10) for i in range(100)),
]
RATE = 40 << 20  # bytes per second per connection
LATENCY = 0.02
CONNECTIONS = 8
SEQUENTIAL_LOOP = """
import shutil, sys, urllib.request
from pathlib import Path
folder = Path(sys.argv[1])
for line in open(sys.argv[2]):
    path, url = line.rstrip("\\n").split("\\t")
    target = folder / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url) as answer, open(target, "wb") as out:
        shutil.copyfileobj(answer, out, 1 << 20)
"""


def _env(endpoint: str) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_SAGEMAKER": endpoint,
    }


def _url_list(endpoint: str) -> list[tuple[str, str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", "hub", "urls", "--hub", HUB, "--name", "m"],
        capture_output=True,
        text=True,
        env=_env(endpoint),
        check=True,
    )
    return [(line.split("\t")[0], line.split("\t")[1]) for line in proc.stdout.splitlines()]


def _aria2_input(urls: list[tuple[str, str]], path: Path) -> None:
    with path.open("w") as out:
        for local_path, url in urls:
            out.write(f"{url}\n  out={local_path.lstrip('/')}\n")


def _timed(
    run: Callable[[Path], subprocess.CompletedProcess[str]], work: Path
) -> tuple[float, int]:
    """Seconds and the child's peak RSS (KiB) of one contender, in a fresh folder."""
    folder = Path(tempfile.mkdtemp(dir=work))
    try:
        began = time.perf_counter()
        proc = run(folder)
        seconds = time.perf_counter() - began
        if proc.returncode != 0:
            raise RuntimeError(f"a contender failed: {proc.stderr[-500:]}")
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        expected = sum(size for _, size in CONTENT)
        if size != expected:
            raise RuntimeError(f"a contender wrote {size} bytes, not {expected}")
        return seconds, _peak_rss(proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _peak_rss(proc: subprocess.CompletedProcess[str]) -> int:
    for line in proc.stderr.splitlines():
        if line.startswith("PEAK_RSS_KIB="):
            return int(line.partition("=")[2])
    return 0


def run_downloads(rounds: int) -> list[Target]:
    """The download figures (9a-9d), *rounds* rounds of the three contenders, interleaved."""
    work = Path(tempfile.mkdtemp(prefix="sagemaker-presign-downloads-"))
    aria2c = shutil.which("aria2c")
    if aria2c is None:
        raise RuntimeError("aria2c is missing: bash .ci/dev bench installs Debian's aria2")
    total = sum(size for _, size in CONTENT)
    with LocalSageMaker() as sagemaker:
        sagemaker.add_hub_content(HUB, "m", CONTENT)
        files = sagemaker.hub_files()
        with sagemaker.locked():
            files.rate_limit, files.latency = RATE, LATENCY
        endpoint = sagemaker.endpoint_url
        env = _env(endpoint)
        measure = Path(__file__).with_name("rusage.py")

        def ours(folder: Path) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [
                    *(sys.executable, str(measure), sys.executable, "-m", "sagemaker_presign"),
                    *("hub", "download", "--hub", HUB, "--name", "m", "--to", str(folder)),
                    *("--max-concurrency", str(CONNECTIONS), "--json"),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )

        def aria(folder: Path) -> subprocess.CompletedProcess[str]:
            listing = folder / "urls.txt"
            _aria2_input(_url_list(endpoint), listing)
            try:
                return subprocess.run(
                    [
                        *(aria2c, "-q", "-i", str(listing), "-d", str(folder)),
                        *("-j", "2", "-x", "4", "-s", "4", "-k", "16M"),
                        "--file-allocation=none",
                        "--auto-file-renaming=false",
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
            finally:
                listing.unlink()

        def sequential(folder: Path) -> subprocess.CompletedProcess[str]:
            listing = work / "sequential.tsv"
            listing.write_text("".join(f"{p}\t{u}\n" for p, u in _url_list(endpoint)))
            return subprocess.run(
                [sys.executable, "-c", SEQUENTIAL_LOOP, str(folder), str(listing)],
                capture_output=True,
                text=True,
                check=False,
            )

        times: dict[str, list[float]] = {"ours": [], "aria2c": [], "sequential": []}
        peaks: list[int] = []
        for _ in range(rounds):
            for name, run in (("ours", ours), ("aria2c", aria), ("sequential", sequential)):
                seconds, peak = _timed(run, work)
                times[name].append(seconds)
                if name == "ours":
                    peaks.append(peak)
        expiry = _forced_expiry(sagemaker, work)
    shutil.rmtree(work, ignore_errors=True)
    rate = {name: total / statistics.median(values) for name, values in times.items()}
    mb = 1 << 20
    spread = {name: f"{min(v):.1f}-{max(v):.1f} s" for name, v in times.items()}
    presigns, twice = expiry
    return [
        Target(
            "9a hub download, MB/s: ours / aria2c",
            f"{rate['ours'] / mb:.0f}",
            f"{rate['aria2c'] / mb:.0f}",
            rate["ours"] / rate["aria2c"],
            0.9,
            f"{total / mb:.0f} MiB, {RATE // mb} MiB/s per connection, "
            f"{LATENCY * 1000:.0f} ms; {spread['ours']} / {spread['aria2c']}",
            at_least=True,
        ),
        Target(
            "9b hub download, MB/s: ours / urllib loop",
            f"{rate['ours'] / mb:.0f}",
            f"{rate['sequential'] / mb:.0f}",
            rate["ours"] / rate["sequential"],
            5.0,
            f"{spread['ours']} / {spread['sequential']}",
            at_least=True,
        ),
        Target(
            "9c hub download: our peak RSS, MiB",
            f"{max(peaks) / 1024:.1f}",
            "80",
            max(peaks) / 1024 / 80,
            1.0,
            f"max of {rounds} rounds; {CONNECTIONS} connections",
        ),
        Target(
            "9d forced expiry: extra presigns; bytes twice",
            f"{presigns - 1}; {twice}",
            "1; 0",
            float((presigns - 1) + twice),
            1.0,
            "URLs that live 1 s, renewed once mid-download",
        ),
    ]


def _forced_expiry(sagemaker: LocalSageMaker, work: Path) -> tuple[int, int]:
    """Presign calls and bytes fetched twice when the first URLs die mid-download."""

    files = sagemaker.hub_files()
    sagemaker.add_hub_content(HUB, "expiring", [("/weights.bin", 200 << 20)])
    with sagemaker.locked():
        files.next_lifetimes = [1]  # the first URLs die a second after they are minted
    folder = work / "expiry"
    with sagemaker.client() as client:
        summary = client.download_hub_content(
            HUB, "Model", "expiring", to=folder, max_concurrency=2
        )
    return summary.presign_calls, max(summary.bytes_downloaded - (200 << 20), 0)
