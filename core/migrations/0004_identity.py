from tortoise import migrations
from tortoise.migrations import operations as ops
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0003_cases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Verification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('provider', fields.CharField(max_length=16)),
                ('order_no', fields.CharField(unique=True, max_length=32)),
                ('provider_ref', fields.CharField(null=True, max_length=128)),
                ('open_id', fields.CharField(null=True, max_length=128)),
                ('name_enc', fields.TextField(null=True, unique=False)),
                ('id_number_enc', fields.TextField(null=True, unique=False)),
                ('id_number_index', fields.CharField(null=True, db_index=True, max_length=64)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'verification', 'app': 'citysvc', 'indexes': [Index(fields=['status', 'expires_at'])], 'pk_attr': 'id', 'table_description': "One real-name attempt: the claimed identity (ciphertext) and the provider's reference."},
            bases=['Model'],
        ),
    ]
