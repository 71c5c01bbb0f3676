"""Scenario files: the language, validation and compilation to games (being built)."""
