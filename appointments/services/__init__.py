"""Writes to the appointment book: one small module per area, functions named ``<entity>_<verb>``.

- ``rota``: sessions and slots from the weekly templates, leave, extra sessions.
- ``booking``: book, cancel, reschedule, notes.
- ``attendance``: arrived, in consultation, finished, DNA (and the overnight DNA job).
"""
