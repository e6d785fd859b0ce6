#!/usr/bin/env bash
# Creates .venv (the same virtualenv Pulumi.yaml names) and installs the
# pinned requirements into it. Re-running is cheap: pip is only called when a
# requirements file changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-dev.txt policies/requirements.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi

# Compile the project's own modules, as pip does for installed packages: the
# preflight imports them on every run, and where PYTHONDONTWRITEBYTECODE is
# set (as in many CI images) Python would otherwise recompile them each time
# (0.2 s of a 1 s preflight). Cheap when nothing changed; a stale file is
# never used, since Python checks each one against its source.
.venv/bin/python -m compileall -q __main__.py aws_facts components settings offline preflight policies bootstrap
