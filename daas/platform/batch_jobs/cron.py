"""Five-field cron expressions: parse them, and find when they fire next in a time zone.

Fields are minute, hour, day of month, month and day of week. Each takes ``*``, numbers,
ranges ``a-b``, steps ``*/n`` or ``a-b/n`` (``a/n`` runs from ``a`` to the field's end),
and comma-separated lists; months and weekdays also take English names (``jan``,
``mon``). Sunday is 0 or 7. As in Vixie cron, when both day fields are restricted a day
matches if either does. ``@hourly``, ``@daily``, ``@weekly``, ``@monthly`` and
``@yearly`` are shorthands.

Times are matched on the zone's wall clock and then converted: a wall time skipped by a
spring-forward change fires right after the change, and a repeated autumn hour fires once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from daas.errors import InvalidInput

_FIELDS = (  # name, lowest, highest, names
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun",
                      "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day-of-week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_SHORTHANDS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
               "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
               "@hourly": "0 * * * *"}
#: How far ahead to look before deciding an expression never fires (covers leap days).
_HORIZON_DAYS = 8 * 366


@dataclass(frozen=True)
class CronSchedule:
    """The sets of values each field allows."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: date) -> bool:
        """Whether the schedule fires on this calendar day."""
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays


def _invalid(field: str, text: str, reason: str) -> InvalidInput:
    return InvalidInput(f"schedule: the {field} field {text!r} is invalid: {reason}",
                        field="schedule", details={"cron_field": field})


def _value(token: str, field: str, low: int, high: int, names: tuple[str, ...], text: str) -> int:
    lowered = token.lower()
    if lowered in names:
        return names.index(lowered) + (1 if field == "month" else 0)
    if not token.isdigit():
        expected = f"a number {low}-{high}" + (f" or a name like {names[0]!r}" if names else "")
        raise _invalid(field, text, f"{token!r} is not {expected}")
    number = int(token)
    if not low <= number <= high:
        raise _invalid(field, text, f"{number} is outside {low}-{high}")
    return number


def _parse_field(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise _invalid(field, text, "empty list item")
        span, _, step_text = item.partition("/")
        step = 1
        if step_text or item.endswith("/"):
            if not step_text.isdigit() or int(step_text) == 0:
                raise _invalid(field, text, f"step {step_text!r} is not a positive number")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first = _value(start, field, low, high, names, text)
            last = _value(end, field, low, high, names, text)
            if first > last:
                raise _invalid(field, text, f"range {span!r} runs backwards")
        else:
            first = _value(span, field, low, high, names, text)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return values


def parse(expression: str) -> CronSchedule:
    """Parse a cron expression; ``InvalidInput`` names the field at fault."""
    text = (expression or "").strip()
    text = _SHORTHANDS.get(text.lower(), text)
    parts = text.split()
    if len(parts) != 5:
        raise InvalidInput(
            f"schedule: expected 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(parts)} in {expression!r}", field="schedule")
    sets = [_parse_field(part, name, low, high, names)
            for part, (name, low, high, names) in zip(parts, _FIELDS)]
    minutes, hours, days, months, weekdays = sets
    weekdays = {day % 7 for day in weekdays}
    return CronSchedule(tuple(sorted(minutes)), tuple(sorted(hours)), frozenset(days),
                        frozenset(months), frozenset(weekdays),
                        days_restricted=not parts[2].startswith("*"),
                        weekdays_restricted=not parts[4].startswith("*"))


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
    wall = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
    day = wall.date()
    for _ in range(_HORIZON_DAYS):
        if schedule.matches_day(day):
            for hour in schedule.hours:
                for minute in schedule.minutes:
                    candidate = datetime(day.year, day.month, day.day, hour, minute)
                    if candidate < wall:
                        continue
                    instant = candidate.replace(tzinfo=tz).astimezone(timezone.utc)
                    if instant > after:
                        return instant.astimezone(tz)
        day += timedelta(days=1)
    raise InvalidInput("schedule: the expression never fires (it names a date that does not exist)",
                       field="schedule")


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
