"""`GET /metrics`: the live seam metrics in Prometheus' text format.

The registry is built per app (nothing at import time) and the figures are computed at
scrape time from the event log (service/views/metrics.py). Labels are bounded, non-personal
values only: queue, lane (routing rule), channel, trigger kind, missed-escalation reason
and quantile. Never a conversation id, customer reference, name or message text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from warmline.bootstrap import Warmline
from warmline.domain.access import STAFF, Role
from warmline.domain.measure.metrics import Rate, SeamMetrics, Spread
from warmline.entrypoints.http.auth import allow
from warmline.service.views.metrics import live_metrics


class SeamCollector(Collector):
    """Computes the figures once per scrape and yields them as gauges."""

    def __init__(self, figures: Callable[[], SeamMetrics]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        m = self.figures()
        handoffs = GaugeMetricFamily("warmline_handoffs", "Handoffs in the window",
                                     labels=["queue", "lane", "channel"])
        counts: dict[tuple[str, str, str], int] = {}
        for f in m.handoffs:
            key = (f.queue, f.lane, f.channel)
            counts[key] = counts.get(key, 0) + 1
        for key, n in sorted(counts.items()):
            handoffs.add_metric(list(key), n)
        yield handoffs
        yield _gauge("warmline_conversations", "Conversations started in the window",
                     m.conversations)
        yield _spread("warmline_time_to_human_seconds",
                      "Handoff to first human message, by queue", m.time_to_human_by_queue,
                      "queue")
        yield _spread("warmline_time_to_human_by_lane_seconds",
                      "Handoff to first human message, by lane", m.time_to_human_by_lane,
                      "lane")
        yield _gauge("warmline_handoffs_unanswered", "Handoffs with no human message yet",
                     m.unanswered)
        yield _ratio("warmline_re_escalation_ratio",
                     "Handoffs transferred again or reopened within 7 days", m.re_escalation)
        yield _ratio("warmline_fallback_share_ratio", "Handoffs routed to the fallback queue",
                     m.fallback_share)
        yield _ratios("warmline_escalation_rate_by_channel_ratio",
                      "Escalated conversations per conversation, by channel", "channel",
                      m.escalation_by_channel)
        yield _ratios("warmline_escalation_rate_by_trigger_ratio",
                      "Conversations escalated with the trigger, per conversation", "trigger",
                      m.escalation_by_trigger)
        yield _ratios("warmline_escalation_rate_by_route_ratio",
                      "Escalated conversations per conversation, by assessed route", "route",
                      m.escalation_by_route)
        if m.csat_mean is not None:
            yield _gauge("warmline_csat_mean", "Mean post-handoff CSAT (1..5)", m.csat_mean)
        yield _ratio("warmline_csat_response_ratio",
                     "Resolved handoffs whose CSAT question was answered", m.csat_response)
        if m.leaks_per_handoff is not None:
            yield _gauge("warmline_seam_leaks_per_handoff", "Seam leaks per handoff",
                         m.leaks_per_handoff)
        missed = GaugeMetricFamily("warmline_missed_escalations",
                                   "Conversations that ended badly without a handoff",
                                   labels=["reason"])
        for reason, n in m.missed_by_reason.items():
            missed.add_metric([reason], n)
        yield missed


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _ratio(name: str, doc: str, rate: Rate) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=rate.value if rate.value is not None else 0.0)


def _ratios(name: str, doc: str, label: str, rates: dict[str, Rate]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, rate in rates.items():
        if rate.value is not None:
            family.add_metric([key], rate.value)
    return family


def _spread(name: str, doc: str, spreads: dict[str, Spread], label: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label, "quantile"])
    for key, s in spreads.items():
        for q, value in (("0.5", s.median), ("0.9", s.p90)):
            if value is not None:
                family.add_metric([key, q], value)
    return family


def router(wl: Warmline) -> APIRouter:
    """The `/metrics` route with its own registry (one per app, none global)."""
    def now() -> datetime:
        return wl.clock.now() if wl.clock is not None else datetime.now(UTC)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SeamCollector(lambda: live_metrics(wl.uow, now())))
    api = APIRouter(tags=["ops"])

    @api.get("/metrics", summary="Live seam metrics (Prometheus text format)",
             dependencies=[allow(Role.METRICS, *STAFF)],
             response_class=PlainTextResponse, responses={
                 200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                       "description": "Prometheus text exposition format"},
                 503: {"description": "The database is unavailable; retry later"}})
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return api
