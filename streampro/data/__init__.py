"""Datasets from raw videos: the paper's data pipeline (App. A.1) behind ``streampro data build``.

Stages, each a module: ``filtering`` (keep videos with enough temporal dynamics; task filters), ``captions``
(event-, action- and object-level captions from a VLM over time-labelled frames), ``synthesize`` (an LLM
turns captions into timed items per task), ``verify`` (checks in code, then a discriminator/generator loop),
``review`` (a page where a person accepts, edits or rejects; the export). ``pipeline`` runs them, with every
model call through ``calls`` (cached by content hash, validated, retried). docs/data-pipeline.md.
"""
