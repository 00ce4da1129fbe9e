"""StreamPro: proactive streaming video understanding — benchmark, models and training recipe.

Data flows one way: ``world`` makes streams → ``models`` watch them frame by frame →
timestamped responses → ``bench.scoring`` → ``bench.report``.
"""

__version__ = "0.1.0"
