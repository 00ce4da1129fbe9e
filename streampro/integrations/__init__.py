"""Bridges to other harnesses (optional dependencies, imported only when used)."""
