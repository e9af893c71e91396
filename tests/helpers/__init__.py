"""Helpers that more than one test module needs, written once."""
