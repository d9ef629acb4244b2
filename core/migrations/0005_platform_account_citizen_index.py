from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0004_case_citizen_timeline')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='PlatformAccount',
            index=Index(fields=['citizen_id']),
        ),
    ]
