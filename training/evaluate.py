"""Evaluate a trained model on a dataset split: the model tags every sentence (long sentences in windows joined
back) and `annotation.evaluation` scores it, with the report every tagger gets (seqeval strict IOB2 and default
mode per type, a type confusion table, every error with its sentence).

Sentences are scored over the dataset's tokens: the corpus words, split where an annotated entity boundary cut a
segmenter word. So the figures are not quite those of `vner predict` on raw text, where about 1% of entities
(underthesea) cross a segmenter word and cannot be matched exactly; see `annotation.evaluation`.

    vner evaluate --model models/phobert-vner --dataset data/vner --split test -o models/phobert-vner/eval
"""

from __future__ import annotations

from pathlib import Path

from annotation.errors import VnerError
from annotation.evaluation import Evaluation, render_report, score, split_rows, write_evaluation
from annotation.spans import bio_to_spans

__all__ = ["Evaluation", "evaluate", "render_report", "write_evaluation"]


def evaluate(
    model_dir: str | Path, dataset: str | Path, split: str = "test", *, batch_size: int = 32, device: str | None = None
) -> Evaluation:
    from training.predict import Tagger, check_batch_size, check_device

    check_batch_size(batch_size)  # before the dataset is read
    check_device(device)
    rows, names = split_rows(dataset, split)
    tagger = Tagger(model_dir, batch_size=batch_size, device=device)
    unknown = set(names) - set(tagger.id2label.values())
    if unknown:
        raise VnerError(
            f"{model_dir}: the model has no label(s) {sorted(unknown)} of the dataset; "
            "was it trained on another schema?"
        )
    tagged = tagger.tag([r["tokens"] for r in rows], progress=True)
    gold_tags = [[names[i] for i in r["ner_tags"]] for r in rows]
    pred_tags = [t.tags for t in tagged]
    token_spans = [list(zip(r["token_starts"], r["token_ends"])) for r in rows]
    gold_spans = [bio_to_spans(ts, g) for ts, g in zip(token_spans, gold_tags)]
    pred_spans = [bio_to_spans(ts, t.tags, t.scores) for ts, t in zip(token_spans, tagged)]
    return score(
        rows, gold_tags, pred_tags, gold_spans, pred_spans, split=split, model=str(model_dir), dataset=str(dataset)
    )
