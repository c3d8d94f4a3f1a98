"""Shared test configuration: hypothesis profiles and common paths.

The default hypothesis profile keeps CI fast; ``HYPOTHESIS_PROFILE=long pytest``
runs the property tests with many more examples.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]

# The disk cache (briefpub.cache) of every test process and the children it starts goes to a private
# folder, never to the user's ~/.cache; tests of the cache itself point it elsewhere.
_CACHE = tempfile.mkdtemp(prefix="briefpub-test-cache-")
os.environ["BRIEFPUB_CACHE_DIR"] = _CACHE
os.environ.pop("BRIEFPUB_CACHE", None)
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
