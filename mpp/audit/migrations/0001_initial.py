import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from mpp.audit.triggers import install_append_only_triggers

    install_append_only_triggers(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="AccessLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel", models.CharField(choices=[("page", "Browser page"), ("api", "REST API")], max_length=8)),
                ("object_type", models.CharField(max_length=64)),
                ("object_id", models.CharField(max_length=64)),
                ("path", models.CharField(max_length=500)),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={"ordering": ["-at"]},
        ),
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(fields=["object_type", "object_id", "-at"], name="accesslog_object_idx"),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
