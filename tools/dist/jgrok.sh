#!/usr/bin/env bash
# jgrok, self-contained (made by `make dist`): runs lib/jgrok.jar on the Java runtime in runtime/, whatever Java is
# (or is not) installed, with the emulated device's libraries from lib/native/. JGROK_JAVA_OPTS replaces the default
# JVM options below. README-dist.txt says what the bundle needs.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
java="$here/runtime/bin/java"
if [[ ! -x "$java" ]]; then
  echo "jgrok: $java is missing: this bundle is incomplete (unpack the whole .tar.gz)" >&2
  exit 2
fi
# OpenBLAS's own threads on top of the engines' worker threads oversubscribe the cores.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# The progress bar goes to stderr; only the shell can tell whether that is a terminal.
if [[ -t 2 ]]; then export JGROK_STDERR_IS_TERMINAL=1; else export JGROK_STDERR_IS_TERMINAL=0; fi
opts=(${JGROK_JAVA_OPTS:--Xmx8g -XX:+UseParallelGC} --add-modules jdk.incubator.vector
      --enable-native-access=ALL-UNNAMED "-Djgrok.emulator.dir=$here/lib/native")
# Drop the JVM's one-line "Using incubator modules" notice, so that an error is the one line on stderr it is meant
# to be; everything else passes through. The filter ignores SIGINT/SIGTERM so that the trainer's "how to resume"
# message still gets out.
exec "$java" "${opts[@]}" -jar "$here/lib/jgrok.jar" "$@" 2> >(trap '' INT TERM; exec >&2; IFS= read -r first || exit 0
  [[ $first == "WARNING: Using incubator modules"* ]] || printf '%s\n' "$first"; exec cat)
