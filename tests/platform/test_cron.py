"""Cron expressions: parsing, errors that name the field, next firing times across zones."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from daas.errors import InvalidInput
from daas.platform.jobs.cron import check, next_after, next_runs, parse, zone

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def at(text: str, tz: ZoneInfo = UTC) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def test_every_minute_fires_at_the_next_whole_minute() -> None:
    assert next_after("* * * * *", at("2025-03-01 12:00:30"), UTC) == at("2025-03-01 12:01")
    assert next_after("* * * * *", at("2025-03-01 12:00:00"), UTC) == at("2025-03-01 12:01")


def fires(expression: str, after: str, count: int) -> list[str]:
    """The next firing times in UTC, as "MM-DD HH:MM"."""
    return [moment.strftime("%m-%d %H:%M") for moment in next_runs(expression, UTC, count, after=at(after))]


def test_steps_ranges_and_lists() -> None:
    assert fires("*/15 9-17/4 1,15 * *", "2025-03-01 12:00", 6) == [
        "03-01 13:00", "03-01 13:15", "03-01 13:30", "03-01 13:45", "03-01 17:00", "03-01 17:15"]
    assert fires("5/20 * * * *", "2025-03-01 12:00", 4) == [
        "03-01 12:05", "03-01 12:25", "03-01 12:45", "03-01 13:05"]
    assert fires("1-10/3,30 * * * *", "2025-03-01 12:00", 6) == [
        "03-01 12:01", "03-01 12:04", "03-01 12:07", "03-01 12:10", "03-01 12:30", "03-01 13:01"]


def test_month_and_weekday_names_and_sunday_as_seven() -> None:
    # 2025-03-28 is a Friday, 2025-03-30 a Sunday.
    assert fires("0 0 * JAN-mar,dec sun,7,Fri", "2025-03-25 00:00", 4) == [
        "03-28 00:00", "03-30 00:00", "12-05 00:00", "12-07 00:00"]


@pytest.mark.parametrize(("expression", "expected"), [
    ("5-5/2 * * * *", ["03-01 12:05", "03-01 13:05"]),  # a range that starts where it ends
    ("0 0 * * 7-7", ["03-02 00:00", "03-09 00:00"]),
    ("0 0 * * 2/5", ["03-02 00:00", "03-04 00:00", "03-09 00:00"]),  # 2 and 7: Tuesday, Sunday
    ("0 0 20,* * 2", ["03-02 00:00", "03-03 00:00"]),  # either day field, and one is every day
    ("0 0 1-31 * mon", ["03-02 00:00", "03-03 00:00"]),
    ("0 0 */2 * mon", ["03-03 00:00", "03-17 00:00", "03-31 00:00"]),  # "*..." is not restricted
])
def test_cron_meanings_where_croniter_reads_otherwise(expression: str, expected: list[str]) -> None:
    assert fires(expression, "2025-03-01 12:00", len(expected)) == expected


@pytest.mark.parametrize(("expression", "cron_field"), [
    ("0 0 L * *", "day-of-month"),
    ("0 0 LW * *", "day-of-month"),
    ("0 0 15W * *", "day-of-month"),
    ("0 0 ? * *", "day-of-month"),
    ("0 0 * * 5#2", "day-of-week"),
    ("0 0 * * L5", "day-of-week"),
    ("H * * * *", "minute"),
    ("0 0 * * fri-mon", "day-of-week"),  # croniter would wrap around the week
    ("0 0 0-0 * *", "day-of-month"),
])
def test_croniter_extensions_are_refused(expression: str, cron_field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(expression)
    assert caught.value.details["cron_field"] == cron_field


def test_unknown_shorthands_are_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown shorthand '@reboot'"):
        parse("@reboot")


def test_shorthands() -> None:
    assert next_after("@daily", at("2025-03-01 12:00"), UTC) == at("2025-03-02 00:00")
    assert next_after("@hourly", at("2025-03-01 12:00"), UTC) == at("2025-03-01 13:00")


def test_next_run_rolls_over_hours_days_months_and_years() -> None:
    assert next_after("30 2 * * *", at("2025-03-01 03:00"), UTC) == at("2025-03-02 02:30")
    assert next_after("0 0 1 * *", at("2025-01-31 23:59"), UTC) == at("2025-02-01 00:00")
    assert next_after("0 0 1 1 *", at("2025-06-01 00:00"), UTC) == at("2026-01-01 00:00")
    assert next_after("0 12 29 2 *", at("2025-03-01 00:00"), UTC) == at("2028-02-29 12:00")


def test_weekday_only_and_either_day_rule() -> None:
    # 2025-03-01 is a Saturday.
    assert next_after("0 9 * * mon-fri", at("2025-03-01 10:00"), UTC) == at("2025-03-03 09:00")
    # Both day fields restricted: the 10th OR a Sunday, whichever comes first.
    assert next_after("0 0 10 * sun", at("2025-03-01 10:00"), UTC) == at("2025-03-02 00:00")
    assert next_after("0 0 10 * sun", at("2025-03-09 10:00"), UTC) == at("2025-03-10 00:00")


def test_time_zones_fire_on_the_local_wall_clock() -> None:
    # 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
    winter = next_after("0 9 * * *", at("2025-01-10 00:00"), PARIS)
    summer = next_after("0 9 * * *", at("2025-07-10 00:00"), PARIS)
    assert winter.astimezone(timezone.utc) == at("2025-01-10 08:00")
    assert summer.astimezone(timezone.utc) == at("2025-07-10 07:00")
    assert winter.tzinfo == PARIS
    tokyo = next_after("0 0 * * *", at("2025-01-10 00:00"), ZoneInfo("Asia/Tokyo"))
    assert tokyo.astimezone(timezone.utc) == at("2025-01-10 15:00")


def test_a_wall_time_skipped_by_daylight_saving_fires_after_the_change() -> None:
    # Paris skips 02:00-03:00 on 2025-03-30: a 02:30 job runs at 03:30 local time that day.
    fired = next_after("30 2 * * *", at("2025-03-29 12:00"), PARIS)
    assert fired.astimezone(timezone.utc) == at("2025-03-30 01:30")
    assert next_after("30 2 * * *", fired, PARIS).astimezone(timezone.utc) == at("2025-03-31 00:30")


def test_a_repeated_autumn_hour_fires_once() -> None:
    # Paris repeats 02:00-03:00 on 2025-10-26.
    first = next_after("30 2 * * *", at("2025-10-25 12:00"), PARIS)
    assert first.astimezone(timezone.utc) == at("2025-10-26 00:30")
    assert next_after("30 2 * * *", first, PARIS).astimezone(timezone.utc) == at("2025-10-27 01:30")


def test_next_runs_lists_consecutive_times() -> None:
    runs = next_runs("*/20 * * * *", UTC, 4, after=at("2025-03-01 12:05"))
    assert runs == [at("2025-03-01 12:20"), at("2025-03-01 12:40"), at("2025-03-01 13:00"),
                    at("2025-03-01 13:20")]


@pytest.mark.parametrize(("expression", "cron_field", "words"), [
    ("61 * * * *", "minute", "61 is outside 0-59"),
    ("* 24 * * *", "hour", "outside 0-23"),
    ("* * 0 * *", "day-of-month", "outside 1-31"),
    ("* * * 13 *", "month", "outside 1-12"),
    ("* * * foo *", "month", "'foo' is not"),
    ("* * * * 8", "day-of-week", "outside 0-7"),
    ("*/0 * * * *", "minute", "step"),
    ("10-5 * * * *", "minute", "backwards"),
    ("1,,2 * * * *", "minute", "empty"),
    ("* * * * mon-", "day-of-week", "is not"),
])
def test_errors_name_the_bad_field(expression: str, cron_field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(expression)
    assert caught.value.field == "schedule"
    assert caught.value.details["cron_field"] == cron_field
    assert cron_field in caught.value.message
    assert words in caught.value.message


def test_wrong_number_of_fields() -> None:
    with pytest.raises(InvalidInput, match="expected 5 fields"):
        parse("* * * *")
    with pytest.raises(InvalidInput, match="expected 5 fields"):
        parse("0 * * * * *")  # croniter reads a sixth field as seconds
    with pytest.raises(InvalidInput, match="expected 5 fields"):
        parse("0 0 1 1 * 2030")  # and a seventh as years


def test_an_impossible_date_never_fires() -> None:
    with pytest.raises(InvalidInput, match="never fires"):
        check("0 0 31 2 *", "UTC")


def test_unknown_time_zone() -> None:
    with pytest.raises(InvalidInput) as caught:
        zone("Mars/Olympus")
    assert caught.value.field == "timezone"
    with pytest.raises(InvalidInput):
        check("* * * * *", "../etc")
