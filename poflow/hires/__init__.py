"""A hire's case across processes (ONB-5): moving the start date, cancelling, and the calendar
cancellations that follow. Declared in `process.py`."""
