"""What annotators get as tasks: long paragraphs cut between sentences (never inside a span), repeated
paragraphs pushed once, and nothing lost on the way to the dataset."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.export import TaskText, load_export, read_export, read_task, task_examples
from annotation.preannotate import make_preannotator, preannotate_documents
from annotation.regions import parse_regions
from annotation.spans import Span
from annotation.tasks import write_tasks
from annotation.text import document_name, load_documents
from annotation.unit import MAX_TASK_CHARS, Unit, repeated, task_key, units_at
from vner.cli import main

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "annotation" / "gold" / "seeds_export.json"


@pytest.fixture(scope="module")
def seeds():
    return load_documents([REPO / "seeds"])


@pytest.fixture(scope="module")
def annotators():
    return [make_preannotator("rules"), make_preannotator("dates")]


def sentence_view(units):
    """Every sentence as the dataset sees it: document-level id, text, words."""
    return [(s.doc_id, s.index, s.text, s.word_spans) for u in units for s in u.sentences()]


def test_long_seed_paragraphs_arrive_as_several_tasks_of_readable_size(seeds, annotators):
    tasks, stats = preannotate_documents(seeds, annotators)
    per_doc = Counter(document_name(t["data"]["doc_id"]) for t in tasks)
    assert per_doc["000_0b6129e26ca133c0"] >= 4 and per_doc["001_18e3242f10aed1ec"] >= 2  # 4,208 and 2,218 chars
    assert max(len(t["data"]["text"]) for t in tasks) <= MAX_TASK_CHARS
    # (doc_id, unit, part) names each task once; task_keys are unique and decode back to the same unit
    names = [(t["data"]["doc_id"], t["data"]["unit"], t["data"].get("part")) for t in tasks]
    assert len(set(names)) == len(names) and len({t["data"]["task_key"] for t in tasks}) == len(tasks)
    units = [Unit.from_task_data(t["data"]) for t in tasks]
    assert [u.to_task_data() for u in units] == [t["data"] for t in tasks]
    # nothing lost: the pieces hold every sentence (ids, texts, words) of the paragraphs they were cut from
    kept = [p for d in seeds for p in d.paragraphs if p.index not in repeated(d.paragraphs)]
    assert sentence_view(units) == sentence_view(kept)
    assert {(document_name(d), u): n for (d, u), n in stats.cut.items()} == {
        ("000_0b6129e26ca133c0", 0): per_doc["000_0b6129e26ca133c0"],
        ("001_18e3242f10aed1ec", 0): per_doc["001_18e3242f10aed1ec"],
    }
    # raw text: each piece is still a verbatim slice of the document at its source_offset
    for u in units:
        if u.source_offset is not None:
            doc = next(d for d in seeds if d.doc_id == u.doc_id)
            assert doc.text[u.source_offset : u.source_offset + len(u.text)] == u.text


def test_cutting_is_stable_and_whole_units_keep_their_task_keys(seeds):
    doc = seeds[0]
    first, again = units_at(doc.paragraphs, max_chars=1000), units_at(doc.paragraphs, max_chars=1000)
    assert [u.task_key for u in first] == [u.task_key for u in again]
    assert [u.part for u in first] == list(range(len(first)))
    assert all(u.task_key.startswith(f"{doc.doc_id}:0.{u.part}:") for u in first)
    short = seeds[2].paragraphs[1]
    assert units_at([short], max_chars=1000) == [short]  # fits: untouched, key as before cutting existed
    assert short.task_key == task_key(short.doc_id, short.index, short.text)


def test_repeated_paragraphs_are_made_into_one_task_and_reported(seeds, annotators):
    tasks, stats = preannotate_documents(seeds, annotators, max_chars=None)
    texts = Counter((t["data"]["doc_id"], t["data"]["text"]) for t in tasks)
    assert max(texts.values()) == 1
    # the captions and headlines the seed pages repeat: 8 texts, 9 extra copies
    assert len(stats.repeats) == 9 and len({(d, f) for d, _, f in stats.repeats}) == 8
    assert "9 repeated paragraphs pushed once" in stats.summary()
    everything, stats_all = preannotate_documents(seeds, annotators, max_chars=None, drop_repeats=False)
    assert len(everything) == len(tasks) + 9 and stats_all.repeats == []


def test_sentence_ids_agree_across_granularities_when_a_document_repeats_a_paragraph(seeds):
    """A whole document is one task as written (repeats included), so its sentence ids are those of the
    paragraph and sentence tasks: the same document pushed at two granularities is the same text to the dataset."""
    doc = next(d for d in seeds if repeated(d.paragraphs))
    ids = {}
    for granularity in ("paragraph", "sentence", "document"):
        units = units_at(doc.paragraphs, granularity, drop_repeats=True)
        ids[granularity] = {(s.index, s.text) for u in units for s in u.sentences()}
    assert ids["paragraph"] == ids["sentence"] and ids["paragraph"] < ids["document"]
    assert ids["document"] == {(s.index, s.text) for p in doc.paragraphs for s in p.sentences()}


def test_preannotate_cli_reports_cuts_and_repeats_and_takes_the_limit(tmp_path, capsys):
    seed = REPO / "seeds" / "001_18e3242f10aed1ec.txt"
    assert main(["preannotate", str(seed), "-o", str(tmp_path / "t.json"), "--max-task-chars", "500"]) == 0
    out = capsys.readouterr().out
    tasks = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert len(tasks) >= 5 and f"1 long paragraphs cut into {len(tasks)} tasks" in out
    assert main(["preannotate", str(seed), "-o", str(tmp_path / "u.json"), "--max-task-chars", "0"]) == 0
    assert len(json.loads((tmp_path / "u.json").read_text(encoding="utf-8"))) == 1
    assert main(["preannotate", str(seed), "-o", str(tmp_path / "v.json"), "--max-task-chars", "-1"]) == 2
    assert "--max-task-chars -1" in capsys.readouterr().err


def test_dataset_from_cut_tasks_equals_the_dataset_from_whole_paragraphs(seeds, annotators, tmp_path):
    cut, _ = preannotate_documents(seeds, annotators)
    whole, _ = preannotate_documents(seeds, annotators, max_chars=None)
    a = load_export(write_tasks(cut, tmp_path / "cut.json"), use_predictions=True)
    b = load_export(write_tasks(whole, tmp_path / "whole.json"), use_predictions=True)
    assert len(cut) > len(whole) and a.issues == b.issues == []
    assert a.examples == b.examples and len(a.examples) > 100


def test_gold_annotations_cut_anywhere_give_the_same_examples(tmp_path):
    """The gold seeds (human spans) cut at a small limit with the spans kept together: every span lies in one
    piece, and the pieces give exactly the examples of the whole task."""
    for task in read_export(GOLD):
        tt = read_task(task)
        regions = tt.regions(task["annotations"][0]["result"])
        whole = task_examples(tt, regions, "gold")
        pieces = tt.unit.cut(150, keep_together=regions.spans)
        got, placed = [], 0
        for piece in pieces:
            start = 0 if piece.source_offset is None else piece.source_offset - tt.unit.source_offset
            if piece.source_offset is None:  # pre-segmented: find the piece by its first sentence
                start = tt.unit.sentence_spans[piece.first_sentence - tt.unit.first_sentence][0]
            assert tt.unit.text[start : start + len(piece.text)] == piece.text
            end = start + len(piece.text)
            inside = [sp.shifted(-start) for sp in regions.spans if start <= sp.start and sp.end <= end]
            placed += len(inside)
            results = [
                {
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": s.start, "end": s.end, "labels": [s.label]},
                }
                for s in inside
            ]
            got += task_examples(TaskText(None, piece, piece.text), parse_regions(results, piece.text), "gold").examples
        assert placed == len(regions.spans)  # every span inside exactly one piece
        assert got == whole.examples


def test_a_span_across_a_sentence_boundary_holds_its_sentences_in_one_piece():
    from annotation.text import whitespace_words
    from tests.exports import find

    text = "Hôm nay trời đẹp. Ông Nguyễn Văn A. Bình đến Hà Nội. Sau đó ông về Huế. Trời mưa to."
    # the sentence splitter (a heuristic) cut after "A.": the annotator's name crosses that boundary
    ends = [text.index(e) + len(e) for e in ("đẹp.", "Văn A.", "Hà Nội.", "Huế.", "to.")]
    sents = tuple(zip([0] + [e + 1 for e in ends[:-1]], ends))
    u = Unit("doc", 0, 4, text, sents, tuple(whitespace_words(text)), "test")
    name = find(text, "Nguyễn Văn A. Bình", "PER")
    assert any(p.text.endswith("Nguyễn Văn A.") for p in u.cut(20))
    held = u.cut(20, keep_together=[name])
    assert any("Nguyễn Văn A. Bình đến Hà Nội." in p.text for p in held)
    assert sentence_view(held) == sentence_view([u]) and [p.first_sentence for p in held] == [4, 5, 7, 8]


def test_a_sentence_longer_than_the_limit_is_a_task_of_its_own():
    text = "Một câu ngắn. " + "Câu này rất dài " * 20 + "thật. Câu cuối."
    words = tuple((m, m + len(w)) for m, w in _words(text))
    sents = ((0, 13), (14, text.index("Câu cuối") - 1), (text.index("Câu cuối"), len(text)))
    u = Unit("d", 3, 10, text, sents, words)
    pieces = u.cut(60)
    assert [p.text for p in pieces] == [text[a:b] for a, b in sents]
    assert [p.first_sentence for p in pieces] == [10, 11, 12] and [p.index for p in pieces] == [3, 3, 3]


def _words(text):
    pos = 0
    for w in text.split():
        pos = text.index(w, pos)
        yield pos, w
        pos += len(w)


@st.composite
def units_and_spans(draw):
    n = draw(st.integers(1, 12))
    lengths = draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))
    text, sents, words = "", [], []
    for k, length in enumerate(lengths):
        if k:
            text += " "
        start = len(text)
        text += "x" * (length - 1) + "."
        sents.append((start, len(text)))
        words.append((start, len(text)))
    unit = Unit("d", 0, 5, text, tuple(sents), tuple(words), "test", 100)
    keep = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        keep.append(Span(a, b, "PER"))
    return unit, keep, draw(st.integers(1, 120))


@settings(max_examples=300, deadline=None)
@given(units_and_spans())
def test_cut_properties(case):
    unit, keep, limit = case
    pieces = unit.cut(limit, keep_together=keep)
    # every sentence once, in order, with its document-level index; verbatim slices at their source_offset
    assert sentence_view(pieces) == sentence_view([unit])
    for p in pieces:
        start = p.source_offset - 100
        assert unit.text[start : start + len(p.text)] == p.text
        # never inside a kept span
        assert not any(sp.start < start < sp.end for sp in keep)
        # within the limit, unless the piece cannot be cut further (one sentence, or held together)
        if len(p.text) > limit and len(p.sentence_spans) > 1:
            cuts = [start + s for s, _ in p.sentence_spans[1:]]
            assert all(any(sp.start < c < sp.end for sp in keep) for c in cuts)
    if len(pieces) > 1:
        assert [p.part for p in pieces] == list(range(len(pieces)))
    else:
        assert pieces == [unit]
    # the fewest pieces: as many as a greedy cut (longest piece first) makes
    starts = [s for s, _ in unit.sentence_spans]
    allowed = [i for i in range(1, len(starts)) if not any(sp.start < starts[i] < sp.end for sp in keep)]
    greedy, begin = 1, 0
    for k, i in enumerate(allowed):
        nxt = allowed[k + 1] if k + 1 < len(allowed) else len(starts)
        end = starts[nxt] - 1 if nxt < len(starts) else len(unit.text)
        if end - begin > limit:  # the piece cannot reach the next boundary: cut here
            greedy, begin = greedy + 1, starts[i]
    assert len(pieces) == (greedy if len(unit.text) > limit else 1)
