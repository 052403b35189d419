"""Figures an office signs: one rounding rule for every number a report prints.

Statistics are computed on exact values (fractions of the stored numbers, read as the decimals people typed)
and rounded once, half-up to two decimals (4.505 → 4.51, 0.625 → 0.63, 1/32 = 3.125 % → 3.13 %, −0.625 →
−0.63 as Excel's ROUND does). Binary floats would print 4.505 as "4.50" (it is 4.50499… in binary) and
differ between a page, a text and a workbook; here every writer gets the already-rounded figure, so a page
cell, a note, the workbook's number format and the Thai level beside a mean all read the same digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np

Number = int | float | Decimal | Fraction | np.integer | np.floating
PLACES = 2
_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(7)}


def exact(value: Number) -> Fraction:
    """The exact value of a stored number: a float is read as the shortest decimal that gives it back
    (what was typed: 0.1 is one tenth, not 0.1000000000000000055…)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def half_up(value: Number | None, places: int = PLACES) -> float | None:
    """The printed figure: half-up to `places` decimals on the exact value, as a float that prints back
    to exactly those digits (None for no value or NaN)."""
    if value is None or (isinstance(value, float | np.floating) and value != value):
        return None
    rounded = _to_decimal(exact(value) if not isinstance(value, Decimal) else value).quantize(
        _QUANTUM[places], rounding=ROUND_HALF_UP
    )
    return float(rounded) + 0.0  # + 0.0: no "-0.00"


def figure_text(value: Number | None, places: int = PLACES) -> str:
    """A figure as printed: '1,234.57', whole numbers without decimals, '-' for none."""
    if value is None or isinstance(value, bool):
        return "-" if value is None else str(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    rounded = half_up(value, places)
    return "-" if rounded is None else f"{rounded:,.{places}f}"


def _to_decimal(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value.numerator) / Decimal(value.denominator)


def exact_values(values: Iterable[Number]) -> list[Fraction] | list[int]:
    """Stored numbers as exact values; whole numbers stay Python ints (ratings: fast and exact)."""
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    array = array[~np.isnan(array)]
    if array.size and np.all(np.mod(array, 1) == 0) and np.all(np.abs(array) < 2**53):
        return [int(v) for v in array.tolist()]
    return [exact(v) for v in array.tolist()]


def exact_sum(values: Sequence[int] | Sequence[Fraction]) -> int | Fraction:
    return sum(values, start=0)


def mean(values: Sequence[int] | Sequence[Fraction]) -> Fraction | None:
    """The exact mean (None for no values)."""
    return Fraction(exact_sum(values)) / len(values) if len(values) else None


def sample_sd(values: Sequence[int] | Sequence[Fraction]) -> Decimal | None:
    """The sample standard deviation (n − 1), to 40 digits; a group of one has none. Whole numbers (ratings)
    stay in integer arithmetic: var = (n·Σx² − (Σx)²) / (n(n − 1)), exact and fast for 100,000 answers."""
    n = len(values)
    if n < 2:
        return None
    total = exact_sum(values)
    squares = sum((v * v for v in values), start=0)
    variance = Fraction(n * squares - total * total) / (n * (n - 1))
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()


def median(values: Sequence[int] | Sequence[Fraction]) -> Fraction | None:
    if not values:
        return None
    whole_numbers = all(type(v) is int for v in values)  # sorted as ints: 10× faster than as Fractions
    ordered = (
        [Fraction(v) for v in sorted(int(v) for v in values)] if whole_numbers else sorted(Fraction(v) for v in values)
    )
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percent(count: Number, denominator: Number) -> float | None:
    """count / denominator as a printed percentage; None when there is no denominator."""
    if not denominator:
        return None
    return half_up(Fraction(exact(count) * 100) / exact(denominator))


def whole(value: Any) -> Any:
    """A count as an int (never '1,869.00'); other values unchanged."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
