"""`make bench`: measurements of the app against the bare stack, printed as a table (see run.py)."""
