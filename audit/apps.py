from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.db.models.signals import post_init

        from audit import receivers  # noqa: F401  (connects the signal receivers)
        from audit.recorder import patient_instantiated
        from patients.models import Patient

        # Every patient loaded during a request is noted, so that one is never shown unaudited.
        post_init.connect(patient_instantiated, sender=Patient, dispatch_uid="audit-recorder")
