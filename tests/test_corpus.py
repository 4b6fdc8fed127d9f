"""Datasets from anything: CoNLL and JSON Lines corpora with their own splits, words and mapped types; several
Label Studio exports into one dataset; splits that get no example; the one tag converter."""

import json
import unicodedata

import pytest
from datasets import load_from_disk

from annotation.corpus import (
    detect_format,
    iter_conll,
    load_sources,
    parse_label_map,
    parse_sources,
    scan_token_file,
    tag_scheme,
    to_iob2,
)
from annotation.dataset import example_spans
from annotation.errors import VnerError
from annotation.schema import BIO_LABELS, ENTITY_TYPES
from tests.corpora import CONLL_NAMES, JSONL_NAMES, PHONER_MAP, as_scheme, make_corpus, write_conll, write_jsonl
from tests.exports import annotation, find, task, unit, write
from vner.cli import main


def counts_of(ds) -> dict[str, int]:
    out = dict.fromkeys(ENTITY_TYPES, 0)
    for row in ds:
        for sp in example_spans(row):
            out[sp.label] += 1
    return out


def test_one_converter_reads_iob1_iob2_bioes_and_io():
    iob2 = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "I-ORG", "B-LOC"]
    for scheme in ("IOB1", "IOB2", "BIOES"):
        written = as_scheme(iob2, scheme)
        assert to_iob2(written) == iob2, scheme
        assert tag_scheme(written) == scheme
    assert to_iob2(["PER", "PER", "O", "LOC"]) == ["B-PER", "I-PER", "O", "B-LOC"]  # IO
    assert to_iob2(["U-PER", "B-ORG", "L-ORG"]) == ["B-PER", "B-ORG", "I-ORG"]  # BILOU
    with pytest.raises(ValueError):
        to_iob2(["B-PER", "-"])


def test_label_map_and_split_prefixes_are_parsed_strictly(tmp_path):
    assert parse_label_map("NAME=PER, PATIENT_ID=O") == {"NAME": "PER", "PATIENT_ID": "O"}
    for bad in ("NAME", "NAME=PERSON", "NAME=PER,NAME=ORG"):
        with pytest.raises(VnerError, match="--label-map"):
            parse_label_map(bad)
    (tmp_path / "a.conll").write_text("x\tO\n", encoding="utf-8")
    srcs = parse_sources([f"dev={tmp_path / 'a.conll'}", str(tmp_path / "b=c.conll")])
    assert [(s.split, s.path.name) for s in srcs] == [("validation", "a.conll"), (None, "b=c.conll")]
    with pytest.raises(VnerError, match="given twice"):
        parse_sources([f"train={tmp_path / 'a.conll'}", f"test={tmp_path / 'a.conll'}"])


def test_conll_corpus_keeps_its_splits_words_and_every_mapped_entity(tmp_path, capsys):
    corpus = make_corpus(7, CONLL_NAMES, {"train": (30, 12), "validation": (6, 10), "test": (6, 10)})
    files = {
        "train": write_conll(corpus, "train", tmp_path / "train.txt", scheme="IOB2"),
        "validation": write_conll(corpus, "validation", tmp_path / "dev.txt", scheme="IOB1"),
        "test": write_conll(corpus, "test", tmp_path / "test.txt", scheme="BIOES"),
    }
    args = [
        f"train={files['train']}",
        f"dev={files['validation']}",
        f"test={files['test']}",
        "-o",
        str(tmp_path / "ds"),
        "--tag-column",
        "4",
    ]
    # MISC is not in the schema: one error naming it with its count, nothing written
    n_misc = sum(corpus.entities(s)["MISC"] for s in corpus.splits)
    assert main(["dataset", *args]) == 2
    err = capsys.readouterr().err
    assert f"MISC ({n_misc})" in err and err.count("\n") == 1 and not (tmp_path / "ds" / "dataset_dict.json").exists()

    assert main(["dataset", *args, "--label-map", "MISC=O"]) == 0
    out = capsys.readouterr().out
    assert "train=" in out and "CoNLL columns, tag from column 4, IOB2 tags; 360 sentences (30 documents)" in out
    assert "BIOES tags" in out and "IOB1 tags" in out and f"MISC -> O (dropped): {n_misc} entities" in out
    dsd = load_from_disk(str(tmp_path / "ds"))
    assert list(dsd) == ["train", "validation", "test"]
    for split in dsd:
        written = corpus.sentences(split)
        ds = dsd[split]
        assert len(ds) == len(written)
        assert len(set(ds["doc_id"])) == len(corpus.splits[split])
        # the corpus's words, exactly, in order; nothing re-segmented
        assert [row["tokens"] for row in ds] == [s.words for s in written]
        expected = corpus.entities(split, {"MISC": "O"})
        assert counts_of(ds) == {t: expected[t] for t in ENTITY_TYPES}
        for row, s in zip(ds, written):
            kept = [(sp.label, row["text"][sp.start : sp.end]) for sp in example_spans(row)]
            assert kept == [
                (typ, " ".join(w.replace("_", " ") for w in words)) for typ, words in s.entities if typ != "MISC"
            ]
    assert all(n > 0 for n in counts_of(dsd["train"]).values())  # 4 schema types occur
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert f"| MISC | dropped (O) | {n_misc} |" in card and "`validation` = `dev.txt`" in card


def test_jsonl_corpus_in_the_phoner_shape_maps_its_ten_types(tmp_path, capsys):
    corpus = make_corpus(11, JSONL_NAMES, {"train": (1, 300), "validation": (1, 60), "test": (1, 80)})
    files = {split: write_jsonl(corpus, split, tmp_path / f"{split}_word.json") for split in corpus.splits}
    args = [
        "dataset",
        f"train={files['train']}",
        f"validation={files['validation']}",
        f"test={files['test']}",
        "-o",
        str(tmp_path / "ds"),
    ]
    partial = {k: v for k, v in PHONER_MAP.items() if k != "TRANSPORTATION"}
    assert main([*args, "--label-map", ",".join(f"{k}={v}" for k, v in partial.items())]) == 2
    err = capsys.readouterr().err
    n_transport = sum(corpus.entities(s)["TRANSPORTATION"] for s in corpus.splits)
    assert f"not mapped: TRANSPORTATION ({n_transport});" in err.replace("nor mapped", "not mapped")
    assert main([*args, "--label-map", ",".join(f"{k}={v}" for k, v in PHONER_MAP.items())]) == 0
    out = capsys.readouterr().out
    assert "JSON Lines, IOB2 tags; 300 sentences (no document markers: each sentence is a document)" in out
    dsd = load_from_disk(str(tmp_path / "ds"))
    assert {k: len(v) for k, v in dsd.items()} == {"train": 300, "validation": 60, "test": 80}
    for split in dsd:
        written = corpus.sentences(split)
        assert [row["tokens"] for row in dsd[split]] == [s.words for s in written]  # `Hà_Nội`, `BN_17` kept
        expected = corpus.entities(split, PHONER_MAP)
        assert counts_of(dsd[split]) == {t: expected[t] for t in ENTITY_TYPES}
    row = next(r for r in dsd["train"] if "BN_17" in r["tokens"])
    assert "BN 17" in row["text"]  # display text as for pre-segmented text; the word comes back from its offsets
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    for src, dst in PHONER_MAP.items():
        n = sum(corpus.entities(s)[src] for s in corpus.splits)
        assert f"| {src} | {'dropped (O)' if dst == 'O' else dst} | {n} |" in card


def test_the_conll_files_vner_writes_read_back_to_the_same_examples(tmp_path):
    corpus = make_corpus(3, {k: v for k, v in CONLL_NAMES.items() if k != "MISC"}, {"train": (12, 5)})
    src = write_conll(corpus, "train", tmp_path / "corpus.conll", vlsp_columns=False)
    assert main(["dataset", str(src), "-o", str(tmp_path / "a"), "--seed", "3"]) == 0
    first = load_from_disk(str(tmp_path / "a"))
    again = [f"{split}={tmp_path / 'a' / 'conll' / f'{split}.conll'}" for split in first]
    assert main(["dataset", *again, "-o", str(tmp_path / "b")]) == 0
    second = load_from_disk(str(tmp_path / "b"))
    for split in first:
        assert second[split]["tokens"] == first[split]["tokens"]
        assert second[split]["ner_tags"] == first[split]["ner_tags"]
        assert second[split]["text"] == first[split]["text"]


@pytest.mark.parametrize("n_docs, ratios", [(1, "0.8,0.1,0.1"), (2, "0.8,0.1,0.1"), (5, "1,0,0")])
def test_splits_without_examples_are_left_out_and_the_dataset_loads(tmp_path, capsys, n_docs, ratios):
    text = "Ông Võ Văn Thưởng đến Hà Nội."
    tasks = [
        task(unit(text, doc_id=f"d{k}"), k + 1, [annotation(text, [find(text, "Hà Nội", "LOC")])])
        for k in range(n_docs)
    ]
    assert main(["dataset", str(write(tmp_path, tasks)), "-o", str(tmp_path / "ds"), "--split", ratios]) == 0
    assert "left out" in capsys.readouterr().out
    dsd = load_from_disk(str(tmp_path / "ds"))
    assert sum(len(ds) for ds in dsd.values()) == n_docs and all(len(ds) for ds in dsd.values())
    assert "train" in dsd and dsd["train"].features["ner_tags"].feature.names == list(BIO_LABELS)
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "is left out" in card or "so it is left out" in card
    assert not (tmp_path / "ds" / "jsonl" / "test.jsonl").exists()


def test_a_test_split_alone_is_a_dataset(tmp_path):
    corpus = make_corpus(5, {k: v for k, v in CONLL_NAMES.items() if k != "MISC"}, {"test": (4, 5)})
    src = write_conll(corpus, "test", tmp_path / "test.conll", vlsp_columns=False)
    assert main(["dataset", f"test={src}", "-o", str(tmp_path / "ds")]) == 0
    assert list(load_from_disk(str(tmp_path / "ds"))) == ["test"]


def test_two_label_studio_exports_become_one_dataset_with_their_documents_apart(tmp_path, capsys):
    a_text, b_text = "Ông Võ Văn Thưởng đến Hà Nội.", "Bà Trần Thị Bình về Huế."
    batch1 = [
        task(unit(a_text, doc_id="001"), 1, [annotation(a_text, [find(a_text, "Hà Nội", "LOC")])]),
        task(unit(a_text, doc_id="002"), 2, [annotation(a_text, [find(a_text, "Võ Văn Thưởng", "PER")])]),
    ]
    # batch 2 has its own 001 (another text), and a document only it holds
    batch2 = [
        task(unit(b_text, doc_id="001"), 1, [annotation(b_text, [find(b_text, "Huế", "LOC")])]),
        task(unit(b_text, doc_id="003"), 2, [annotation(b_text, [])]),
    ]
    p1, p2 = write(tmp_path, batch1, "batch1.json"), write(tmp_path, batch2, "batch2.json")
    assert main(["dataset", str(p1), str(p2), "-o", str(tmp_path / "ds"), "--split", "1,0,0"]) == 0
    out = capsys.readouterr().out
    assert "kept apart" in out
    ds = load_from_disk(str(tmp_path / "ds"))["train"]
    assert sorted(ds["doc_id"]) == ["002", "003", "batch1/001", "batch2/001"]
    by_doc = {row["doc_id"]: row["text"] for row in ds}
    assert by_doc["batch1/001"] == a_text and by_doc["batch2/001"] == b_text
    # the same task in two exports is the same sentence twice: an error that says so, or the first with --lenient
    p3 = write(tmp_path, batch1[:1], "again.json")
    assert main(["dataset", str(p1), str(p3), "-o", str(tmp_path / "ds2")]) == 2
    assert "the same task was imported twice" in capsys.readouterr().err
    assert main(["dataset", str(p1), str(p3), "-o", str(tmp_path / "ds2"), "--lenient", "--split", "1,0,0"]) == 0
    issues = [json.loads(line) for line in (tmp_path / "ds2" / "issues.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [i["reason"] for i in issues] == ["duplicate"]


def test_a_corpus_with_an_export_and_words_in_nfd_or_with_spaces(tmp_path):
    words = [unicodedata.normalize("NFD", "Hà_Nội"), "Thành phố Huế", "đẹp", "."]
    src = tmp_path / "c.jsonl"
    src.write_text(
        json.dumps({"words": words, "tags": ["B-LOC", "B-LOC", "O", "O"]}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    text = "Ông Võ Văn Thưởng đến Hà Nội."
    export = write(tmp_path, [task(unit(text, doc_id="d"), 1, [annotation(text, [find(text, "Hà Nội", "LOC")])])])
    assert main(["dataset", f"train={src}", f"test={export}", "-o", str(tmp_path / "ds")]) == 0
    dsd = load_from_disk(str(tmp_path / "ds"))
    row = dsd["train"][0]
    assert row["tokens"] == ["Hà_Nội", "Thành_phố_Huế", "đẹp", "."] and row["text"] == "Hà Nội Thành phố Huế đẹp."
    assert [(sp.label, row["text"][sp.start : sp.end]) for sp in example_spans(row)] == [
        ("LOC", "Hà Nội"),
        ("LOC", "Thành phố Huế"),
    ]
    assert dsd["test"][0]["doc_id"] == "d"


@pytest.mark.parametrize(
    "content, message",
    [
        ("Hà\tB-LOC\nNội\n", "1 column(s)"),
        ("Hà\tB-LOC\nNội\tX Y\n", "is not a tag"),
        ('{"words": ["a", "b"], "tags": ["O"]}\n', "2 words but 1 tags"),
        ('{"words": ["a"], "tags": [0]}\n', "not ids"),
        ('{"text": "a"}\n', "not JSON Lines"),
        ("just some text\n", "cannot tell the format"),
    ],
)
def test_bad_token_files_are_one_line_errors_naming_file_and_line(tmp_path, capsys, content, message):
    src = tmp_path / "bad.txt"
    src.write_text(content, encoding="utf-8")
    assert main(["dataset", str(src), "-o", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(src) in err and err.count("\n") == 1


def _conll(tmp_path, content: str, name: str = "c.conll"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_comment_lines_ending_in_capitals_are_comments_and_hash_tokens_stay_tokens(tmp_path):
    src = _conll(
        tmp_path,
        "# newdoc id = D1\n# text = Ông Nguyễn Văn A\nÔng\tO\nA\tB-PER\n\n"
        "#\tO\n#Việt_Nam\tB-LOC\n\n# sent_id = 3\n# text = Ông A\nÔng\tO\n",
    )
    assert detect_format(src) == "conll"
    got = [(s.words, s.tags, s.line) for s in iter_conll(src)]
    assert got == [(["Ông", "A"], ["O", "B-PER"], 3), (["#", "#Việt_Nam"], ["O", "B-LOC"], 6), (["Ông"], ["O"], 11)]
    # space-separated, a `#` word is a token when its line has the file's columns; a longer `# ` line is a comment
    src = _conll(tmp_path, "# text = # Hà Nội\n# O\nHà_Nội B-LOC\n", "s.conll")
    assert [(s.words, s.tags) for s in iter_conll(src)] == [(["#", "Hà_Nội"], ["O", "B-LOC"])]


@pytest.mark.parametrize("fmt", ["auto", "conll"])
def test_every_token_line_has_the_file_s_columns_and_trailing_tabs_are_not_a_column(tmp_path, capsys, fmt):
    src = _conll(tmp_path, "Ông O\nHà Nội B-LOC\nđẹp O\n")  # space-separated: `Nội` would be lost
    assert main(["dataset", str(src), "--format", fmt, "-o", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err
    assert f"{src}:2: 3 columns" in err and "have 2" in err and "tabs" in err and err.count("\n") == 1
    src = _conll(tmp_path, "Hà\tB-LOC\t\nNội\tI-LOC \n\n", "trail.conll")
    assert main(["dataset", str(src), "--format", fmt, "-o", str(tmp_path / "ds"), "--split", "1,0,0"]) == 0
    row = load_from_disk(str(tmp_path / "ds"))["train"][0]
    assert row["tokens"] == ["Hà", "Nội"] and [(sp.label, sp.start, sp.end) for sp in example_spans(row)] == [
        ("LOC", 0, 6)
    ]
    assert scan_token_file(src, "conll").columns == 2


@pytest.mark.parametrize("fmt", ["auto", "conll", "jsonl"])
def test_a_byte_that_is_not_utf8_anywhere_in_a_token_file_is_a_one_line_error_with_its_line(tmp_path, capsys, fmt):
    if fmt == "jsonl":
        line, bad = '{"words": ["tữ"], "tags": ["O"]}\n', '{"words": ["t\xe0"], "tags": ["O"]}\n'
    else:
        line, bad = "tữ\tO\n", "t\xe0\tO\n"
    n = 70_000 // len(line.encode("utf-8"))  # past the 64 KiB detect_format reads
    src = tmp_path / "latin.txt"
    src.write_bytes(line.encode("utf-8") * n + bad.encode("cp1258"))
    args = ["dataset", str(src), "-o", str(tmp_path / "ds")] + ([] if fmt == "auto" else ["--format", fmt])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{src}:{n + 1}: not UTF-8" in err and "iconv" in err and err.count("\n") == 1
    src.write_bytes("Hà\tB-LOC\n".encode("utf-16"))  # with its BOM
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "UTF-16" in err and "iconv -f UTF-16" in err and err.count("\n") == 1


def test_jsonl_sentences_without_doc_id_get_ids_no_given_doc_id_can_take(tmp_path, capsys):
    lines = [
        {"words": ["Ông", "An"], "tags": ["O", "B-PER"], "doc_id": "00001"},
        {"words": ["Bà", "Ba"], "tags": ["O", "B-PER"]},  # the second line: index 1, once `c-00001` too
        {"words": ["Bà", "Cúc"], "tags": ["O", "B-PER"]},
    ]
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    res = load_sources(parse_sources([str(src)]))
    assert [ex["doc_id"] for ex in res.examples] == ["c-00001", "c-line00002", "c-line00003"] and not res.issues
    assert "3 sentences (3 documents)" in res.provenance.sources[0]
    # a doc_id that is exactly the id of a line without one is an error, not a duplicate dropped with --lenient
    lines[0]["doc_id"] = "line00002"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    assert main(["dataset", str(src), "-o", str(tmp_path / "ds"), "--lenient"]) == 2
    err = capsys.readouterr().err
    assert f"{src}:2:" in err and "c-line00002" in err and "rename" in err


@pytest.mark.parametrize(
    "content, fmt",
    [
        ("[\tO\nảnh\tO\n]\tO\n\nHà\tB-LOC\n", "conll"),
        ("{\tO\nHà\tB-LOC\n", "conll"),
        ("[ ]\n", "labelstudio"),
        ('[\n  {"data": {"text": "a"}}]\n', "labelstudio"),
        ('{"words": ["a"], "tags": ["O"]}\n', "jsonl"),
    ],
)
def test_a_conll_file_whose_first_word_is_a_bracket_is_not_taken_for_json(tmp_path, content, fmt):
    assert detect_format(_conll(tmp_path, content, "f.txt")) == fmt


def test_the_jsonl_files_vner_writes_read_back_to_the_same_examples(tmp_path):
    """The gold seeds' dataset (Label Studio tasks: display text from the page, not from the words; sentence ids
    with gaps where repeats were left out) read back from its JSON Lines: every field is the same but the ones
    the docs give a token file (doc_id `<file name>-<doc_id>`, annotator `corpus:<file name>`, and id)."""
    from pathlib import Path

    from annotation.text import display_from_words

    gold = Path(__file__).resolve().parent.parent / "annotation" / "gold" / "seeds_export.json"
    assert main(["dataset", str(gold), "-o", str(tmp_path / "a")]) == 0
    first = load_from_disk(str(tmp_path / "a"))
    again = [f"{split}={tmp_path / 'a' / 'jsonl' / f'{split}.jsonl'}" for split in first]
    assert main(["dataset", *again, "-o", str(tmp_path / "b")]) == 0
    second = load_from_disk(str(tmp_path / "b"))
    assert list(second) == list(first)
    for split in first:
        before = {(r["doc_id"], r["sentence_id"]): r for r in first[split]}
        after = {}
        for r in second[split]:
            assert r["doc_id"].startswith(f"{split}-") and r["annotator"] == f"corpus:{split}.jsonl"
            assert r["id"] == f"{r['doc_id']}:{r['sentence_id']}"
            after[(r["doc_id"].removeprefix(f"{split}-"), r["sentence_id"])] = r
        assert after.keys() == before.keys()
        same = ("text", "tokens", "token_starts", "token_ends", "ner_tags")
        for key, r in before.items():
            assert {f: after[key][f] for f in same} == {f: r[f] for f in same}, key
    # what this covers: texts the words would not give back, and sentence ids with gaps
    rows = [r for split in first for r in first[split]]
    assert any(display_from_words(r["tokens"])[0] != r["text"] for r in rows)
    ids = [r["sentence_id"] for r in rows if r["doc_id"] == rows[0]["doc_id"]]
    assert sorted(ids) != list(range(len(ids)))


def _jsonl(tmp_path, *rows, name="x.jsonl"):
    src = tmp_path / name
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return src


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tokens": ["Ông", "An", "đến", "Hà_Nam"]}, "word 4 'Hà_Nam' is not `text` at 11-17 ('Hà Nội')"),
        ({"token_ends": [3, 6, 10]}, "4 words but 4 token_starts and 3 token_ends"),
        ({"token_starts": [0, 4, 6, 11]}, "word 3 'đến' is not `text` at 6-10 (' đến')"),
        ({"text": "Ông An, đến Hà Nội"}, "holds ','"),
        ({"text": "Ông An đến Hà Nội. Thêm"}, "goes on after the last word"),
        ({"text": "O\u0302ng An đến Hà Nội"}, "not NFC"),
        ({"token_starts": [0, 4, 7, 11], "token_ends": [3, 6, 10, 30]}, "is not inside `text`"),
        ({"text": None}, "need a `text` string"),
        ({"sentence_id": -1}, "sentence_id -1 is not a whole number"),
    ],
)
def test_jsonl_text_and_offsets_that_do_not_fit_the_words_are_an_error_naming_the_line(
    tmp_path, capsys, change, message
):
    good = {
        "doc_id": "d",
        "sentence_id": 4,
        "text": "Ông An đến Hà Nội",
        "tokens": ["Ông", "An", "đến", "Hà_Nội"],
        "token_starts": [0, 4, 7, 11],
        "token_ends": [3, 6, 10, 17],
        "ner_tags": ["O", "B-PER", "O", "B-LOC"],
    }
    src = _jsonl(tmp_path, {**good, "sentence_id": 1}, {**good, **change})
    res = load_sources(parse_sources([str(_jsonl(tmp_path, good, name="good.jsonl"))]))
    ex = res.examples[0]
    assert (ex["text"], ex["sentence_id"], ex["token_starts"]) == (good["text"], 4, good["token_starts"])
    assert main(["dataset", str(src), "-o", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err
    assert f"{src}:2: " in err and message in err and err.count("\n") == 1, err


def test_jsonl_sentence_ids_are_kept_and_one_taken_twice_in_a_document_is_an_error(tmp_path, capsys):
    row = {"tokens": ["Hà_Nội"], "ner_tags": ["B-LOC"], "doc_id": "d"}
    src = _jsonl(tmp_path, {**row, "sentence_id": 3}, row, {**row, "sentence_id": 7}, {**row, "doc_id": "e"})
    res = load_sources(parse_sources([str(src)]))
    assert [(ex["doc_id"], ex["sentence_id"]) for ex in res.examples] == [
        ("x-d", 3),
        ("x-d", 4),
        ("x-d", 7),
        ("x-e", 0),
    ]
    assert res.examples[0]["text"] == "Hà Nội"  # no offsets: the text is built from the words
    src = _jsonl(tmp_path, row, {**row, "sentence_id": 0})
    assert main(["dataset", str(src), "-o", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err
    assert f"{src}:2: sentence_id 0 of document 'd' is also that of line 1" in err and err.count("\n") == 1
