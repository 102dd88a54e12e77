"""Opening hours: is a schedule open at a moment, and when does it next open.

Times are compared in the schedule's own time zone (zoneinfo, standard library), so a
queue in Europe/Berlin opens at 08:00 Berlin time whatever the server's zone, across
daylight-saving changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from warmline.domain.routing.policy import DAYS, Schedule

_LOOKAHEAD_DAYS = 400  # a schedule closed for longer than this is treated as never open


def _clock(hhmm: str) -> time | None:
    """HH:MM as a time; 24:00 is None (end of day)."""
    if hhmm == "24:00":
        return None
    h, m = hhmm.split(":")
    return time(int(h), int(m))


def _open_on(s: Schedule, day: date) -> bool:
    return DAYS[day.weekday()] in s.days and day.isoformat() not in s.closed_dates


def _window(s: Schedule, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, _clock(s.open) or time(0), tz)
    end_t = _clock(s.close)
    end = (datetime.combine(day, end_t, tz) if end_t is not None
           else datetime.combine(day + timedelta(days=1), time(0), tz))
    return start, end


def is_open(s: Schedule, at: datetime) -> bool:
    tz = ZoneInfo(s.timezone)
    local = at.astimezone(tz)
    if not _open_on(s, local.date()):
        return False
    start, end = _window(s, local.date(), tz)
    return start <= local < end


def next_open(s: Schedule, at: datetime) -> datetime | None:
    """`at` itself when open, else the next opening; None if it never opens."""
    tz = ZoneInfo(s.timezone)
    local = at.astimezone(tz)
    for offset in range(_LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        if not _open_on(s, day):
            continue
        start, end = _window(s, day, tz)
        if local < end:
            return max(start, local).astimezone(at.tzinfo)
    return None


def closes_at(s: Schedule, at: datetime) -> datetime | None:
    """When the current opening ends (None when closed now)."""
    if not is_open(s, at):
        return None
    tz = ZoneInfo(s.timezone)
    return _window(s, at.astimezone(tz).date(), tz)[1].astimezone(at.tzinfo)
