"""Buddhist-Era dates, fiscal years and Likert levels."""

from datetime import UTC, date, datetime

import pytest

from survey_app.core.thai import FiscalYear, fiscal_year_of, likert_level, thai_date, thai_digits


@pytest.mark.parametrize(
    ("day", "fy"),
    [(date(2019, 9, 30), 2562), (date(2019, 10, 1), 2563), (date(2020, 9, 30), 2563), (date(2020, 10, 1), 2564)],
)
def test_fiscal_year_rolls_over_on_1_october(day, fy):
    assert fiscal_year_of(day) == fy


def test_fiscal_year_bounds():
    fy = FiscalYear(2563)
    assert (fy.start, fy.end) == (date(2019, 10, 1), date(2020, 9, 30))
    assert date(2020, 1, 1) in fy and date(2020, 10, 1) not in fy


def test_thai_date_is_buddhist_era_in_bangkok():
    # 17:30 UTC on 30 Sep is already 1 Oct in Bangkok
    assert thai_date(datetime(2020, 9, 30, 17, 30, tzinfo=UTC), with_time=True) == "1 ต.ค. 2563 00:30 น."
    assert thai_date(date(2020, 1, 5), short=False) == "5 มกราคม 2563"
    assert thai_digits("2563") == "๒๕๖๓"


@pytest.mark.parametrize(
    ("mean", "level"),
    [(5.0, "มากที่สุด"), (4.51, "มากที่สุด"), (4.505, "มากที่สุด"), (4.50, "มาก"), (3.51, "มาก"),
     (3.5, "ปานกลาง"), (2.0, "น้อย"), (1.5, "น้อยที่สุด"), (None, "-")],
)  # fmt: skip
def test_likert_levels(mean, level):
    assert likert_level(mean) == level
