"""`vner tiny-model`: build a tiny PhoBERT-format checkpoint (thin wrapper over training.tiny)."""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "tiny-model",
        help="build a tiny PhoBERT-format checkpoint (random weights) for tests and dry runs",
        description="Learn a small BPE vocabulary (vocab.txt + bpe.codes, PhoBERT's formats) from word-segmented "
        "text and write a 2-layer RoBERTa with random weights, so the vinai/phobert-base loading path "
        "(AutoTokenizer -> PhobertTokenizer, AutoModelForTokenClassification) runs without the Hub. "
        "Same inputs -> byte-identical files.",
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write (created; files overwritten)")
    p.add_argument("--corpus", nargs="+", metavar="PATH",
                   help=".txt files or folders; raw text is word-segmented with underthesea (default: seeds/)")
    p.add_argument("--merges", type=int, default=3000, help="maximum number of BPE merges (default: 3000)")
    p.add_argument("--seed", type=int, default=0, help="weight-init seed (default: 0)")
    p.set_defaults(func=_tiny)


def _tiny(args) -> int:
    from training.tiny import build_tiny_model

    out = build_tiny_model(args.output, args.corpus, num_merges=args.merges, seed=args.seed)
    print(out)
    return 0
