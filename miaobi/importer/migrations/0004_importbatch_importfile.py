# Import batches run by a background job (miaobi/importer/batches.py).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('importer', '0003_compact_index'),
        ('library', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='提交时间')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='最近进展')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('state', models.CharField(choices=[('queued', '排队中'), ('running', '导入中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态')),
                ('options', models.JSONField(default=dict, verbose_name='导入选项')),
                ('files', models.JSONField(default=list, verbose_name='文件')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='文件数')),
                ('runner', models.CharField(blank=True, editable=False, max_length=32)),
                ('current', models.PositiveIntegerField(editable=False, null=True)),
                ('current_tries', models.PositiveSmallIntegerField(default=0, editable=False)),
                ('error', models.TextField(blank=True, verbose_name='错误')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
            ],
            options={
                'verbose_name': '导入批次',
                'verbose_name_plural': '导入批次',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ImportFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField()),
                ('path', models.CharField(max_length=500)),
                ('status', models.CharField(max_length=20)),
                ('result', models.JSONField(default=dict)),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='library.article')),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='importer.importbatch')),
            ],
            options={
                'ordering': ['batch', 'seq'],
                'constraints': [models.UniqueConstraint(fields=('batch', 'seq'), name='import_file_once_per_batch')],
            },
        ),
    ]
