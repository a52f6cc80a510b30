#!/usr/bin/env bash
# Runs pysynapse's pytest suite under the pyenv interpreter of each minor version given, e.g.
#   bash scripts/python-suite.sh 3.8 3.13
# The pyenv interpreters have no pytest of their own, and the local package index has no pytest
# or hypothesis wheels for every version, so the runs use Debian's pure-Python test tools
# (python3-pytest, python3-hypothesis and their dependencies), made visible through a private
# directory of links that holds nothing else: no compiled module of Debian's Python 3.11 leaks in,
# so each interpreter runs pysynapse's pure codec. A version that is not installed fails the run.
set -euo pipefail
cd "$(dirname "$0")/../python"

versions_root="${PYENV_ROOT:-$HOME/.pyenv}/versions"
debian=/usr/lib/python3/dist-packages
tools_modules=(_pytest pytest py.py py pluggy iniconfig attr attrs packaging hypothesis
  _hypothesis_ftz_detector.py _hypothesis_pytestplugin.py sortedcontainers exceptiongroup tomli)

tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
chmod 700 "$tools"
for name in "${tools_modules[@]}"; do
  if [ -e "$debian/$name" ]; then
    ln -s "$debian/$name" "$tools/$name"
  fi
done
# pytest and hypothesis find each other through their distribution metadata.
for metadata in "$debian"/pytest-*.dist-info "$debian"/hypothesis-*.egg-info "$debian"/pluggy-*.egg-info; do
  [ -e "$metadata" ] && ln -s "$metadata" "$tools/"
done

export PYTHONDONTWRITEBYTECODE=1
HYPOTHESIS_STORAGE_DIRECTORY="$tools/hypothesis-db"
export HYPOTHESIS_STORAGE_DIRECTORY
unset SYNAPSE_MAX_FRAME SYNAPSE_LOG_LEVEL SYNAPSE_REQUIRE_MSGPACK

status=0
for version in "$@"; do
  install="$( (ls -d "$versions_root/$version".* 2>/dev/null || true) | sort -t. -k3 -n | tail -n 1)"
  python="$install/bin/python3"
  if [ -z "$install" ] || [ ! -x "$python" ]; then
    echo "== pysynapse tests under Python $version: FAILED, no interpreter under $versions_root" >&2
    status=1
    continue
  fi
  echo "== pysynapse tests under $python ($("$python" --version 2>&1)), pure codec"
  # pytest 7's own assertion rewriting warns about the ast API of Python 3.12+; those warnings are
  # about the tool, not about pysynapse.
  PYTHONPATH="$tools" timeout "${RUN_TIMEOUT:-300}" "$python" -m pytest -q -rs -p no:cacheprovider \
    -W "ignore::DeprecationWarning:_pytest.assertion.rewrite" tests || status=1
done
exit "$status"
