"""Run a command and write its wall time and peak RSS to a file, from a small parent:

    python -I tests/benchmarks/launch.py RESULT.json COMMAND [ARGS...]

Linux charges a child, at exec, with the resident size of the process it was forked (or
vforked) from: ``ru_maxrss`` of a child of the benchmark (big with botocore, trustme and the
rest) reads at least the benchmark's own size. Launched from this ~11 MiB interpreter instead,
every contender's peak is its own.
"""

import json
import os
import subprocess
import sys
import time

result, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
child = subprocess.Popen(command)  # stdout and stderr are the launcher's own
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - start
with open(result, "w") as out:
    json.dump(
        {
            "seconds": elapsed,
            "max_rss_kib": usage.ru_maxrss,
            "status": os.waitstatus_to_exitcode(status),
        },
        out,
    )
