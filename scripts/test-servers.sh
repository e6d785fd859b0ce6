#!/usr/bin/env bash
# Makes this machine ready for the real-server tests of `verify`
# (tests/verify/): what they need installed, and nothing else. docs/testing.md
# lists it. It only adds, and only what is missing, so a second run changes
# nothing and costs a few look-ups; nothing is removed afterwards, so the
# machine stays as the first run left it (no package comes and goes with
# each test run; each run's own bastion user is the test's, made and removed
# by tests/verify/lab.py):
#   - Debian packages (apt-get): an OpenSSH server as the bastion, PostgreSQL
#     and MariaDB as the databases, their clients, iproute2 and openssl. Their
#     own services are never started: the tests start copies of their own in
#     network namespaces they make (policy-rc.d refuses service starts while
#     the packages install, and the policy there before is put back);
#   - /run/sshd, the folder sshd needs for privilege separation.
# Without root, or without apt-get, it says why and exits 0: the tests then
# skip with the same reason.
# Usage: scripts/test-servers.sh
set -euo pipefail

packages=(openssh-server openssh-client postgresql postgresql-client mariadb-server mariadb-client iproute2 openssl)

if [ "$(id -u)" != 0 ]; then
  echo "test-servers: not root; not installing ${packages[*]} (tests/verify will skip)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "test-servers: no apt-get; not installing ${packages[*]} (tests/verify will skip)"
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-servers: installing ${missing[*]}"
  # An install, once started, is finished: Ctrl-C or SIGTERM (scripts/test.sh
  # passes them on) would leave dpkg half done and policy-rc.d in place. The
  # signals are ignored until then, by apt-get and dpkg too.
  trap '' INT TERM
  # Keep the packages' services from starting (and from holding ports 22,
  # 3306 and 5432) while they install; put back whatever policy was there.
  policy=/usr/sbin/policy-rc.d
  saved=""
  if [ -e "$policy" ]; then
    saved=$(mktemp)
    cp -p "$policy" "$saved"
  fi
  restore_policy() {
    if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 0755 "$policy"

  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  restore_policy
  trap - EXIT INT TERM
  echo "test-servers: installed ${missing[*]}"
fi

# Under /run, which a reboot empties: made again at every run when absent.
mkdir -p -m 0755 /run/sshd
