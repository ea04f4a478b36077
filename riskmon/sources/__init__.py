"""Bring data in: config files (read, validate, edit) and feeds."""
