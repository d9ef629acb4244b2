from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0005_platform_account_citizen_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StaffMember',
            name='citizen_id',
            field=fields.UUIDField(null=True),
        ),
    ]
