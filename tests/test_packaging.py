"""What a user installs and imports: the annotation side runs without torch, `vner --version`, the curated API."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import vner

REPO = Path(__file__).resolve().parent.parent

BLOCKED = ("torch", "transformers", "accelerate", "safetensors")

# Runs in a fresh interpreter whose site-packages lack torch, transformers, accelerate and safetensors, as on a
# machine that installed `vner` without the `train` extra.
NO_TORCH = textwrap.dedent(
    """
    import sys
    out, site = sys.argv[1], sys.argv[2]
    sys.path = [p for p in sys.path if "site-packages" not in p] + [site]
    from vner.cli import main
    codes = [
        main(["preannotate", "seeds/001_18e3242f10aed1ec.txt", "-o", out + "/tasks.json"]),
        main(["dataset", "annotation/gold/seeds_export.json", "-o", out + "/ds"]),
        main(["corrections", "annotation/gold/seeds_export.json", "--preannotators", "rules,dates"]),
        main(["config", "-o", out + "/config.xml"]),
        main(["evaluate", "--dataset", out + "/ds", "--preannotators", "rules,dates", "-o", out + "/eval"]),
        main(["predict", "--model", out, "seeds", "-o", out + "/x.json"]),
        main(["preannotate", "seeds", "--annotators", "model:" + out, "-o", out + "/y.json"]),
    ]
    from vner.backend import Backend, ServeConfig
    backend = Backend(ServeConfig(workdir=out + "/serve"))  # the rules-only ML backend
    items = backend.predict([{"id": 1, "data": {"text": "Ông Nguyễn Văn An đến Hà Nội."}}])
    print("BACKEND", len(items), sorted(r["value"]["labels"][0] for r in items[0]["result"]),
          backend.webhook({"action": "START_TRAINING", "project": {"id": 1}})["status"])
    import annotation.dataset, annotation.export, annotation.studio.client, annotation.preannotate, vner
    print("CODES", codes, "LOADED", sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
""".replace("BLOCKED", repr(BLOCKED))
)


def site_packages_without_training(tmp_path: Path) -> Path:
    """A folder of links to every installed distribution except the training extra's."""
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    out = tmp_path / "site"
    out.mkdir()
    for entry in site.iterdir():
        if entry.name.lower().startswith(BLOCKED) or entry.suffix == ".pth" or entry.name.startswith("__editable__"):
            continue
        (out / entry.name).symlink_to(entry)
    return out


def test_annotation_side_runs_without_torch(tmp_path):
    site = site_packages_without_training(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", NO_TORCH, str(tmp_path), str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("CODES"))
    # five annotation commands succeed; the two that need a model say how to get the extra, in one line
    assert line == "CODES [0, 0, 0, 0, 0, 2, 2] LOADED []", line
    assert (tmp_path / "tasks.json").is_file() and (tmp_path / "ds" / "dataset_dict.json").is_file()
    backend = next(ln for ln in proc.stdout.splitlines() if ln.startswith("BACKEND"))
    assert (
        backend == "BACKEND 1 ['LOC', 'PER'] not training: training needs the training extra: pip install 'vner[train]'"
    )
    errors = [ln for ln in proc.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 2 and all("pip install 'vner[train]'" in ln for ln in errors), errors
    assert json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))[0]["predictions"]


def test_version_and_curated_api(capsys):
    from vner.cli import main

    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.strip() == f"vner {vner.__version__}"
    assert set(vner.__all__) >= {"load_documents", "preannotate", "read_export", "build_dataset", "Tagger"}
    docs = vner.load_documents(REPO / "seeds" / "001_18e3242f10aed1ec.txt")
    tasks = vner.preannotate(docs, "rules,dates")
    assert len(tasks) == 3 and len(docs[0].paragraphs) == 1  # 2,218 characters cut into tasks of readable size
    assert tasks[0]["predictions"][0]["model_version"] == "vner:rules@1.1+dates@1.1"
    result = vner.read_export(REPO / "annotation" / "gold" / "seeds_export.json")
    dsd = vner.build_dataset(result.examples)
    assert sum(len(ds) for ds in dsd.values()) == len(result.examples) == 129  # 139 sentences, 10 repeats kept once
