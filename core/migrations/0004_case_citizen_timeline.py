from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0003_case_masked_address')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Application',
            name='citizen_timeline',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
