"""What makes and reads datasets.

Reading and writing: ``schema`` (the item format, validation), ``video`` (PyAV decode/encode), ``convert``
(other datasets' annotations into items), ``stats`` (``data stats`` / ``data preview``), ``timeline`` (one
question on its video's time axis), ``formats/`` (the public benchmarks' own files), ``fixtures`` (tiny
folders in those layouts).

Making: ``world_tasks`` and ``generate`` (StreamPro-Bench splits from the procedural world), and the paper's
data pipeline (App. A.1) behind ``streampro data build``, a module per stage: ``filtering`` (keep videos with
enough temporal dynamics; task filters), ``captions`` (event-, action- and object-level captions from a VLM
over time-labelled frames), ``synthesize`` (an LLM turns captions into timed items per task), ``verify``
(checks in code, then a discriminator/generator loop), ``review`` (a page where a person accepts, edits or
rejects; the export). ``pipeline`` runs them, with every model call through ``calls`` (cached by content
hash, validated, retried). docs/data-pipeline.md.
"""
