from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in, API tokens and sessions"

    def ready(self) -> None:
        from signin import receivers  # noqa: F401  (connects the signal receivers)
