"""Shared building blocks every feature package may import; imports none of them."""
