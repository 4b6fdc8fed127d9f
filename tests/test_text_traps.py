"""Text that comes in as it is: underscores that are not segmentation, hard-wrapped lines, files of the same name,
empty files, control characters, unwritable outputs, and many documents streamed through the pipeline."""

import json
import textwrap
from pathlib import Path

import pytest

from annotation.errors import VnerError
from annotation.export import load_export
from annotation.outputs import check_output
from annotation.preannotate import make_preannotator, preannotate_documents, preannotate_stream
from annotation.stream import LoadReport, iter_document_parts, iter_documents
from annotation.tasks import write_tasks
from annotation.text import (
    display_from_segmented,
    document_name,
    load_document,
    load_documents,
    paragraph_texts,
    segmentation_evidence,
    word_form,
)
from vner.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = [make_preannotator("rules"), make_preannotator("dates")]


def words_of(unit) -> list[str]:
    return [unit.text[s:e] for s, e in unit.word_spans]


# ------------------------------------------------------------------------------------------ underscores


CONTACT = (
    "Mọi thắc mắc xin gửi về nguyen_van_an@gmail.com hoặc tran_thi_binh@vnexpress.net trước ngày 5/3.\n"
    "Xem thêm tại https://vnexpress.net/thoi_su/bai_viet_123.html và theo dõi #Việt_Nam trên mạng xã hội.\n"
    "Biến so_luong_ton trong tệp cau_hinh được đặt lại.\n"
)


def test_a_raw_file_with_emails_urls_hashtags_and_identifiers_keeps_every_character(tmp_path):
    f = tmp_path / "lien_he.txt"
    f.write_text(CONTACT, encoding="utf-8")
    # the old rule (3 tokens, 3% of tokens holding \w_\w) took this file for a segmented one
    tokens = CONTACT.split()
    assert sum("_" in t for t in tokens) >= 3 and sum("_" in t for t in tokens) / len(tokens) >= 0.03
    doc = load_document(f)
    assert not doc.segmented
    assert [p.text for p in doc.paragraphs] == CONTACT.splitlines()
    for addr in ("nguyen_van_an@gmail.com", "thoi_su/bai_viet_123.html", "#Việt_Nam", "so_luong_ton"):
        assert addr in doc.text and any(addr in p.text for p in doc.paragraphs)
    assert "raw text, segmented by vner" in doc.describe() and "kept as written" in doc.describe()


def test_segmented_files_are_recognised_by_syllables_joined_across_the_file(tmp_path):
    ev = segmentation_evidence((ROOT / "seeds" / "000_0b6129e26ca133c0.txt").read_text(encoding="utf-8"))
    assert ev.segmented and ev.joins > 0.3 * ev.tokens
    assert not segmentation_evidence(CONTACT).segmented
    assert not segmentation_evidence("Chủ tịch nước Võ Văn Thưởng gặp kiều bào, biến snake_case thôi").segmented
    # a segmented file that quotes an e-mail keeps the address as written
    display, spans = display_from_segmented("Liên_hệ với nguyen_van_an@gmail.com hoặc #Việt_Nam .")
    assert display == "Liên hệ với nguyen_van_an@gmail.com hoặc #Việt_Nam."
    assert [word_form(display, s, e) for s, e in spans] == [
        "Liên_hệ",
        "với",
        "nguyen_van_an@gmail.com",
        "hoặc",
        "#Việt_Nam",
        ".",
    ]


def test_preannotate_says_which_mode_each_file_got(tmp_path, capsys):
    (tmp_path / "raw.txt").write_text(CONTACT, encoding="utf-8")
    (tmp_path / "seg.txt").write_text(
        (ROOT / "seeds" / "001_18e3242f10aed1ec.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(["preannotate", str(tmp_path), "-o", str(tmp_path / "t.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'raw.txt'}: raw text")
    assert lines[1].startswith(f"{tmp_path / 'seg.txt'}: pre-segmented (")
    texts = [t["data"]["text"] for t in json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))]
    assert texts[:3] == CONTACT.splitlines()


# ------------------------------------------------------------------------------------------ hard-wrapped text

PARAGRAPHS = [
    "Ngày 7-3, đồng chí Nguyễn Minh Vũ, Thứ trưởng Thường trực Bộ Ngoại giao đã tiếp Thứ trưởng Bộ Ngoại giao "
    "Nhật Bản tại Hà Nội. Hai bên nhất trí tăng cường hợp tác trong nhiều lĩnh vực.",
    "Trước đó, Thủ tướng Phạm Minh Chính đã gặp Đại sứ Nhật Bản tại Việt Nam Yamada Takio để trao đổi về các "
    "dự án hợp tác giữa hai nước trong năm 2024.",
    "Theo Bộ Kế hoạch và Đầu tư, vốn đầu tư của Nhật Bản vào Việt Nam tiếp tục tăng trong quý I/2024 và dự kiến "
    "còn tăng trong những tháng tới.",
]


def wrapped(width: int, sep: str) -> str:
    return sep.join(textwrap.fill(p, width, break_on_hyphens=False) for p in PARAGRAPHS) + "\n"


@pytest.mark.parametrize("width", [40, 60, 79])
def test_hard_wrapped_text_is_joined_back_into_its_paragraphs(width):
    text = wrapped(width, "\n\n")
    lines = text.splitlines()
    mode, pieces, n_lines = paragraph_texts(text)
    assert mode == "wrapped" and n_lines == len([line for line in lines if line.strip()])
    assert [p for p, _ in pieces] == PARAGRAPHS
    assert all(offset is None for _, offset in pieces)  # joined lines are not a slice of the file
    # forced: every line its own paragraph (what web text needs), or the lines between blank lines
    assert paragraph_texts(text, "lines")[0] == "lines" and len(paragraph_texts(text, "lines")[1]) == n_lines
    assert [p for p, _ in paragraph_texts(text, "blank-lines")[1]] == PARAGRAPHS


def test_a_name_broken_across_two_lines_stays_in_one_task_and_one_entity(tmp_path):
    text = wrapped(32, "\n")  # no blank lines: paragraphs end at a line that is not full
    assert text.startswith("Ngày 7-3, đồng chí Nguyễn Minh\nVũ,")  # a name broken across two lines
    f = tmp_path / "wrapped.txt"
    f.write_text(text, encoding="utf-8")
    doc = load_document(f)
    assert doc.paragraph_mode == "wrapped" and [p.text for p in doc.paragraphs] == PARAGRAPHS
    tasks, _ = preannotate_documents([doc], RULES)
    pers = [r["value"]["text"] for t in tasks for r in t["predictions"][0]["result"] if r["value"]["labels"] == ["PER"]]
    assert "Nguyễn Minh Vũ" in pers and "Phạm Minh Chính" in pers
    lines_doc = load_document(f, paragraphs="lines")
    assert len(lines_doc.paragraphs) == len(text.splitlines())
    assert "hard-wrapped, lines joined into paragraphs: 3 paragraphs" in doc.describe()


def test_web_text_with_one_paragraph_per_line_is_not_joined():
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        mode, pieces, n_lines = paragraph_texts(text)
        assert mode == "lines" and len(pieces) == n_lines, seed.name
    # one-line paragraphs keep their offsets into the file's text
    doc = load_document(ROOT / "seeds" / "003_cf1807262fa1f02e.txt")
    assert all(doc.text[p.source_offset : p.source_offset + len(p.text)] == p.text for p in doc.paragraphs)


# ------------------------------------------------------------------------------------------ document ids, files


def test_two_different_files_of_the_same_name_are_two_documents(tmp_path):
    a, b = tmp_path / "batch1", tmp_path / "batch2"
    a.mkdir()
    b.mkdir()
    (a / "001.txt").write_text("Ông Võ Văn Thưởng đến Hà Nội.\n", encoding="utf-8")
    (b / "001.txt").write_text("Bà Trần Thị Bình về Huế.\n", encoding="utf-8")
    docs = load_documents([a, b])
    assert len({d.doc_id for d in docs}) == 2 and {document_name(d.doc_id) for d in docs} == {"001"}
    # two batches pre-annotated apart and imported into one project, annotated, exported: two documents
    tasks = [t for folder in (a, b) for t in preannotate_documents(load_documents([folder]), RULES)[0]]
    for k, t in enumerate(tasks, start=1):
        t["id"] = k
        t["annotations"] = [{"id": k, "completed_by": 1, "result": t["predictions"][0]["result"]}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    res = load_export(path)
    assert res.issues == [] and len({ex["doc_id"] for ex in res.examples}) == 2


def test_the_same_text_twice_is_one_document_and_an_empty_file_in_a_folder_is_skipped(tmp_path, capsys):
    for name in ("a.txt", "sub/a.txt", "copy_of_a.txt"):  # the same text under the same or another name
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("Ông Võ Văn Thưởng đến Hà Nội.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    report = LoadReport()
    docs = list(iter_documents([tmp_path], report=report))
    assert len(docs) == 1
    assert sorted(line.split(": skipped: ")[1] for line in report.skipped) == [
        "the file is empty",
        f"the same text as {tmp_path / 'a.txt'}",
        f"the same text as {tmp_path / 'a.txt'}",
    ]
    assert main(["preannotate", str(tmp_path), "-o", str(tmp_path / "t.json")]) == 0
    assert "empty.txt: skipped: the file is empty" in capsys.readouterr().out
    # named on the command line, an empty or missing file stops
    with pytest.raises(VnerError, match="empty"):
        load_documents([tmp_path / "empty.txt"])
    assert main(["preannotate", str(tmp_path / "nope.txt"), str(tmp_path), "-o", str(tmp_path / "t.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_form_feed_or_control_character_between_words_is_a_boundary(tmp_path):
    f = tmp_path / "ctrl.txt"
    f.write_text("Ông An\x01đến Hà\x0cNội hôm qua.\n", encoding="utf-8")
    doc = load_document(f, paragraphs="lines")
    words = [w for p in doc.paragraphs for w in words_of(p)]
    assert "\x01" not in "".join(words) and not any("An" in w and "đến" in w for w in words)
    assert not any("Hà" in w and "Nội" in w for w in words)  # the page break separates them
    assert len(doc.text) == len(f.read_text(encoding="utf-8"))  # one character for one: offsets still hold
    seg = load_document(_write(tmp_path / "s.txt", "Thủ_đô Hà_Nội\x01đẹp quá_trời .\n"), segmentation="segmented")
    assert [word_form(seg.paragraphs[0].text, s, e) for s, e in seg.paragraphs[0].word_spans] == [
        "Thủ_đô",
        "Hà_Nội",
        "đẹp",
        "quá_trời",
        ".",
    ]


def test_a_bom_inside_the_text_is_a_boundary(tmp_path):
    # two files concatenated: the second one's BOM sits between "ABC." and "Bà"
    f = _write(tmp_path / "cat.txt", "\ufeffÔng An ở Hà Nội.\ufeffBà Bình về Huế.\n")
    doc = load_document(f, paragraphs="lines")
    assert doc.text == "Ông An ở Hà Nội. Bà Bình về Huế.\n"  # one character for one: offsets still hold
    spaced = load_document(_write(tmp_path / "spaced.txt", doc.text), paragraphs="lines")
    assert [words_of(p) for p in doc.paragraphs] == [words_of(p) for p in spaced.paragraphs]
    seg = load_document(_write(tmp_path / "s.txt", "Thủ_đô Hà_Nội.\ufeffBà Bình .\n"), segmentation="segmented")
    assert [word_form(seg.paragraphs[0].text, s, e) for s, e in seg.paragraphs[0].word_spans] == [
        "Thủ_đô",
        "Hà_Nội.",
        "Bà",
        "Bình",
        ".",
    ]


def test_a_folder_s_text_files_are_found_whatever_the_case_of_their_suffix(tmp_path):
    _write(tmp_path / "a.txt", "Ông An đến Hà Nội.\n")
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "B.TXT", "Bà Bình về Huế.\n")
    _write(tmp_path / "c.text", "không phải .txt\n")
    assert [Path(d.path).name for d in load_documents([tmp_path])] == ["a.txt", "B.TXT"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------ outputs


def test_outputs_are_checked_before_any_work(tmp_path, capsys):
    blocker = _write(tmp_path / "file.txt", "x")
    with pytest.raises(VnerError, match="is a file"):
        check_output(blocker / "out.json")
    with pytest.raises(VnerError, match="is a folder"):
        check_output(tmp_path)
    with pytest.raises(VnerError, match="not a folder"):
        check_output(blocker, folder=True)
    assert check_output(tmp_path / "new" / "deeper" / "out.json") == tmp_path / "new" / "deeper" / "out.json"
    missing = str(tmp_path / "no-such-input.json")
    # the bad output is reported even though the input is missing too: the output is checked first
    for argv in (
        ["preannotate", missing, "-o", str(blocker / "t.json")],
        ["dataset", missing, "-o", str(blocker)],
        ["corrections", missing, "--json", str(blocker / "r.json")],
        ["config", "-o", str(blocker / "c.xml")],
        ["studio", "pull", "--project", "p", "-o", str(blocker / "e.json"), "--url", "http://127.0.0.1:9"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert str(blocker) in err and err.count("\n") == 1 and "no-such-input" not in err, argv


# ------------------------------------------------------------------------------------------ streaming


def test_documents_stream_through_preannotation_without_being_held(tmp_path):
    for k in range(6):
        _write(tmp_path / f"{k:03d}.txt", "\n".join(PARAGRAPHS) + f"\nBài {k}.\n")
    pulled = []

    def parts():
        for part in iter_document_parts([tmp_path], segmenter=_whitespace):
            pulled.append(part.doc.doc_id)
            yield part

    stream = preannotate_stream(parts(), RULES, batch_sentences=8)
    first = next(stream)
    assert first["data"]["doc_id"] == pulled[0] and len(pulled) < 6  # tasks come before the input is read
    rest = list(stream)
    whole, _ = preannotate_documents(load_documents([tmp_path], segmenter=_whitespace), RULES)
    assert [first] + rest == whole


def _whitespace(text):
    return [[w] for w in text.split()]


def test_a_long_document_comes_in_parts_numbered_as_one(tmp_path, monkeypatch):
    import annotation.stream as stream

    monkeypatch.setattr(stream, "JOB_CHARS", 300)
    f = _write(tmp_path / "long.txt", "\n".join(PARAGRAPHS * 5) + "\n")
    parts = list(iter_document_parts([f], segmenter=_whitespace))
    assert len(parts) > 3 and [p.last for p in parts] == [False] * (len(parts) - 1) + [True]
    assert sum(p.nbytes for p in parts) == f.stat().st_size
    units = [u for p in parts for u in p.paragraphs]
    assert units == load_document(f, segmenter=_whitespace).paragraphs


def test_segmenting_in_worker_processes_gives_the_same_tasks(tmp_path):
    for k, seed in enumerate(sorted((ROOT / "seeds").glob("*.txt"))[2:]):
        _write(tmp_path / f"{k}.txt", seed.read_text(encoding="utf-8"))
    one = tmp_path / "one.json"
    two = tmp_path / "two.json"
    assert main(["preannotate", str(tmp_path), "-o", str(one), "--workers", "1"]) == 0
    assert main(["preannotate", str(tmp_path), "-o", str(two), "--workers", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()


def test_streamed_tasks_are_written_byte_for_byte_like_a_list(tmp_path):
    docs = load_documents([ROOT / "seeds"])
    tasks, _ = preannotate_documents(docs, RULES)
    path = write_tasks(iter(tasks), tmp_path / "t.json")
    assert path.read_text(encoding="utf-8") == json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    assert not list(tmp_path.glob(".*tmp"))

    def failing():
        yield tasks[0]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_tasks(failing(), tmp_path / "t.json")
    assert path.read_text(encoding="utf-8") == json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"  # untouched
    assert not list(tmp_path.glob(".*tmp"))
