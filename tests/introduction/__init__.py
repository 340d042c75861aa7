"""Tests of the introduction programme (INT-1..6), one module per module of poflow.introduction."""
