from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0006_staff_citizen')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Upload',
            name='attached_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Upload',
            index=Index(fields=['attached_at', 'created_at']),
        ),
        # files uploaded before this release count as listed by a case: the worker removes
        # only files uploaded from now on that no case lists (no JSON scan of every case)
        ops.RunSQL("UPDATE upload SET attached_at = created_at"),
    ]
