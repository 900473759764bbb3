#!/bin/bash
cd "$(dirname "$0")"
for f in w*.args; do
  mapfile -t A < "$f"
  OMP_NUM_THREADS=2 timeout "$1" python3 recipe.py . "$OUT/all.jsonl" "${A[@]}" > /tmp/${f%.args}.log 2>&1 &
done
wait; wc -l $OUT/all.jsonl; grep -h -i error /tmp/w*.log | head
