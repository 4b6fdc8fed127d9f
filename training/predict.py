"""Inference: words -> BIO tags with probabilities -> character spans -> Label Studio tasks.

Text goes through the offset map (`annotation.text`): load + NFC + sentences + words; the model tags words
(first subword of each word, long sentences in windows merged back), and `bio_to_spans` turns word tags into
character spans of the display text. Nothing re-derives offsets.

    vner predict --model models/phobert-vner seeds/ -o tasks.json
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from annotation.errors import VnerError
from annotation.spans import Span, bio_to_spans
from annotation.text import Sentence

logger = logging.getLogger(__name__)


@dataclass
class WordTags:
    """Model output for one sentence: a tag and its probability for every word."""

    tags: list[str]
    scores: list[float]  # softmax probability of the chosen tag


class Tagger:
    """A fine-tuned token-classification folder (written by `vner train`), ready to tag word sequences."""

    def __init__(self, model_dir: str | Path, *, device: str | None = None, batch_size: int = 32, max_length: int = 256):
        import torch
        from transformers import AutoModelForTokenClassification

        from training.tokenizer import load_tokenizer

        self.model_dir = Path(model_dir)
        if not (self.model_dir / "config.json").is_file():
            raise VnerError(f"{model_dir}: not a model folder (no config.json); train one with `vner train`.")
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = load_tokenizer(str(self.model_dir))
        self.model = AutoModelForTokenClassification.from_pretrained(str(self.model_dir)).to(self.device).eval()
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.batch_size = batch_size
        self.max_length = max_length

    @property
    def version(self) -> str:
        """Model version shown in Label Studio: folder name + a short hash of the weights' config + metrics."""
        import hashlib

        h = hashlib.sha1()
        for name in ("config.json", "metrics.json"):
            p = self.model_dir / name
            if p.is_file():
                h.update(p.read_bytes())
        return f"{self.model_dir.name}-{h.hexdigest()[:8]}"

    def tag(self, words_batch: Sequence[Sequence[str]], *, progress: bool = False) -> list[WordTags]:
        """Tags for each sentence's words. Windows are sorted by length and batched (little padding)."""
        import torch
        from tqdm.auto import tqdm

        from training.features import encode_words, join_windows

        enc = encode_words(self.tokenizer, [list(w) for w in words_batch], max_length=self.max_length)
        order = sorted(range(enc.num_windows), key=lambda i: len(enc.input_ids[i]))
        window_preds: list = [None] * enc.num_windows  # per window: (label id, probability) of each word's first subword
        pad_id = self.tokenizer.pad_token_id
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        with torch.inference_mode():
            for batch in tqdm(batches, desc="predict", unit="batch", disable=not progress):
                lengths = torch.tensor([len(enc.input_ids[i]) for i in batch])
                mask = torch.arange(int(lengths.max())) < lengths[:, None]
                ids = torch.full(mask.shape, pad_id, dtype=torch.long)
                ids[mask] = torch.tensor([t for i in batch for t in enc.input_ids[i]])  # row-major = window order
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.long().to(self.device)).logits
                # only the first subword of each word is read: gather those rows for the whole batch in one op
                rows = torch.tensor([r for r, i in enumerate(batch) for _ in enc.first_subwords[i]], dtype=torch.long)
                cols = torch.tensor([p for i in batch for p in enc.first_subwords[i]], dtype=torch.long)
                probs, best = logits[rows.to(self.device), cols.to(self.device)].float().softmax(-1).max(-1)
                pairs = list(zip(best.tolist(), probs.tolist()))
                start = 0
                for i in batch:
                    end = start + len(enc.first_subwords[i])
                    window_preds[i] = pairs[start:end]
                    start = end
        out = []
        for preds in join_windows(enc, window_preds):
            out.append(WordTags([self.id2label[b] for b, _ in preds], [c for _, c in preds]))
        return out

    def spans(self, sentences: Sequence[Sentence], *, source: str | None = None, progress: bool = False) -> list[list[Span]]:
        """Entity spans (offsets into each sentence's text) with a score = the least sure word's probability."""
        tagged = self.tag([s.words for s in sentences], progress=progress)
        out = []
        for sentence, t in zip(sentences, tagged):
            spans = bio_to_spans(sentence.word_spans, t.tags, t.scores)
            out.append([Span(sp.start, sp.end, sp.label, sp.score, source) for sp in spans])
        return out


class ModelAnnotator:
    """Pre-annotator backed by a trained model (`vner preannotate --annotators model:DIR`)."""

    def __init__(self, model_dir: str | Path, *, batch_size: int = 32, device: str | None = None):
        self.tagger = Tagger(model_dir, batch_size=batch_size, device=device)
        self.name = f"model:{Path(model_dir).name}"
        self.version = self.tagger.version

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        return self.tagger.spans(sentences, source=self.name, progress=len(sentences) > 200)


def predict_tasks(
    model_dir: str | Path,
    paths: Sequence[str | Path],
    *,
    granularity: str = "paragraph",
    segmentation: str = "auto",
    batch_size: int = 32,
    device: str | None = None,
) -> list[dict]:
    """Label Studio tasks (one per paragraph by default) for raw text files, with the model's predictions."""
    from annotation.tasks import make_task, task_units
    from annotation.text import default_segmenter, load_documents

    tagger = Tagger(model_dir, batch_size=batch_size, device=device)
    docs = load_documents(paths, segmentation=segmentation)
    segmenter = default_segmenter().name if any(not d.segmented for d in docs) else ""
    units = [u for d in docs for u in task_units(d, granularity, segmenter)]
    # every sentence of every unit in one batched call (sorted by length inside)
    sentences, owners = [], []
    for k, unit in enumerate(units):
        for s, e in unit.sentence_spans:
            words = tuple((ws - s, we - s) for ws, we in unit.word_spans if ws >= s and we <= e)
            sentences.append(Sentence(unit.doc_id, len(sentences), unit.text[s:e], words))
            owners.append((k, s))
    spans = tagger.spans(sentences, source=f"model:{tagger.model_dir.name}", progress=True)
    per_unit: list[list[Span]] = [[] for _ in units]
    for (k, offset), sentence_spans in zip(owners, spans):
        per_unit[k].extend(sp.shifted(offset) for sp in sentence_spans)
    return [make_task(unit, [(tagger.version, found)]) for unit, found in zip(units, per_unit)]


def write_tasks(tasks: list[dict], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
