"""The tiny task's hooks: the video path, a multiple-choice prompt, and exact-letter accuracy."""


def doc_to_visual(doc):
    return [doc["video"]]


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    options = "; ".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(doc["options"]))
    return f"Question: {doc['question']}\nOptions: {options}\nAnswer with the letter."


def process_results(doc, results):
    return {"accuracy": float(results[0].strip()[:1].upper() == doc["answer"])}
