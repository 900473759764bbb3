#!/usr/bin/env bash
# Does a labelled image folder built from real pictures give the same kNN as the built-in source on
# the same split? Fashion-MNIST written out as PNGs (bench/export-png.mjs), then:
#   0. the folder's pixels and labels against the built-in loader's (item i = item i);
#   (a) the same small recipe trained on the built-in source and on the folder: the last weights
#       files compared byte for byte (equal items, order and split => equal training), and each
#       run's `eval --json` on its own data (from run.json);
#   (b) ONE checkpoint (the built-in run's) evaluated on --dataset fashion-mnist and on --data
#       <folder>: every figure must be equal.
#
#   bash bench/image-folder-knn.sh [WORK_DIR]     (default bench/results/image-folder-knn)
# Needs `npm run build`. RECIPE and EVAL override the train / eval options. Takes several minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=${1:-$root/bench/results/image-folder-knn}
recipe=(${RECIPE:---limit 5000 --epochs 2 --seed 0})
evalopts=(${EVAL:-})
folder=$work/fashion-mnist-png
cli=(nice node "$root/dist/cli/index.js")
mkdir -p "$work"
say() { printf '\n## %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

if [ ! -d "$folder" ]; then
  show node bench/export-png.mjs fashion-mnist "$folder"
  nice node "$root/bench/export-png.mjs" fashion-mnist "$folder"
fi

say "0. pixels and labels: folder vs built-in"
(cd "$root" && nice node --input-type=module -e "
  import { loadFashionMnist } from './dist/data/fashion-mnist.js';
  import { loadImageFolder } from './dist/data/image-folder.js';
  const a = loadFashionMnist(), b = await loadImageFolder(process.argv[1]);
  const same = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);
  let diff = 0; for (let i = 0; i < a.images.length; i++) if (a.images[i] !== b.images[i]) diff++;
  console.log(JSON.stringify({ size: [a.size, b.size], shape: [[a.height, a.width, a.channels], [b.height, b.width, b.channels]],
    labelsEqual: same(a.labels, b.labels), pixelsDiffering: diff, classNames: { builtin: a.classNames, folder: b.classNames } }));
" "$folder")

say "(a) train the same recipe on both sources: ${recipe[*]}"
rm -rf "$work/builtin" "$work/folder"
show contrastive train --dataset fashion-mnist "${recipe[@]}" --out "$work/builtin"
"${cli[@]}" train --dataset fashion-mnist "${recipe[@]}" --out "$work/builtin" 2> "$work/builtin.log"
grep '^epoch' "$work/builtin.log"
show contrastive train --data "$folder" "${recipe[@]}" --out "$work/folder"
"${cli[@]}" train --data "$folder" "${recipe[@]}" --out "$work/folder" 2> "$work/folder.log"
grep '^epoch' "$work/folder.log"
last=$(cd "$work/builtin" && ls weights-*.bin | sort -t- -k2 -n | tail -1)
show cmp "$work/builtin/$last" "$work/folder/$last"
if cmp "$work/builtin/$last" "$work/folder/$last"; then echo "weights: bit-equal ($last)"; else echo "weights: DIFFERENT ($last)"; fi

summary='const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(JSON.stringify({ dataset: r.dataset, n: r.n, labelled: r.labelled, knnTop1: r.knnTop1, linearProbeTop1: r.linearProbeTop1, rawPixelKnnTop1: r.rawPixelKnnTop1 }));'
show contrastive eval --checkpoint "$work/builtin" --json "${evalopts[@]}"
"${cli[@]}" eval --checkpoint "$work/builtin" --json "${evalopts[@]}" 2>/dev/null > "$work/a-builtin.json"
node -e "$summary" < "$work/a-builtin.json"
show contrastive eval --checkpoint "$work/folder" --json "${evalopts[@]}"
"${cli[@]}" eval --checkpoint "$work/folder" --json "${evalopts[@]}" 2>/dev/null > "$work/a-folder.json"
node -e "$summary" < "$work/a-folder.json"

say "(b) one checkpoint ($work/builtin) on both sources"
show contrastive eval --checkpoint "$work/builtin" --dataset fashion-mnist --json "${evalopts[@]}"
"${cli[@]}" eval --checkpoint "$work/builtin" --dataset fashion-mnist --json "${evalopts[@]}" 2>/dev/null > "$work/b-builtin.json"
node -e "$summary" < "$work/b-builtin.json"
show contrastive eval --checkpoint "$work/builtin" --data "$folder" --json "${evalopts[@]}"
"${cli[@]}" eval --checkpoint "$work/builtin" --data "$folder" --json "${evalopts[@]}" 2>/dev/null > "$work/b-folder.json"
node -e "$summary" < "$work/b-folder.json"

say "equal figures (everything but dataset and checkpoint)?"
node -e '
  const fs = require("fs");
  const strip = (f) => { const { dataset, checkpoint, ...r } = JSON.parse(fs.readFileSync(f, "utf8")); return JSON.stringify(r); };
  const [w] = process.argv.slice(1);
  console.log("(a) builtin run on its data vs folder run on its data:", strip(`${w}/a-builtin.json`) === strip(`${w}/a-folder.json`) ? "equal" : "DIFFERENT");
  console.log("(b) one checkpoint, built-in vs folder:", strip(`${w}/b-builtin.json`) === strip(`${w}/b-folder.json`) ? "equal" : "DIFFERENT");
' "$work"
