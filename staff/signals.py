"""Sent by the staff services for every request, grant and refusal of staff access, so the
audit app can record it (staff knows nothing of the audit: the module map)."""

from django.dispatch import Signal

# kwargs: action ("requested", "granted", "rejected"), actor_user, practice_id,
# access_request (a StaffAccessRequest), detail (words for the audit log).
staff_access_changed = Signal()
