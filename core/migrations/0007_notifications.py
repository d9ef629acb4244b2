from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0006_exams')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClaimerLease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('owner', fields.CharField(max_length=64)),
                ('expires_at', fields.BigIntField()),
            ],
            options={'table': 'notify_claimer', 'app': 'citysvc', 'pk_attr': 'name', 'table_description': "On SQLite one worker at a time claims messages: the one holding this row's lease."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen_id', fields.UUIDField()),
                ('platform', fields.CharField(max_length=16)),
                ('template_id', fields.CharField(max_length=128)),
                ('credits', fields.IntField(default=0)),
                ('reserved', fields.IntField(default=0)),
                ('long_term', fields.BooleanField(default=False)),
                ('accepts', fields.IntField(default=0)),
                ('rejections', fields.IntField(default=0)),
                ('exhausted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notify_consent', 'app': 'citysvc', 'unique_together': (('citizen_id', 'platform', 'template_id'),), 'pk_attr': 'id', 'table_description': 'What one citizen allowed on one platform for one template.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.BigIntField(db_index=True)),
                ('attempt', fields.IntField()),
                ('worker', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(max_length=16)),
                ('code', fields.CharField(default='', max_length=64)),
                ('detail', fields.CharField(default='', max_length=200)),
                ('elapsed_ms', fields.IntField(default=0)),
                ('retry_in_ms', fields.IntField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notify_attempt', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'One try at sending a message, and what came of it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=191)),
                ('lane', fields.CharField(max_length=16)),
                ('application_id', fields.BigIntField(null=True, db_index=True)),
                ('milestone_id', fields.BigIntField(null=True, db_index=True)),
                ('citizen_id', fields.UUIDField()),
                ('event', fields.CharField(max_length=64)),
                ('channel', fields.CharField(max_length=24)),
                ('recipient', fields.CharField(null=True, max_length=128)),
                ('template_id', fields.CharField(null=True, max_length=128)),
                ('page', fields.CharField(null=True, max_length=512)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('context', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('consent', fields.CharField(null=True, max_length=16)),
                ('status', fields.CharField(max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.BigIntField()),
                ('lease_owner', fields.CharField(null=True, max_length=64)),
                ('lease_expires_at', fields.BigIntField(null=True)),
                ('last_error', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notify_outbox', 'app': 'citysvc', 'indexes': [Index(fields=['lane', 'status', 'next_attempt_at']), Index(fields=['lane', 'status', 'lease_expires_at'])], 'pk_attr': 'id', 'table_description': 'One message to one citizen through one channel, written with the change it reports.'},
            bases=['Model'],
        ),
    ]
