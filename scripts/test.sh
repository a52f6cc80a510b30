#!/usr/bin/env bash
# Runs every test of the project: installs the Debian packages the tests need when they are missing
# (as root; otherwise says which to install), then runs the Maven build with the Java and Python suites.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3 python3-venv python3-pip python3-msgpack python3-numpy python3-pytest python3-hypothesis)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need Debian packages that are missing: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

exec mvn -B -ntp verify "$@"
