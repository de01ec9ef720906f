from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # Fail at start-up, naming the variable, if the backend settings are wrong.
        from notifications.backends import check_configuration

        check_configuration()
