"""Hypothesis profiles: no deadlines (shared 2-core machines are noisy), and fixed examples under CI.

HYPOTHESIS_PROFILE=thorough runs 20x the examples, for a hunt before a release.
"""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile("ci", deadline=None, max_examples=100, derandomize=True, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def course_graph():
    """The course's graph J = 3(a + bc): a=5, b=3, c=2, u = b*c, v = a + u, J = 3*v, labelled; returns all six."""
    from autograd import Value

    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    u = b * c
    v = a + u
    J = 3 * v
    u.label, v.label, J.label = "u", "v", "J"
    return a, b, c, u, v, J
