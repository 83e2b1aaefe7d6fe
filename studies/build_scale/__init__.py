"""Build time, memory and output size against catalog size: `python -m studies.build_scale`; findings in README.md."""
