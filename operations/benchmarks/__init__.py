"""The benchmarks behind `manage.py bench`: each returns rows measured against
a baseline taken in the same run, so a ratio means the same on any machine."""
