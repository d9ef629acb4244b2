from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Department',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('name', fields.CharField(max_length=100)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'department', 'app': 'citysvc', 'pk_attr': 'code', 'table_description': 'A government department that owns service items (and, later, staff and cases).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceItem',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('current_version', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service_item', 'app': 'citysvc', 'pk_attr': 'code', 'table_description': 'One catalogue item ("同一事项、同一标准、同一编码"). The code is opaque: never parsed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ItemVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('citysvc.ServiceItem', source_field='item_id', db_constraint=True, to_field='code', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.IntField()),
                ('name', fields.CharField(max_length=200)),
                ('department', fields.ForeignKeyField('citysvc.Department', source_field='department_id', db_constraint=True, to_field='code', related_name='item_versions', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(max_length=32)),
                ('audience', fields.CharField(max_length=16)),
                ('conditions', fields.TextField(unique=False)),
                ('materials', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('process', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('legal_days', fields.IntField()),
                ('promised_days', fields.IntField()),
                ('fee', fields.TextField(null=True, unique=False)),
                ('no_visit', fields.BooleanField()),
                ('delivery', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('keywords', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('content_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'item_version', 'app': 'citysvc', 'unique_together': (('item', 'version'),), 'pk_attr': 'id', 'table_description': "An item's content at one version. Never updated: applications pin a version's id."},
            bases=['Model'],
        ),
    ]
