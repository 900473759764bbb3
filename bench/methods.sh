#!/usr/bin/env bash
# Every method on Fashion-MNIST with the same backbone (the default small CNN), epochs and batch:
# train, then eval --json (no raw-pixel baseline: it is the same for all), the same with --whiten
# (whitened representation), then the table
# (node bench/methods-table.mjs). Usage: bash bench/methods.sh [EPOCHS] [METHODS...]
# Default: 3 epochs of every method. Runs go to runs/methods/<method>; logs and JSON beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"; shift || true
methods=("$@")
[ ${#methods[@]} -eq 0 ] && methods=(simclr supcon moco mocov3 byol simsiam barlow vicreg nnclr)
mkdir -p runs/methods
for m in "${methods[@]}"; do
  out="runs/methods/$m"
  rm -rf "$out"
  node dist/cli/index.js train --method "$m" --epochs "$epochs" --out "$out" 2> "$out.train.log"
  node dist/cli/index.js eval --checkpoint "$out" --json --no-baseline > "$out.eval.json" 2> "$out.eval.log"
  node dist/cli/index.js eval --checkpoint "$out" --json --no-baseline --whiten > "$out.white.json" 2> "$out.white.log"
  echo "$m done: $(tail -c 300 "$out.eval.json" | head -c 0)$(node -e "const r=require('./$out.eval.json');console.log((100*r.knnTop1).toFixed(2)+'% kNN, '+(100*r.linearProbeTop1).toFixed(2)+'% probe')")"
done
node bench/methods-table.mjs "${methods[@]}"
