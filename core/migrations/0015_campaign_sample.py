from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('citysvc', '0013_bundles_rules_policies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CampaignSample',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign_id', fields.BigIntField()),
                ('at_ms', fields.BigIntField()),
                ('targeted', fields.IntField()),
                ('sent', fields.IntField()),
                ('failed', fields.IntField()),
                ('no_consent', fields.IntField()),
                ('remaining', fields.IntField()),
            ],
            options={'table': 'campaign_sample', 'app': 'citysvc', 'indexes': [Index(fields=['campaign_id', 'at_ms'])], 'pk_attr': 'id', 'table_description': "A campaign's figures at one moment, written by the worker while it sends: the points"},
            bases=['Model'],
        ),
    ]
