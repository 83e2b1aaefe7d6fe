"""One-off studies that print figures; not part of the package. See studies/README.md."""
