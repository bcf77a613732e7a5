"""The "Curators" group: may correct papers, author rows, venues and authorships and use the merge,
split and undo tools, may read the curation log, and may not manage users or groups."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Curators"
PERMISSIONS = {
    "papers": [
        "view_paper",
        "change_paper",
        "view_venue",
        "change_venue",
        "view_authorship",
        "change_authorship",
        # Correcting an author list means adding a missing author and removing a wrong one.
        "add_authorship",
        "delete_authorship",
        "view_papersource",
    ],
    "authors": [
        "view_author",
        "change_author",
        "view_authorkey",
        "view_namecluster",
        "view_curationevent",
    ],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    for label in PERMISSIONS:
        create_permissions(
            global_apps.get_app_config(label), apps=apps, verbosity=0, using=schema_editor.connection.alias
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    for label, codenames in PERMISSIONS.items():
        permissions = Permission.objects.using(schema_editor.connection.alias).filter(
            content_type__app_label=label, codename__in=codenames
        )
        group.permissions.add(*permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0001_initial"),
        ("papers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
