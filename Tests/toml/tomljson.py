"""tomllib's reading of a document in the tagged JSON form TOMLToJSON prints for adhocd's reader,
and the comparison of the two.

Tables are objects, arrays are arrays, every other value is {"type": ..., "value": "..."}:
string, integer (decimal), float (shortest repr, nan, inf, -inf), bool, and the date-time kinds
datetime / datetime-local / date-local / time-local written YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM
(the parts the kind has, six fraction digits).
"""

from __future__ import annotations

import datetime
import math
import tomllib
from typing import Any

INT64 = range(-(2**63), 2**63)


class Refused(Exception):
    """tomllib (or strict UTF-8 decoding) refused the document."""


def read(data: bytes) -> dict[str, Any]:
    """The tagged value of a document, or Refused with tomllib's message. A leading byte order
    mark is dropped first: adhocd skips it (toml-test counts it valid), tomllib refuses it."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise Refused(f"not UTF-8: {error}") from None
    try:
        return tag(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise Refused(str(error)) from None


def tag(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: tag(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tag(item) for item in value]
    if isinstance(value, bool):
        return {"type": "bool", "value": "true" if value else "false"}
    if isinstance(value, int):
        return {"type": "integer", "value": str(value)}
    if isinstance(value, float):
        return {"type": "float", "value": repr(value)}
    if isinstance(value, str):
        return {"type": "string", "value": value}
    if isinstance(value, datetime.datetime):
        text = _date(value) + "T" + _time(value)
        offset = value.utcoffset()
        if offset is None:
            return {"type": "datetime-local", "value": text}
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return {"type": "datetime", "value": text + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"}
    if isinstance(value, datetime.date):
        return {"type": "date-local", "value": _date(value)}
    if isinstance(value, datetime.time):
        return {"type": "time-local", "value": _time(value)}
    raise TypeError(f"unexpected value {value!r}")


def _date(value: datetime.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _time(value: datetime.time | datetime.datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"


def exceeds_int64(tagged: Any) -> bool:
    """Whether tomllib read an integer adhocd must refuse (TOML asks for 64-bit integers and an
    error where one cannot be kept exactly; Python's are unbounded)."""
    if isinstance(tagged, list):
        return any(exceeds_int64(item) for item in tagged)
    if isinstance(tagged, dict):
        if set(tagged) == {"type", "value"} and tagged.get("type") == "integer" and isinstance(tagged["value"], str):
            return int(tagged["value"]) not in INT64
        return any(exceeds_int64(item) for item in tagged.values())
    return False


def difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where two tagged values differ, or None. Floats compare as doubles: every NaN is equal,
    0.0 and -0.0 are not."""
    if isinstance(expected, dict) and set(expected) == {"type", "value"} and isinstance(expected.get("value"), str):
        if not (isinstance(actual, dict) and set(actual) == {"type", "value"}):
            return f"{path or '/'}: expected {expected}, got {actual}"
        if expected["type"] != actual["type"]:
            return f"{path or '/'}: expected a {expected['type']}, got {actual}"
        if expected["type"] == "float":
            left, right = float(expected["value"]), float(actual["value"])
            same = (math.isnan(left) and math.isnan(right)) or (left == right and math.copysign(1, left) == math.copysign(1, right))
            return None if same else f"{path or '/'}: expected {expected['value']}, got {actual['value']}"
        return None if expected["value"] == actual["value"] else f"{path or '/'}: expected {expected['value']!r}, got {actual['value']!r}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or ("type" in actual and set(actual) == {"type", "value"} and isinstance(actual.get("value"), str)):
            return f"{path or '/'}: expected a table, got {actual}"
        if set(expected) != set(actual):
            return f"{path or '/'}: keys {sorted(expected)} vs {sorted(actual)}"
        for key in expected:
            found = difference(expected[key], actual[key], f"{path}/{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return f"{path or '/'}: expected an array of {len(expected)}, got {actual}"
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    return f"{path or '/'}: unexpected {expected!r}"
