"""`versus bench`: measure every artifact the same way on this machine and record it (see
`generator/measurement.py` for the records). Each module here is one kind of measurement; `run.py`
drives them, writes records as it goes and resumes an interrupted run."""
