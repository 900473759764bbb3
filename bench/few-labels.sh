#!/usr/bin/env bash
# The few-labels curve of BENCHMARKS.md ("Few labels"): for K = 10, 100, 1000 labelled images per
# class, the frozen SimCLR encoder, SupCon trained from scratch on the K labels, and the SimCLR
# encoder fine-tuned with SupCon on them; every evaluation uses only the K labels per class.
#
#   bash bench/few-labels.sh PRETRAINED_RUN [OUT_DIR]
#   (PRETRAINED_RUN: a `contrastive train` run directory, e.g. runs/fashion-mnist-simclr-cnn)
# Prints one JSON line per evaluation; the runs go to OUT_DIR (default runs/few-labels).
set -euo pipefail
pre=${1:?usage: bash bench/few-labels.sh PRETRAINED_RUN [OUT_DIR]}
out=${2:-runs/few-labels}
cli="node $(dirname "$0")/../dist/cli/index.js"
mkdir -p "$out"
for spec in "10 100 30" "100 250 20" "1000 250 5"; do
  read -r K B E <<< "$spec"
  e=$($cli eval --checkpoint "$pre" --json --labels-per-class "$K")   # an assignment: set -e stops on failure
  echo "{\"K\": $K, \"encoder\": \"simclr-frozen\", \"eval\": $e}"
  for kind in scratch finetuned; do
    dir="$out/$kind-$K"; rm -rf "$dir"
    init=(); [ "$kind" = finetuned ] && init=(--init "$pre")
    $cli train --method supcon "${init[@]}" --labels-per-class "$K" --batch-size "$B" --epochs "$E" --out "$dir" 2> "$dir.log"
    e=$($cli eval --checkpoint "$dir" --json --labels-per-class "$K" 2>> "$dir.log")
    echo "{\"K\": $K, \"encoder\": \"supcon-$kind\", \"eval\": $e}"
  done
done
