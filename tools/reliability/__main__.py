"""`python -m tools.reliability`: run the reliability tests and write docs/reliability.md."""

from tools.reliability.report import main

raise SystemExit(main())
