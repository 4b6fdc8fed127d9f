"""What a training run shows: one progress bar, one table row per evaluation, early stopping announced, a summary.

The Trainer's own display (a dict of floats per log, a second bar per evaluation) is replaced by `RunReporter`;
`summary_lines` renders the closing summary from the metrics `training.train` writes to `metrics.json`.
Everything goes through `logging` (the CLI prints it); the bar is tqdm's, on stderr.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import contextmanager

from transformers import TrainerCallback

logger = logging.getLogger("training.train")


@contextmanager
def quiet_transformers():
    """transformers' own tables and bars (LOAD REPORT, "Loading weights", "Writing model shards") off; vner says
    what matters in one line each. `vner -v` (DEBUG logging) keeps them."""
    from transformers.utils import logging as hf_logging

    if logging.getLogger().isEnabledFor(logging.DEBUG):
        yield
        return
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


TABLE_HEADER = f"{'epoch':>6} {'train loss':>10} {'val loss':>9} {'strict P':>9} {'strict R':>9} {'strict F1':>9}"


def _fmt(value, spec: str = ".4f", width: int = 9) -> str:
    return f"{value:{width}{spec}}" if isinstance(value, (int, float)) else f"{'-':>{width}}"


def metric_key(metric: str | None) -> str:
    """The log key of --metric_for_best_model, as the Trainer reads it (`f1` -> `eval_f1`); None: eval_f1."""
    metric = metric or "f1"
    return metric if metric.startswith("eval_") else f"eval_{metric}"


def metric_label(metric: str | None) -> str:
    """How the output names the metric: `eval_f1` -> "strict F1", `eval_loss` -> "loss", `eval_PER_f1` -> "PER
    strict F1"."""
    name = metric_key(metric).removeprefix("eval_")
    named = {"f1": "strict F1", "precision": "strict precision", "recall": "strict recall"}
    named.update({"default_f1": "default-mode F1", "loss": "loss", "accuracy": "accuracy"})
    if name in named:
        return named[name]
    return f"{name.removesuffix('_f1')} strict F1" if name.endswith("_f1") else name


def best_evaluation(
    log_history: Sequence[dict], metric: str = "eval_f1", greater_is_better: bool = True
) -> dict | None:
    """The evaluation the Trainer keeps as best: the first one with the best metric (it replaces the best only on
    a strictly better value; higher or lower as `greater_is_better` says)."""
    best = None
    for entry in log_history:
        if metric in entry and (best is None or _better(entry[metric], best[metric], greater_is_better)):
            best = entry
    return best


def _better(value: float, best: float, greater_is_better: bool) -> bool:
    return value > best if greater_is_better else value < best


def early_stopping_result(early, state, metric: str = "eval_f1", greater_is_better: bool = True) -> dict | None:
    """Whether early stopping ended the run (its patience used up before the last step), announced in one line;
    None if it did not. `early` is the EarlyStoppingCallback the Trainer ran with (on a resumed run, the one it
    restored from the checkpoint)."""
    if (
        early is None
        or early.early_stopping_patience_counter < early.early_stopping_patience
        or state.global_step >= state.max_steps
    ):
        return None
    best = best_evaluation(state.log_history, metric, greater_is_better) or {}
    result = {
        "epoch": state.epoch,
        "patience": early.early_stopping_patience,
        "best_epoch": best.get("epoch"),
        "best": best.get(metric),
    }
    logger.info(
        "early stopping after epoch %s: validation %s has not improved on %.4f (epoch %s) for %d evaluations",
        epoch_text(state.epoch),
        metric_label(metric),
        best.get(metric, float("nan")),
        epoch_text(best.get("epoch")),
        early.early_stopping_patience,
    )
    return result


class RunReporter(TrainerCallback):
    """One tqdm bar over the training steps; a table row per evaluation (epoch, training loss, validation loss,
    strict P/R/F1; `*` marks a new best by `metric`, the evaluation whose checkpoint is kept as best)."""

    def __init__(self, *, show_bar: bool = True, metric: str = "eval_f1", greater_is_better: bool = True):
        self.show_bar = show_bar
        self.metric = metric
        self.greater_is_better = greater_is_better
        self.bar = None
        self.active = False  # only evaluations inside trainer.train() make rows
        self.header_done = False
        self.best: dict | None = None
        self.last_loss: float | None = None

    # -- bar
    def on_train_begin(self, args, state, control, **kwargs):
        self.active = True
        if not state.is_world_process_zero:
            return
        warmup = args.get_warmup_steps(state.max_steps) if hasattr(args, "get_warmup_steps") else None
        per_epoch = state.max_steps / max(args.num_train_epochs, 1e-9) if args.max_steps <= 0 else None
        logger.info(
            "schedule: %d steps%s, learning rate %g: linear warm-up over %s steps, then linear decay to 0",
            state.max_steps,
            f" ({per_epoch:.0f} per epoch)" if per_epoch else "",
            args.learning_rate,
            warmup if warmup is not None else "?",
        )
        for entry in state.log_history:  # a resumed run: the evaluations so far, each with the loss logged before it
            if "loss" in entry:
                self.last_loss = entry["loss"]
            if self.metric in entry:
                self._row({**entry, "loss": self.last_loss}, entry.get("epoch"))
        if self.show_bar:
            from tqdm.auto import tqdm

            # disable=None: no bar when stderr is not a terminal (logs, CI), where it would print a line per update
            self.bar = tqdm(
                total=state.max_steps,
                initial=state.global_step,
                desc="train",
                unit="step",
                dynamic_ncols=True,
                leave=False,
                disable=None,
            )

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.last_loss = logs["loss"]
            if self.bar is not None:
                self.bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)

    # -- table
    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if not self.active or not state.is_world_process_zero or not metrics:
            return
        self._row({**metrics, "loss": self.last_loss}, state.epoch)

    def _row(self, entry: dict, epoch) -> None:
        if not self.header_done:
            logger.info(TABLE_HEADER)
            self.header_done = True
        value = entry.get(self.metric)
        mark = ""
        if value is not None and (self.best is None or _better(value, self.best[self.metric], self.greater_is_better)):
            self.best = {**entry, "epoch": epoch}
            mark = "  *"
        logger.info(
            "%6s %s %s %s %s %s%s",
            epoch_text(epoch),
            _fmt(entry.get("loss"), width=10),
            _fmt(entry.get("eval_loss")),
            _fmt(entry.get("eval_precision")),
            _fmt(entry.get("eval_recall")),
            _fmt(entry.get("eval_f1")),
            mark,
        )

    def on_train_end(self, args, state, control, **kwargs):
        self.active = False
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def epoch_text(epoch) -> str:
    if epoch is None:
        return "?"
    return f"{epoch:.0f}" if abs(epoch - round(epoch)) < 1e-6 else f"{epoch:.2f}"


def summary_lines(metrics: dict, output_dir: str, dataset: str) -> list[str]:
    """Closing summary: best epoch (and whether the saved model is its), strict F1 per type on validation and
    test, default mode beside, where the model is."""
    lines = []
    best = metrics.get("best_epoch")
    stop = metrics.get("stopped_early")
    epochs = metrics.get("epochs_run")
    if best is not None:
        how = (
            f"early stopping after epoch {epoch_text(stop['epoch'])}"
            if stop
            else f"{epoch_text(epochs)} epochs run"
            if epochs is not None
            else ""
        )
        label = metric_label(metrics.get("best_by"))
        if metrics.get("best_restored", True):
            lines.append(
                f"best model: epoch {epoch_text(best)} by validation {label}"
                + (f" ({how})" if how else "")
                + "; restored from its checkpoint"
            )
        else:
            lines.append(
                f"best validation {label}: epoch {epoch_text(best)}"
                + (f" ({how})" if how else "")
                + "; the model saved is the last epoch's (--load_best_model_at_end false)"
            )
    splits = [s for s in ("validation", "test") if isinstance(metrics.get(s), dict) and "strict" in metrics[s]]
    if splits:
        rows = [r for r in metrics[splits[0]]["strict"] if r not in ("macro avg", "weighted avg")]
        for s in splits[1:]:
            rows += [r for r in metrics[s]["strict"] if r not in rows and r not in ("macro avg", "weighted avg")]
        rows = [r for r in rows if r != "micro avg"] + ["micro avg"]
        lines.append(f"{'strict IOB2 F1 (seqeval)':<26}" + "".join(f"{s:>12}" for s in splits))
        for r in rows:
            cells = "".join(
                f"{metrics[s]['strict'][r]['f1-score']:>12.4f}" if r in metrics[s]["strict"] else f"{'-':>12}"
                for s in splits
            )
            lines.append(f"  {r:<24}{cells}")
        lines.append(
            f"  {'default-mode micro F1':<24}"
            + "".join(f"{metrics[s]['default']['micro avg']['f1-score']:>12.4f}" for s in splits)
            + "   (conlleval: a stray I- starts an entity)"
        )
        n = "".join(f"{metrics[s].get('sentences', '?'):>12}" for s in splits)
        lines.append(f"  {'sentences':<24}{n}")
    lines.append(
        f"model: {output_dir} (scores in {output_dir}/metrics.json); next: vner evaluate --model "
        f"{output_dir} --dataset {dataset}"
    )
    return lines
