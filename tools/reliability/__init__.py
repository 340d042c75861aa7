"""The reliability report: run the fault, bad-input, bypass, privacy and audit tests, write
docs/reliability.md from their results and print one summary line (X-1..X-4)."""

from tools.reliability.report import TEST_MODULES, build_markdown, summary_line

__all__ = ["TEST_MODULES", "build_markdown", "summary_line"]
