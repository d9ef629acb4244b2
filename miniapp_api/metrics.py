"""Prometheus metrics: request counts and times per route pattern, and ``GET /metrics``.

Counters live in ``core.metrics``. Under ``citysvc serve`` every worker process writes them
to ``PROMETHEUS_MULTIPROC_DIR`` and a scrape of any worker sums them all; gauges that must
agree everywhere (outbox depth, worker heartbeats) are read from the database per scrape.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from core.alerts.service import open_by_level
from core.campaigns.service import count_by_status
from core.errors import NotAuthenticated
from core.heartbeat.service import Liveness, liveness
from core.ports import Clock
from miniapp_api.context import services
from miniapp_api.docs import documented
from notifications.depth import outbox_depth

bp = Blueprint("metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True, eq=False)  # registered by identity: no value hash
class _Snapshot(Collector):
    """Database readings taken before the scrape renders (``collect`` cannot await)."""

    depth: list[tuple[str, str, int]]
    workers: list[Liveness]
    warnings: list[tuple[str, int]]
    campaigns: list[tuple[str, int]]

    @classmethod
    async def read(cls, clock: Clock) -> _Snapshot:
        return cls(
            await outbox_depth(),
            await liveness(clock),
            await open_by_level(),
            await count_by_status(),
        )

    def collect(self) -> Iterator[Metric]:
        yield _family(
            "citysvc_outbox_messages",
            "Outbox messages by lane and status.",
            ("lane", "status"),
            [((lane, status), n) for lane, status, n in self.depth],
        )
        yield _family(
            "citysvc_worker_heartbeat_age_seconds",
            "Seconds since each running worker last stamped its heartbeat.",
            ("worker",),
            [((row.worker,), row.age_seconds) for row in self.workers],
        )
        yield GaugeMetricFamily(
            "citysvc_workers_alive",
            "Workers whose heartbeat is recent.",
            value=sum(row.alive for row in self.workers),
        )
        yield _family(
            "citysvc_supervision_warnings_open",
            "Open supervision warnings by level.",
            ("level",),
            [((level,), n) for level, n in self.warnings],
        )
        yield _family(
            "citysvc_campaigns",
            "Campaigns by status (progress: the campaign lane of citysvc_outbox_messages).",
            ("status",),
            [((status,), n) for status, n in self.campaigns],
        )


def _family(
    name: str, text: str, labels: tuple[str, ...], values: list[tuple[tuple[str, ...], float]]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, text, labels=labels)
    for key, value in values:
        family.add_metric(key, value)
    return family


def _render(snapshot: Collector, multiprocess: bool) -> bytes:
    own = CollectorRegistry()
    own.register(snapshot)
    if not multiprocess:
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
    snapshot = await _Snapshot.read(svc.clock)
    # the multiprocess files are read from disk: off the event loop
    body = await asyncio.get_running_loop().run_in_executor(
        None, _render, snapshot, svc.settings.ops.metrics_dir is not None
    )
    return raw(body, content_type=CONTENT_TYPE)
