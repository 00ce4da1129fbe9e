"""``python -m streampro`` (also what ``accelerate launch -m streampro`` runs)."""

from .cli import main

main()
