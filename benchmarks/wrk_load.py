"""Load from `wrk` (Debian's package: a compiled HTTP load generator, a few MB of memory and a
fraction of a core for tens of thousands of requests a second), driven by benchmarks/as_of.lua.

`find_wrk` finds it on PATH, else installs Debian's package when it can (root, or sudo, with
apt-get), else returns None and the caller falls back to its Python client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("as_of.lua")


def find_wrk() -> str | None:
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get"):
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and not shutil.which("sudo"):
        return None
    print("wrk not found: installing Debian's wrk package for the load")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if subprocess.run([*sudo, *step], env=env, capture_output=True, check=False).returncode:
            return None
    return shutil.which("wrk")


def run_wrk(
    wrk: str, base: str, key: str, path: str, *, as_of: bool, seconds: float, concurrency: int
) -> dict[str, float]:
    """Requests answered per second and latency percentiles (ms) over `seconds`, from wrk's own
    counts (`duration` is wrk's measured run time)."""
    threads = max(1, min(2, concurrency))
    env = os.environ | {"ACCORD_BENCH_KEY": key, "ACCORD_BENCH_PATH": path}
    if as_of:
        env["ACCORD_BENCH_AS_OF"] = "1"
    else:
        env.pop("ACCORD_BENCH_AS_OF", None)
    command = [wrk, f"-t{threads}", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "10s"]
    done = subprocess.run(
        [*command, "-s", str(SCRIPT), base], env=env, capture_output=True, text=True, check=True
    )
    last = done.stdout.strip().splitlines()[-1]
    figures = json.loads(last)
    return {
        "per_s": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50": figures["p50_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "errors": figures["non_2xx"] + figures["socket_errors"],
        "requests": figures["requests"],
    }
