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


@pytest.mark.parametrize(
    "text, expected",
    [
        # bare years, year ranges, birth and death years, seasons of a league
        ("Ông sinh 1932 và mất năm 2008.", ["1932", "năm 2008"]),
        ("Phạm Thị Lan (1915–1987) là một nhà giáo.", ["1915–1987"]),
        ("Bà từng làm việc ở Huế (1961), rồi ở Vinh từ 1964 đến 1970.", ["1961", "1964", "1970"]),
        ("Câu lạc bộ xuống hạng ở mùa giải 2013 và trở lại ở mùa giải 2021/22.", ["2013", "2021/22"]),
        ("Cuộc chiến 1812-15 kết thúc bằng một hiệp ước.", ["1812-15"]),
        # years before 1500, with an era, lunar years, reign years
        ("Thành được đắp năm 1029 và sửa lại năm 1397.", ["năm 1029", "năm 1397"]),
        ("Vương quốc ra đời năm 111 trước Công nguyên.", ["năm 111 trước Công nguyên"]),
        ("Năm Mậu Thân (1788), quân Thanh kéo sang.", ["Năm Mậu Thân", "1788"]),
        ("Đình được dựng vào năm Giáp Tuất 1874.", ["năm Giáp Tuất 1874"]),
        ("Ngôi chùa được trùng tu năm Tự Đức thứ 5 (1852).", ["năm Tự Đức thứ 5", "1852"]),
        # centuries, decades, parts of a period, seasons
        ("Từ cuối thế kỷ XVIII đến giữa thế kỉ 19, vùng này thuộc Biên Hòa.", ["cuối thế kỷ XVIII", "giữa thế kỉ 19"]),
        ("Nghề gốm phát triển trong những năm đầu thế kỷ 20.", ["những năm đầu thế kỷ 20"]),
        ("Vào những năm 1960 và đầu những năm 1990, thành phố mở rộng.", ["những năm 1960", "đầu những năm 1990"]),
        ("Dòng người di cư kéo dài đến giữa thập niên 1970.", ["giữa thập niên 1970"]),
        ("Dự án bị hoãn tới nửa cuối năm 2026.", ["nửa cuối năm 2026"]),
        ("Đoàn thám hiểm lên đường vào mùa thu năm 1911.", ["mùa thu năm 1911"]),
        # lunar-calendar months, written-out months, a month with the year after a comma
        (
            "Lễ hội diễn ra vào ngày rằm tháng giêng và tháng 8 âm lịch năm 1802.",
            ["ngày rằm tháng giêng", "tháng 8 âm lịch năm 1802"],
        ),
        ("Sản phẩm ra mắt vào tháng Mười và tháng 3, 2019.", ["tháng Mười", "tháng 3, 2019"]),
        ("Tháng 6 năm đó, ông được thăng chức.", ["Tháng 6 năm đó"]),
        ("Cách mạng tháng Tám thành công.", []),  # a month in an event's name
    ],
)
def test_real_text_dates(text, expected):
    assert dates(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # dotted dates, day-month after a time of day, both ends of a range
        ("Lễ duyệt binh diễn ra ngày 2.9 tại quảng trường.", ["ngày 2.9"]),
        ("Trận đấu bắt đầu lúc 19 giờ tối 14 - 8 trên sân nhà.", ["14 - 8"]),
        ("Đoàn đến Cần Thơ chiều 12/4 và về sáng 13.4.", ["12/4", "13.4"]),
        ("Hội chợ mở cửa từ 18 - 21/10 ở Hà Nội.", ["18 - 21/10"]),
        ("Đội khách thắng 2-1 lúc tối.", []),  # a score is not a date
        # relative dates and weekdays in translated news
        ("Thỏa thuận được ký hôm thứ Ba và công bố vào thứ Năm tuần trước.", ["thứ Ba", "thứ Năm tuần trước"]),
        ("Cuộc họp dời sang Chủ nhật tới.", ["Chủ nhật tới"]),
        ("Ông phát biểu vào ngày thứ Hai trước quốc hội.", ["ngày thứ Hai"]),
        ("Kết quả được công bố đầu tháng này, còn báo cáo ra vào cuối năm.", ["đầu tháng này", "cuối năm"]),
        ("Năm sau đó, cô chuyển tới Đà Lạt; hôm sau, cô gọi điện.", ["Năm sau đó", "hôm sau"]),
        ("Cùng năm, ông mất; ngày hôm đó trời mưa.", ["Cùng năm", "ngày hôm đó"]),
        ("Hơn vạn năm trước, người cổ đã sống ở đây; đây là giống cây lâu năm này.", []),  # counted: durations
        ("Giá tăng mạnh trong năm qua, nhưng năm nay sẽ giảm.", ["năm nay"]),  # `trong năm qua`: a duration
        ("Ông sinh năm 1740, niên hiệu Cảnh Hưng thứ 1.", ["năm 1740", "Cảnh Hưng thứ 1"]),
    ],
)
def test_dotted_dates_times_of_day_ranges_and_relative_dates(text, expected):
    assert dates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Theo Nghị định số 45/2019/NĐ-CP, mức phạt tăng.",  # a document number, not a year
        "Xã có 1250 hộ và 3400 người; đội mua 1200 chiếc xe.",  # amounts
        "Mã số 2047 được cấp cho lô hàng.",
        "Tỷ lệ tăng 1998%.",
    ],
)
def test_numbers_that_are_not_years(text):
    assert dates(text) == []
