"""Where a backbone comes from: a local folder, or a Hub id resolved through the Hugging Face cache.

`from_pretrained("vinai/phobert-base")` looks in the cache (`$HF_HOME/hub`, default `~/.cache/huggingface/hub`)
and asks the Hub for updates; with no network and no cache it retries for many seconds and ends in an error that
does not say where the weights should be. `resolve_model` decides once, up front:

* an existing path must be a model folder (config.json);
* a Hub id whose snapshot is complete in the cache (`hub/models--OWNER--NAME/refs/main` -> `snapshots/<rev>/` with
  config.json and weights) resolves to that snapshot folder, with no network at all (as `HF_HUB_OFFLINE=1` would);
* otherwise the Hub is asked once (a HEAD request, a few seconds at most, no retries); unreachable or offline is a
  one-line `VnerError` saying how to get the weights.

`model_folder` does the same for a fine-tuned model (`vner predict --model me/phobert-base-vner`), which must end up
a local folder (tokenizer files, training_args.json): the cached snapshot, else a download into the cache.
"""

from __future__ import annotations

from pathlib import Path

from annotation.errors import VnerError

PROBE_TIMEOUT_S = 5.0
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


def looks_like_hub_id(name: str) -> bool:
    from training.tokenizer import looks_like_hub_id as check

    return check(name)


def hub_cache() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


def offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def cached_snapshot(repo_id: str, *, need_weights: bool = True) -> Path | None:
    """The cached snapshot folder of `repo_id` (refs/main), if it holds config.json (and weights); no network."""
    from huggingface_hub import try_to_load_from_cache

    try:
        config = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # malformed id or cache
        return None
    if not isinstance(config, str):
        return None
    folder = Path(config).parent
    if need_weights and not any((folder / name).is_file() for name in WEIGHT_FILES):
        return None
    return folder


def probe(repo_id: str, filename: str = "config.json", timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """None when the Hub serves `repo_id/filename`, else why not (one line). One request, no retries."""
    if offline():
        return "HF_HUB_OFFLINE is set"
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    try:
        get_hf_file_metadata(hf_hub_url(repo_id, filename), timeout=timeout)
    except Exception as exc:  # connection refused, timeout, DNS, 401/404 ...
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403, 404):
            return f"the Hub answered {status}: no such (public) model"
        text = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__
    return None


def unreachable_error(repo_id: str, reason: str, option: str = "--model_name_or_path") -> VnerError:
    return VnerError(
        f"{repo_id}: no such local folder, not in the Hugging Face cache ({hub_cache()}) and not downloadable "
        f"({reason}); on a machine with a network run `hf download {repo_id}` and copy that cache here (or point "
        f"HF_HOME at a copy), or pass a local model folder as {option}."
    )


def resolve_model(name_or_path: str) -> str:
    """A local folder to load from (a model folder, or the cached snapshot of a Hub id), or the Hub id itself when
    it is not cached and the Hub answers (then `from_pretrained` downloads it). Fails fast, in one line."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise VnerError(
                f"{name_or_path}: not a folder; pass a model folder or a Hub id such as vinai/phobert-base."
            )
        if not (path / "config.json").is_file():
            raise VnerError(
                f"{name_or_path}: not a model folder (no config.json); pass the base model's folder, "
                "a Hub id such as vinai/phobert-base, or build one with `vner tiny-model`."
            )
        return str(path)
    if not looks_like_hub_id(name_or_path):
        raise VnerError(f"{name_or_path}: no such folder (and not a Hub id such as vinai/phobert-base).")
    snapshot = cached_snapshot(name_or_path)
    if snapshot is not None:
        return str(snapshot)
    reason = probe(name_or_path)
    if reason:
        raise unreachable_error(name_or_path, reason)
    return name_or_path


def model_folder(name_or_path: str | Path) -> Path:
    """A fine-tuned model as a local folder: a folder written by `vner train`, or the snapshot of a Hub id
    (OWNER/NAME, e.g. one `vner publish` uploaded) from the cache, else downloaded into it. One-line errors."""
    name = str(name_or_path)
    path = Path(name).expanduser()
    hint = "train one with `vner train`"
    if path.exists():
        if not (path / "config.json").is_file():
            raise VnerError(f"{name}: not a model folder (no config.json); {hint}.")
        return path
    # OWNER/NAME whose OWNER is a local folder is a mistyped path, not a Hub id: no network for it
    if "/" not in name or not looks_like_hub_id(name) or Path(name.split("/")[0]).exists():
        raise VnerError(f"{name}: no such model folder (and not a Hub id OWNER/NAME); {hint}.")
    snapshot = cached_snapshot(name)
    if snapshot is not None:
        return snapshot
    reason = probe(name)
    if reason:
        raise unreachable_error(name, reason, option="--model")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(name))
    except Exception as exc:  # network cut mid-download, disk full ...
        text = " ".join(str(exc).split())
        raise VnerError(f"{name}: download failed ({type(exc).__name__}: {text[:160]}).") from None
