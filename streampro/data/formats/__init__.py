"""The public streaming benchmarks' own file layouts: readers into probes (``core.types.TimedQuestion``,
``POQuestion``) and writers of their official result files. Grading and streaming live in ``bench/benchmarks/``."""
