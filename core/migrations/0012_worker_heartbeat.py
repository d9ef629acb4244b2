from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0008b_audit_keyed')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkerHeartbeat',
            fields=[
                ('worker', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('beat_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('stopped_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'worker_heartbeat', 'app': 'citysvc', 'pk_attr': 'worker', 'table_description': 'One row per worker process (host and pid), stamped every few seconds while it runs'},
            bases=['Model'],
        ),
    ]
