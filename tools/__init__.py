"""Developer tools of poflow that are not part of the installed package."""
