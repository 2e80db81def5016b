#!/usr/bin/env bash
# Builds the native addon with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/
# and runs the native-backend tests (conformance and bad arguments) against that build.
#
#   bash scripts/build-native-sanitized.sh
#
# node-gyp always builds into ./build of the directory it runs in, so the sources are copied to
# build-asan/tree and built there with the sanitizer flags in CXXFLAGS/LDFLAGS. Node itself is not
# instrumented, so libasan is preloaded; leak checking is off because Node frees little at exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build-asan"
tree="$out/tree"
nodedir="$(dirname "$(dirname "$(command -v node)")")"
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"

rm -rf "$tree"
mkdir -p "$tree" "$out/Release"
cp -r "$root/binding.gyp" "$root/native" "$tree/"
(
  cd "$tree"
  CXXFLAGS="$sanitize" CFLAGS="$sanitize" LDFLAGS="-fsanitize=address,undefined" \
    node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$nodedir" --jobs=max > "$out/build.log" 2>&1 \
    || { tail -n 30 "$out/build.log"; exit 1; }
)
cp "$tree/build/Release/polytask_native.node" "$out/Release/polytask_native.node"
echo "sanitized addon: build-asan/Release/polytask_native.node"

cd "$root"
npx tsc -p tsconfig.json
LD_PRELOAD="$(g++ -print-file-name=libasan.so)" \
ASAN_OPTIONS=detect_leaks=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
POLYTASK_NATIVE_ADDON="$out/Release/polytask_native.node" \
  node --test --test-concurrency=1 dist/test/backends/native-conformance.test.js dist/test/backends/native-arguments.test.js
