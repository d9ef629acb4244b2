from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# The access log is append-only in the database itself: no UPDATE at all, and no DELETE of
# a line younger than six months (183 days; STAFF_ACCESS_LOG_DAYS may keep lines longer,
# never shorter). An operator with the schema owner's rights can still drop the triggers:
# docs/security.md says how to check they are in place.
_POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION staff_access_log_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'staff_access_log is append-only';
        END IF;
        IF OLD.at > now() - interval '183 days' THEN
            RAISE EXCEPTION 'staff_access_log keeps every line for 183 days';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS staff_access_log_guard ON staff_access_log",
    """
    CREATE TRIGGER staff_access_log_guard BEFORE UPDATE OR DELETE ON staff_access_log
    FOR EACH ROW EXECUTE FUNCTION staff_access_log_guard()
    """,
]
# SQLite keeps datetimes as ISO text with their offset: julianday() reads that correctly
_SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS staff_access_log_no_update BEFORE UPDATE ON staff_access_log
    BEGIN SELECT RAISE(ABORT, 'staff_access_log is append-only'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS staff_access_log_keep BEFORE DELETE ON staff_access_log
    WHEN julianday(OLD.at) > julianday('now') - 183
    BEGIN SELECT RAISE(ABORT, 'staff_access_log keeps every line for 183 days'); END
    """,
]


async def _guard(apps, schema_editor) -> None:
    client = schema_editor.client
    statements = _SQLITE if client.capabilities.dialect == "sqlite" else _POSTGRES
    for sql in statements:
        await client.execute_script(sql)


class Migration(migrations.Migration):
    dependencies = [('citysvc', '0011_outbox_citizen_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StaffMember',
            name='otp_secret_enc',
            field=fields.TextField(null=True),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='otp_last_step',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Session',
            name='last_seen_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='StaffAccessEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('event', fields.CharField(max_length=32)),
                ('staff_id', fields.BigIntField(null=True, db_index=True)),
                ('username', fields.CharField(max_length=64)),
                ('address', fields.CharField(null=True, max_length=64)),
                ('subject', fields.CharField(null=True, max_length=64)),
                ('detail', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'staff_access_log', 'app': 'citysvc', 'pk_attr': 'id', 'table_description': 'One line of the staff access log: who signed in, failed, was locked out, viewed a case'},
            bases=['Model'],
        ),
        ops.RunPython(_guard),
    ]
