#!/usr/bin/env bash
# The main job on the seeds: every pipeline step that exists. Called by `make demo`.
set -euo pipefail
VNER=${VNER:-vner}
OUT=${OUT:-out/demo}
mkdir -p "$OUT"
echo "== 1. pre-annotate the seed articles -> Label Studio tasks"
$VNER preannotate seeds -o "$OUT/tasks.json"
echo "== 2. labeling config from the schema"
$VNER config -o "$OUT/labeling_config.xml"
