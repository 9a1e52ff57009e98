#!/usr/bin/env bash
# On a GPU node: is the webgpu path whole, and how does it compare with wasm? Runs, from the offline bundle (its
# om2p-bench launcher) or a checkout (bin/om2p-bench.js):
#   1. info on webgpu: the adapter Dawn opened (a hardware Vulkan adapter is what a GPU node should show);
#   2. the update regression on webgpu: every algorithm's and MATD3's first 20 updates against the losses recorded on cpu
#      (bound 1e-3 relative): regression-webgpu.md;
#   3. bench algos --network-preset paper on webgpu and on wasm: peak update memory, update and sampling time per algorithm, the
#      paper's efficiency table on each backend: efficiency-webgpu/ and efficiency-wasm/ (efficiency.md, .csv, .tex).
# Usage: bench/gpu/check.sh [output folder]   (default gpu-check-<UTC time>); exit 1 when the regression fails.
# Extra arguments for bench algos go in OM2P_CHECK_ALGOS_ARGS (e.g. "--updates 20"); the adapter in OM2P_WEBGPU_ADAPTER.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
if [ -x "$root/om2p-bench" ]; then cli=("$root/om2p-bench"); else cli=(node "$root/bin/om2p-bench.js"); fi
out=${1:-gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
read -r -a algos_args <<< "${OM2P_CHECK_ALGOS_ARGS:-}"

echo "== info (webgpu) → $out/info-webgpu.txt"
"${cli[@]}" --backend webgpu info | tee "$out/info-webgpu.txt"

echo "== update regression (webgpu) → $out/regression-webgpu.md"
regression=0
"${cli[@]}" --backend webgpu bench regression --out "$out/regression-webgpu.md" || regression=$?

for backend in webgpu wasm; do
  echo "== bench algos --network-preset paper ($backend) → $out/efficiency-$backend/"
  "${cli[@]}" --backend "$backend" bench algos --network-preset paper --out "$out/efficiency-$backend" ${algos_args[@]+"${algos_args[@]}"}
done

echo
echo "== $out"
cat "$out/regression-webgpu.md"
for backend in webgpu wasm; do
  echo
  echo "-- $backend"
  cat "$out/efficiency-$backend/efficiency.md"
done
exit "$regression"
