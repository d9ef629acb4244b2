"""Prometheus metrics: request counts and times per route pattern, and ``GET /metrics``.

Counters live in ``core.metrics``. Under ``citysvc serve`` every worker process writes them
to ``PROMETHEUS_MULTIPROC_DIR`` and a scrape of any worker sums them all; gauges that must
agree everywhere (outbox depth, worker heartbeats) are read from the database per scrape.
"""

from __future__ import annotations

import asyncio
import hmac
import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from core.errors import NotAuthenticated
from core.heartbeat.service import Liveness, liveness
from miniapp_api.context import services
from miniapp_api.docs import documented
from notifications.depth import outbox_depth

bp = Blueprint("metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Snapshot(Collector):
    """Database readings taken before the scrape renders (``collect`` cannot await)."""

    def __init__(self, depth: list[tuple[str, str, int]], workers: list[Liveness]) -> None:
        self._depth = depth
        self._workers = workers

    def collect(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "citysvc_outbox_messages",
            "Outbox messages by lane and status.",
            labels=("lane", "status"),
        )
        for lane, status, count in self._depth:
            outbox.add_metric((lane, status), count)
        yield outbox
        age = GaugeMetricFamily(
            "citysvc_worker_heartbeat_age_seconds",
            "Seconds since each running worker last stamped its heartbeat.",
            labels=("worker",),
        )
        for row in self._workers:
            age.add_metric((row.worker,), row.age_seconds)
        yield age
        yield GaugeMetricFamily(
            "citysvc_workers_alive",
            "Workers whose heartbeat is recent.",
            value=sum(row.alive for row in self._workers),
        )


def _render(snapshot: Collector) -> bytes:
    own = CollectorRegistry()
    own.register(snapshot)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY) + generate_latest(own)  # one process: its own memory
    summed = CollectorRegistry()
    MultiProcessCollector(summed)  # type: ignore[no-untyped-call]
    return generate_latest(summed) + generate_latest(own)


@bp.get("/metrics")
@documented("public", answers={200: "text/plain"}, errors={401: ("metrics_token_required",)})
async def metrics(request: Request) -> HTTPResponse:
    """Prometheus text format, summed over the server's worker processes."""
    svc = services(request)
    token = svc.settings.ops.metrics_token
    if token is not None:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise NotAuthenticated(code="metrics_token_required")
    snapshot = _Snapshot(await outbox_depth(), await liveness(svc.clock))
    # the multiprocess files are read from disk: off the event loop
    body = await asyncio.get_running_loop().run_in_executor(None, _render, snapshot)
    return raw(body, content_type=CONTENT_TYPE)
