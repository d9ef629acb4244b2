from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0009_staff_security')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Bundle',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('items', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bundle', 'app': 'citysvc', 'pk_attr': 'code', 'table_description': "A bundle as imported: its items, in the order their cases are created."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleFiling',
            fields=[
                ('number', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('bundle_code', fields.CharField(max_length=64)),
                ('bundle_name', fields.CharField(max_length=200)),
                ('citizen_id', fields.UUIDField(db_index=True)),
                ('case_count', fields.IntField()),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bundle_filing', 'app': 'citysvc', 'pk_attr': 'number', 'table_description': 'One filing of a bundle: the number its cases share, and whose they are.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Policy',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('item_code', fields.CharField(max_length=64)),
                ('rules', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('form', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'policy', 'app': 'citysvc', 'pk_attr': 'code', 'table_description': 'A benefit with eligibility rules over what the district knows, and the item that files it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PolicyNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('policy_code', fields.CharField(max_length=64)),
                ('citizen_id', fields.UUIDField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'policy_notice', 'app': 'citysvc', 'unique_together': (('policy_code', 'citizen_id'),), 'pk_attr': 'id', 'table_description': 'A citizen was told they qualify for a policy: once per policy, ever.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='bundle_number',
            field=fields.CharField(null=True, db_index=True, max_length=40),
        ),
        ops.AddField(
            model_name='Application',
            name='instant_rules',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ItemVersion',
            name='rules',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
