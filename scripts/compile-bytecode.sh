#!/usr/bin/env bash
# Precompile bytecode so services start without compiling Python (PYTHONDONTWRITEBYTECODE, set on
# some machines, makes every start compile every module again: about 3x the CPU of a start from .pyc).
# Site-packages are compiled once per lock file; the workspace's own sources each time (compileall
# skips files whose .pyc is current, so a second run only reads timestamps).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || exit 0
stamp=.venv/.bytecode-compiled
if [ ! -f "$stamp" ] || [ uv.lock -nt "$stamp" ]; then
  "$PY" -m compileall -q -j 0 .venv/lib/python*/site-packages >/dev/null 2>&1 || true
  touch "$stamp"
fi
"$PY" -m compileall -q -j 0 libs services >/dev/null 2>&1 || true
