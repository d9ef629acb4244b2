from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0002_catalogue')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgentAuthorization',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('agent_id', fields.UUIDField(db_index=True)),
                ('item_code', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agent_authorization', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'A citizen lets an agent (代办员) file one item on their behalf.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('agent_id', fields.UUIDField(null=True, db_index=True)),
                ('item_code', fields.CharField(max_length=64)),
                ('item_version_id', fields.BigIntField()),
                ('department_code', fields.CharField(db_index=True, max_length=64)),
                ('status', fields.CharField(db_index=True, max_length=32)),
                ('resume_status', fields.CharField(null=True, max_length=32)),
                ('form', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('materials', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('delivery_method', fields.CharField(max_length=16)),
                ('delivery_address_enc', fields.TextField(null=True, unique=False)),
                ('promised_days', fields.IntField()),
                ('legal_days', fields.IntField()),
                ('accepted_on', fields.DateField(null=True)),
                ('paused_since', fields.DateField(null=True)),
                ('paused_workdays', fields.IntField(default=0)),
                ('extended_days', fields.IntField(default=0)),
                ('due_date', fields.DateField(null=True)),
                ('due_provisional', fields.BooleanField(default=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application', 'app': 'citysvc', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application_id', fields.BigIntField(db_index=True)),
                ('seq', fields.IntField()),
                ('actor', fields.CharField(max_length=96)),
                ('action', fields.CharField(max_length=32)),
                ('from_status', fields.CharField(null=True, max_length=32)),
                ('to_status', fields.CharField(max_length=32)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_entry', 'app': 'citysvc', 'unique_together': (('application_id', 'seq'),), 'pk_attr': 'id', 'table_description': 'Never updated or deleted: each entry hashes the previous one of the same case.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarOverride',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('is_workday', fields.BooleanField()),
                ('note', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'calendar_override', 'app': 'citysvc', 'pk_attr': 'day', 'table_description': "An administrator's ruling on one day (a local closure, a notice the library lacks)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseNumber',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_number', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': "One row per number handed out: the database's own counter makes numbers unique."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Milestone',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application_id', fields.BigIntField(db_index=True)),
                ('event', fields.CharField(max_length=64)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'milestone', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'An event for the notification engine, written in the same transaction as the change.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffMember',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('password_hash', fields.CharField(max_length=256)),
                ('role', fields.CharField(max_length=16)),
                ('department_code', fields.CharField(null=True, db_index=True, max_length=64)),
                ('failed_logins', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_member', 'app': 'citysvc', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('owner_id', fields.UUIDField(db_index=True)),
                ('content_type', fields.CharField(max_length=32)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'upload', 'app': 'citysvc', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
