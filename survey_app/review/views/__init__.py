"""Views: agency.py (dashboard, review, certify) and province.py (province dashboard, accept)."""
