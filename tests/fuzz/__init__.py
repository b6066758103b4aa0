"""Fuzz tests: every command and input format under generated hostile input (issue 10)."""
