"""The diary's controlled vocabularies, shared by models, schemas and analytics."""

ROLES = ("patient", "clinician")
SIDES = ("left", "right", "both")
# Ordinal: the furthest point the leg pain reaches (0 = none … 5 = foot, toes included).
RADIATION_LEVELS = ("none", "buttock", "thigh", "knee", "calf", "foot")
REGIONS = (
    "buttock",
    "back_of_thigh",
    "front_of_thigh",
    "outer_calf",
    "back_of_calf",
    "shin",
    "top_of_foot",
    "big_toe",
    "sole",
    "outer_foot",
    "little_toe",
    "heel",
    "saddle",
)
PAIN_QUALITIES = ("sharp", "burning", "throbbing", "shooting", "aching", "electric")
AGGRAVATORS = ("sitting", "standing", "walking", "bending", "coughing_sneezing", "lifting")
GAIT = ("normal", "difficult", "unable")
MEDICATIONS = (
    "nsaid",
    "paracetamol",
    "opioid",
    "neuropathic",
    "muscle_relaxant",
    "oral_steroid",
    "other",
)
EVENT_KINDS = (
    "physiotherapy_start",
    "epidural_injection",
    "nerve_root_block",
    "discectomy",
    "fusion",
    "decompression",
    "chiropractic",
    "medication_change",
    "other",
)
REFLEXES = ("normal", "reduced", "absent")
MUSCLES = ("ankle_dorsiflexion", "big_toe_extension", "foot_eversion", "plantarflexion")
REFLEX_NAMES = ("achilles_reflex", "knee_reflex")
LEG_SIDES = ("left", "right")
SEVERITIES = ("emergency", "urgent", "warning", "info")
ALERT_STATUSES = ("open", "acknowledged", "resolved")
ODI_SECTIONS = 10
NOTES_MAX = 2000

#: A diary entry's fields, in the order of PRODUCT.md "What a daily entry holds".
ENTRY_FIELDS = (
    "leg_pain",
    "back_pain",
    "side",
    "radiation",
    "numbness",
    "tingling",
    "pain_quality",
    "aggravators",
    "heel_walk",
    "toe_walk",
    "foot_drop",
    "walking_minutes",
    "walking_aid",
    "bladder_or_bowel_change",
    "saddle_numbness",
    "medications",
    "exercises_done",
    "notes",
)
