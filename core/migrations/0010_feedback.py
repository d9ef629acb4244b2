from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0012_worker_heartbeat')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseFinish',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application_id', fields.BigIntField(unique=True)),
                ('status', fields.CharField(max_length=32)),
                ('item_code', fields.CharField(max_length=64)),
                ('item_name', fields.CharField(max_length=200)),
                ('department_code', fields.CharField(max_length=64)),
                ('department_name', fields.CharField(max_length=100)),
                ('finished_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_on', fields.DateField()),
                ('working_days', fields.IntField(null=True)),
                ('filed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('delivery_method', fields.CharField(max_length=16)),
                ('due_date', fields.DateField(null=True)),
            ],
            options={'table': 'case_finish', 'app': 'citysvc', 'indexes': [Index(fields=['finished_on', 'id']), Index(fields=['filed_at'])], 'pk_attr': 'id', 'table_description': 'The moment a case first became finished (办结): one row per case, written in the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Feedback',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('content', fields.TextField(unique=False)),
                ('item_code', fields.CharField(null=True, db_index=True, max_length=64)),
                ('item_version', fields.IntField(null=True)),
                ('application_id', fields.BigIntField(null=True)),
                ('department_code', fields.CharField(null=True, db_index=True, max_length=64)),
                ('status', fields.CharField(max_length=16)),
                ('due_date', fields.DateField()),
                ('due_provisional', fields.BooleanField(default=False)),
                ('reply', fields.TextField(null=True, unique=False)),
                ('replied_by', fields.CharField(null=True, max_length=96)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'feedback', 'app': 'citysvc', 'indexes': [Index(fields=['created_at', 'kind', 'item_code'])], 'pk_attr': 'id', 'table_description': 'A complaint, suggestion or correction (我要纠错), routed to a department or, naming'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application_id', fields.BigIntField(unique=True)),
                ('department_code', fields.CharField(db_index=True, max_length=64)),
                ('item_code', fields.CharField(max_length=64)),
                ('rater_id', fields.UUIDField(null=True)),
                ('level', fields.SmallIntField()),
                ('dimensions', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('is_default', fields.BooleanField(default=False)),
                ('voided', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('filed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rating', 'app': 'citysvc', 'indexes': [Index(fields=['filed_at'])], 'pk_attr': 'id', 'table_description': "One citizen's rating of one finished case (一事一评). ``rater_id`` (the applicant or"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rectification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating_id', fields.BigIntField(unique=True)),
                ('application_id', fields.BigIntField(db_index=True)),
                ('department_code', fields.CharField(db_index=True, max_length=64)),
                ('status', fields.CharField(max_length=16)),
                ('due_date', fields.DateField()),
                ('due_provisional', fields.BooleanField(default=False)),
                ('history', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rectification', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': "The task a poor rating (1 or 2) opens for the case's department."},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['created_at', 'citizen_id']),
        ),
    ]
