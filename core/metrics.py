"""The process's Prometheus instruments, defined once for every floor that counts something.

``prometheus_client`` picks its storage when it is first imported: with
``PROMETHEUS_MULTIPROC_DIR`` set (``citysvc serve`` sets it before its workers start) every
process writes its samples to files there and ``/metrics`` sums them; without it (tests, one
process) they live in memory. Only counters and histograms are kept here: gauges that must
agree across processes (outbox depth, worker heartbeats) are read from the database when
``/metrics`` is scraped.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram, disable_created_metrics

disable_created_metrics()  # type: ignore[no-untyped-call] # the *_created series double a scrape and nobody graphs them

HTTP_REQUESTS = Counter(
    "citysvc_http_requests",
    "HTTP requests answered, by method, route pattern and status.",
    ("method", "route", "status"),
)
HTTP_DURATION = Histogram(
    "citysvc_http_request_duration_seconds",
    "Time from a request's arrival to its answer, by method, route pattern and status.",
    ("method", "route", "status"),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DISPATCH = Counter(
    "citysvc_dispatch",
    "Delivery attempts by channel, outcome (sent, retry, failed, no_consent, held) and the "
    "platform's error code (empty when sent).",
    ("channel", "outcome", "error"),
)
TOKEN_REFRESHES = Counter(
    "citysvc_token_refreshes",
    "Platform access tokens fetched from the platform (not served from the shared cache).",
    ("platform",),
)
