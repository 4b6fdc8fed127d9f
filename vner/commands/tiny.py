"""`vner tiny-model`: build a tiny PhoBERT-format checkpoint (thin wrapper over training.tiny)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "tiny-model",
        help="build a small random-init PhoBERT-format checkpoint (PhoBERT's own tokenizer) for tests, dry runs "
        "and from-scratch baselines",
        description="Write a RoBERTa with random weights and vinai/phobert-base's config apart from its size, on "
        "PhoBERT's own vocab.txt + bpe.codes (64,001 ids; shipped with vner, MIT), so the vinai/phobert-base "
        "loading path (AutoTokenizer -> PhobertTokenizer, AutoModelForTokenClassification, vner's fast tokenizer) "
        "runs without the Hub. --corpus learns a small BPE vocabulary from your text instead. "
        "Same arguments -> byte-identical files.",
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write (created; files overwritten)")
    p.add_argument(
        "--hidden-size",
        type=int,
        metavar="N",
        help="width (default 64; giving it alone also sets FFN 4N and N/32 heads)",
    )
    p.add_argument("--layers", type=int, metavar="N", help="transformer layers (default 2)")
    p.add_argument("--heads", type=int, metavar="N", help="attention heads; must divide the hidden size (default 2)")
    p.add_argument("--intermediate-size", type=int, metavar="N", help="feed-forward width (default 128)")
    p.add_argument(
        "--corpus",
        nargs="+",
        metavar="PATH",
        help="learn the BPE vocabulary from these .txt files or folders instead of using PhoBERT's "
        "(raw text is word-segmented with underthesea)",
    )
    p.add_argument(
        "--merges", type=int, default=3000, help="with --corpus: maximum number of BPE merges (default 3000)"
    )
    p.add_argument("--seed", type=int, default=0, help="weight-init seed (default: 0)")
    p.set_defaults(func=_tiny)


def _tiny(args) -> int:
    from annotation.outputs import check_output
    from training.tiny import build_tiny_model

    check_output(args.output, folder=True, create=False)  # build_tiny_model creates it once the arguments are read

    out = build_tiny_model(
        args.output,
        args.corpus,
        num_merges=args.merges,
        seed=args.seed,
        hidden_size=args.hidden_size,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.intermediate_size,
    )
    print(out)
    return 0
