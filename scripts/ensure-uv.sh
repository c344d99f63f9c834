#!/usr/bin/env bash
# Print the path of a uv binary, installing uv from PyPI (user site) if none is found.
set -euo pipefail
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
for candidate in "$HOME/.local/bin/uv"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
PY=$(command -v python3 || command -v python)
"$PY" -m pip install --quiet --user uv >/dev/null 2>&1 \
  || "$PY" -m pip install --quiet --user --break-system-packages uv >/dev/null 2>&1 \
  || "$PY" -m pip install --quiet uv >/dev/null
if command -v uv >/dev/null 2>&1; then command -v uv; else echo "$("$PY" -m site --user-base)/bin/uv"; fi
