#!/usr/bin/env bash
# build.sh: assembles the self-contained bundle (called by `make dist`, which passes the variables below):
#   DIST_DIR/runtime/       a Java runtime made by jlink from DIST_JDK with only DIST_MODULES
#   DIST_DIR/lib/jgrok.jar  target/jgrok.jar without other platforms' natives and JCuda's unused libraries
#                           (tools/dist/DistJar.java); the CUDA kernels (kernels/jgrok.fatbin) are inside it
#   DIST_DIR/lib/native/    the emulated device (EMU_DIR: libjgrok_emu.so, libjgrok_emu_kernels.so)
#   DIST_DIR/bin/jgrok      the launcher (tools/dist/jgrok.sh)
#   DIST_DIR/README-dist.txt  what it is, what it needs (glibc and driver versions measured here), how to run it
# and DIST_DIR.tar.gz beside it, which must stay within MAX_TGZ_MIB (it travels inside a 64 MiB limit).
set -euo pipefail
: "${DIST_DIR:?}" "${DIST_JDK:?}" "${DIST_MODULES:?}" "${JAR:?}" "${EMU_DIR:?}" "${VERSION:?}"
MAX_TGZ_MIB="${MAX_TGZ_MIB:-50}"
mkdir -p "$(dirname "$DIST_DIR")"
DIST_DIR="$(cd "$(dirname "$DIST_DIR")" && pwd)/$(basename "$DIST_DIR")"
JAR="$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="$(basename "$DIST_DIR")"
parent="$(dirname "$DIST_DIR")"
tgz="$parent/$name.tar.gz"

jlink="$DIST_JDK/bin/jlink"
if [[ ! -x "$jlink" ]]; then
  echo "make dist: $jlink not found; set DIST_JDK to a JDK (17 or newer) that has jlink" >&2
  exit 2
fi
jdk_feature="$("$DIST_JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [[ ! -d "$DIST_JDK/jmods" && "$jdk_feature" -lt 24 ]]; then
  echo "make dist: $DIST_JDK has no jmods/ directory, which jlink needs before JDK 24 (Debian: apt-get install" \
       "openjdk-17-jmods); or set DIST_JDK to a JDK 24+ that links from its own runtime image" >&2
  exit 2
fi
compress="zip-0"
[[ "$jdk_feature" -lt 21 ]] && compress="0"

rm -rf "$DIST_DIR" "$tgz"
mkdir -p "$DIST_DIR/bin" "$DIST_DIR/lib/native"
echo "make dist: jlink from $DIST_JDK (Java $jdk_feature): $DIST_MODULES"
# Uncompressed modules: the .tar.gz compresses them better than jlink's zip does (about 19 against 26 MiB).
"$jlink" --add-modules "$DIST_MODULES" --strip-debug --no-header-files --no-man-pages --compress="$compress" \
  --output "$DIST_DIR/runtime" 2>&1 | grep -v "^WARNING: Using incubator modules" || true
[[ -x "$DIST_DIR/runtime/bin/java" ]] || { echo "make dist: jlink failed" >&2; exit 1; }
# The JVM library carries a symbol table it does not need to run (about 5 MiB); hs_err reports lose names only.
if command -v strip >/dev/null; then
  strip --strip-unneeded "$DIST_DIR/runtime/lib/server/libjvm.so"
fi

java="$DIST_JDK/bin/java"
"$java" "$here/DistJar.java" "$JAR" "$DIST_DIR/lib/jgrok.jar"
cp "$EMU_DIR/libjgrok_emu.so" "$EMU_DIR/libjgrok_emu_kernels.so" "$DIST_DIR/lib/native/"
cp "$here/jgrok.sh" "$DIST_DIR/bin/jgrok"
chmod 755 "$DIST_DIR/bin/jgrok"

# What the natives need from the C library, measured (objdump -T: the newest symbol version each one references).
newest() {  # newest GLIBC_x.y referenced by the given files
  local v
  v="$(for f in "$@"; do objdump -T "$f" 2>/dev/null; done | grep -o 'GLIBC_2\.[0-9]*' | sort -t. -k2 -n | tail -1)"
  echo "${v#GLIBC_}"
}
natives="$(mktemp -d)"
trap 'rm -rf "$natives"' EXIT
(cd "$natives" && "$DIST_JDK/bin/jar" xf "$DIST_DIR/lib/jgrok.jar" lib com/sun/jna org/jline/nativ resources/native \
  kernels)
if command -v objdump >/dev/null; then
  glibc_runtime="$(newest $(find "$DIST_DIR/runtime" -name '*.so'))"
  # (only the directories the jar has: a bundle without jline's natives has no org/)
  glibc_cuda="$(newest $(for d in lib com org; do [[ ! -d "$natives/$d" ]] || find "$natives/$d" -name '*.so'; done))"
  glibc_blas="$(newest $(find "$natives/resources" -name '*.so'))"
  glibc_emulator="$(newest "$DIST_DIR"/lib/native/*.so)"
  cxx_emulator="$(objdump -T "$DIST_DIR"/lib/native/*.so | grep -o 'GLIBCXX_3\.4\.[0-9]*' | sort -t. -k3 -n \
    | tail -1 || true)"
else
  glibc_runtime="?" glibc_cuda="?" glibc_blas="?" glibc_emulator="?" cxx_emulator="not measured (no objdump)"
fi
if [[ -n "$cxx_emulator" ]]; then
  cxx_emulator="libstdc++.so.6 providing $cxx_emulator (the one of the g++ that built the bundle)"
else
  cxx_emulator="none"
fi

if [[ -f "$natives/kernels/jgrok.fatbin" ]]; then
  built_by="$(sed -n 's/^# nvcc: //p' "$natives/kernels/jgrok.kernels" 2>/dev/null | head -1)"
  kernels="- The kernels: kernels/jgrok.fatbin inside lib/jgrok.jar, built by nvcc (${built_by:-version not recorded}):
  SASS for sm_80, sm_86, sm_89, sm_90 and compute_90 PTX that the driver JIT-compiles for newer GPUs."
  has_kernels=yes
else
  kernels="- NO CUDA KERNELS: this bundle was made without nvcc, so --device cuda (and gpu-check's default) stops
  with one line saying so. Make the bundle on a machine with nvcc (CUDA 12.8 or newer) for GPUs."
  has_kernels=no
fi
runtime_version="$("$DIST_DIR/runtime/bin/java" -version 2>&1 | head -1)"
folder_mib="$(du -sm "$DIST_DIR" | cut -f1)"

sed -e "s|@VERSION@|$VERSION|g" -e "s|@NAME@|$name|g" -e "s|@RUNTIME@|$runtime_version|g" \
    -e "s|@MODULES@|$DIST_MODULES|g" -e "s|@GLIBC_RUNTIME@|$glibc_runtime|g" -e "s|@GLIBC_CUDA@|$glibc_cuda|g" \
    -e "s|@GLIBC_BLAS@|$glibc_blas|g" -e "s|@GLIBC_EMULATOR@|$glibc_emulator|g" \
    -e "s|@CXX_EMULATOR@|$cxx_emulator|g" -e "s|@FOLDER_MIB@|$folder_mib|g" \
    "$here/README-dist.txt" > "$DIST_DIR/README-dist.txt.tmp"
# The kernels paragraph has several lines: put it in with awk rather than sed.
awk -v text="$kernels" '{ if ($0 == "@KERNELS@") print text; else print }' "$DIST_DIR/README-dist.txt.tmp" \
  > "$DIST_DIR/README-dist.txt"
rm "$DIST_DIR/README-dist.txt.tmp"

tar -C "$parent" -cf - "$name" | gzip -9 > "$tgz.tmp"
mv "$tgz.tmp" "$tgz"
tgz_bytes="$(stat -c %s "$tgz")"
tgz_mib="$(awk -v b="$tgz_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
echo "make dist: $DIST_DIR: $folder_mib MiB; $tgz: $tgz_mib MiB (limit $MAX_TGZ_MIB MiB)"
echo "make dist: glibc needed: runtime $glibc_runtime, JCuda/JNA $glibc_cuda, netlib BLAS loader $glibc_blas," \
     "emulated device $glibc_emulator; CUDA kernels in the jar: $has_kernels"
if [[ "$has_kernels" == no ]]; then
  echo "make dist: no nvcc here, so the bundle has no CUDA kernels (--device cuda will say so); --device emulated" \
       "and the CPU engine work"
fi
if (( tgz_bytes > MAX_TGZ_MIB * 1048576 )); then
  echo "make dist: $tgz is $tgz_mib MiB, over the $MAX_TGZ_MIB MiB limit" >&2
  exit 1
fi
