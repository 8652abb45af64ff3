"""Optimization engines."""
