"""A procedural video world with exact ground truth.

Scenes are simulated frame by frame (``scene``), rasterised (``render``), and turned into benchmark
items by task generators (``tasks``) that read the simulator's own state — never the pixels — so
every answer and every timing is exact. ``generate`` writes seeded, disjoint splits.
"""
