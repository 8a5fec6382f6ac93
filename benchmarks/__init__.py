"""Benchmarks: run by hand or by `make bench`; they print their figures and time nothing in tests."""
