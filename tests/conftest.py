"""Hypothesis profiles: no deadlines (shared 2-core machines are noisy), and fixed examples under CI."""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile("ci", deadline=None, max_examples=100, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
