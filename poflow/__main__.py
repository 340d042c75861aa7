"""`python -m poflow` runs the command line."""

from poflow.cli import main

main()
