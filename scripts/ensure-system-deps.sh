#!/usr/bin/env bash
# Install what the test harness needs from the system, only when it is missing:
# PostgreSQL server binaries (Debian's package), Chromium + chromium-driver (the console's browser tests). Java 17 + Maven are used when present
# (real Apache Kafka from Maven Central jars); without them the harness uses tansu. wrk for the as-of bench (optional).
set -euo pipefail
if [ -z "${ACCORD_TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  && ! command -v initdb >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing PostgreSQL (Debian package) for the test harness"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  else
    echo "PostgreSQL server binaries not found: install postgresql or set ACCORD_TEST_DATABASE_URL" >&2
    exit 1
  fi
fi
# Chromium and its WebDriver (Debian's packages) for the console's browser tests (tests/scenarios/test_console.py).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing Chromium and chromium-driver (Debian packages) for the console's browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  else
    echo "Chromium not found: install chromium and chromium-driver for the console's browser tests" >&2
    exit 1
  fi
fi
# wrk (Debian's package: a compiled HTTP load generator) for benchmarks/contract_as_of.py; optional:
# without it that bench falls back to its Python client and says so.
if ! command -v wrk >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing wrk (Debian package) for the as-of benchmark"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
      || echo "wrk could not be installed: benchmarks/contract_as_of.py will use its Python client" >&2
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
      || echo "wrk could not be installed: benchmarks/contract_as_of.py will use its Python client" >&2
  else
    echo "wrk not found: benchmarks/contract_as_of.py will use its Python client (install wrk for fair figures)" >&2
  fi
fi
