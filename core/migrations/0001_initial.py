from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Citizen',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('realname_verified', fields.BooleanField(default=False)),
                ('name_enc', fields.TextField(null=True, unique=False)),
                ('id_number_enc', fields.TextField(null=True, unique=False)),
                ('id_number_index', fields.CharField(null=True, unique=True, max_length=64)),
                ('phone_enc', fields.TextField(null=True, unique=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'citizen', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'One person, whatever platforms they come from. Personal fields are ciphertext.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlatformAccount',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen', fields.ForeignKeyField('citysvc.Citizen', source_field='citizen_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('platform', fields.CharField(max_length=16)),
                ('app_id', fields.CharField(max_length=64)),
                ('open_id', fields.CharField(max_length=128)),
                ('union_id', fields.CharField(null=True, db_index=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'platform_account', 'app': 'citysvc', 'unique_together': (('platform', 'app_id', 'open_id'),), 'pk_attr': 'id', 'table_description': 'A WeChat or Alipay identity (per app ``open_id``) belonging to one citizen.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('kind', fields.CharField(max_length=16)),
                ('subject_id', fields.CharField(db_index=True, max_length=64)),
                ('platform', fields.CharField(null=True, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'One login. A token is valid only while its row exists, is unexpired and not revoked.'},
            bases=['Model'],
        ),
    ]
