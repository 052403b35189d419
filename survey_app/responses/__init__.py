"""Answering: drafts, submissions, uploads and person-level links."""
