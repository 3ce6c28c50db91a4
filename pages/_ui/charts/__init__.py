"""Altair charts, one module per view; ``style`` is what they share."""
