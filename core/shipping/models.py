"""Results mailed by EMS: one shipment per case, and the carrier's events for it."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Shipment(Model):
    """The parcel that carries a case's paper result to the citizen."""

    id = fields.BigIntField(primary_key=True)
    application_id = fields.BigIntField(unique=True)
    # not unique: one envelope may carry the results of several cases of the same citizen
    # (``service.record_shipment`` refuses a number on another citizen's case, under a lock)
    tracking_number = fields.CharField(max_length=32, db_index=True)
    carrier = fields.CharField(max_length=16, default="ems")
    state = fields.CharField(max_length=24, default="created")  # core.ports.ParcelUpdate.state
    last_event_at = fields.DatetimeField(null=True)  # the newest carrier event's own time
    subscribed = fields.BooleanField(default=False)  # the provider accepted our subscription
    # when we last heard from the provider (push or query); the poller's "silent since"
    checked_at = fields.DatetimeField()
    polled_at = fields.DatetimeField(null=True)  # when the poller last queried the provider
    shipped_by = fields.CharField(max_length=96)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "shipment"
        indexes = (("state", "checked_at"),)


class TrackingEvent(Model):
    """One carrier scan. Pushes repeat the whole history: the fingerprint keeps rows unique."""

    id = fields.BigIntField(primary_key=True)
    shipment_id = fields.BigIntField(db_index=True)
    fingerprint = fields.CharField(max_length=64)  # SHA-256 of the event's time and text
    at = fields.DatetimeField()
    status = fields.CharField(max_length=24)
    description = fields.TextField()
    location = fields.CharField(max_length=64, default="")
    received_at = fields.DatetimeField()

    class Meta:
        table = "tracking_event"
        unique_together = (("shipment_id", "fingerprint"),)
