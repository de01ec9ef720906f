"""The bench's WSGI entry: the app (``tools.bench.settings``), the same-work ceiling in front."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tools.bench.settings")

from config.wsgi import application as _app
from tools.bench.samework import wrap

application = wrap(_app)
