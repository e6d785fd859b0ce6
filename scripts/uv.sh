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
  rm -rf "$tools/uv-$UV_VERSION.partial"
  "$python" -m pip install --quiet --disable-pip-version-check --root-user-action ignore \
    --no-deps --only-binary :all: --no-compile --target "$tools/uv-$UV_VERSION.partial" \
    "uv==$UV_VERSION"
  mv "$tools/uv-$UV_VERSION.partial" "$tools/uv-$UV_VERSION"
  echo "uv.sh: installed uv $UV_VERSION in $tools/uv-$UV_VERSION/bin" \
    "(put it on PATH for the Pulumi CLI's toolchain: uv)" >&2
fi
exec "$uv" "$@"
