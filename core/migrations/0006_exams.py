from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0005_shipping')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Exam',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('topic', fields.CharField(max_length=32)),
                ('release_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('announced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'exam', 'app': 'citysvc', 'pk_attr': 'key'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExamResult',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('exam', fields.ForeignKeyField('citysvc.Exam', source_field='exam_id', db_constraint=True, to_field='key', related_name='results', on_delete=OnDelete.CASCADE)),
                ('candidate_number', fields.CharField(max_length=32)),
                ('id_number_index', fields.CharField(max_length=64)),
                ('name_enc', fields.TextField(unique=False)),
                ('total', fields.CharField(max_length=16)),
                ('subjects', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'exam_result', 'app': 'citysvc', 'unique_together': (('exam', 'candidate_number'), ('exam', 'id_number_index')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
