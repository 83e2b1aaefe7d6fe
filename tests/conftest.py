"""Shared test configuration. Catalog and site fixtures live in tests/catalogs.py (loaded as a plugin)."""
