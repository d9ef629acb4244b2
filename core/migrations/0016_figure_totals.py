from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# the cases still in progress, for the figures' "open past the due date" (a few percent of
# all cases: the figures read this index alone); the same SQL on SQLite and PostgreSQL
IN_PROGRESS = (
    "CREATE INDEX application_in_progress ON application "
    "(created_at, due_date, department_code, item_code) "
    "WHERE status IN ('accepted', 'under_review')"
)


async def _totals(apps, schema_editor) -> None:
    """The running totals and previous-filing times of the cases already there."""
    from core.totals.tally import rebuild

    await rebuild(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('citysvc', '0015_campaign_sample')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FigureDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('department_code', fields.CharField(max_length=64)),
                ('item_code', fields.CharField(max_length=64)),
                ('cases', fields.IntField(default=0)),
                ('finished', fields.IntField(default=0)),
                ('no_visit', fields.IntField(default=0)),
                ('on_time', fields.IntField(default=0)),
                ('due_finished', fields.IntField(default=0)),
                ('days_total', fields.BigIntField(default=0)),
                ('days_counted', fields.IntField(default=0)),
                ('rated', fields.IntField(default=0)),
                ('satisfied', fields.IntField(default=0)),
                ('poor', fields.IntField(default=0)),
                ('complaints', fields.IntField(default=0)),
            ],
            options={'table': 'figure_day', 'app': 'citysvc', 'unique_together': (('day', 'department_code', 'item_code'),), 'pk_attr': 'id', 'table_description': "The public figures' running totals for one China date, department and item"},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Application',
            name=None,
            fields=['created_at', 'citizen_id'],
        ),
        ops.AddField(
            model_name='Application',
            name='prior_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Application',
            name='prior_at_department',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Application',
            name='prior_at_item',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['created_at', 'prior_at', 'citizen_id']),
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['department_code', 'created_at', 'prior_at_department', 'citizen_id']),
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['item_code', 'created_at', 'prior_at_item', 'citizen_id']),
        ),
        ops.RunSQL(IN_PROGRESS),
        ops.RunPython(_totals),
    ]
