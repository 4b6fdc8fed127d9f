"""Where a backbone comes from: a local folder, or a Hub id resolved through the Hugging Face cache.

`from_pretrained("vinai/phobert-base")` looks in the cache (`$HF_HOME/hub`, default `~/.cache/huggingface/hub`)
and asks the Hub for updates; with no network and no cache it retries for many seconds and ends in an error that
does not say where the weights should be. `resolve_model` decides once, up front:

* an existing path must be a model folder (config.json);
* a Hub id whose snapshot is complete in the cache (`hub/models--OWNER--NAME/refs/main` -> `snapshots/<rev>/` with
  config.json and weights) resolves to that snapshot folder, with no network at all (as `HF_HUB_OFFLINE=1` would);
* otherwise the Hub is asked once (a HEAD request, a few seconds at most, no retries); unreachable or offline is a
  one-line `VnerError` saying how to get the weights.
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


def unreachable_error(repo_id: str, reason: str) -> VnerError:
    return VnerError(
        f"{repo_id}: no such local folder, not in the Hugging Face cache ({hub_cache()}) and not downloadable "
        f"({reason}); on a machine with a network run `hf download {repo_id}` and copy that cache here (or point "
        "HF_HOME at a copy), or pass a local model folder as --model_name_or_path."
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
