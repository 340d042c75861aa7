"""Colour contrast as WCAG 2.1 defines it (success criterion 1.4.3): pure arithmetic."""

from __future__ import annotations

__all__ = ["AA_NORMAL_TEXT", "contrast_ratio"]

AA_NORMAL_TEXT = 4.5  # the minimum ratio for normal text at level AA


def _luminance(colour: str) -> float:
    """The relative luminance of `#RRGGBB`."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The contrast ratio (1 to 21) of two `#RRGGBB` colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
