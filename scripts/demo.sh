#!/usr/bin/env bash
# The main job on the five seed articles, every pipeline step. Called by `make demo`.
set -euo pipefail
VNER=${VNER:-vner}
OUT=${OUT:-out/demo}
GOLD=annotation/gold/seeds_export.json
mkdir -p "$OUT"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/9 pre-annotate the seed articles -> Label Studio tasks with predictions"
$VNER preannotate seeds -o "$OUT/tasks.json"

step "2/9 labeling config generated from the schema"
$VNER config -o "$OUT/labeling_config.xml"

step "3/9 pre-annotations as a dataset (predictions used as annotations: what you get before correcting)"
$VNER dataset "$OUT/tasks.json" --use-predictions -o "$OUT/dataset-preannotated"

step "4/9 correction report: today's pre-annotator against the corrected gold of the seeds"
$VNER corrections "$GOLD" --preannotators default -o "$OUT/corrections.md" --json "$OUT/corrections.json"

step "5/9 the corrected gold export -> Hugging Face dataset (split by document)"
$VNER dataset "$GOLD" -o "$OUT/dataset"

step "6/9 a tiny PhoBERT-format checkpoint (PhoBERT's own vocab.txt + bpe.codes, random weights, built offline)"
$VNER tiny-model -o "$OUT/tiny-phobert"

step "7/9 fine-tune it for token classification (from random weights: a high learning rate, patient early stopping)"
$VNER train --model_name_or_path "$OUT/tiny-phobert" --dataset "$OUT/dataset" --output_dir "$OUT/model" \
  --num_train_epochs 30 --learning_rate 5e-3 --per_device_train_batch_size 8 --early_stopping_patience 10 \
  --overwrite_output_dir

step "8/9 evaluate with seqeval (strict IOB2 and default mode)"
$VNER evaluate --model "$OUT/model" --dataset "$OUT/dataset" --split test -o "$OUT/model/eval"

step "9/9 predict on raw text with character offsets -> tasks for the next batch; dry-run publish"
$VNER predict --model "$OUT/model" seeds/004_2f98598ef3a3d3ec.txt -o "$OUT/predicted_tasks.json"
$VNER publish --model "$OUT/model" --repo-id your-name/phobert-ner-vi --dry-run "$OUT/publish"

cat <<MSG

Done. Everything is in $OUT/.
NOTE: the model above starts from a tiny, randomly initialised stand-in for PhoBERT (PhoBERT's real tokenizer,
no pre-trained weights: no machine here reaches the Hugging Face Hub) and sees about 90 sentences: its scores only
show the pipeline works. To train the real thing, where vinai/phobert-base is in the Hugging Face cache (HF_HOME)
or the Hub is reachable (ideally with a GPU):
  vner train --model_name_or_path vinai/phobert-base --dataset $OUT/dataset --output_dir models/phobert-base-ner
Next, the live loop with a real Label Studio (see README):
  vner studio start; vner studio push $OUT/tasks.json --project seeds; (annotate in the browser)
  vner studio pull --project seeds -o export.json; vner dataset export.json -o dataset; vner studio stop
MSG
