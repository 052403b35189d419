"""Views of the responses feature: respond.py (org units), person.py (public links), files.py."""
