#!/usr/bin/env bash
# Links a modular application that requires dev.synapse into a run-time image with jlink and runs
# it against a real worker: proof that synapse-core's module descriptor names only real modules.
#   scripts/jlink-check.sh MODULES_DIR APP_JAR PYTHON_MODULE_DIR [PYTHON]
# MODULES_DIR holds synapse-core and its runtime dependencies (jars); APP_JAR is the application.
# Uses the jlink and java of JAVA_HOME (or of PATH); the image is made in a private directory.
set -euo pipefail

modules="$1"
app="$2"
python_module="$3"
python="${4:-python3}"
jdk_bin="${JAVA_HOME:+$JAVA_HOME/bin/}"

image_parent="$(mktemp -d)"
trap 'rm -rf "$image_parent"' EXIT
image="$image_parent/image"

echo "== jlink: linking dev.synapse.jlinkcheck with $(ls "$modules" | tr '\n' ' ')"
"${jdk_bin}jlink" --module-path "$modules:$app" --add-modules dev.synapse.jlinkcheck \
  --strip-debug --no-header-files --no-man-pages --output "$image"

echo "== jlink: modules in the image: $("$image/bin/java" --list-modules | tr '\n' ' ')"
main=dev.synapse.jlinkcheck/dev.synapse.jlinkcheck.Main
"$image/bin/java" -m "$main" "$python" "$python_module"

# On JDK 24 and later msgpack's default buffers print a deprecation warning for sun.misc.Unsafe;
# its universal buffers do not (docs/release.md, "JDK 24 and later").
feature="$("$image/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [ "${feature%%.*}" -ge 24 ]; then
  "$image/bin/java" -Dmsgpack.universal-buffer=true -m "$main" "$python" "$python_module" \
    >"$image_parent/output" 2>&1 || { cat "$image_parent/output"; exit 1; }
  if grep -q "sun.misc.Unsafe" "$image_parent/output"; then
    cat "$image_parent/output"
    echo "== jlink: FAILED, msgpack warned about sun.misc.Unsafe with msgpack.universal-buffer=true" >&2
    exit 1
  fi
  echo "== jlink: no sun.misc.Unsafe warning on Java $feature with msgpack.universal-buffer=true"
fi
echo "== jlink: the linked application ran"
