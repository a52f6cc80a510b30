#!/usr/bin/env bash
# Runs every test of the project: installs the Debian packages the tests need when they are missing
# (as root; otherwise says which to install), then runs the Maven build with the Java and Python
# suites, and pysynapse's suite under the oldest and the newest supported Python.
#
# Every supported Python (3.8 to 3.13, from pyenv) must be installed: the Java smoke runs on each
# and fails for a missing one. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3 python3-venv python3-pip python3-msgpack python3-numpy python3-pytest python3-hypothesis
  python3-tomli python3-exceptiongroup)
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

status=0
mvn -B -ntp verify -Dsynapse.test.requireAllPythons=true "$@" || status=1
# JDK 25 (Temurin, as on the CI image): the shared-memory tests run there too, since from Java 22
# segments are mapped and unmapped through the foreign-memory API instead of MappedByteBuffer.
jdk25="${JDK25_HOME:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1 || true)}"
if [ -x "$jdk25/bin/java" ]; then
  JAVA_HOME="$jdk25" mvn -B -ntp -pl synapse-core test "$@" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='MappingTest,SharedMemorySafetyTest' || status=1
else
  echo "Temurin 25 is missing (looked for /usr/lib/jvm/temurin-25*; JDK25_HOME overrides):" \
    "the JDK 25 tests cannot run" >&2
  status=1
fi
# A short soak (synapse-bench/README.md): calls of every kind under worker kills, timeouts, stuck
# handlers and recycling on one JVM; fails when a call was lost or mismatched or anything leaked.
mvn -B -ntp -q -pl synapse-bench -am package -DskipTests -Psoak -Dsoak.seconds="${SOAK_SECONDS:-90}" \
  -Dsoak.stuck=true -Dsoak.label=soak-ci -Dbench.results="$PWD/synapse-bench/target/soak" || status=1
# The Maven build runs the full Python suite under both 3.11 interpreters; the oldest and the
# newest supported versions get it here (the others get the Java smoke only, to keep CI short).
bash scripts/python-suite.sh 3.8 3.13 || status=1

if [ "$status" -ne 0 ]; then
  echo "scripts/test.sh: FAILED (see above)" >&2
fi
exit "$status"
