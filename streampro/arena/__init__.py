"""The paper's human check of the metric (App. A.3): people compare two models' timed responses on the same
streamed question, a Bradley–Terry model ranks the models from the votes, and that ranking is compared
with the StreamPro-F1 ranking. ``streampro arena serve | simulate | rank`` (docs/arena.md)."""
