"""Inference: words -> BIO tags with probabilities -> character spans.

The model tags words (first subword of each word, long sentences in windows merged back), and `bio_to_spans`
turns word tags into character spans of the display text. `ModelAnnotator` makes a model one more
pre-annotator, so `vner predict` and `vner preannotate --annotators model:DIR` run the same code as the rules.

    vner predict --model models/phobert-vner seeds/ -o tasks.json
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotation.errors import VnerError
from annotation.progress import progress_bar
from annotation.spans import Proposal, Span, bio_to_spans
from annotation.text import Sentence

logger = logging.getLogger(__name__)


@dataclass
class WordTags:
    """Model output for one sentence: a tag and its probability for every word."""

    tags: list[str]
    scores: list[float]  # softmax probability of the chosen tag


# Subwords per window when the model folder does not say (no training_args.json): PhoBERT's maximum.
DEFAULT_MAX_LENGTH = 256


def check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise VnerError(f"--batch-size must be a positive whole number (got {batch_size!r}).")
    return batch_size


def check_device(device: str | None) -> str:
    """The torch device to run on (default: cuda if there is one), tried up front: a name torch does not know or
    a device this machine lacks is a one-line error here, not a traceback at the first batch."""
    import torch

    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError, TypeError):
        raise VnerError(f"--device {device}: not a device name; use cpu, cuda, cuda:1 ...") from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise VnerError(f"--device {device}: no CUDA GPU on this machine (torch sees none); use --device cpu.")
    if parsed.type == "cuda" and parsed.index is not None and parsed.index >= torch.cuda.device_count():
        raise VnerError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA device(s).")
    if parsed.type == "meta":
        raise VnerError(f"--device {device}: holds no data, cannot run a model; use cpu or cuda.")
    try:
        torch.zeros(1, device=parsed)  # mps, xpu ...: not built in or not present
    except Exception as exc:
        text = " ".join(str(exc).split())[:160]
        raise VnerError(f"--device {device}: not available here ({type(exc).__name__}: {text}).") from None
    return device


def recorded_max_length(model_dir: Path) -> int:
    """The window length the model was trained and scored with (`--max_seq_length` in training_args.json), so the
    model tags as `vner train` scored it: one F1 everywhere."""
    import json

    try:
        info = json.loads((model_dir / "training_args.json").read_text(encoding="utf-8"))
        length = info["data"]["max_seq_length"]
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MAX_LENGTH
    return length if isinstance(length, int) and length >= 3 else DEFAULT_MAX_LENGTH


class Tagger:
    """A fine-tuned token-classification model (a folder written by `vner train`, or the Hub id of one), ready to
    tag word sequences in windows as long as those it was trained on."""

    def __init__(self, model_dir: str | Path, *, device: str | None = None, batch_size: int = 32):
        from transformers import AutoModelForTokenClassification

        from training.hub import model_folder
        from training.tokenizer import load_tokenizer

        self.batch_size = check_batch_size(batch_size)
        self.device = check_device(device)
        self.name = Path(str(model_dir)).name  # a Hub id's snapshot folder is named by its revision
        self.model_dir = model_folder(model_dir)
        self.tokenizer = load_tokenizer(str(self.model_dir))
        from training.progress import quiet_transformers

        with quiet_transformers():  # no "Loading weights" bar or load report
            self.model = AutoModelForTokenClassification.from_pretrained(str(self.model_dir)).to(self.device).eval()
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.max_length = recorded_max_length(self.model_dir)

    @property
    def version(self) -> str:
        """Model version shown in Label Studio: folder name + a short hash of the weights' config + metrics."""
        import hashlib

        h = hashlib.sha1()
        for name in ("config.json", "metrics.json"):
            p = self.model_dir / name
            if p.is_file():
                h.update(p.read_bytes())
        return f"{self.name}-{h.hexdigest()[:8]}"

    def tag(self, words_batch: Sequence[Sequence[str]], *, progress: bool = False) -> list[WordTags]:
        """Tags for each sentence's words. Windows are sorted by length and batched (little padding)."""
        import torch

        from training.features import encode_words, join_windows

        enc = encode_words(self.tokenizer, [list(w) for w in words_batch], max_length=self.max_length)
        order = sorted(range(enc.num_windows), key=lambda i: len(enc.input_ids[i]))
        window_preds: list = [
            None
        ] * enc.num_windows  # per window: (label id, probability) of each word's first subword
        pad_id = self.tokenizer.pad_token_id
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        with torch.inference_mode():
            for batch in progress_bar(batches, enabled=progress, desc="predict", unit="batch"):
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

    def proposals(
        self, sentences: Sequence[Sentence], *, source: str | None = None, progress: bool = False
    ) -> list[Proposal]:
        """Entity spans (offsets into each sentence's text; score = the least sure word's probability) and the
        probability of the tag of every word, O included (what task scores rank tasks by), from one pass."""
        tagged = self.tag([s.words for s in sentences], progress=progress)
        out = []
        for sentence, t in zip(sentences, tagged):
            spans = bio_to_spans(sentence.word_spans, t.tags, t.scores)
            out.append(
                Proposal(
                    [Span(sp.start, sp.end, sp.label, sp.score, source) for sp in spans],
                    tuple(round(c, 4) for c in t.scores),
                )
            )
        return out

    def spans(
        self, sentences: Sequence[Sentence], *, source: str | None = None, progress: bool = False
    ) -> list[list[Span]]:
        """Entity spans (offsets into each sentence's text) with a score = the least sure word's probability."""
        return [p.spans for p in self.proposals(sentences, source=source, progress=progress)]


class ModelAnnotator:
    """A trained model as one more pre-annotator (`model:DIR` in `vner preannotate --annotators`; what
    `vner predict` runs), so model predictions go through the one annotation path
    (`annotation.preannotate.annotate_units`) and get the one `model_version` format (`vner:model@<version>`)."""

    name = "model"

    def __init__(self, model_dir: str | Path, *, batch_size: int = 32, device: str | None = None):
        self.tagger = Tagger(model_dir, batch_size=batch_size, device=device)
        self.version = self.tagger.version

    def annotate(self, sentences: Sequence[Sentence]) -> list[list[Span]]:
        return self.tagger.spans(sentences, source=self.name)

    def propose(self, sentences: Sequence[Sentence]) -> list[Proposal]:
        """Spans and every word's tag probability in one pass (task scores rank by the model's uncertainty)."""
        return self.tagger.proposals(sentences, source=self.name)
