"""Certification: agencies review, return with comments or certify; heads certify the set; the province accepts."""
