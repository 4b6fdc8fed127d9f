"""`vner preannotate` and `vner config`: thin wrappers over annotation.preannotate and annotation.schema."""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "preannotate",
        help="propose PER/ORG/LOC/DATE spans and write Label Studio tasks",
        description="Load .txt files (NFC, paragraphs, sentences, words), run pre-annotators over every sentence, "
        "merge their spans (gazetteer > model > dates > rules > crf, then longest) and write a JSON list of "
        "Label Studio tasks with one prediction each.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt files or folders (searched recursively)")
    p.add_argument("-o", "--output", required=True, metavar="TASKS.json", help="where to write the tasks")
    p.add_argument(
        "--annotators",
        default="rules,dates",
        help="comma-separated pre-annotators: rules, dates, crf, gazetteer:PATH, model:DIR (a `vner train` folder)",
    )
    p.add_argument("--gazetteer", action="append", default=[], metavar="FILE",
                   help="add a `LABEL<TAB>name` gazetteer (same as gazetteer:FILE in --annotators; repeatable)")
    p.add_argument("--granularity", choices=["paragraph", "sentence", "document"], default="paragraph",
                   help="one task per paragraph, sentence or document")
    p.add_argument("--segmentation", choices=["auto", "raw", "segmented"], default="auto",
                   help="auto: files with syllables joined by `_` are taken as word-segmented, others are "
                   "segmented with underthesea")
    p.set_defaults(func=_preannotate)

    p = sub.add_parser(
        "config",
        help="write the Label Studio labeling config for the vner schema",
        description="Write the labeling config (XML) generated from annotation/schema.py; paste it into a Label "
        "Studio project's Settings > Labeling Interface, or let `vner studio` use it.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: print to stdout)")
    p.set_defaults(func=_config)


def load_preannotators(specs: list[str]):
    """Pre-annotators from specs; `model:DIR` comes from training/ (imported only when asked for)."""
    from annotation.errors import VnerError
    from annotation.preannotate import make_preannotator

    out = []
    for spec in specs:
        if spec.startswith("model:"):
            try:
                from training.predict import ModelAnnotator
            except ImportError as exc:
                raise VnerError(f"{spec}: model pre-annotation needs the training extras ({exc}).") from None
            out.append(ModelAnnotator(spec.split(":", 1)[1]))
        else:
            out.append(make_preannotator(spec))
    return out


def _preannotate(args) -> int:
    import json
    from pathlib import Path

    from annotation.errors import VnerError
    from annotation.preannotate import preannotate_documents
    from annotation.text import default_segmenter, load_documents

    specs = [s.strip() for s in args.annotators.split(",") if s.strip()] + [f"gazetteer:{g}" for g in args.gazetteer]
    if not specs:
        raise VnerError("--annotators is empty; name at least one of rules, dates, crf, gazetteer:PATH, model:DIR.")
    annotators = load_preannotators(specs)
    docs = load_documents(args.paths, segmentation=args.segmentation)
    segmenter = default_segmenter().name if any(not d.segmented for d in docs) else ""
    tasks, stats = preannotate_documents(docs, annotators, args.granularity, segmenter, progress=True)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {stats.summary()}")
    return 0


def _config(args) -> int:
    from pathlib import Path

    from annotation.schema import labeling_config_xml

    xml = labeling_config_xml()
    if args.output:
        Path(args.output).write_text(xml, encoding="utf-8")
        print(args.output)
    else:
        print(xml, end="")
    return 0
