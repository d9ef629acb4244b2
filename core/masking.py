"""Masking personal data for answers and logs, and a logging filter that applies it.

The ``mask_*`` functions shape values we know the type of (an ID number field, a phone
field). ``redact`` is the safety net for free text (log lines, error messages): it finds ID
numbers, mobile numbers and credentials by shape, so it errs on the side of masking.

``redact`` is idempotent (its output contains nothing it would mask again), which matters
because the log filter may run several times on one record, once per handler.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from typing import Any

_STAR = "*"

# "Whole token" means not glued to other ASCII letters or digits. \b cannot be used: Python
# treats Chinese characters as word characters, so "身份证110105...号" would have no boundary.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?P<prefix>(?:\+|00)86[ -]?)?(?P<number>1[3-9][0-9]{9})(?![0-9A-Za-z])"
)
_BEARER = re.compile(r"(?<![A-Za-z0-9_])(?P<word>bearer)\s+[^\s\"',;]+", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SECRET_KEYS = r"access_token|refresh_token|session_key"
# session_key=abc, access_token='abc' (query strings, kwargs reprs)
_SECRET_ASSIGN = re.compile(
    rf"(?<![A-Za-z0-9_])(?P<head>(?:{_SECRET_KEYS})\s*=\s*[\"']?)[^\s\"'&,;)}}]+",
    re.IGNORECASE,
)
# "session_key": "abc" (JSON) and 'session_key': 'abc' (dict reprs)
_SECRET_ITEM = re.compile(
    rf"(?P<head>[\"'](?:{_SECRET_KEYS})[\"']\s*:\s*[\"'])[^\"']+", re.IGNORECASE
)


def mask_id_number(value: str) -> str:
    """``320102199001011234`` -> ``3201**********1234``; short input keeps at most 1 + 1."""
    text = value.strip()
    if len(text) >= 15:
        keep = 4
    elif len(text) >= 3:
        keep = 1
    else:
        return _STAR * len(text)
    return text[:keep] + _STAR * (len(text) - 2 * keep) + text[-keep:]


def mask_name(value: str) -> str:
    """``张三`` -> ``张*``, ``Li Lei`` -> ``L*****``; a one-character name becomes ``*``."""
    text = value.strip()
    if len(text) <= 1:
        return _STAR * len(text)
    return text[0] + _STAR * (len(text) - 1)


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678`` (first 3 and last 4 kept; a +86 prefix is kept)."""
    text = value.strip()
    prefix = ""
    for candidate in ("+86", "0086"):
        if text.startswith(candidate) and len(text) > len(candidate) + 7:
            prefix, text = text[: len(candidate)], text[len(candidate) :]
            break
    if len(text) < 7:
        return prefix + _STAR * len(text)
    return prefix + text[:3] + _STAR * (len(text) - 7) + text[-4:]


def mask_address(detail: str) -> str:
    """The first 6 characters then ``****`` (at most half of a short address is kept)."""
    text = detail.strip()
    if not text:
        return ""
    # The fixed-width tail hides the length; halving keeps "幸福路1号" from staying readable.
    return text[: min(6, len(text) // 2)] + "****"


def _mask_mobile_match(match: re.Match[str]) -> str:
    return (match.group("prefix") or "") + mask_phone(match.group("number"))


_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_ID_NUMBER, lambda m: mask_id_number(m.group(0))),
    (_MOBILE, _mask_mobile_match),
    # Bearer before JWT, so "Bearer eyJ..." reads "Bearer ***" rather than "Bearer eyJ***".
    (_BEARER, lambda m: m.group("word") + " ***"),
    (_JWT, lambda m: "eyJ***"),
    (_SECRET_ASSIGN, lambda m: m.group("head") + "***"),
    (_SECRET_ITEM, lambda m: m.group("head") + "***"),
)


def mask_id_numbers(text: str) -> str:
    """Mask every resident ID number written anywhere in ``text`` (a form field, a note)."""
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


# Something every pattern above needs: 11 digits in a row (a mobile number; an ID number has
# 17), or one of the words. Most log lines (an access line, say) have none, and one search
# spares them the six substitutions; a line with any runs them all, as before.
_ANY_CANDIDATE = re.compile(rf"[0-9]{{11}}|bearer|eyJ|{_SECRET_KEYS}", re.IGNORECASE)


def redact(text: str) -> str:
    """Mask ID numbers, mobile numbers and credentials found anywhere in ``text``."""
    if not _ANY_CANDIDATE.search(text):
        return text
    for pattern, replace in _SUBSTITUTIONS:
        text = pattern.sub(replace, text)
    return text


def _formatted_message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        # Bad %-arguments: logging would later print msg and args raw through handleError.
        try:
            return f"{record.msg} [unformattable log arguments: {record.args!r}]"
        except Exception:
            return "[unformattable log message]"


class PiiLogFilter(logging.Filter):
    """Rewrites each record so that its message and traceback are redacted.

    The message is formatted first (``getMessage``) and ``args`` cleared, so an ID number
    passed as a ``%s`` argument is masked as well. The traceback is rendered into
    ``exc_text`` and redacted; ``logging.Formatter`` reuses ``exc_text`` when it is set.
    Never raises and never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = redact(_formatted_message(record))
            record.args = ()
            if record.exc_info and not record.exc_text:
                record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:  # a logging filter must not break the code that logs
            # Half-redacted text could still hold personal data: drop it all rather than leak.
            record.msg, record.args = "[log message dropped: redaction failed]", ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


_FRAMEWORK_LOGGERS = ("sanic.root", "sanic.access", "sanic.error", "tortoise")
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _masking_factory(
    previous: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    pii_filter = PiiLogFilter()

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        pii_filter.filter(record)
        return record

    make_record.masks_pii = True  # type: ignore[attr-defined]
    return make_record


def install_log_filter() -> PiiLogFilter:
    """Mask every log record of this process, whichever handler writes it.

    Records are masked where they are made (a ``logging`` record factory): handlers added
    later, Python's last-resort handler and a library's own handlers all receive masked
    records. The filter also goes on the handlers present now (root and framework loggers),
    as it did before, so a record made before the factory was installed is masked too.
    When nothing would write ``citysvc.*`` lines (no root handler: Sanic configures only its
    own loggers), a stderr handler at INFO is added for them: otherwise Python's last resort
    wrote only warnings, unmasked. Safe to call twice, in every process (Sanic's workers
    call it when they build the app).
    """
    current = logging.getLogRecordFactory()
    if not getattr(current, "masks_pii", False):
        logging.setLogRecordFactory(_masking_factory(current))
    pii_filter = PiiLogFilter()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in _FRAMEWORK_LOGGERS)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(existing, PiiLogFilter) for existing in handler.filters):
                handler.addFilter(pii_filter)
    ours = logging.getLogger("citysvc")
    if not logging.getLogger().handlers and not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        handler.addFilter(pii_filter)
        ours.addHandler(handler)
        if ours.level == logging.NOTSET:
            ours.setLevel(logging.INFO)
    return pii_filter
