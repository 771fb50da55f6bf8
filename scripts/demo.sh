#!/usr/bin/env bash
# Minimizes the bundled example (a small HTTP server) over every candidate of the default profile
# and says where the results are. TINYX_DEMO_CANDIDATES=A,B,... bounds the search to those options
# (a quick run for trying things); TINYX_DEMO_OUT sets the output directory.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${TINYX_DEMO_OUT:-out/hello-http}
candidates=${TINYX_DEMO_CANDIDATES:-all}
args=(minimize --app examples/hello-http/build/server --tests examples/hello-http/probe.sh --port 80 --out "$out")
[[ "$candidates" == all ]] || args+=(--candidates "$candidates")
node dist/cli/main.js "${args[@]}"
echo
echo "demo: results in $out: bzImage, initramfs.cpio.* (its compression's extension), config, defconfig, cmdline, run.sh, report.md, report.json"
echo "demo: boot it with $out/run.sh 8080 and try: curl http://127.0.0.1:8080/"
echo "demo: check that it is 1-minimal with: node dist/cli/main.js verify $out"
