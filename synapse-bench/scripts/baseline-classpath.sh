#!/bin/sh
# Prints the classpath of synapse-core as it was at a git commit (its jar and that jar's runtime
# dependencies), building it first under synapse-bench/target/baseline-<commit>/ if needed. The
# versus suite compares this tree with it:
#   mvn -q -B -pl synapse-bench -am package -DskipTests -Pbench -Dbench.suites=versus \
#     -Dbench.baseline="$(synapse-bench/scripts/baseline-classpath.sh 223ab80)" -Dbench.label=L
# Maven runs offline when MAVEN_ARGS says so (e.g. MAVEN_ARGS=-o).
set -eu
ref=${1:?usage: baseline-classpath.sh GIT-REF}
bench=$(cd "$(dirname "$0")/.." && pwd)
repo=$(dirname "$bench")
commit=$(git -C "$repo" rev-parse --verify "$ref^{commit}")
dir="$bench/target/baseline-$commit"
if [ ! -s "$dir/classpath.txt" ]; then
  rm -rf "$dir"
  mkdir -p "$dir/src"
  git -C "$repo" archive "$commit" | tar -x -C "$dir/src"
  mvn -q -B ${MAVEN_ARGS:-} -f "$dir/src/pom.xml" -pl synapse-core -am package -DskipTests >&2
  mvn -q -B ${MAVEN_ARGS:-} -f "$dir/src/pom.xml" -pl synapse-core dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile="$dir/dependencies.txt" >&2
  for jar in "$dir"/src/synapse-core/target/synapse-core-*.jar; do
    case "$jar" in
      *-sources.jar | *-javadoc.jar) ;;
      *) core=$jar ;;
    esac
  done
  printf '%s:%s\n' "$core" "$(cat "$dir/dependencies.txt")" > "$dir/classpath.txt"
fi
cat "$dir/classpath.txt"
