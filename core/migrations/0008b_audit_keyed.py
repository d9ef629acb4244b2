from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0008_upload_attached')]

    initial = False

    operations = [
        # entries written so far keep their plain SHA-256 and are marked so; new entries are
        # written "hmac-sha256" under the audit key (core/cases/audit.py says why)
        ops.AddField(
            model_name='AuditEntry',
            name='alg',
            field=fields.CharField(default='sha256', max_length=16),
        ),
    ]
