"""Tests of poflow's exceptions module: its docstring draws the hierarchy its classes have."""

from __future__ import annotations

import re

import poflow._exceptions as exceptions


def _drawn_tree() -> dict[str, str]:
    """Class name -> parent name, read from the tree in the module docstring."""
    parents: dict[str, str] = {}
    stack: list[str] = []
    for line in (exceptions.__doc__ or "").splitlines():
        match = re.match(r"^    ((?:[│ ] {3})*)(?:[├└]── )?([A-Z]\w+)\b", line)
        if not match:
            continue
        depth = len(match.group(1)) // 4 + (1 if "──" in line else 0)
        name = match.group(2)
        del stack[depth:]
        if stack:
            parents[name] = stack[-1]
        stack.append(name)
    return parents


def test_the_docstring_tree_matches_the_classes():
    """Every exception class appears in the drawn tree under its real base class, and only those."""
    classes = {
        name: cls
        for name in exceptions.__all__
        if isinstance(cls := getattr(exceptions, name), type) and issubclass(cls, Exception)
    }
    actual = {
        name: cls.__bases__[0].__name__ for name, cls in classes.items() if name != "PoflowError"
    }
    assert _drawn_tree() == actual


def test_every_exception_is_exported():
    """__all__ lists every exception class the module defines."""
    defined = {
        name
        for name, value in vars(exceptions).items()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == exceptions.__name__
    }
    assert defined == set(exceptions.__all__)
