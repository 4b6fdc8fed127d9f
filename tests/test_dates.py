"""The DATE grammar: calendar expressions in, durations and ages out, `ngày` inside, times of day outside."""
import pytest

from annotation.preannotate.dates import DateTagger, find_dates
from annotation.text import Sentence


def dates(text: str) -> list[str]:
    spans = find_dates(text)
    for sp in spans:  # spans start and end on non-space characters
        assert not text[sp.start].isspace() and not text[sp.end - 1].isspace()
        assert sp.label == "DATE" and 0 < sp.score <= 1 and sp.source.startswith("dates:")
    return [text[sp.start : sp.end] for sp in spans]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hội nghị khai mạc ngày 15/8 tại Huế.", ["ngày 15/8"]),
        ("Đoàn công tác làm việc tại Lào từ ngày 12-14/6.", ["ngày 12-14/6"]),
        ("chuyến thăm diễn ra 12-14 / 6 .", ["12-14 / 6"]),  # pre-segmented text spaces out the slash
        ("Lễ ký kết diễn ra ngày 9-4 tại Vientiane.", ["ngày 9-4"]),
        ("Nghị định có hiệu lực từ 1/7/2025.", ["1/7/2025"]),
        ("Hai nước lập quan hệ ngoại giao ngày 15/10/1975.", ["ngày 15/10/1975"]),
        ("Dự án khởi công tháng 6/2022 và hoàn thành tháng 12.", ["tháng 6/2022", "tháng 12"]),
        ("Mục tiêu đến năm 2030, tầm nhìn đến năm 2050.", ["năm 2030", "năm 2050"]),
        ("Giá xăng giảm vào cuối tháng 10 và đầu năm 2025.", ["cuối tháng 10", "đầu năm 2025"]),
        ("Hôm nay trời mưa, hôm qua nắng, ngày mai có bão.", ["Hôm nay", "hôm qua", "ngày mai"]),
        ("Kết quả sẽ công bố vào tuần tới.", ["tuần tới"]),
        ("Doanh thu quý II/2024 tăng mạnh.", ["quý II/2024"]),
        ("Trong 6 tháng đầu năm 2023, xuất khẩu tăng.", ["6 tháng đầu năm 2023"]),
        ("Phiên họp bắt đầu vào thứ Năm, ngày 14/3.", ["thứ Năm, ngày 14/3"]),
        ("Buổi lễ tổ chức vào Chủ nhật (16/3).", ["Chủ nhật", "16/3"]),
        ("Văn bản ký ngày 5 tháng 9 năm 1945.", ["ngày 5 tháng 9 năm 1945"]),
        ("LỄ KỶ NIỆM NGÀY 2/9/2025", ["NGÀY 2/9/2025"]),
    ],
)
def test_calendar_expressions(text, expected):
    assert dates(text) == expected


def test_time_of_day_stays_outside():
    assert dates("Bộ trưởng tới Đà Nẵng chiều 18/5.") == ["18/5"]
    assert dates("Đoàn khởi hành sáng ngày 3/2.") == ["ngày 3/2"]
    assert dates("Đoàn khởi hành tối nay.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ông đã làm việc ở đây 30 năm.",
        "Dự án kéo dài gần 40 năm và chậm 3 tháng.",
        "Cô gái 18 tuổi đã sống trong 2 năm ở Pháp.",
        "Đội nhà thắng 3-1 và chiếm 2/3 số phiếu.",
        "Nhiều năm qua, hai năm trước, mấy tuần sau.",
        "Người đứng thứ ba từ trái sang là ông Lâm.",  # `thứ ba` = third, not Tuesday
        "Công ty có 4.828 dự án trị giá 11,2 tỷ USD.",
    ],
)
def test_durations_ages_scores_and_ordinals_are_not_dates(text):
    assert dates(text) == []


def test_tagger_returns_one_list_per_sentence():
    sents = [Sentence("d", 0, "Ngày 1/6 là Tết thiếu nhi.", ()), Sentence("d", 1, "Không có ngày tháng.", ())]
    out = DateTagger().annotate(sents)
    assert [[s.text[sp.start : sp.end] for sp in spans] for s, spans in zip(sents, out)] == [["Ngày 1/6"], []]


def test_range_of_two_dates_is_one_span():
    assert dates("Triển lãm mở cửa 10/6-15/6 hằng năm.") == ["10/6-15/6"]
