"""Thai conventions: Buddhist-Era dates, fiscal years (1 Oct – 30 Sep), Thai digits and Likert levels."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from survey_app.core.figures import figure_text, half_up
from survey_app.core.i18n import N_, current_language, gettext

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_ARABIC_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙０１２３４５６７８９", "01234567890123456789")


def to_bangkok(moment: datetime) -> datetime:
    """The same instant on the Bangkok wall clock (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(BANGKOK)


def now_bangkok() -> datetime:
    """The server clock on the Bangkok wall: deadlines are decided with this, never the client's clock."""
    return datetime.now(BANGKOK)


def today_bangkok() -> date:
    return now_bangkok().date()


def thai_date(value: date | datetime | None, *, short: bool = True, with_time: bool = False) -> str:
    """'21 พ.ย. 2569' (or the long month name), Buddhist Era; datetimes are shown in Bangkok time."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = to_bangkok(value)
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    text = f"{value.day} {months[value.month - 1]} {value.year + BE_OFFSET}"
    if with_time and isinstance(value, datetime):
        text += f" {value:%H:%M} น."
    return text


ENGLISH_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def english_date(value: date | datetime | None, *, short: bool = True, with_time: bool = False) -> str:
    """'15 Jan 2564 (2021)': the Buddhist-Era year the documents use, with the Gregorian year an English
    reader expects beside it; datetimes in Bangkok time on a 24-hour clock."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = to_bangkok(value)
    months = ENGLISH_MONTHS_SHORT if short else ENGLISH_MONTHS
    text = f"{value.day} {months[value.month - 1]} {value.year + BE_OFFSET} ({value.year})"
    if with_time and isinstance(value, datetime):
        text += f" {value:%H:%M}"
    return text


def display_date(value: date | datetime | None, *, short: bool = True, with_time: bool = False) -> str:
    """A date for a page or message in the reader's language: Thai, or English with both years."""
    render = english_date if current_language() == "en" else thai_date
    return render(value, short=short, with_time=with_time)


def thai_digits(text: object) -> str:
    """Arabic digits to Thai digits, as official letters write them."""
    return str(text).translate(_THAI_DIGITS)


def arabic_digits(text: str) -> str:
    """Thai and full-width digits to ASCII digits, so typed numbers parse."""
    return text.translate(_ARABIC_DIGITS)


def fiscal_year_of(day: date) -> int:
    """The Buddhist-Era fiscal year containing a day: FY 2563 = 1 Oct 2019 – 30 Sep 2020."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


@dataclass(frozen=True)
class FiscalYear:
    """A Thai government fiscal year, named by its Buddhist-Era year."""

    be_year: int

    @property
    def start(self) -> date:
        return date(self.be_year - BE_OFFSET - 1, 10, 1)

    @property
    def end(self) -> date:
        return date(self.be_year - BE_OFFSET, 9, 30)

    def start_moment(self) -> datetime:
        """Midnight of 1 October in Bangkok."""
        return datetime.combine(self.start, time.min, tzinfo=BANGKOK)

    def end_moment(self) -> datetime:
        """The last instant of 30 September in Bangkok (exclusive end is the next midnight)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=BANGKOK)

    def label(self) -> str:
        return f"ปีงบประมาณ พ.ศ. {self.be_year}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class LevelBand:
    """One band of a Likert reading, e.g. 4.51–5.00 มากที่สุด."""

    low: float
    high: float
    label_th: str
    label_en: str


STANDARD_BANDS: tuple[LevelBand, ...] = (
    LevelBand(4.51, 5.00, N_("มากที่สุด"), "Highest"),
    LevelBand(3.51, 4.50, N_("มาก"), "High"),
    LevelBand(2.51, 3.50, N_("ปานกลาง"), "Moderate"),
    LevelBand(1.51, 2.50, N_("น้อย"), "Low"),
    LevelBand(1.00, 1.50, N_("น้อยที่สุด"), "Lowest"),
)
EQUAL_WIDTH_BANDS: tuple[LevelBand, ...] = (
    LevelBand(4.21, 5.00, N_("มากที่สุด"), "Highest"),
    LevelBand(3.41, 4.20, N_("มาก"), "High"),
    LevelBand(2.61, 3.40, N_("ปานกลาง"), "Moderate"),
    LevelBand(1.81, 2.60, N_("น้อย"), "Low"),
    LevelBand(1.00, 1.80, N_("น้อยที่สุด"), "Lowest"),
)


def likert_level(mean: float | Fraction | None, bands: tuple[LevelBand, ...] = STANDARD_BANDS) -> str:
    """The Thai reading of a mean, read from the printed (half-up, two decimals) mean, so the two agree."""
    shown = half_up(mean)
    if shown is None:
        return "-"
    for band in bands:
        if shown >= band.low:
            return band.label_th
    return bands[-1].label_th


def format_number(value: float | int | None, decimals: int = 2) -> str:
    """1,234.50 style (half-up, as every figure is printed), '-' for no value."""
    if isinstance(value, float) and decimals == 0 and value == value:
        value = int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return figure_text(value, decimals)


def be_date_text(day: date) -> str:
    """'15/01/2564': a day as the Buddhist-Era date field shows it and people type it (วว/ดด/ปปปป)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}"


class BEDateError(ValueError):
    """A typed date that cannot be read; its message is Thai and says what to type instead."""


BE_DATE_HINT = N_("พิมพ์เป็น วว/ดด/ปปปป ปีพุทธศักราช เช่น 15/01/2564 หรือเลือกจากปฏิทิน")
_BE_MIN_YEAR = 2400  # a four-digit year below this is a Christian-Era year (2564 BE = 2021 CE)


def parse_be_date(text: str) -> date:
    """A date typed in the Buddhist Era (15/1/2564, 15.01.2564, 15-01-2564 or 15012564, Thai or Arabic
    digits) or an ISO date (2021-01-15, as machines send it); raises BEDateError with a Thai message.

    A Christian-Era year in a day/month/year date is refused rather than guessed: the field says พ.ศ.,
    and 15/01/2021 read as 2021 BE would be a date 543 years away."""
    cleaned = "".join(arabic_digits(text).split())
    try:
        return date.fromisoformat(cleaned) if len(cleaned) == 10 and cleaned[4] == "-" else _be_parts(cleaned)
    except BEDateError:
        raise
    except ValueError:
        raise BEDateError(_invalid()) from None


def _be_parts(cleaned: str) -> date:
    """Day, month and BE year from 'd/m/yyyy' (any of / . -) or 'ddmmyyyy'."""
    if cleaned.isdigit() and len(cleaned) == 8:
        parts = [cleaned[:2], cleaned[2:4], cleaned[4:]]
    else:
        parts = cleaned.replace(".", "/").replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4 or len(parts[0]) > 2:
        raise BEDateError(_invalid())
    day, month, year = (int(p) for p in parts)
    if year < _BE_MIN_YEAR:
        hint = gettext(BE_DATE_HINT)
        raise BEDateError(
            gettext("ปีต้องเป็นพุทธศักราช (พ.ศ.) เช่น {be} ไม่ใช่ ค.ศ. {ce}: {hint}", be=year + BE_OFFSET, ce=year, hint=hint)
        )
    if not 1 <= month <= 12:
        raise BEDateError(gettext("เดือนต้องเป็น 01 ถึง 12: {hint}", hint=gettext(BE_DATE_HINT)))
    try:
        return date(year - BE_OFFSET, month, day)
    except ValueError:
        raise BEDateError(gettext("ไม่มีวันที่ {day}/{month:02d}/{year} ในปฏิทิน", day=day, month=month, year=year)) from None


def _invalid() -> str:
    return gettext("วันที่ไม่ถูกต้อง: {hint}", hint=gettext(BE_DATE_HINT))
