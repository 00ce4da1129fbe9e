"""The LLMs behind the judge, the GRPO rubric and the data pipeline: one chat interface (``chat``), one
on-disk cache of replies (``cache``), prompt files with checked placeholders (``templates``) and one set of
settings with the same flags everywhere (``settings``). Below ``models``, ``data``, ``bench`` and ``train``:
it imports only ``core``."""
