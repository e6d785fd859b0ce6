#!/usr/bin/env bash
# Installs the real servers that tests/verify/ runs `verify` against: an
# OpenSSH server as the bastion, PostgreSQL and MariaDB as the databases.
# Debian packages, installed with apt-get, only when one is missing (a second
# run costs a few dpkg look-ups). The tests start and stop their own copies in
# network namespaces they make, so the packages' own services are never
# started here (policy-rc.d refuses them for the length of the install).
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
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "test-servers: installing ${missing[*]}"
# Keep the packages' services from starting (and from holding ports 22, 3306
# and 5432) while they install; put back whatever policy was there before.
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
echo "test-servers: installed ${missing[*]}"
