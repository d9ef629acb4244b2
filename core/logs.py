"""How every process writes its log lines: masked, stamped with the request id, text or JSON.

``install_log_filter`` (``core.masking``) masks each record where it is made; here each record
is also stamped with the id of the request being served (``REQUEST_ID``, set by the API for
the duration of a request; ``-`` elsewhere), and every handler of the process gets one
formatter: ``text`` (default) or ``json``, one object a line (``LOG_FORMAT``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from core.clock import CST
from core.masking import install_log_filter

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
_OURS = ("citysvc", "sanic.root", "sanic.error", "sanic.access", "tortoise")


class JsonFormatter(logging.Formatter):
    """One JSON object a line; the message and traceback are already masked."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, CST).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``TEXT_FORMAT``; a record made before the stamping began reads ``-`` for its id."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


def _stamping_factory(
    previous: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    make_record.stamps_request_id = True  # type: ignore[attr-defined]
    return make_record


def configure_logs(log_format: str = "text", *, root: bool = False) -> None:
    """Mask and stamp every record of this process, and format what our own and Sanic's
    handlers write (the root logger's too with ``root``: a process that configured it
    itself, like the worker; an embedding host keeps its own). Safe to call again."""
    install_log_filter()
    current = logging.getLogRecordFactory()
    if not getattr(current, "stamps_request_id", False):
        logging.setLogRecordFactory(_stamping_factory(current))
    formatter = JsonFormatter() if log_format == "json" else TextFormatter()
    for name in (*_OURS, *([""] if root else [])):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
