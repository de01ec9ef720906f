"""The online-account models, created as the ``patients`` app, now belong to ``online``.

State only: the tables keep their ``patients_*`` names (ADR 0014).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = [("patients", "online", m) for m in ("patientaccount", "registrationcode", "proxyaccess", "contactpreferencechange")]


def move_content_types(apps, schema_editor):
    """Point existing content types (and so permissions and admin log entries) at the new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, new_app, model in MOVED:
        if not ContentType.objects.filter(app_label=new_app, model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, new_app, model in MOVED:
        if not ContentType.objects.filter(app_label=old_app, model=model).exists():
            ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('patients', '0003_patient_in_accounts_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='ContactPreferenceChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField(auto_now_add=True)),
                ('changes', models.JSONField(help_text='{"field": [old, new], ...}')),
                ('changed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contact_changes', to='patients.patient')),
            ],
            options={
                'db_table': 'patients_contactpreferencechange',
                'ordering': ['-changed_at'],
            },
        ),
        migrations.CreateModel(
            name='RegistrationCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('account_id', models.CharField(max_length=10, unique=True)),
                ('passphrase_hash', models.CharField(max_length=256)),
                ('issued_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('failed_attempts', models.PositiveIntegerField(default=0)),
                ('locked_at', models.DateTimeField(blank=True, null=True)),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='registration_codes', to='patients.patient')),
            ],
            options={
                'db_table': 'patients_registrationcode',
                'ordering': ['-issued_at'],
            },
        ),
        migrations.CreateModel(
            name='PatientAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('record_access_from', models.DateTimeField(default=django.utils.timezone.now, help_text='Prospective record access: entries recorded from this moment are shown online.')),
                ('totp_secret', models.CharField(blank=True, max_length=64)),
                ('totp_confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('totp_last_step', models.BigIntegerField(blank=True, help_text='The last time step accepted; a code is never reused.', null=True)),
                ('patient', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='account', to='patients.patient')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='patient_account', to=settings.AUTH_USER_MODEL)),
                ('registration_code', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='online.registrationcode')),
            ],
            options={
                'db_table': 'patients_patientaccount',
            },
        ),
        migrations.CreateModel(
            name='ProxyAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField()),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('revoke_reason', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('granted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grantee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proxy_grants', to=settings.AUTH_USER_MODEL)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proxy_grants', to='patients.patient')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'proxy access',
                'verbose_name_plural': 'proxy access grants',
                'db_table': 'patients_proxyaccess',
                'ordering': ['-starts_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('ends_at__isnull', True), ('ends_at__gt', models.F('starts_at')), _connector='OR'), name='proxy_access_ends_after_start'), models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='proxy_access_reason_given'), models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), models.Q(('revoked_by__isnull', False), models.Q(('revoke_reason', ''), _negated=True)), _connector='OR'), name='proxy_access_revocation_recorded'), models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('grantee', 'patient'), name='proxy_access_one_unrevoked_grant')],
            },
        ),
        migrations.AddConstraint(
            model_name='registrationcode',
            constraint=models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('issued_at'))), name='registration_code_expires_later'),
        ),
        migrations.AddConstraint(
            model_name='registrationcode',
            constraint=models.CheckConstraint(condition=models.Q(('account_id__regex', '^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}$')), name='registration_code_account_id_format'),
        ),
        migrations.AddConstraint(
            model_name='registrationcode',
            constraint=models.UniqueConstraint(condition=models.Q(('locked_at__isnull', True), ('revoked_at__isnull', True), ('used_at__isnull', True)), fields=('patient',), name='registration_code_one_live_per_patient'),
        ),
        migrations.AddConstraint(
            model_name='patientaccount',
            constraint=models.CheckConstraint(condition=models.Q(('totp_confirmed_at__isnull', True), models.Q(('totp_secret', ''), _negated=True), _connector='OR'), name='patient_account_totp_needs_secret'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
