#!/usr/bin/env bash
# Installs what the peer comparison (compare.py) needs beyond tools/setup.sh:
# onnxruntime-node from npm (its install script would download extras; it is
# skipped), and OpenBLAS for Debian's PyTorch. Debian's python3-torch calls
# whatever libblas.so.3 the alternatives system points at; with only the
# reference BLAS (libblas3) installed, PyTorch runs these models 10-20x
# slower than it should (aten::bmm / addmm), which is not a fair peer.
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null)" != "install ok installed" ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update
  "${as_root[@]}" apt-get install -y --no-install-recommends libopenblas0-pthread
fi
[ -d node_modules/onnxruntime-node ] || npm install --ignore-scripts
echo "peers: onnxruntime-node and OpenBLAS ready"
