"""The one place that decides who may do what to whose data.

Every view, API endpoint, admin page and service asks this package; nothing else compares
roles or practices to decide access. ``actor.py`` says who is acting; the other modules
answer questions about one area (appointments, records) and return a ``Decision`` that
carries the basis of access, which the audit records.
"""
