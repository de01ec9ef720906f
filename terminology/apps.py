from django.apps import AppConfig


class TerminologyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "terminology"
    verbose_name = "SNOMED CT terminology"
