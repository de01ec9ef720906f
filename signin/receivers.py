"""Sign-in bookkeeping that must happen however the change was made (page, admin, shell).

- Signing in notes the session (``SignedInSession``), signing out forgets it.
- Any change of a user's password (a reset, the admin, ``set_password`` anywhere) ends every
  browser session and the API token of that login, after the change commits. Django's session
  hash check already refuses old sessions; deleting them also takes them off the list, and the
  API token has no such check of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from signin import services

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="signin-session-record")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.session_record(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="signin-session-forget")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.session_forget(session_key=request.session.session_key)


@receiver(pre_save, sender=User, dispatch_uid="signin-password-changed-check")
def _note_password_change(sender: Any, instance: Any, update_fields: Any = None,
                          **kwargs: Any) -> None:
    instance._signin_password_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._signin_password_changed = before is not None and before != instance.password


@receiver(post_save, sender=User, dispatch_uid="signin-password-changed-revoke")
def _revoke_on_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_signin_password_changed", False):
        instance._signin_password_changed = False
        # In the same transaction as the new password: both or neither.
        services.sessions_revoke_all(user=instance)
