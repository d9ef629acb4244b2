from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0004_identity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HandoffTicket',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app_id', fields.CharField(max_length=64)),
                ('open_id', fields.CharField(db_index=True, max_length=128)),
                ('citizen_id', fields.UUIDField(null=True)),
                ('question', fields.TextField(unique=False)),
                ('kb_version', fields.IntField(null=True)),
                ('suggestions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='open', db_index=True, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'handoff_ticket', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': "A question the knowledge base could not answer, handed to staff on the user's request."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KbEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kb_version', fields.IntField(db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('question', fields.TextField(unique=False)),
                ('similar', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('keywords', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('answer', fields.TextField(unique=False)),
                ('item_codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'kb_entry', 'app': 'citysvc', 'unique_together': (('kb_version', 'key'),), 'pk_attr': 'id', 'table_description': 'A question and its answer in one version (``key`` is stable across versions).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KbVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(unique=True)),
                ('source', fields.CharField(max_length=200)),
                ('content_hash', fields.CharField(max_length=64)),
                ('entry_count', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'kb_version', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'One import of the knowledge base: the highest ``version`` is the one answering.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OaBindingCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_index', fields.CharField(unique=True, max_length=64)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oa_binding_code', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'A 6-digit code that links the Official Account user who sends it to ``citizen_id``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OaFollowUp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app_id', fields.CharField(max_length=64)),
                ('open_id', fields.CharField(db_index=True, max_length=128)),
                ('text', fields.TextField(unique=False)),
                ('status', fields.CharField(max_length=16)),
                ('error', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oa_follow_up', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': "An answer that was not ready within WeChat's 5 seconds, delivered afterwards."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OaLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app_id', fields.CharField(max_length=64)),
                ('open_id', fields.CharField(max_length=128)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('union_id', fields.CharField(null=True, max_length=128)),
                ('via', fields.CharField(max_length=16)),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oa_link', 'app': 'citysvc', 'unique_together': (('app_id', 'open_id'),), 'pk_attr': 'id', 'table_description': 'An Official Account user (per-app openid) known to be a citizen of ours.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RobotKey',
            fields=[
                ('department_code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('key_enc', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'robot_key', 'app': 'citysvc', 'pk_attr': 'department_code', 'table_description': "A department's WeCom group robot key (a secret: stored encrypted with ``PII_KEY``)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RobotMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('department_code', fields.CharField(max_length=64)),
                ('dedupe_key', fields.CharField(unique=True, max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'robot_message', 'app': 'citysvc', 'indexes': [Index(fields=['department_code', 'sent_at'])], 'pk_attr': 'id', 'table_description': "A markdown block waiting for (or already through) a department's robot."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Shipment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application_id', fields.BigIntField(unique=True)),
                ('tracking_number', fields.CharField(db_index=True, max_length=32)),
                ('carrier', fields.CharField(default='ems', max_length=16)),
                ('state', fields.CharField(default='created', max_length=24)),
                ('last_event_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('subscribed', fields.BooleanField(default=False)),
                ('checked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('polled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('shipped_by', fields.CharField(max_length=96)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shipment', 'app': 'citysvc', 'indexes': [Index(fields=['state', 'checked_at'])], 'pk_attr': 'id', 'table_description': "The parcel that carries a case's paper result to the citizen."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffAlert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('department_code', fields.CharField(db_index=True, max_length=64)),
                ('application_id', fields.BigIntField(db_index=True)),
                ('kind', fields.CharField(max_length=64)),
                ('level', fields.CharField(max_length=16)),
                ('message', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_alert', 'app': 'citysvc', 'unique_together': (('application_id', 'kind'),), 'pk_attr': 'id', 'table_description': 'Something about one case that its department must act on.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TopicSubscription',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('topic_key', fields.CharField(db_index=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'topic_subscription', 'app': 'citysvc', 'unique_together': (('citizen_id', 'topic_key'),), 'pk_attr': 'id', 'table_description': 'One citizen following one topic: campaigns for the topic go to its subscribers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrackingEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment_id', fields.BigIntField(db_index=True)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(max_length=24)),
                ('description', fields.TextField(unique=False)),
                ('location', fields.CharField(default='', max_length=64)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tracking_event', 'app': 'citysvc', 'unique_together': (('shipment_id', 'fingerprint'),), 'pk_attr': 'id', 'table_description': 'One carrier scan. Pushes repeat the whole history: the fingerprint keeps rows unique.'},
            bases=['Model'],
        ),
    ]
