"""Reading Label Studio exports back: every documented handling, and clear errors for bad input."""

import json
import unicodedata
from dataclasses import replace

import pytest

from annotation.dataset import example_spans
from annotation.errors import VnerError
from annotation.export import load_export
from annotation.spans import Span
from tests.exports import annotation, find, foreign_task, task, unit, write
from vner.cli import main

TEXT = "Ông Võ Văn Thưởng đến Hà Nội. Sau đó ông về Huế."


def spans_of(ex):
    return [(ex["text"][s.start : s.end], s.label) for s in example_spans(ex)]


def vner_export(tmp_path, spans, *, first=0, **kw):
    u = unit(TEXT, first=first)
    return write(tmp_path, [task(u, 7, [annotation(TEXT, spans, **kw)])])


def test_vner_task_gives_one_example_per_sentence_with_document_level_ids(tmp_path):
    spans = [find(TEXT, "Võ Văn Thưởng", "PER"), find(TEXT, "Hà Nội", "LOC"), find(TEXT, "Huế", "LOC")]
    res = load_export(vner_export(tmp_path, spans, first=5))
    assert [ex["sentence_id"] for ex in res.examples] == [5, 6]
    assert [ex["id"] for ex in res.examples] == ["doc:5", "doc:6"]
    assert [ex["text"] for ex in res.examples] == ["Ông Võ Văn Thưởng đến Hà Nội.", "Sau đó ông về Huế."]
    assert spans_of(res.examples[0]) == [("Võ Văn Thưởng", "PER"), ("Hà Nội", "LOC")]
    assert spans_of(res.examples[1]) == [("Huế", "LOC")]
    assert res.examples[0]["annotator"] == "1"
    assert res.issues == [] and res.stats["tasks_used"] == 1


def test_vner_words_are_used_and_a_boundary_inside_a_word_splits_it(tmp_path):
    text = "Chủ tịch Võ Văn Thưởng phát biểu."
    # the segmenter glued "Chủ tịch Võ" into one word; the PER span cuts it
    words = [(0, 11), (12, 15), (16, 22), (23, 27), (28, 32), (32, 33)]
    u = unit(text, words=words)
    path = write(tmp_path, [task(u, 1, [annotation(text, [find(text, "Võ Văn Thưởng", "PER")])])])
    ex = load_export(path).examples[0]
    assert ex["tokens"] == ["Chủ_tịch", "Võ", "Văn", "Thưởng", "phát", "biểu", "."]
    assert ex["ner_tags"][:4] == ["O", "B-PER", "I-PER", "I-PER"]
    assert spans_of(ex) == [("Võ Văn Thưởng", "PER")]


def test_whitespace_around_a_span_is_trimmed_and_counted(tmp_path):
    sp = find(TEXT, " Hà Nội", "LOC")
    res = load_export(vner_export(tmp_path, [Span(sp.start, sp.end, "LOC")]))
    assert spans_of(res.examples[0]) == [("Hà Nội", "LOC")]
    assert res.stats["trimmed_spans"] == 1


def test_span_crossing_a_sentence_boundary_merges_the_sentences_and_is_listed(tmp_path):
    text = "Ông đến TP. Hồ Chí Minh hôm qua. Trời mưa."
    u = unit(text, first=3)
    assert len(u.sentence_spans) == 2  # "TP." is an abbreviation; "qua." ends the first sentence
    span = find(text, "Hồ Chí Minh hôm qua. Trời", "LOC")  # deliberately crosses the boundary after "qua."
    res = load_export(write(tmp_path, [task(u, 1, [annotation(text, [span])])]))
    assert [ex["sentence_id"] for ex in res.examples] == [3]
    assert res.examples[0]["text"] == text
    assert spans_of(res.examples[0]) == [("Hồ Chí Minh hôm qua. Trời", "LOC")]
    assert res.stats["merged_sentences"] == [{"task_id": 1, "doc_id": "doc", "sentences": [3, 4]}]


@pytest.mark.parametrize(
    "make_result, reason",
    [
        (lambda r: r["value"].update(labels=["MISC"]), "unknown_label"),
        (lambda r: r["value"].update(labels=["PER", "LOC"]), "several_labels"),
        (lambda r: r["value"].update(text="Hà Nam"), "text_mismatch"),
        (lambda r: r["value"].update(end=10_000), "out_of_range"),
        (lambda r: r["value"].update(start=None), "out_of_range"),
    ],
)
def test_bad_regions_are_errors_by_default_and_listed_with_lenient(tmp_path, make_result, reason):
    spans = [find(TEXT, "Hà Nội", "LOC"), find(TEXT, "Huế", "LOC")]
    u = unit(TEXT)
    ann = annotation(TEXT, spans)
    make_result(ann["result"][0])
    path = write(tmp_path, [task(u, 42, [ann])])
    with pytest.raises(VnerError, match=r"task 42: .*--lenient"):
        load_export(path)
    res = load_export(path, lenient=True)
    assert [(i.task_id, i.reason) for i in res.issues] == [(42, reason)]
    assert res.issues[0].file == str(path)
    if reason in ("unknown_label", "several_labels"):
        # only the sentence holding the bad span is left out; the other one is kept with its entity
        assert [spans_of(ex) for ex in res.examples] == [[("Huế", "LOC")]]
    else:
        assert res.examples == []  # offsets cannot be trusted: the whole task is left out


def test_overlapping_spans_are_reported_with_both_spans(tmp_path):
    spans = [find(TEXT, "Võ Văn Thưởng", "PER"), find(TEXT, "Thưởng đến", "ORG"), find(TEXT, "Huế", "LOC")]
    path = vner_export(tmp_path, spans)
    with pytest.raises(VnerError, match="overlaps"):
        load_export(path)
    res = load_export(path, lenient=True)
    assert [i.reason for i in res.issues] == ["overlap"]
    assert "'Võ Văn Thưởng'" in res.issues[0].message and "'Thưởng đến'" in res.issues[0].message
    assert [ex["sentence_id"] for ex in res.examples] == [1]


def test_of_two_overlapping_regions_the_longer_is_the_one_kept_in_view():
    from annotation.regions import parse_regions

    text = "Ủy ban nhân dân Hà Nội họp."
    results = [
        {"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": s, "end": e, "labels": [lab]}}
        for s, e, lab in [(0, 22, "ORG"), (16, 26, "LOC")]
    ]
    found = parse_regions(results, text)
    assert [p.reason for p in found.problems] == ["overlap"]
    assert [(sp.start, sp.end, sp.label) for sp in found.spans] == [(0, 22, "ORG")]


def test_whitespace_only_span_is_listed(tmp_path):
    sp = find(TEXT, " ", "PER")
    res = load_export(vner_export(tmp_path, [sp, find(TEXT, "Huế", "LOC")]), lenient=True)
    assert [i.reason for i in res.issues] == ["empty_span"]
    assert len(res.examples) == 2


def test_changed_task_text_is_detected(tmp_path):
    t = task(unit(TEXT), 3, [annotation(TEXT, [find(TEXT, "Huế", "LOC")])])
    t["data"]["text"] = TEXT.replace("Huế", "Vinh")
    path = write(tmp_path, [t])
    with pytest.raises(VnerError, match="task 3: .*task_key"):
        load_export(path)
    res = load_export(path, lenient=True)
    assert [i.reason for i in res.issues] == ["text_changed"] and res.examples == []


def test_word_spans_outside_the_text_are_detected(tmp_path):
    t = task(unit(TEXT), 3, [annotation(TEXT, [])])
    t["data"]["vner"]["words"][-1] = [len(TEXT) - 1, len(TEXT) + 5]
    res = load_export(write(tmp_path, [t]), lenient=True)
    assert [i.reason for i in res.issues] == ["text_changed"]


def test_cancelled_unannotated_and_prediction_tasks(tmp_path):
    a, b, c = (unit(TEXT, doc_id=d) for d in ("a", "b", "c"))
    tasks = [
        task(a, 1, [annotation(TEXT, [find(TEXT, "Huế", "LOC")])]),
        task(b, 2, [annotation(TEXT, [], cancelled=True)]),
        task(c, 3, [], predictions=[find(TEXT, "Hà Nội", "LOC")]),
    ]
    path = write(tmp_path, tasks)
    res = load_export(path)
    assert {ex["doc_id"] for ex in res.examples} == {"a"}
    assert res.stats["cancelled_tasks"] == [2] and res.stats["unannotated_tasks"] == [3]
    res = load_export(path, use_predictions=True)
    assert {ex["doc_id"] for ex in res.examples} == {"a", "c"}
    assert res.stats["from_predictions"] == [3] and res.stats["cancelled_tasks"] == [2]
    from_pred = [ex for ex in res.examples if ex["doc_id"] == "c"]
    assert from_pred[0]["annotator"] == "prediction:test-model"
    assert spans_of(from_pred[0]) == [("Hà Nội", "LOC")]


def test_several_annotations_latest_or_one_example_per_annotator(tmp_path):
    old = annotation(TEXT, [find(TEXT, "Hà Nội", "ORG")], who=1, updated="2026-11-01T09:00:00Z", ann_id=1)
    new = annotation(
        TEXT,
        [find(TEXT, "Hà Nội", "LOC")],
        who={"id": 2, "email": "lan@example.org"},
        updated="2026-11-02T09:00:00Z",
        ann_id=2,
    )
    path = write(tmp_path, [task(unit(TEXT), 1, [new, old])])
    res = load_export(path)
    assert spans_of(res.examples[0]) == [("Hà Nội", "LOC")] and res.examples[0]["annotator"] == "lan@example.org"
    assert res.stats["several_annotations"] == [1]
    res = load_export(path, annotations="per-annotator")
    first = {ex["annotator"]: spans_of(ex) for ex in res.examples if ex["sentence_id"] == 0}
    assert first == {"1": [("Hà Nội", "ORG")], "lan@example.org": [("Hà Nội", "LOC")]}
    assert len({ex["id"] for ex in res.examples}) == 4


def test_ground_truth_wins_over_later_annotations_in_dataset_and_corrections(tmp_path, capsys):
    """Label Studio's ground-truth star decides, even against newer annotations; the summary says which rule
    decided how many tasks."""
    truth = annotation(
        TEXT, [find(TEXT, "Hà Nội", "LOC"), find(TEXT, "Huế", "LOC")], who=1, updated="2026-11-01T09:00:00Z", ann_id=1
    )
    truth["ground_truth"] = True
    later = annotation(TEXT, [find(TEXT, "Hà Nội", "ORG")], who=2, updated="2026-11-03T09:00:00Z", ann_id=2)
    older = annotation(TEXT, [find(TEXT, "Huế", "PER")], who=1, updated="2026-11-01T09:00:00Z", ann_id=3)
    newer = annotation(TEXT, [find(TEXT, "Huế", "LOC")], who=2, updated="2026-11-02T09:00:00Z", ann_id=4)
    alone = annotation(TEXT, [], who=1, ann_id=5)
    tasks = [
        task(unit(TEXT, doc_id="gt"), 1, [later, truth], predictions=[find(TEXT, "Hà Nội", "LOC")]),
        task(unit(TEXT, doc_id="late"), 2, [newer, older], predictions=[find(TEXT, "Huế", "LOC")]),
        task(unit(TEXT, doc_id="one"), 3, [alone], predictions=[]),
    ]
    path = write(tmp_path, tasks)
    res = load_export(path)
    got = {ex["doc_id"]: spans_of(ex) for ex in res.examples if ex["sentence_id"] == 0}
    assert got["gt"] == [("Hà Nội", "LOC")]  # the ground truth, not the later ORG
    assert {ex["doc_id"]: spans_of(ex) for ex in res.examples if ex["sentence_id"] == 1}["late"] == [("Huế", "LOC")]
    assert res.stats["chosen_by"] == {"ground_truth": 1, "latest": 1, "only": 1}
    assert main(["dataset", str(path), "-o", str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert (
        "annotation used (ground truth, else the latest): marked ground truth 1, the latest of several 1, "
        "the only one 1" in out
    )
    assert "marked ground truth 1" in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")

    from annotation.corrections import correction_report

    report = correction_report(path)
    assert report["chosen_by"] == {"ground_truth": 1, "latest": 1, "only": 1}
    assert report["per_type"]["LOC"]["kept"] == 2 and report["total"]["kept"] == 2  # GT kept the predicted LOC


def test_the_same_task_imported_twice_is_reported(tmp_path):
    u = unit(TEXT)
    path = write(tmp_path, [task(u, 1, [annotation(TEXT, [])]), task(u, 2, [annotation(TEXT, [])])])
    res = load_export(path, lenient=True)
    assert {(i.task_id, i.reason) for i in res.issues} == {(2, "duplicate")}
    assert len(res.examples) == 2


def test_foreign_nfd_task_maps_spans_into_the_nfc_text(tmp_path):
    raw = unicodedata.normalize("NFD", "Bà Lê Thị Hoa sống ở Đà Nẵng.\r\nHôm nay trời đẹp.")
    spans = [
        find(raw, unicodedata.normalize("NFD", "Lê Thị Hoa"), "PER"),
        find(raw, unicodedata.normalize("NFD", "Đà Nẵng"), "LOC"),
    ]
    ann = annotation(raw, spans)
    res = load_export(write(tmp_path, [foreign_task(raw, 9, [ann])]))
    assert [ex["text"] for ex in res.examples] == ["Bà Lê Thị Hoa sống ở Đà Nẵng.", "Hôm nay trời đẹp."]
    assert all(unicodedata.is_normalized("NFC", ex["text"]) for ex in res.examples)
    assert spans_of(res.examples[0]) == [("Lê Thị Hoa", "PER"), ("Đà Nẵng", "LOC")]
    assert [(ex["doc_id"], ex["sentence_id"]) for ex in res.examples] == [("task-9", 0), ("task-9", 1)]
    # underthesea segmented the raw text: multi-syllable words exist
    assert any("_" in tok for ex in res.examples for tok in ex["tokens"])


def test_a_task_whose_text_nfc_cannot_map_is_listed_with_its_id_and_the_rest_is_kept(tmp_path):
    good = "Bà Lê Thị Hoa sống ở Đà Nẵng."
    jamo = "Ông Kim ở \u1100\u1161 Seoul."  # Hangul jamo compose across characters: offsets cannot follow
    tasks = [
        foreign_task(good, 1, [annotation(good, [find(good, "Đà Nẵng", "LOC")])]),
        foreign_task(jamo, 2, [annotation(jamo, [find(jamo, "Kim", "PER")])]),
    ]
    path = write(tmp_path, tasks)
    with pytest.raises(VnerError, match="task 2"):
        load_export(path)
    res = load_export(path, lenient=True)
    assert [(i.task_id, i.reason) for i in res.issues] == [(2, "text_unreadable")]
    assert [ex["text"] for ex in res.examples] == [good]


def test_foreign_presegmented_task_keeps_whitespace_words(tmp_path):
    text = "Chủ_tịch nước Võ_Văn_Thưởng gặp kiều_bào tại Nhật_Bản ."
    ann = annotation(text, [find(text, "Võ_Văn_Thưởng", "PER"), find(text, "Nhật_Bản", "LOC")])
    ex = load_export(write(tmp_path, [foreign_task(text, 1, [ann], doc_id="vb")])).examples[0]
    assert ex["tokens"] == text.split() and ex["doc_id"] == "vb"
    assert spans_of(ex) == [("Võ_Văn_Thưởng", "PER"), ("Nhật_Bản", "LOC")]


def test_foreign_task_with_a_fake_segmenter(tmp_path):
    text = "Hà Nội đẹp."
    ann = annotation(text, [find(text, "Hà Nội", "LOC")])
    res = load_export(write(tmp_path, [foreign_task(text, 1, [ann])]), segmenter=lambda t: [[w] for w in t.split()])
    assert res.examples[0]["tokens"] == ["Hà", "Nội", "đẹp."]


# ------------------------------------------------------------------------------------------ bad input (CLI)


def run_cli(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err.strip()
    return code, err


def one_task_export(tmp_path, **changes):
    t = task(unit(TEXT), 1, [annotation(TEXT, [find(TEXT, "Huế", "LOC")])])
    t.update(changes)
    return t


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"\x00\x01\x02[]", "binary file"),
        ('[{"data": {"text": "Hà Nội"}}]'.encode("cp1258", errors="replace").replace(b"H", b"\xff"), "not UTF-8"),
        (b'[{"data": {"text": "x"},\n  "annotations": [}]', "invalid JSON at line 2, column"),
        (b'{"tasks": []}', "a JSON object, not a Label Studio export"),
        (b"[]", "holds no tasks"),
        (b"[1, 2, 3]", "item 0 is not a Label Studio task"),
        (b'[{"text": "x", "label": [], "annotator": 1}]', "JSON-MIN export"),
        (b'[{"data": {"image": "x.png"}}]', "has no `data.text`"),
        (b'[{"id": 5, "data": {"text": "x"}, "annotations": []}]', "use-predictions"),
    ],
)
def test_bad_files_get_one_line_errors(tmp_path, capsys, content, message):
    path = tmp_path / "export.json"
    if content is not None:
        path.write_bytes(content)
    code, err = run_cli(capsys, "dataset", str(path), "-o", str(tmp_path / "out"))
    assert code == 2
    assert message in err and str(path) in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_export_from_another_labeling_config_is_refused_even_when_lenient(tmp_path, capsys):
    t = one_task_export(tmp_path)
    t["annotations"][0]["result"][0]["from_name"] = "ner"
    path = write(tmp_path, [t])
    code, err = run_cli(capsys, "dataset", str(path), "-o", str(tmp_path / "out"), "--lenient")
    assert code == 2 and "different labeling config" in err and "vner config" in err


def test_choices_result_is_another_labeling_config(tmp_path):
    t = one_task_export(tmp_path)
    t["annotations"][0]["result"].append(
        {"type": "choices", "from_name": "sentiment", "to_name": "text", "value": {"choices": ["pos"]}}
    )
    with pytest.raises(VnerError, match="'choices' result"):
        load_export(write(tmp_path, [t]))


def test_prediction_ids_only_say_how_to_reexport(tmp_path, capsys):
    t = task(unit(TEXT), 1, [])
    t["predictions"] = [11, 12]
    path = write(tmp_path, [t])
    code, err = run_cli(capsys, "dataset", str(path), "-o", str(tmp_path / "out"), "--use-predictions")
    assert code == 2 and "ids only" in err and "only_id" in err


def test_lenient_cli_writes_the_issue_report(tmp_path, capsys):
    t = one_task_export(tmp_path)
    t["annotations"][0]["result"][0]["value"]["labels"] = ["MISC"]
    path = write(
        tmp_path,
        [
            t,
            task(unit(TEXT, doc_id="b"), 2, [annotation(TEXT, [])]),
            task(unit(TEXT, doc_id="c"), 3, [annotation(TEXT, [])]),
        ],
    )
    code, err = run_cli(capsys, "dataset", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and "unknown_label" not in err and "MISC" in err and "--lenient" in err
    assert main(["dataset", str(path), "-o", str(tmp_path / "out"), "--lenient"]) == 0
    lines = (tmp_path / "out" / "issues.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["reason"] for line in lines] == ["unknown_label"]
    assert json.loads(lines[0])["task_id"] == 1


def test_repeated_text_in_a_document_is_kept_once_and_counted(tmp_path):
    """Web pages repeat captions and headlines: the dataset keeps one example per text of a document, the
    copy a person corrected, and lists the others (not as duplicates or errors)."""
    caption = "Ảnh: TTXVN tại Hà Nội."
    first, again, other_doc = unit(caption, index=1, first=1), unit(caption, index=5, first=9), unit(caption, "doc2")
    spans = [find(caption, "TTXVN", "ORG"), find(caption, "Hà Nội", "LOC")]
    tasks = [
        task(first, 1, predictions=spans[:1]),  # not corrected: only its prediction
        task(again, 2, [annotation(caption, spans)]),
        task(other_doc, 3, [annotation(caption, spans)]),
    ]
    res = load_export(write(tmp_path, tasks), use_predictions=True)
    assert [(ex["doc_id"], ex["sentence_id"]) for ex in res.examples] == [("doc", 9), ("doc2", 0)]
    assert spans_of(res.examples[0]) == [("TTXVN", "ORG"), ("Hà Nội", "LOC")]  # the corrected copy
    assert res.issues == []
    assert res.stats["repeated_sentences"] == [
        {
            "task_id": 1,
            "doc_id": "doc",
            "sentence_id": 1,
            "same_as": 9,
            "annotator": "prediction:test-model",
            "kept": False,
            "same_labels": False,
        }
    ]


def test_copies_people_labelled_differently_are_all_kept_and_listed(tmp_path, capsys):
    caption = "Ảnh: TTXVN tại Hà Nội."
    copies = [unit(caption, index=k, first=k) for k in range(3)]
    org, loc = find(caption, "TTXVN", "ORG"), find(caption, "Hà Nội", "LOC")
    tasks = [
        task(copies[0], 1, [annotation(caption, [org, loc])]),
        task(copies[1], 2, [annotation(caption, [org])]),  # this copy misses the LOC
        task(copies[2], 3, [annotation(caption, [org, loc])]),
    ]
    path = write(tmp_path, tasks)
    res = load_export(path)
    assert [ex["sentence_id"] for ex in res.examples] == [0, 1]
    assert [(r["sentence_id"], r["same_as"], r["kept"], r["same_labels"]) for r in res.stats["repeated_sentences"]] == [
        (1, 0, True, False),
        (2, 0, False, True),
    ]
    assert main(["dataset", str(path), "-o", str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert "1 repeated sentences kept once" in out
    assert "1 repeated sentences labelled differently by people, all kept, worth a look: doc:1" in out


def test_the_gold_seeds_keep_each_repeated_caption_once(tmp_path, capsys):
    from pathlib import Path

    gold = Path(__file__).resolve().parent.parent / "annotation" / "gold" / "seeds_export.json"
    res = load_export(gold)
    texts = [(ex["doc_id"], ex["text"]) for ex in res.examples]
    assert len(texts) == len(set(texts)) == 129 and res.issues == []
    assert len(res.stats["repeated_sentences"]) == 10 and all(r["same_labels"] for r in res.stats["repeated_sentences"])
    assert main(["dataset", str(gold), "-o", str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert "sentences: 10 repeated sentences kept once" in out
    assert "10 repeated sentences kept once" in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")


def test_dataset_summary_counts_whitespace_trims(tmp_path, capsys):
    sp = find(TEXT, "Võ Văn Thưởng ", "PER")  # a sloppy drag keeps the space after the name
    path = vner_export(tmp_path, [Span(sp.start, sp.end, "PER")])
    assert main(["dataset", str(path), "-o", str(tmp_path / "ds")]) == 0
    assert "spans: 1 trimmed of surrounding whitespace" in capsys.readouterr().out
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "1 spans trimmed of surrounding whitespace" in card


def test_every_sentence_left_out_is_counted_in_the_stats_card_and_summary(tmp_path, capsys):
    """Sentences a region spoils, sentences of tasks left out whole (their count read from the task when its text
    is unreadable), a sentence lost to a span that covers no word and another document's sentence under a taken id
    are all counted; a task whose sentences cannot be counted is named."""
    misc = annotation(TEXT, [find(TEXT, "Hà Nội", "LOC"), find(TEXT, "Huế", "LOC")])
    misc["result"][0]["value"]["labels"] = ["MISC"]  # spoils sentence 0 of 2
    mismatch = annotation(TEXT, [find(TEXT, "Huế", "LOC")])
    mismatch["result"][0]["value"]["text"] = "Vinh"  # the task is left out whole: 2 sentences
    changed = task(unit(TEXT, doc_id="c"), 3, [annotation(TEXT, [])])
    changed["data"]["text"] = TEXT.replace("Huế", "Vinh")  # text_changed: the 2 sentences vner wrote
    full = unit(TEXT, doc_id="d")  # its sentences, but no word for "Huế.": a span there covers no word
    no_word = replace(full, word_spans=tuple(w for w in full.word_spans if "Huế" not in TEXT[w[0] : w[1]]))
    jamo = "Ông Kim ở \u1100\u1161 Seoul."  # text_unreadable: sentences unknown
    other = "Bà Lê Thị Hoa sống ở Đà Nẵng. Sau đó bà về Huế."  # same doc and sentence ids as task 1, other text
    tasks = [
        task(unit(TEXT, doc_id="a"), 1, [misc]),
        task(unit(TEXT, doc_id="b"), 2, [mismatch]),
        changed,
        task(no_word, 4, [annotation(TEXT, [find(TEXT, "Huế", "LOC")])]),  # sentence 1: span on no word
        foreign_task(jamo, 5, [annotation(jamo, [find(jamo, "Kim", "PER")])]),
        task(unit(other, doc_id="a"), 6, [annotation(other, [])]),
        task(unit(TEXT, doc_id="e"), 7, [annotation(TEXT, [])]),
    ]
    path = write(tmp_path, tasks)
    res = load_export(path, lenient=True)
    assert [(i.task_id, i.reason) for i in res.issues] == [
        (1, "unknown_label"),
        (2, "text_mismatch"),
        (3, "text_changed"),
        (4, "no_words"),
        (5, "text_unreadable"),
        (6, "duplicate"),  # a:1 (task 1's a:0 was left out, so task 6's is kept)
    ]
    assert res.stats["dropped_sentences"] == 1 + 2 + 2 + 1 + 1
    assert res.stats["dropped_unknown_tasks"] == [{"file": str(path), "task_id": 5}]
    assert len(res.examples) == 6 * 2 - 7  # the tasks other than task 5 hold 2 sentences each
    assert main(["dataset", str(path), "-o", str(tmp_path / "ds"), "--lenient"]) == 0
    out = capsys.readouterr().out
    assert "7 sentences and task 5 (sentences unknown) left out because of them" in out
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "- 7 sentences and task 5 (sentences unknown) left out because of the problems below" in card
