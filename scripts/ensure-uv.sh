#!/usr/bin/env bash
# Print a command that runs uv, installing uv from PyPI first if this machine has none.
# Prints `uv` when it is on PATH, else `<python> -m uv` (works wherever pip put the package).
set -euo pipefail
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
PY=$(command -v python3 || command -v python)
if ! "$PY" -m uv --version >/dev/null 2>&1; then
  echo "uv not found: installing it from PyPI" >&2
  "$PY" -m pip install --quiet --user uv >&2 \
    || "$PY" -m pip install --quiet --user --break-system-packages uv >&2 \
    || "$PY" -m pip install --quiet uv >&2
fi
"$PY" -m uv --version >/dev/null
echo "$PY -m uv"
