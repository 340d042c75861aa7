"""Check-ins at 1, 3 and 8 months (CHK-1..3): planned before day one, invited, reminded, recorded
through a link, escalated to P&O. Declared in `process.py`."""
