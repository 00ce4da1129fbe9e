"""A procedural video world with exact ground truth: the simulation only.

Scenes are simulated frame by frame (``scene``, ``movers``) and rasterised (``render``). Turning scenes into
benchmark items is a dataset's job: the task generators (``streampro.data.world_tasks``) read the simulator's
own state — never the pixels — so every answer and every timing is exact, and ``streampro.data.generate``
writes seeded, disjoint splits.
"""
