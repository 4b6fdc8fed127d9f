"""Publish a trained model to the Hugging Face Hub with a model card whose `model-index` holds its seqeval
results.

    vner publish --model models/phobert-vner --repo-id me/phobert-base-vner --dry-run out/upload   # look first
    HF_TOKEN=... vner publish --model models/phobert-vner --repo-id me/phobert-base-vner --private

The folder that is uploaded is staged first (model, tokenizer files, labels, metrics, card); `--dry-run OUT`
writes exactly that folder and uploads nothing. The token is read from `--token`, `HF_TOKEN` or a saved
`hf auth login`, and is never written anywhere.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from annotation.errors import VnerError
from annotation.schema import BIO_LABELS, ENTITY_DESCRIPTIONS, ENTITY_TYPES

logger = logging.getLogger(__name__)

# Known PhoBERT backbones: (license id for the card metadata, what to say about it).
BASE_LICENSES = {
    "vinai/phobert-base": ("mit", "MIT"),
    "vinai/phobert-large": ("mit", "MIT"),
    "vinai/phobert-base-v2": ("agpl-3.0", "AGPL-3.0: a model fine-tuned from it is a derivative work under AGPL-3.0"),
}
# Files of the model folder that go up: weights, config, tokenizer, labels, metrics. Not checkpoints, not pickles.
UPLOAD_SUFFIXES = (".json", ".safetensors", ".txt", ".codes", ".model", ".md")
NOT_UPLOADED = {"trainer_state.json"}


def load_eval_metrics(model_dir: Path, metrics_file: str | Path | None) -> tuple[dict, str]:
    """The evaluation to put in the card: `vner evaluate` output (default `MODEL/eval/metrics.json`)."""
    path = Path(metrics_file) if metrics_file else model_dir / "eval" / "metrics.json"
    if not path.is_file():
        raise VnerError(
            f"{path}: no evaluation found; run `vner evaluate --model {model_dir} --dataset DATA --split test "
            f"-o {model_dir / 'eval'}` first (or pass --metrics FILE)."
        )
    metrics = json.loads(path.read_text(encoding="utf-8"))
    if "strict" not in metrics or "default" not in metrics or "f1-score" not in metrics["strict"].get("micro avg", {}):
        raise VnerError(
            f"{path}: not a `vner evaluate` metrics.json (no seqeval strict/default reports); run "
            "`vner evaluate` again."
        )
    return metrics, str(path)


def _training_info(model_dir: Path) -> dict:
    p = model_dir / "training_args.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}


def base_model(info: dict) -> tuple[str | None, str]:
    """(the base's Hub id, or None for a local checkpoint; how the card names the base) from training_args.json."""
    model = info.get("model", {})
    name = model.get("model_name_or_path")
    if not name:
        return None, "unknown"
    from_hub = model.get("from_hub")
    if from_hub is None:  # written before vner recorded it: a cached snapshot, or a Hub id that is no local path
        from training.hub import looks_like_hub_id

        from_hub = "/snapshots/" in str(model.get("resolved", "")) or (
            looks_like_hub_id(name) and not Path(name).exists()
        )
    if from_hub:
        return name, f"`{name}`"
    return None, f"a local checkpoint (folder `{Path(name).name}`)"


def public_training_info(info: dict) -> dict:
    """training_args.json as uploaded: the run's arguments without this machine's paths (output, logging and
    checkpoint folders, where the base model and the dataset were read from; folder names are kept)."""
    out = json.loads(json.dumps(info))
    model = out.get("model", {})
    model.pop("resolved", None)
    hub_id, _ = base_model(info)
    for key in ("model_name_or_path", "tokenizer_name"):
        value = model.get(key)
        if value and value != hub_id and (key == "model_name_or_path" or os.path.isabs(value) or Path(value).exists()):
            model[key] = Path(value).name
    data = out.get("data", {})
    if data.get("dataset"):
        data["dataset"] = Path(data["dataset"]).name
    if out.get("resumed_from"):
        out["resumed_from"] = Path(out["resumed_from"]).name
    training = out.get("training", {})
    for key in ("output_dir", "logging_dir"):
        training.pop(key, None)
    for key, value in list(training.items()):
        if isinstance(value, str) and os.path.isabs(value):  # e.g. a deepspeed config file
            training[key] = Path(value).name
    return out


def _training_text(info: dict) -> str:
    """The card's Training paragraph, from what the run recorded (training_args.json)."""
    from training.progress import metric_label

    training, data = info.get("training"), info.get("data", {})
    if not training:
        return "The training arguments were not recorded (no training_args.json)."
    ratio = training.get("warmup_ratio")
    warmup = (
        f"{ratio:.0%}"
        if isinstance(ratio, (int, float)) and not training.get("warmup_steps", 0) >= 1
        else f"{training.get('warmup_steps', '?')} steps of"
    )
    steps = training.get("max_steps") or 0
    epochs = training.get("num_train_epochs", "?")
    epochs = f"{epochs:g}" if isinstance(epochs, (int, float)) else epochs  # 30.0 -> 30
    length = f"{steps} steps" if steps > 0 else f"up to {epochs} epochs"
    evaluating = training.get("eval_strategy", "epoch") != "no"
    metric = metric_label(training.get("metric_for_best_model"))
    patience = training.get("early_stopping_patience")
    if not evaluating:
        selection = "no per-epoch validation (no early stopping, the last weights kept)"
    else:
        selection = (
            f"early stopping on the validation {metric} (patience {patience} evaluations)"
            if patience
            else "no early stopping"
        ) + (
            f", the best epoch by validation {metric} restored at the end"
            if training.get("load_best_model_at_end")
            else ", the last epoch's weights kept"
        )
    window = data.get("max_seq_length", "?")
    return (
        f"Learning rate {training.get('learning_rate', '?')}, batch size "
        f"{training.get('per_device_train_batch_size', '?')} per device, {length} with {warmup} warm-up; "
        f"{selection}. Seed {training.get('seed', '?')}, max {window} subwords per window (longer sentences are "
        "split at word boundaries)."
    )


def is_stand_in(config: dict) -> bool:
    """Random-init weights that were never pre-trained (a `vner tiny-model` checkpoint), not a real backbone."""
    return bool(config.get("vner_tiny")) or int(config.get("hidden_size", 768)) < 256


def model_card(model_dir: str | Path, repo_id: str, metrics: dict) -> str:
    """README.md with YAML metadata (model-index: seqeval results) and a readable body."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    model_dir = Path(model_dir)
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    info = _training_info(model_dir)
    hub_id, base = base_model(info)
    dataset_path = str(metrics.get("dataset") or info.get("data", {}).get("dataset", "unknown"))
    dataset_name = Path(dataset_path).name or dataset_path
    split = metrics.get("split", "test")
    stand_in = is_stand_in(config)
    tiny = config.get("vner_tiny") or {}
    if hub_id in BASE_LICENSES:  # the base named at training, e.g. vinai/phobert-base resolved from the HF cache
        license_id, license_text = BASE_LICENSES[hub_id]
    elif stand_in:
        license_id, license_text = (
            "mit",
            (
                "MIT (random init; PhoBERT's vocab.txt and bpe.codes are VinAI's, MIT)"
                if tiny.get("vocabulary", "phobert") == "phobert"
                else "MIT (random init, vocabulary learned by vner)"
            ),
        )
    else:
        license_id, license_text = "other", f"that of the base model ({base}); check it"

    def result(metric_type: str, name: str, value: float) -> EvalResult:
        return EvalResult(
            task_type="token-classification",
            task_name="Named Entity Recognition",
            dataset_type="vner",
            dataset_name=dataset_name,
            dataset_split=split,
            metric_type=metric_type,
            metric_name=name,
            metric_value=round(float(value), 4),
        )

    strict, default = metrics["strict"], metrics["default"]
    results = [
        result("f1", "F1 (micro, strict IOB2)", strict["micro avg"]["f1-score"]),
        result("precision", "Precision (micro, strict IOB2)", strict["micro avg"]["precision"]),
        result("recall", "Recall (micro, strict IOB2)", strict["micro avg"]["recall"]),
        result("f1", "F1 (macro, strict IOB2)", strict["macro avg"]["f1-score"]),
        result("f1", "F1 (micro, seqeval default)", default["micro avg"]["f1-score"]),
    ] + [result("f1", f"F1 {t} (strict IOB2)", strict[t]["f1-score"]) for t in ENTITY_TYPES if t in strict]
    data = ModelCardData(
        language=["vi"],
        license=license_id,
        library_name="transformers",
        pipeline_tag="token-classification",
        tags=["token-classification", "ner", "vietnamese", "phobert", "vner"],
        base_model=hub_id,
        metrics=["seqeval"],
        model_name=repo_id.split("/")[-1],
        eval_results=results,
    )

    rows = "\n".join(
        f"| {name} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1-score']:.4f} | {r['support']} |"
        for name, r in strict.items()
    )
    labels = ", ".join(f"`{label}`" for label in config.get("id2label", {}).values()) or ", ".join(BIO_LABELS)
    types = "\n".join(f"- `{t}`: {ENTITY_DESCRIPTIONS[t]}" for t in ENTITY_TYPES)
    stand_in_note = (
        f"\n> **The weights this model started from were never pre-trained**: a random-initialised offline "
        f"stand-in (hidden size {config.get('hidden_size', '?')}) built by `vner tiny-model`"
        + (f", loaded under the name `{hub_id}`" if hub_id in BASE_LICENSES else "")
        + ". Everything it knows comes from its fine-tuning data; its scores are not those of PhoBERT. Use it "
        "to test the pipeline or as a from-scratch baseline, not as a PhoBERT model.\n"
        if stand_in
        else ""
    )
    body = f"""
# {repo_id.split("/")[-1]}
{stand_in_note}
Vietnamese named-entity recognition (token classification) fine-tuned with vner from
{base} on the `{dataset_name}` dataset.

## Labels

BIO tags (IOB2) over PhoBERT words: {labels}.

{types}

## Results ({split} split, {metrics.get("sentences", "?")} sentences, seqeval strict IOB2)

| | precision | recall | F1 | support |
|---|---|---|---|---|
{rows}

seqeval default (conlleval) mode, micro F1: {default["micro avg"]["f1-score"]:.4f}. Whole sentences, word level, from
`vner evaluate` (shipped here as `eval/metrics.json`, with the confusion table, and `eval/report.md`).

## Base model and license

Base model: {base}. License: {license_text}. `vinai/phobert-base` and `vinai/phobert-large` are MIT;
`vinai/phobert-base-v2` is AGPL-3.0.

## Input: word-segmented Vietnamese

PhoBERT reads word-segmented text (`Chủ_tịch nước Võ_Văn_Thưởng …`) and was pre-trained on text segmented by
VinAI's RDRSegmenter (VnCoreNLP, Java). This model was trained on text segmented by
[underthesea](https://github.com/undertheseanlp/underthesea) (`word_tokenize`), which is what `vner predict`
uses too; feed it the same segmentation. underthesea's word boundaries cut about 1% of entities; the training
data split such words at the entity boundary, but at prediction time an entity boundary inside a word cannot be
found (the model tags whole words).

## Use

```bash
vner predict --model {repo_id} article.txt -o tasks.json   # from the Hub (or its cache): Label Studio tasks
```

or with `transformers` (words joined by `_`, space-separated; tag the first subword of each word):

```python
from transformers import AutoModelForTokenClassification
model = AutoModelForTokenClassification.from_pretrained("{repo_id}")
```

PhoBERT ships only a slow tokenizer in `transformers`; `vner` builds an exact fast equivalent from
`vocab.txt` and `bpe.codes` (`training.tokenizer.load_tokenizer`).

## Training

{_training_text(info)}

## Intended use and limitations

Intended for pre-annotating Vietnamese news-like text for human correction and for extracting PER, ORG, LOC and
DATE mentions. It has not been evaluated on other domains (social media, legal, medical), on text without
diacritics, or on NFD text (normalise to NFC first; `vner` does). Entities nested inside others are not
represented (one label per span). Scores are softmax probabilities of the least sure word, not calibrated.

{STAGED_MARK}
"""
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{body}")
    return str(card)


# The card's last line: how `stage` recognises a folder it staged (and may replace) from anyone else's.
STAGED_MARK = "<!-- model card written by vner publish -->"


def stage(model_dir: str | Path, repo_id: str, out: str | Path, *, metrics_file: str | Path | None = None) -> Path:
    """Write the exact folder to upload: model files + README.md (card) + eval/ (metrics, report)."""
    model_dir, out = Path(model_dir), Path(out)
    if not (model_dir / "config.json").is_file():
        raise VnerError(f"{model_dir}: not a model folder (no config.json); train one with `vner train`.")
    metrics, source = load_eval_metrics(model_dir, metrics_file)
    if out.exists() and any(out.iterdir()):
        card = out / "README.md"
        if not (card.is_file() and STAGED_MARK in card.read_text(encoding="utf-8", errors="replace")):
            raise VnerError(
                f"{out}: exists, is not empty and is not a folder `vner publish` staged; choose a new "
                "folder for the staged upload."
            )
        logger.info("%s: replacing the upload staged there before", out)
        shutil.rmtree(out)  # a staging of ours: staging again gives the folder for the model as it is now
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(model_dir.iterdir()):
        if f.is_file() and f.suffix in UPLOAD_SUFFIXES and f.name not in NOT_UPLOADED and f.name != "README.md":
            shutil.copyfile(f, out / f.name)
    info = _training_info(model_dir)
    if info:  # this machine's paths stay here
        text = json.dumps(public_training_info(info), indent=2, ensure_ascii=False) + "\n"
        (out / "training_args.json").write_text(text, encoding="utf-8")
    for name in ("config.json", "tokenizer_config.json"):  # transformers 4.x records the folder it loaded from
        f = out / name
        data = json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}
        local = [
            k for k in ("_name_or_path", "name_or_path") if isinstance(data.get(k), str) and os.path.isabs(data[k])
        ]
        if local:
            data.update({k: Path(data[k]).name for k in local})
            f.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # the evaluation names the model by its repo id and the dataset by its folder name, not by local paths
    paths = {str(metrics.get("model") or model_dir): repo_id}
    if metrics.get("dataset"):
        paths[str(metrics["dataset"])] = Path(str(metrics["dataset"])).name
    (out / "eval").mkdir(exist_ok=True)
    public = {**metrics, **{k: paths[str(metrics[k])] for k in ("model", "dataset") if str(metrics.get(k)) in paths}}
    (out / "eval" / "metrics.json").write_text(json.dumps(public, indent=2) + "\n", encoding="utf-8")
    report = Path(source).with_name("report.md")
    if report.is_file():
        text = report.read_text(encoding="utf-8")
        for local, shown in paths.items():
            text = text.replace(local, shown)
        (out / "eval" / "report.md").write_text(text, encoding="utf-8")
    (out / "README.md").write_text(model_card(model_dir, repo_id, metrics), encoding="utf-8")
    return out


def resolve_token(token: str | None) -> str:
    """--token, else HF_TOKEN, else a saved `hf auth login`."""
    if token:
        return token
    if os.environ.get("HF_TOKEN"):
        return os.environ["HF_TOKEN"]
    from huggingface_hub import get_token

    saved = get_token()
    if not saved:
        raise VnerError("no Hugging Face token: set HF_TOKEN, pass --token, or run `hf auth login` first.")
    return saved


def _check_no_token(folder: Path, token: str) -> None:
    for f in folder.rglob("*"):
        if f.is_file() and token.encode() in f.read_bytes():
            raise VnerError(f"{f}: contains the Hub token; refusing to upload it.")


def publish(
    model_dir: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    token: str | None = None,
    dry_run: str | Path | None = None,
    metrics_file: str | Path | None = None,
) -> str:
    """Stage and upload; returns the repo URL (or the staged folder for a dry run)."""
    if "/" not in repo_id or repo_id.count("/") != 1:
        raise VnerError(f"--repo-id {repo_id!r}: expected OWNER/NAME, e.g. me/phobert-base-vner.")
    if dry_run:
        folder = stage(model_dir, repo_id, dry_run, metrics_file=metrics_file)
        if token or os.environ.get("HF_TOKEN"):
            _check_no_token(folder, resolve_token(token))
        return str(folder)
    secret = resolve_token(token)
    from huggingface_hub import HfApi

    with tempfile.TemporaryDirectory(prefix="vner-publish-") as tmp:
        folder = stage(model_dir, repo_id, Path(tmp) / "upload", metrics_file=metrics_file)
        _check_no_token(folder, secret)
        api = HfApi(token=secret)
        try:
            url = api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
            api.upload_folder(
                folder_path=str(folder), repo_id=repo_id, repo_type="model", commit_message="Upload vner model"
            )
        except Exception as exc:  # network/auth errors: one line, never the token
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise VnerError(f"upload to {repo_id} failed: {message.replace(secret, '***')}") from None
    return str(url)
