#!/usr/bin/env bash
# check.sh TGZ [gpu-check flags]: proves that the bundle runs on its own (make dist-check). It unpacks the .tar.gz
# into a temporary directory and runs it with every installed Java out of reach: an empty environment (env -i: no
# JAVA_HOME), and a PATH holding only the four tools bin/jgrok uses (bash, dirname, readlink, cat), in which `java`
# cannot be found. It runs `bin/jgrok gpu-check --device emulated --quick` (all of gpu-check's parts at small sizes)
# and checks which Java actually ran: gpu-check.json records the probe's java.home, which must be the bundle's
# runtime/. It also checks that --device cuda on a machine without a usable GPU stops with one line and exit 2.
set -uo pipefail
tgz="${1:?usage: check.sh TGZ [gpu-check flags]}"
shift
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tgz" || { echo "dist-check: cannot unpack $tgz" >&2; exit 1; }
bundle="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'jgrok-*')"
mkdir "$work/bin" "$work/home"
for tool in bash dirname readlink cat; do
  ln -s "$(command -v "$tool")" "$work/bin/$tool"
done
hidden=(env -i PATH="$work/bin" HOME="$work/home")
if "${hidden[@]}" bash -c 'command -v java' >/dev/null 2>&1; then
  echo "dist-check: java is reachable through PATH=$work/bin; the check would prove nothing" >&2
  exit 1
fi
echo "dist-check: $bundle, run with env -i PATH=$work/bin (bash, dirname, readlink, cat; no java)"

"${hidden[@]}" "$bundle/bin/jgrok" gpu-check --device emulated --quick --out "$work/out" "$@"
status=$?
if [[ $status -ne 0 ]]; then
  echo "dist-check: gpu-check --device emulated --quick failed (exit $status)" >&2
  exit 1
fi
if ! grep -qF "\"home\": \"$bundle/runtime\"" "$work/out/gpu-check.json"; then
  echo "dist-check: gpu-check.json does not name the bundle's runtime as the Java that ran:" >&2
  grep -F '"home"' "$work/out/gpu-check.json" >&2
  exit 1
fi
echo "dist-check: the Java that ran was $bundle/runtime (gpu-check.json's probe)"

err="$("${hidden[@]}" "$bundle/bin/jgrok" train --device cuda --n_epochs 1 --quiet --out "$work/cuda-run" 2>&1 \
  >/dev/null)"
code=$?
if [[ -n "${DIST_CHECK_HAS_GPU:-}" ]]; then
  echo "dist-check: DIST_CHECK_HAS_GPU is set; --device cuda is left to gpu-check on that machine"
elif [[ $code -ne 2 || "$err" == *$'\n'* || "$err" != "jgrok: error: --device cuda: "* ]]; then
  echo "dist-check: --device cuda without a usable GPU should stop with one line and exit 2; got exit $code:" >&2
  printf '%s\n' "$err" >&2
  exit 1
else
  echo "dist-check: --device cuda without a usable GPU: exit 2, \"$err\""
fi
echo "dist-check: OK"
