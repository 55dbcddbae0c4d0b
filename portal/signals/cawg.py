"""The CAWG training and data mining assertion of a work (`cawg.training-mining`, CAWG
Training and Data Mining Assertion 1.1, DIF ratified 16 May 2025), for distributors and
provenance tools to put in a recording's C2PA manifest.

Nothing is ever `allowed` outright: a use licensed through the portal makes the entries
it falls under `constrained`, with the work page (what is licensed, through which
products, under which conditions) as `constraint_info`; every other entry is
`notAllowed`. The CAWG spec treats `constrained` without further information as
`notAllowed`, so the assertion never grants more than the portal does.
"""

from typing import Any

from portal.signals.selectors import WorkSignals

LABEL = "cawg.training-mining"
DATA_MINING = "cawg.data_mining"
AI_INFERENCE = "cawg.ai_inference"
AI_GENERATIVE_TRAINING = "cawg.ai_generative_training"
AI_TRAINING = "cawg.ai_training"
ENTRIES = (DATA_MINING, AI_INFERENCE, AI_GENERATIVE_TRAINING, AI_TRAINING)

# The portal's use types (by slug) and the CAWG entries a licence of each falls under.
# A use type staff add later falls under none until it is given a place here: its
# licences are still on the work page, and the assertion stays `notAllowed`.
USES: dict[str, tuple[str, ...]] = {
    # Training music models on the recording: generative ones, and others (tagging,
    # recommendation) the product may train alongside.
    "training": (AI_GENERATIVE_TRAINING, AI_TRAINING),
    # "In the style of" and voice models learn from the recording and take it as input
    # when they generate.
    "style_generation": (AI_GENERATIVE_TRAINING, AI_INFERENCE),
    "voice_likeness": (AI_GENERATIVE_TRAINING, AI_INFERENCE),
    # Stem separation and remixing run a model over the recording.
    "stems_remix": (AI_INFERENCE,),
    # Lyrics tools extract the words (mining) and feed them to a model.
    "lyrics": (AI_INFERENCE, DATA_MINING),
}


def training_mining(signals: WorkSignals, *, work_url: str) -> dict[str, Any]:
    """The assertion as a C2PA manifest definition lists it: its label and its data."""
    constrained = {entry for item in signals.licensed for entry in USES.get(item.use_type.slug, ())}
    entries: dict[str, dict[str, str]] = {}
    for entry in ENTRIES:
        if entry in constrained:
            entries[entry] = {"use": "constrained", "constraint_info": work_url}
        else:
            entries[entry] = {"use": "notAllowed"}
    return {"label": LABEL, "data": {"entries": entries}}
