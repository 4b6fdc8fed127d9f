"""Combining pre-annotators, gazetteers, the CRF alignment, task JSON and the `vner preannotate`/`config` CLI."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from annotation.errors import VnerError
from annotation.preannotate import PRECEDENCE, Preannotator, combine, make_preannotator, preannotate_documents
from annotation.preannotate.crf import align_tagged_tokens
from annotation.preannotate.gazetteer import Gazetteer, read_entries
from annotation.schema import ENTITY_TYPES
from annotation.spans import Span, check_spans
from annotation.text import Sentence, document_name, load_documents, whitespace_words
from vner.cli import main

ROOT = Path(__file__).resolve().parents[1]


def sent(text: str, index: int = 0) -> Sentence:
    return Sentence("t", index, text, tuple(whitespace_words(text)))


class Fixed:
    """A pre-annotator that proposes given spans (stands in for a model in precedence tests)."""

    def __init__(self, name, spans):
        self.name, self.version, self.spans = name, "0", spans

    def annotate(self, sentences):
        return [list(self.spans) for _ in sentences]


def test_builtins_follow_the_protocol():
    for spec in ("rules", "dates"):
        ann = make_preannotator(spec)
        assert isinstance(ann, Preannotator) and ann.name == spec and ann.version
    with pytest.raises(VnerError, match="unknown pre-annotator"):
        make_preannotator("regex")
    with pytest.raises(VnerError, match="gazetteer:PATH"):
        make_preannotator("gazetteer")


def test_combine_precedence_then_length_and_no_overlaps():
    s = sent("Công ty Hoa Sen Việt Nam khai trương ngày 2/9 ở Đà Nẵng.")
    start = s.text.index("Hoa Sen")
    model = Fixed("model", [Span(start, start + len("Hoa Sen Việt Nam"), "ORG", 0.9, "model")])
    crf = Fixed("crf", [Span(0, len("Công ty Hoa Sen Việt Nam khai"), "LOC", 0.5, "crf")])
    out = combine([make_preannotator("rules"), make_preannotator("dates"), model, crf], [s])[0]
    check_spans(s.text, out)
    got = {(s.text[sp.start : sp.end], sp.label, sp.source.split(":")[0]) for sp in out}
    assert ("Hoa Sen Việt Nam", "ORG", "model") in got  # model beats the rules' overlapping, longer ORG
    assert ("ngày 2/9", "DATE", "dates") in got
    assert ("Đà Nẵng", "LOC", "rules") in got
    assert not any(src == "crf" for *_, src in got)  # the CRF only fills gaps
    assert PRECEDENCE["gazetteer"] < PRECEDENCE["model"] < PRECEDENCE["dates"] < PRECEDENCE["rules"] < PRECEDENCE["crf"]


def test_gazetteer_matches_whole_syllables_and_wins(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("# my names\nORG\tHoa Sen\nLOC\tPhố Hiến\n\n", encoding="utf-8")
    assert read_entries(path) == [("ORG", "Hoa Sen"), ("LOC", "Phố Hiến")]
    s = sent("Hoa Sen mở chi nhánh ở Phố Hiến, không phải Hoa Senior.")
    out = combine([make_preannotator("rules"), make_preannotator(f"gazetteer:{path}")], [s])[0]
    got = [(s.text[sp.start : sp.end], sp.label, sp.source) for sp in out]
    assert ("Hoa Sen", "ORG", "gazetteer") in got and ("Phố Hiến", "LOC", "gazetteer") in got
    assert len([g for g in got if g[0] == "Hoa Sen"]) == 1  # `Hoa Senior` is not a match


@pytest.mark.parametrize(
    "line, message",
    [("ORG Hoa Sen", "LABEL<TAB>name"), ("COMPANY\tHoa Sen", "not one of"), ("ORG\t", "LABEL<TAB>name")],
)
def test_bad_gazetteer_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.tsv"
    path.write_text(f"LOC\tHuế\n{line}\n", encoding="utf-8")
    with pytest.raises(VnerError, match=rf"bad.tsv:2: .*{message}"):
        Gazetteer(path)


def test_crf_tokens_are_aligned_by_nonspace_characters():
    text = "Ông Lê  Văn Tám đến  Hà Nội."
    tagged = [("Ông", "O"), ("Lê Văn Tám", "B-PER"), ("đến", "O"), ("Hà Nội", "B-LOC"), (".", "O")]
    spans = align_tagged_tokens(text, tagged)
    assert [(text[s.start : s.end], s.label) for s in spans] == [("Lê  Văn Tám", "PER"), ("Hà Nội", "LOC")]
    assert align_tagged_tokens(text, [("Ông", "B-MISC"), ("Lê", "I-MISC")]) is None  # characters lost: no guess
    misc = align_tagged_tokens("Ông Tết", [("Ông", "O"), ("Tết", "B-MISC")])
    assert misc == []  # MISC dropped


def test_crf_spans_lose_the_punctuation_underthesea_tags_with_a_name():
    # underthesea tags `(` as B-LOC before an acronym and keeps a sentence-final period in the name
    text = "Cục Dự trữ Liên bang Mỹ (Fed) tăng lãi suất ở Mỹ."
    tagged = [
        ("Cục", "O"),
        ("Dự trữ", "O"),
        ("Liên bang", "O"),
        ("Mỹ", "B-LOC"),
        ("(", "B-ORG"),
        ("Fed", "I-ORG"),
        (")", "O"),
        ("tăng", "O"),
        ("lãi suất", "O"),
        ("ở", "O"),
        ("Mỹ", "B-LOC"),
        (".", "I-LOC"),
    ]
    spans = align_tagged_tokens(text, tagged)
    assert [(text[s.start : s.end], s.label) for s in spans] == [("Mỹ", "LOC"), ("Fed", "ORG"), ("Mỹ", "LOC")]
    whole = "Liên hợp quốc (UN) họp"
    spans = align_tagged_tokens(
        whole, [("Liên hợp quốc", "B-ORG"), ("(", "I-ORG"), ("UN", "I-ORG"), (")", "I-ORG"), ("họp", "O")]
    )
    assert [whole[s.start : s.end] for s in spans] == ["Liên hợp quốc (UN)"]  # a bracket the span closes stays


def test_tasks_carry_one_prediction_with_scored_regions(tmp_path):
    f = tmp_path / "doc.txt"
    f.write_text(
        "Thủ_tướng Phạm_Minh_Chính thăm Hàn_Quốc ngày 1/7 . Ông gặp Tổng_thống Yoon_Suk-yeol .\n"
        "Bộ Ngoại giao Hàn Quốc cho biết hai nước ký 10 văn kiện .\n",
        encoding="utf-8",
    )
    docs = load_documents([f])
    anns = [make_preannotator("rules"), make_preannotator("dates")]
    for granularity, n_tasks in (("paragraph", 2), ("sentence", 3), ("document", 1)):
        tasks, stats = preannotate_documents(docs, anns, granularity)
        assert len(tasks) == n_tasks == stats.tasks and stats.sentences == 3
        all_regions = []
        for task in tasks:
            (pred,) = task["predictions"]
            assert pred["model_version"] == "vner:rules@1.1+dates@1.1"
            assert 0 < pred["score"] <= 1
            text = task["data"]["text"]
            for r in pred["result"]:
                assert (r["from_name"], r["to_name"], r["type"]) == ("label", "text", "labels")
                v = r["value"]
                assert text[v["start"] : v["end"]] == v["text"] and v["labels"][0] in ENTITY_TYPES
                assert 0 < r["score"] <= 1
                all_regions.append((v["text"], v["labels"][0]))
            check_spans(
                text, [Span(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in pred["result"]]
            )
        assert sorted(all_regions) == sorted(
            [
                ("Phạm Minh Chính", "PER"),
                ("Hàn Quốc", "LOC"),
                ("ngày 1/7", "DATE"),
                ("Yoon Suk-yeol", "PER"),
                ("Bộ Ngoại giao Hàn Quốc", "ORG"),
            ]
        )
        assert sum(stats.spans.values()) == 5


def test_cli_preannotate_seeds_and_config(tmp_path, capsys):
    out = tmp_path / "tasks.json"
    assert main(["preannotate", str(ROOT / "seeds"), "-o", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "5 docs" in summary and "sentences/s" in summary
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert {document_name(t["data"]["doc_id"]) for t in tasks} == {p.stem for p in (ROOT / "seeds").glob("*.txt")}
    labels = {r["value"]["labels"][0] for t in tasks for r in t["predictions"][0]["result"]}
    assert labels == set(ENTITY_TYPES)
    cfg = tmp_path / "labeling_config.xml"
    assert main(["config", "-o", str(cfg)]) == 0
    root = ET.fromstring(cfg.read_text(encoding="utf-8"))
    assert {el.get("value") for el in root.iter("Label")} == set(ENTITY_TYPES)


def test_cli_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "g.tsv"
    bad.write_text("PLACE\tHuế\n", encoding="utf-8")
    assert main(["preannotate", str(ROOT / "seeds"), "-o", str(tmp_path / "t.json"), "--gazetteer", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "g.tsv:1" in err and "\n" not in err


def test_a_bad_span_from_an_annotator_is_an_error_naming_it():
    s = sent("Hà Nội mưa to.")
    with pytest.raises(VnerError, match=r"sentence 0: model proposed a bad span: label 'MISC'"):
        combine([Fixed("model", [Span(0, 6, "MISC", 0.9)])], [s])


def test_inputs_and_options_that_would_give_nothing_are_errors_that_write_nothing(tmp_path, capsys):
    import vner

    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "a.txt").write_text("\n\n", encoding="utf-8")
    (blank / "b.txt").write_text("", encoding="utf-8")
    out = tmp_path / "tasks.json"
    assert main(["preannotate", str(blank), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no text to pre-annotate" in err and "a.txt" in err and not out.exists()
    seed = Path(__file__).resolve().parent.parent / "seeds" / "004_2f98598ef3a3d3ec.txt"
    # a model mode is checked even when no model is named (it would silently do nothing)
    assert main(["preannotate", str(seed), "--annotators", "rules", "--model-mode", "bogus", "-o", str(out)]) == 2
    assert "unknown model mode 'bogus'" in capsys.readouterr().err and not out.exists()
    docs = load_documents([seed])
    with pytest.raises(VnerError, match="no pre-annotator"):
        vner.preannotate(docs, [])
    with pytest.raises(VnerError, match="task size limit -5"):
        vner.preannotate(docs, "rules", max_chars=-5)


def test_the_summary_names_what_was_cut(tmp_path):
    seed = Path(__file__).resolve().parent.parent / "seeds" / "000_0b6129e26ca133c0.txt"
    docs = load_documents([seed])
    rules = [make_preannotator("rules")]
    _, by_paragraph = preannotate_documents(docs, rules, "paragraph", max_chars=1000)
    _, by_document = preannotate_documents(docs, rules, "document", max_chars=1000)
    assert "long paragraphs cut into" in by_paragraph.summary()
    assert "1 long documents cut into" in by_document.summary()


@pytest.mark.parametrize(
    "text",
    ["Tôi gặp Đoàn", "anh Đoàn", "Đoàn", "Bộ", "Xin chào Sở", "Ảnh: Bộ", "Tôi gặp Inrupt, một", "ông Tây Sơn"],
)
def test_a_sentence_ending_on_a_head_or_a_title_is_tagged_without_error(text):
    """Headlines, captions and list items end without a full stop, on a word that makes the rules look one on."""
    spans = combine(
        [make_preannotator("rules"), make_preannotator("dates")],
        [Sentence("d", 0, text, tuple(whitespace_words(text)))],
    )
    check_spans(text, spans[0])


def test_long_lines_of_names_or_numbers_are_tagged():
    """A scraped menu of title-case heads, a line of thousands of years and weekdays: valid spans. (These took from
    seconds to minutes when rules and dates rescanned the line for every candidate; the suite's timeout is the only
    clock here: timed assertions do not belong in tests. The speed is in benchmarks/.)"""
    rules, dates = make_preannotator("rules"), make_preannotator("dates")
    menu = " ".join(["Bộ Tài Chính Bộ Công An Sở Y Tế Viện Khoa Học"] * 200)
    years = " ".join(["1975"] * 4000) + " " + " ".join(["thứ Hai"] * 2000 + ["27/11"] * 2000)
    for text in (menu, years):
        sent = Sentence("d", 0, text, tuple(whitespace_words(text)))
        check_spans(text, combine([rules, dates], [sent])[0])


def test_gazetteer_lines_are_numbered_as_written_and_names_need_a_letter(tmp_path):
    bad = tmp_path / "g.tsv"
    bad.write_text("PER\tA\x0cB\nLOC\tX\tY\n", encoding="utf-8")
    with pytest.raises(VnerError, match=r"g\.tsv:2: .*two columns"):
        read_entries(bad)
    bad.write_text("PER\tAn\nLOC\t(\n", encoding="utf-8")
    with pytest.raises(VnerError, match=r"g\.tsv:2: name '\(' has no letters"):
        read_entries(bad)
