"""Failures of external services, split by what the caller should do about them."""

from __future__ import annotations

from typing import Any

from core import errors as domain


class IntegrationError(Exception):
    """An external service failed. ``platform_code`` is the vendor's own code, if any."""

    code = "upstream_error"

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        platform_code: str | int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.platform_code = platform_code
        self.details = details or {}


class Retryable(IntegrationError):
    """Busy, rate-limited, timed out or unreachable: the same call may succeed later."""

    code = "upstream_unavailable"

    def __init__(self, message: str, *, retry_after: float = 5.0, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Permanent(IntegrationError):
    """The service refused the call for good: retrying the same call cannot help."""

    code = "upstream_rejected"


class TokenExpired(Retryable):
    """The platform says our access token is invalid: refresh it once and retry once."""

    code = "upstream_token_expired"


class SignatureInvalid(IntegrationError):
    """A signature we had to verify (inbound callback or platform answer) did not verify."""

    code = "signature_invalid"


# First match wins: subclasses stand before their bases. The API (``miniapp_api/errors.py``)
# and the console's pages answer by this one table.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (domain.Malformed, 400),
    (domain.NotAuthenticated, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.TooLarge, 413),
    (domain.UnsupportedType, 415),
    (domain.InvalidInput, 422),
    (domain.RateLimited, 429),
    (domain.Unavailable, 503),
    (SignatureInvalid, 401),
    (Retryable, 503),
    (Permanent, 502),
    (IntegrationError, 502),
    (domain.DomainError, 400),
)


def http_status(exc: Exception) -> int | None:
    """The HTTP status of one of our errors; None for anything else."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return None
