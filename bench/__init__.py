"""The national-scale benchmark of poflow (not part of the test suite): `python -m bench`."""
