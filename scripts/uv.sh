#!/usr/bin/env bash
# Runs uv with the given arguments: the uv on PATH, else the pinned one below,
# which the first call installs from PyPI into .tools/ (uv is one binary in a
# wheel: pip only unpacks it, no virtualenv needed). Needs only Python 3.
set -euo pipefail

# The uv this project is tested with; the workflows install the same one.
UV_VERSION=0.13.9

# Trust the certificates the system trusts, as pip does (since 24.2) and uv
# does not by default: behind a TLS-inspecting proxy uv's own roots would
# refuse PyPI ("invalid peer certificate: UnknownIssuer").
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"

if command -v uv >/dev/null 2>&1; then
  exec uv "$@"
fi
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
uv="$tools/uv-$UV_VERSION/bin/uv"
if [ ! -x "$uv" ]; then
  python="${PYTHON:-python3}"
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "uv.sh: $python not found; install Python 3.11 or newer, or set PYTHON" >&2
    exit 2
  fi
  # Two first runs at once (two commands started together in a fresh clone)
  # each install into a folder of their own, then rename it into place: the
  # rename is atomic, and whichever comes second finds the place taken and
  # drops its copy (os.rename refuses to replace a folder that has files).
  mkdir -p "$tools"
  partial=$(mktemp -d "$tools/uv-$UV_VERSION.partial.XXXXXX")
  trap 'rm -rf "$partial"' EXIT
  . "$(dirname "$0")/interrupt.sh"
  guarded "$python" -m pip install --quiet --disable-pip-version-check --root-user-action ignore \
    --no-deps --only-binary :all: --no-compile --target "$partial" "uv==$UV_VERSION"
  if "$python" -c 'import os, sys; os.rename(sys.argv[1], sys.argv[2])' \
      "$partial" "$tools/uv-$UV_VERSION" 2>/dev/null; then
    echo "uv.sh: installed uv $UV_VERSION in $tools/uv-$UV_VERSION/bin" \
      "(put it on PATH for the Pulumi CLI's toolchain: uv)" >&2
  fi
  rm -rf "$partial"
  trap - EXIT
fi
exec "$uv" "$@"
