"""Runnable demos that reproduce the course: `python -m demos.NAME`; pictures go to ./out/."""
