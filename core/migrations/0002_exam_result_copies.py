from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ExamResult',
            name='name_masked',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='ExamResult',
            name='release_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # results imported before this migration take their exam's release time; their
        # masked name stays empty and the score query decrypts the name instead
        ops.RunSQL(
            "UPDATE exam_result SET release_at = "
            "(SELECT e.release_at FROM exam e WHERE e.key = exam_result.exam_id)"
        ),
    ]
