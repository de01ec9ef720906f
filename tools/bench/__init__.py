"""Dovetail's benchmark: a federation-scale data set, the app under gunicorn, the 8am rush.

Run ``python -m tools.bench --help``. Nothing here is imported by the application itself; the
bench-only settings (``tools.bench.settings``) add a ceiling view that the real URLs never expose.
"""
