"""Benchmark formats, loaders, the streaming protocol, scorers and reports."""
