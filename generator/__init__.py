"""Versus: sourced model cards built into a comparison site."""
