"""Correction requests from visitors ("Report a problem"), and the Curators group's right to work
the queue: view and change them (status and public reply), but not add or delete them."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

import authors.models
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

GROUP = "Curators"
PERMISSIONS = ["view_correctionrequest", "change_correctionrequest"]


def grant_curators(apps, schema_editor):
    # As in 0002: permissions are normally created after all migrations (post_migrate).
    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("authors"), apps=apps, verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.using(alias).filter(content_type__app_label="authors", codename__in=PERMISSIONS)
    )


def revoke_curators(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(alias).filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(codename__in=PERMISSIONS))


class Migration(migrations.Migration):

    dependencies = [
        ('authors', '0003_namecluster_search_name'),
        ('papers', '0002_paper_search_vector'),
        ('authors', '0002_curators_group'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CorrectionRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('wrong_author', 'A paper lists the wrong author'), ('same_person', 'Two author rows are one person'), ('two_people', 'One author row mixes two people'), ('metadata', 'Wrong title, year, venue or other details'), ('other', 'Something else')], max_length=20, verbose_name='what is wrong')),
                ('target_type', models.CharField(choices=[('paper', 'Paper'), ('author', 'Author row')], max_length=10)),
                ('target_label', models.CharField(help_text='The paper title or author name when reported.', max_length=500)),
                ('message', models.TextField(help_text="The reporter's words, as sent.")),
                ('email', models.EmailField(blank=True, help_text='Given by the reporter to be contacted; never shown publicly.', max_length=254)),
                ('status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('resolved', 'Resolved'), ('rejected', 'Rejected')], default='open', max_length=20)),
                ('reply', models.TextField(blank=True, help_text="Shown on the reporter's status page.", verbose_name='public reply')),
                ('token', models.CharField(default=authors.models.new_report_token, editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='correction_requests', to='authors.author')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('other_author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='authors.author', verbose_name='other author row')),
                ('paper', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='correction_requests', to='papers.paper')),
            ],
            options={
                'verbose_name': 'correction request',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['status', '-created_at'], name='correction_status_created_idx')],
                'constraints': [models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('message'), 4000), name='correction_message_length'), models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reply'), 4000), name='correction_reply_length'), models.CheckConstraint(condition=models.Q(('author__isnull', False), ('paper__isnull', False), _negated=True), name='correction_one_target')],
            },
        ),
        migrations.RunPython(grant_curators, revoke_curators),
    ]
