"""Five-field cron expressions, read by croniter, and when they fire next in a time zone.

The platform takes classic cron only: minute, hour, day of month, month and day of week, each
a list of ``*``, numbers, English month and weekday names, ranges ``a-b`` and steps ``/n``
(Sunday is 0 or 7), or one of the ``@hourly``-style shorthands. croniter's extensions
(seconds, years, ``L``, ``W``, ``#``, ``?``, ``H``) and its wrap-around ranges such as
``fri-mon`` are refused. As in Vixie cron, when both day fields are restricted a day matches
if either does.

Times are matched on the zone's wall clock and then converted: a wall time skipped by a
spring-forward change fires as if the clocks had not moved yet (02:30 runs at 03:30), and a
repeated autumn hour fires once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import (
    CroniterBadCronError,
    CroniterBadDateError,
    CroniterNotAlphaError,
    croniter,
)

from daas.errors import InvalidInput

_FIELDS = (  # name, lowest, highest, an example name
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, "jan"),
    ("day-of-week", 0, 7, "mon"),
)
_DAY_OF_WEEK = 4
_SHORTHANDS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
#: One list item of classic cron: ``*``, a value or a range ``a-b``, then an optional step.
_ITEM = re.compile(r"(?:\*|(?P<start>\d+|[a-z]{3})(?:-(?P<end>\d+|[a-z]{3}))?)(?:/(?P<step>\d+))?",
                   re.IGNORECASE | re.ASCII)
#: How far ahead to look before deciding an expression never fires (covers leap days).
_HORIZON_YEARS = 8


@dataclass(frozen=True)
class CronSchedule:
    """An expression the platform accepts, spelled the way croniter reads it as meant."""

    expression: str


def _invalid(field: str, text: str, reason: str) -> InvalidInput:
    return InvalidInput(f"schedule: the {field} field {text!r} is invalid: {reason}",
                        field="schedule", details={"cron_field": field})


def _expand(index: int, item: str) -> list[int | str]:
    """croniter's values for one item standing alone in its field."""
    return croniter.expand(" ".join(item if i == index else "*" for i in range(5)))[0][index]


def _value(index: int, token: str) -> int:
    return int(token) if token.isdigit() else _expand(index, token)[0]


def _item(index: int, item: str, field_text: str) -> str:
    """Check one list item; return it as croniter must see it to mean what cron means."""
    field, low, high, example = _FIELDS[index]
    expected = f"a number {low}-{high}" + (f" or a name like {example!r}" if example else "")
    if not item:
        raise _invalid(field, field_text, "empty list item")
    match = _ITEM.fullmatch(item)
    if not match:
        raise _invalid(field, field_text, f"{item!r} is not {expected}, a range a-b or a step */n")
    start, end, step = match["start"], match["end"], match["step"]
    if step is not None and int(step) == 0:
        raise _invalid(field, field_text, f"step {step!r} is not a positive number")
    for part in (start, end, item):  # croniter lets some bad range ends through, e.g. day 0-0
        try:
            if part is not None:
                _expand(index, part)
        except CroniterNotAlphaError:
            raise _invalid(field, field_text, f"{part!r} is not {expected}") from None
        except CroniterBadCronError:
            raise _invalid(field, field_text, f"{part} is outside {low}-{high}") from None
    if end is not None and _value(index, start) > _value(index, end):
        raise _invalid(field, field_text, f"range {item.split('/')[0]!r} runs backwards")
    # Where croniter reads an item differently from cron, hand it the spelling cron means:
    # croniter ends a day-of-week "a/n" on Saturday (cron runs it to 7, Sunday again) and
    # reads a range that starts where it ends, such as "5-5/2", as a whole cycle.
    if index == _DAY_OF_WEEK and start is not None and end is None and step is not None:
        end, item = "7", f"{start}-7/{step}"
    if end is not None and _value(index, start) == _value(index, end):
        return start
    return item


def _field(index: int, text: str) -> str:
    """Check one field; ``*`` when it allows every value (croniter mishandles ``*`` in lists)."""
    spelled = ",".join(_item(index, item, text) for item in text.split(","))
    return "*" if "*" in _expand(index, spelled) else spelled


def parse(expression: str) -> CronSchedule:
    """Check a cron expression; ``InvalidInput`` names the field at fault."""
    text = " ".join((expression or "").split())
    if text.lower() in _SHORTHANDS:
        return CronSchedule(text.lower())
    if text.startswith("@"):
        raise InvalidInput(f"schedule: unknown shorthand {text!r}: use one of {', '.join(_SHORTHANDS)}",
                           field="schedule")
    parts = text.split(" ") if text else []
    if len(parts) != 5:
        raise InvalidInput(
            f"schedule: expected 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(parts)} in {expression!r}", field="schedule")
    fields = [_field(index, part) for index, part in enumerate(parts)]
    if not parts[2].startswith("*") and not parts[4].startswith("*") and "*" in (fields[2], fields[4]):
        fields[2] = fields[4] = "*"  # either day field matches, and one of them matches every day
    return CronSchedule(" ".join(fields))


def zone(name: str) -> ZoneInfo:
    """An IANA time zone; ``InvalidInput`` for unknown names."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}: use an IANA name such as "
                           "'UTC' or 'Europe/Paris'", field="timezone") from None


def next_after(expression: str | CronSchedule, after: datetime, tz: ZoneInfo) -> datetime:
    """The first firing time strictly after ``after``, as an aware datetime in ``tz``."""
    schedule = parse(expression) if isinstance(expression, str) else expression
    if after.tzinfo is None:
        after = after.replace(tzinfo=timezone.utc)
    wall = after.astimezone(tz).replace(tzinfo=None, fold=0)
    # Naive datetimes keep croniter on the wall clock; the zone is applied to each match.
    # implement_cron_bug: a day field starting with "*" does not count as restricted.
    times = croniter(schedule.expression, wall, ret_type=datetime, implement_cron_bug=True,
                     max_years_between_matches=_HORIZON_YEARS)
    try:
        while True:
            instant = times.get_next().replace(tzinfo=tz).astimezone(timezone.utc)
            if instant > after:  # a repeated hour's first pass is already behind
                return instant.astimezone(tz)
    except CroniterBadDateError:
        raise InvalidInput("schedule: the expression never fires (it names a date that does not exist)",
                           field="schedule") from None


def next_runs(expression: str, tz: ZoneInfo, count: int, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` firing times after ``after`` (default: now), for previews."""
    schedule = parse(expression)
    moment = after or datetime.now(timezone.utc)
    found = []
    for _ in range(count):
        moment = next_after(schedule, moment, tz)
        found.append(moment)
    return found


def check(expression: str, timezone_name: str) -> None:
    """Validate a schedule and its zone together: it must parse and fire at least once."""
    next_after(parse(expression), datetime(2000, 1, 1, tzinfo=timezone.utc), zone(timezone_name))
