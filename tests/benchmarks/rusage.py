"""Run a command; print its peak RSS (KiB) on stderr as ``PEAK_RSS_KIB=<n>``; keep its status."""

import resource
import subprocess
import sys

status = subprocess.run(sys.argv[1:], check=False).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"PEAK_RSS_KIB={peak}\n")
sys.exit(status)
