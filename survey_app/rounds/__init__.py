"""Rounds: a published form opened for a fiscal year, with deadlines and the units expected to answer."""
