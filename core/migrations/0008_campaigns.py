from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("citysvc", "0007_notifications")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Campaign",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("name", fields.CharField(max_length=100)),
                ("topic", fields.CharField(max_length=32)),
                ("title", fields.CharField(max_length=64)),
                ("summary", fields.CharField(max_length=200)),
                ("page", fields.CharField(default="", max_length=512)),
                ("send_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("quiet_start", fields.CharField(default="21:00", max_length=5)),
                ("quiet_end", fields.CharField(default="08:00", max_length=5)),
                ("rate_per_second", fields.IntField(default=50)),
                (
                    "audience",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("recurrence", fields.CharField(null=True, max_length=5)),
                ("status", fields.CharField(default="draft", db_index=True, max_length=16)),
                ("author_id", fields.BigIntField()),
                ("approver_id", fields.BigIntField(null=True)),
                ("fix_cursor", fields.BigIntField(default=0)),
                (
                    "audience_fixed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("cursor", fields.BigIntField(default=0)),
                ("paced_until_ms", fields.BigIntField(default=0)),
                ("started_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "finished_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "campaign",
                "app": "citysvc",
                "pk_attr": "id",
                "table_description": "One publicity campaign: a topic message to the topic's subscribers.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CampaignRecipient",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("campaign_id", fields.BigIntField()),
                ("citizen_id", fields.UUIDField()),
                ("state", fields.CharField(default="pending", max_length=16)),
                ("queued_at_ms", fields.BigIntField(null=True)),
            ],
            options={
                "table": "campaign_recipient",
                "app": "citysvc",
                "unique_together": (("campaign_id", "citizen_id"),),
                "indexes": [
                    Index(fields=["citizen_id", "state", "queued_at_ms"]),
                    Index(fields=["campaign_id", "id"]),
                ],
                "pk_attr": "id",
                "table_description": "One citizen of a campaign's fixed audience and what became of them.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CitizenTown",
            fields=[
                (
                    "citizen_id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("town", fields.CharField(db_index=True, max_length=32)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "citizen_town",
                "app": "citysvc",
                "pk_attr": "citizen_id",
                "table_description": "The township a citizen said they live in (campaign audiences may filter by it).",
            },
            bases=["Model"],
        ),
    ]
