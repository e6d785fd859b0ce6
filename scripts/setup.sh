#!/usr/bin/env bash
# Makes .venv (the virtualenv Pulumi.yaml names) from uv.lock: every package
# pinned with its hash, transitive ones included.
#
#   bash scripts/setup.sh         the program, the policy pack and the offline
#                                 preflight (what `pulumi preview` runs on too)
#   bash scripts/setup.sh --dev   the same plus the checks (pytest, ruff, mypy)
#   --no-bytecode                 leaves out the last step, the bytecode
#                                 (scripts/test.sh's first call)
#
# Needs only Python 3.11+ and PyPI: scripts/uv.sh runs the uv on PATH, or
# else installs a pinned uv from PyPI the first time. Cheap when nothing
# changed: a stamp (.setup.synced) records what the last sync was made from,
# and while that is all unchanged neither uv nor the lock below is needed.
#
# Safe to run several at once (two commands started together in a fresh
# clone): each waits for the one before to finish (a lock on
# .setup.lock), then finds the environment made. Ctrl-C or SIGTERM
# stops it with exit 130 or 143 (scripts/interrupt.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/interrupt.sh

dev=0
bytecode=1
for argument in "$@"; do
  case "$argument" in
    --dev) dev=1 ;;
    # The environment only: scripts/test.sh writes the bytecode (a second,
    # plain run) while mypy, which reads no bytecode, checks on the other core.
    --no-bytecode) bytecode=0 ;;
    *) echo "usage: bash scripts/setup.sh [--dev] [--no-bytecode]" >&2; exit 2 ;;
  esac
done

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup: $python not found; install Python 3.11 or newer, or set PYTHON" >&2
  exit 2
fi

# The environment Pulumi's `toolchain: uv` uses too (it sets the same variable
# from Pulumi.yaml's `virtualenv`), on the interpreter asked for; --locked
# refuses a uv.lock that no longer matches pyproject.toml.
export UV_PROJECT_ENVIRONMENT="$PWD/.venv" UV_PYTHON="$python" UV_PYTHON_DOWNLOADS=never

# What a sync is made from: the lock, the project file (--locked refuses a
# lock it no longer matches), the interpreter, and the environment as it
# stands (each distribution's name and version), so an edited uv.lock, a
# package added or removed by hand, or a .venv made anew all sync again.
sync_inputs() {
  {
    sha256sum uv.lock pyproject.toml
    command -v "$python"
    ls -d .venv/lib/python3*/site-packages/*.dist-info 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}
# "<inputs> <kind>": the dev sync (exact, with the checks' tools) holds all a
# plain one would install, so it stands for both; a plain one only for itself.
synced=$(cat .setup.synced 2>/dev/null || true)
case "$synced" in
  "$(sync_inputs) dev") needed=0 ;;
  "$(sync_inputs) plain") needed=$dev ;;
  *) needed=1 ;;
esac

# One set-up at a time: a second one would otherwise change .venv under the
# first's feet, or import from it half-made. flock(2) through the file
# descriptor this shell holds: the lock is the open file's, so it stays taken
# after the Python that took it exits, until this script ends (also on macOS,
# which has no flock command). Taken only when there is something to change.
locked=0
take_lock() {
  if [ "$locked" = 0 ]; then
    exec 9>>.setup.lock
    guarded "$python" -c 'import fcntl; fcntl.flock(9, fcntl.LOCK_EX)'
    locked=1
  fi
}

if [ "$needed" = 1 ]; then
  take_lock
  # While this sync runs, no stamp: a set-up starting meanwhile waits on the lock.
  rm -f .setup.synced
  if [ "$dev" = 1 ]; then
    # Exact: also removes what the lock no longer lists.
    guarded bash scripts/uv.sh sync --quiet --locked --group dev
    kind=dev
  else
    # Inexact: the preflight leaves the checks' tools alone.
    guarded bash scripts/uv.sh sync --quiet --locked --inexact
    kind=plain
  fi
  # Written whole, then renamed into place: a reader sees the old file or the new one.
  echo "$(sync_inputs) $kind" >.setup.synced.partial
  mv .setup.synced.partial .setup.synced
fi

# Bytecode for the packages the program, the pack and the preflight run on, as
# pip writes it at install time and uv does not. Without it every run
# recompiles what it imports where PYTHONDONTWRITEBYTECODE is set (as in many
# CI images), which costs more than the run itself. Not the pulumi_aws
# services the code never uses (nearly all of them), nor the checks' tools
# (scripts/compile_bytecode.py says why); on every core, and again only when
# the installed distributions change.
if [ "$bytecode" = 0 ]; then
  exit 0
fi
compile_dependencies() {
  # The AWS services the program and the bootstrap project use (aws.ec2.X...).
  local services
  services=$(grep -rhoE --include='*.py' '\baws\.[a-z0-9_]+\.([A-Z]|get_)' \
    __main__.py bastion_db bootstrap | cut -d. -f2 | sort -u | paste -sd'|')
  bash scripts/uv.sh export --quiet --frozen --no-dev --no-emit-project --no-hashes \
      --format requirements-txt \
    | PYTHONDONTWRITEBYTECODE='' .venv/bin/python scripts/compile_bytecode.py \
      .venv/lib/python3*/site-packages "$services"
}
installed=$(ls -d .venv/lib/python3*/site-packages/*.dist-info | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.bytecode-for 2>/dev/null)" != "$installed" ]; then
  take_lock
  guarded compile_dependencies
  echo "$installed" > .venv/.bytecode-for
fi

# Compile the project's own modules too (with the checks, the tests' too: each
# pytest worker imports them all), again only when a file or folder among them
# is newer than the last time: an edit, or a file added, renamed or removed,
# which also changes its folder. A stale file is never used in any case, since
# Python checks each one against its source.
own=(__main__.py bastion_db settings offline preflight policies bootstrap verify)
compiled=.setup.compiled
if [ "$dev" = 1 ]; then
  own+=(tests)
  compiled=.setup.compiled-dev
fi
if [ ! -e "$compiled" ] \
    || [ -n "$(find "${own[@]}" -name __pycache__ -prune -o -newer "$compiled" -print -quit)" ]; then
  # Stamped before compiling, so a file edited meanwhile is newer next time;
  # a name of its own, as two set-ups may compile at once (each file is
  # written whole, and either stamp will do).
  touch "$compiled.$$"
  guarded .venv/bin/python -m compileall -q "${own[@]}"
  mv "$compiled.$$" "$compiled"
fi
