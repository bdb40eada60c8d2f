"""Periods a panel member cannot review, entered as NHS date inputs (issue 17 item 4).

Each period is two date inputs, "from" and "to" (day, month, year boxes named
`unavailable-<n>-from-day` ...). A period with only a "from" date is that one day; a row left blank is
ignored. Errors are keyed by the id of the first box to correct, for the error summary's links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from ..domain.panels import DateRange

# Rows shown on a fresh form, and the most a form may carry (the "add another period" button adds one).
DEFAULT_ROWS, MAX_ROWS = 2, 20
PARTS = ("day", "month", "year")


def field(n: int, end: str) -> str:
    """The name (and id) of period n's "from" or "to" date input."""
    return f"unavailable-{n}-{end}"


def row_count(values: dict[str, str], *, adding: bool = False) -> int:
    """How many period rows the form shows: what it carried, one more when the person asked for one."""
    carried = values.get("periods", "")
    count = int(carried) if carried.isdigit() else DEFAULT_ROWS
    return max(1, min(MAX_ROWS, count + (1 if adding else 0)))


@dataclass(frozen=True)
class Parsed:
    periods: list[DateRange]
    errors: dict[str, str]


def _typed(values: dict[str, str], name: str) -> dict[str, str]:
    return {p: values.get(f"{name}-{p}", "").strip() for p in PARTS}


def _date(typed: dict[str, str], which: str, n: int) -> tuple[date | None, str | None]:
    """The date typed, or the NHS-style message saying what is wrong with it."""
    missing = [p for p in PARTS if not typed[p]]
    if len(missing) == len(PARTS):
        return None, None
    if missing:
        return None, f"The {which} date of period {n} must include a {missing[0]}"
    if not all(typed[p].isdigit() for p in PARTS) or len(typed["year"]) != 4:
        return None, f"The {which} date of period {n} must be a real date, like 14 3 2027"
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"])), None
    except ValueError:
        return None, f"The {which} date of period {n} must be a real date, like 14 3 2027"


def parse(values: dict[str, str], rows: int) -> Parsed:
    periods: list[DateRange] = []
    errors: dict[str, str] = {}
    for n in range(1, rows + 1):
        start, start_error = _date(_typed(values, field(n, "from")), "start", n)
        end, end_error = _date(_typed(values, field(n, "to")), "end", n)
        if start_error:
            errors[f"{field(n, 'from')}-day"] = start_error
        if end_error:
            errors[f"{field(n, 'to')}-day"] = end_error
        if start_error or end_error:
            continue
        if start is None and end is None:
            continue  # a row left blank
        if start is None:
            errors[f"{field(n, 'from')}-day"] = f"Enter the start date of period {n}"
            continue
        try:
            periods.append(DateRange(start=start, end=end or start))
        except ValidationError:
            errors[f"{field(n, 'to')}-day"] = f"The end date of period {n} must be on or after its start date"
    return Parsed(periods, errors)


def as_values(periods: list[DateRange]) -> dict[str, str]:
    """The form's boxes filled from a member's saved periods (to change them), with one blank row."""
    values: dict[str, str] = {"periods": str(max(DEFAULT_ROWS, len(periods) + 1))}
    for n, period in enumerate(periods, start=1):
        for end, day in (("from", period.start), ("to", period.end)):
            values |= {
                f"{field(n, end)}-day": str(day.day),
                f"{field(n, end)}-month": str(day.month),
                f"{field(n, end)}-year": str(day.year),
            }
    return values
