"""Literal values the way PostgreSQL's type input functions read them.

PostgreSQL evaluates a typed literal when it stores a constraint:
``interval '1 week'`` is kept as ``'7 days'::interval``, ``'2000-1-1'::date``
as ``'2000-01-01'::date``, ``'{A0EE...}'::uuid`` in lower case. To compare a
definition as a person wrote it with the server's rendering, both literals
are brought to one canonical value per type here. A value this module cannot
read is returned unchanged, so two spellings it does not understand compare
as written (and are reported as different rather than guessed equal).

Only pure functions, no server: time zones default to UTC (``timezone=``),
dates are read in ISO order (the server's ``DateStyle = ISO, MDY`` reads
``YYYY-MM-DD`` the same way).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid as uuidlib
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

INTEGER_TYPES = frozenset({"int2", "int4", "int8"})
NUMERIC_TYPES = INTEGER_TYPES | {"numeric", "float4", "float8"}
STRING_TYPES = frozenset({"text", "varchar", "bpchar", "name", "citext"})

# Interval field masks PostgreSQL keeps in an interval's typmod (INTERVAL_MASK in datetime.h).
_FIELD_MASKS = {1 << 2: "year", 1 << 1: "month", 1 << 3: "day", 1 << 10: "hour", 1 << 11: "minute", 1 << 12: "second"}


def canonical(type_name: str | None, text: str, *, typmods: tuple = (), timezone: str = "UTC") -> str:
    """The canonical text of literal ``text`` read as ``type_name`` (unchanged when unreadable)."""
    reader = _READERS.get(type_name or "")
    if reader is None:
        return text
    try:
        if type_name == "interval":
            return reader(text, typmods)
        if type_name == "timestamptz":
            return reader(text, timezone)
        return reader(text)
    except (ValueError, InvalidOperation, ArithmeticError, TypeError):
        return text


def number(text: str) -> Decimal | None:
    """``text`` as a number (``'-1'``, ``' 5 '``, ``1e3``), or None."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def _numeric(text: str) -> str:
    value = Decimal(text.strip())
    if value.is_nan():
        return "NaN"
    if not value.is_finite():
        return "Infinity" if value > 0 else "-Infinity"
    # 5, 5.0 and 5.00 are one value: a CHECK compares values, not their scale.
    return format(value.normalize(), "f") if value != 0 else "0"


def _float(text: str) -> str:
    word = text.strip().lower()
    if word in ("nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"):
        return {"nan": "NaN"}.get(word, "-Infinity" if word.startswith("-") else "Infinity")
    return _numeric(text)


def _integer(text: str) -> str:
    value = Decimal(text.strip())
    if value != value.to_integral_value():
        raise ValueError("not an integer")
    return str(int(value))


_TRUE = ("t", "true", "y", "yes", "on", "1")
_FALSE = ("f", "false", "n", "no", "off", "0")


def _boolean(text: str) -> str:
    word = text.strip().lower()
    # PostgreSQL accepts any unambiguous prefix of true/false/yes/no (not of on/off).
    if word in _TRUE or (len(word) > 0 and ("true".startswith(word) or "yes".startswith(word))):
        return "true"
    if word in _FALSE or (len(word) > 0 and ("false".startswith(word) or "no".startswith(word))):
        return "false"
    raise ValueError(text)


def _uuid(text: str) -> str:
    return str(uuidlib.UUID(text.strip().strip("{}").replace("-", "")))


def _date_parts(text: str) -> dt.date:
    word = text.strip().lower()
    if word == "epoch":
        return dt.date(1970, 1, 1)
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", word) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", word)
    if not m:
        raise ValueError(text)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _date(text: str) -> str:
    word = text.strip().lower()
    if word in ("infinity", "-infinity"):
        return word
    return _date_parts(text).isoformat()


_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{8})"
    r"(?:[ t](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{1,2}(?::?\d{2})?)?"
)


def _timestamp_parts(text: str) -> tuple[dt.datetime, dt.timezone | None]:
    m = _TIMESTAMP.fullmatch(text.strip().lower())
    if not m:
        raise ValueError(text)
    day = _date_parts(m["date"])
    micro = int((m["f"] or "0").ljust(6, "0"))
    value = dt.datetime(day.year, day.month, day.day, int(m["h"] or 0), int(m["mi"] or 0), int(m["s"] or 0), micro)
    tz = m["tz"]
    if tz is None:
        return value, None
    if tz in ("z", "utc", "gmt"):
        return value, dt.timezone.utc
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    return value, dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _format_timestamp(value: dt.datetime) -> str:
    out = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        out += f".{value.microsecond:06d}".rstrip("0")
    return out


def _timestamp(text: str) -> str:
    word = text.strip().lower()
    if word in ("infinity", "-infinity", "epoch"):
        return "1970-01-01 00:00:00" if word == "epoch" else word
    # A time zone written into a timestamp without time zone is ignored, as PostgreSQL does.
    value, _ = _timestamp_parts(text)
    return _format_timestamp(value)


def _timestamptz(text: str, timezone: str) -> str:
    word = text.strip().lower()
    if word in ("infinity", "-infinity"):
        return word
    if word == "epoch":
        return "1970-01-01 00:00:00+00"
    value, tz = _timestamp_parts(text)
    # Normalised to UTC: the same instant however its offset was written.
    aware = value.replace(tzinfo=tz or ZoneInfo(timezone))
    return _format_timestamp(aware.astimezone(dt.timezone.utc).replace(tzinfo=None)) + "+00"


def _time(text: str) -> str:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?", text.strip().lower())
    if not m:
        raise ValueError(text)
    value = dt.time(int(m[1]), int(m[2]), int(m[3] or 0), int((m[4] or "0").ljust(6, "0")))
    out = value.strftime("%H:%M:%S")
    return out + (f".{value.microsecond:06d}".rstrip("0") if value.microsecond else "")


# ------------------------------------------------------------------ intervals

_UNITS = {
    "microsecond": ("us", 1), "microseconds": ("us", 1), "us": ("us", 1), "usec": ("us", 1), "usecs": ("us", 1),
    "millisecond": ("us", 1000), "milliseconds": ("us", 1000), "ms": ("us", 1000), "msec": ("us", 1000), "msecs": ("us", 1000),
    "second": ("us", 10**6), "seconds": ("us", 10**6), "sec": ("us", 10**6), "secs": ("us", 10**6), "s": ("us", 10**6),
    "minute": ("us", 60 * 10**6), "minutes": ("us", 60 * 10**6), "min": ("us", 60 * 10**6), "mins": ("us", 60 * 10**6), "m": ("us", 60 * 10**6),
    "hour": ("us", 3600 * 10**6), "hours": ("us", 3600 * 10**6), "hr": ("us", 3600 * 10**6), "hrs": ("us", 3600 * 10**6), "h": ("us", 3600 * 10**6),
    "day": ("d", 1), "days": ("d", 1), "d": ("d", 1),
    "week": ("d", 7), "weeks": ("d", 7), "w": ("d", 7),
    "month": ("mon", 1), "months": ("mon", 1), "mon": ("mon", 1), "mons": ("mon", 1),
    "year": ("mon", 12), "years": ("mon", 12), "yr": ("mon", 12), "yrs": ("mon", 12), "y": ("mon", 12),
    "decade": ("mon", 120), "decades": ("mon", 120), "century": ("mon", 1200), "centuries": ("mon", 1200),
    "millennium": ("mon", 12000), "millennia": ("mon", 12000), "millenniums": ("mon", 12000),
}
_DAY_US = 86400 * 10**6


class _Interval:
    def __init__(self):
        self.months, self.days, self.micros = 0, 0, 0

    def add(self, amount: Decimal, unit: str) -> None:
        kind, factor = _UNITS[unit]
        if kind == "us":
            self.micros += int((amount * factor).to_integral_value())
            return
        if kind == "d":
            whole = int(amount * factor)
            self.days += whole
            # A fractional day spills into time: '1.5 days' is 1 day 12:00:00.
            self.micros += int(((amount * factor) - whole) * _DAY_US)
            return
        total = amount * factor
        whole = int(total)
        self.months += whole
        # A fractional month spills into days (30 per month), then time.
        days = (total - whole) * 30
        self.days += int(days)
        self.micros += int((days - int(days)) * _DAY_US)

    def text(self) -> str:
        parts = []
        years, months = divmod(abs(self.months), 12)
        sign = -1 if self.months < 0 else 1
        if years:
            parts.append(f"{sign * years} year{'s' if sign * years != 1 else ''}")
        if months:
            parts.append(f"{sign * months} mon{'s' if sign * months != 1 else ''}")
        if self.days:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        if self.micros or not parts:
            neg = self.micros < 0
            us = abs(self.micros)
            secs, frac = divmod(us, 10**6)
            mins, secs = divmod(secs, 60)
            hours, mins = divmod(mins, 60)
            clock = f"{hours:02d}:{mins:02d}:{secs:02d}" + (f".{frac:06d}".rstrip("0") if frac else "")
            # PostgreSQL writes '+' before a positive time after a negative date part.
            prefix = "-" if neg else ("+" if parts and (self.days < 0 or self.months < 0) else "")
            parts.append(prefix + clock)
        return " ".join(parts)


_ISO = re.compile(r"p(?:(?P<y>[\d.]+)y)?(?:(?P<mo>[\d.]+)m)?(?:(?P<w>[\d.]+)w)?(?:(?P<d>[\d.]+)d)?"
                  r"(?:t(?:(?P<h>[\d.]+)h)?(?:(?P<mi>[\d.]+)m)?(?:(?P<s>[\d.]+)s)?)?")
_CLOCK = re.compile(r"([+-]?)(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?")
_YEAR_MONTH = re.compile(r"([+-]?)(\d+)-(\d+)")


def _interval(text: str, typmods: tuple = ()) -> str:
    word = " ".join(text.strip().lower().split())
    value = _Interval()
    iso = _ISO.fullmatch(word)
    if iso and word != "p":
        for key, unit in (("y", "year"), ("mo", "month"), ("w", "week"), ("d", "day"), ("h", "hour"), ("mi", "minute"), ("s", "second")):
            if iso[key]:
                value.add(Decimal(iso[key]), unit)
        return value.text()
    word = word.removeprefix("@").strip()
    ago = word.endswith(" ago") or word == "ago"
    if ago:
        word = word[: -len("ago")].strip()
    tokens = word.split()
    field = _FIELD_MASKS.get(typmods[0]) if typmods else None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        clock = _CLOCK.fullmatch(tok)
        year_month = _YEAR_MONTH.fullmatch(tok)
        if clock:
            sign = -1 if clock[1] == "-" else 1
            micros = (int(clock[2]) * 3600 + int(clock[3]) * 60 + int(clock[4] or 0)) * 10**6 + int((clock[5] or "0")[:6].ljust(6, "0"))
            value.micros += sign * micros
            i += 1
            continue
        if year_month and i == 0:
            sign = -1 if year_month[1] == "-" else 1
            value.months += sign * (int(year_month[2]) * 12 + int(year_month[3]))
            i += 1
            continue
        amount = number(tok)
        if amount is None:
            raise ValueError(text)
        unit = tokens[i + 1] if i + 1 < len(tokens) else None
        if unit in _UNITS:
            value.add(amount, unit)
            i += 2
        elif unit is None:
            # A bare number: in the interval's one field when it has one ('2' hour), else seconds,
            # except 'N HH:MM' forms where it counts days.
            value.add(amount, field or ("day" if i + 1 < len(tokens) else "second"))
            i += 1
        elif _CLOCK.fullmatch(unit):
            value.add(amount, "day")
            i += 1
        else:
            raise ValueError(text)
    if ago:
        value.months, value.days, value.micros = -value.months, -value.days, -value.micros
    return value.text()


def _jsonb(text: str) -> str:
    # jsonb keeps neither key order, duplicate keys nor spacing: compare the parsed value.
    return json.dumps(json.loads(text), sort_keys=True, separators=(", ", ": "))


def _bpchar(text: str) -> str:
    # Trailing spaces carry no meaning in character(n).
    return text.rstrip(" ")


_READERS = {
    "int2": _integer, "int4": _integer, "int8": _integer,
    "numeric": _numeric, "float4": _float, "float8": _float,
    "bool": _boolean, "uuid": _uuid, "date": _date,
    "timestamp": _timestamp, "timestamptz": _timestamptz, "interval": _interval, "time": _time,
    "jsonb": _jsonb, "bpchar": _bpchar,
}


def array_elements(text: str) -> list[str | None] | None:
    """The elements of a one-dimensional array literal (``'{a,"b c",NULL}'``), or None when it is not one."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    body = body[1:-1]
    if "{" in body.replace('\\{', ""):
        return None  # several dimensions: compared as written
    out: list[str | None] = []
    if not body.strip():
        return out
    i, n = 0, len(body)
    while i <= n:
        while i < n and body[i] == " ":
            i += 1
        if i < n and body[i] == '"':
            i += 1
            buf = []
            while i < n and body[i] != '"':
                if body[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(body[i])
                i += 1
            i += 1
            out.append("".join(buf))
            while i < n and body[i] == " ":
                i += 1
        else:
            start = i
            while i < n and body[i] != ",":
                i += 1
            raw = body[start:i].strip()
            out.append(None if raw.upper() == "NULL" else raw.replace("\\", ""))
        if i < n and body[i] != ",":
            return None
        i += 1
    return out
