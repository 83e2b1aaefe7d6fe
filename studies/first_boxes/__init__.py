"""Time to both models' first boxes on a comparison page: `python -m studies.first_boxes`; findings in README.md."""
