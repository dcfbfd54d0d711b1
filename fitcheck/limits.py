"""The bounds of what people type: the longest text each field holds, and the highest
anonymity threshold.

One number per rule, read everywhere the rule applies: the models size their columns with
it, the forms and the API schemas refuse more before anything is looked up, and the
services refuse more whoever calls them (the CLI, the demo, a future caller that skips the
forms), so a value that fits one door fits them all. A column's width is its migration's
too: changing a number here needs a migration that widens the column.

Outcomes (period, note, revenue) keep their bounds in `fitcheck.services.outcomes`.
"""

from __future__ import annotations

# People: users, sign-ups, respondents, contacts, a commitment's person responsible.
PERSON_NAME = 120
# The longest address SMTP carries (RFC 5321's path of 256 octets less its brackets).
EMAIL = 254
# Longer is no safer, and a huge one would only cost time to hash.
PASSWORD = 200

WORKSPACE_NAME = 120
API_TOKEN_NAME = 80

PARTNER_NAME = 200
PARTNER_WEBSITE = 300
PARTNER_NOTES = 5000
CONTACT_TITLE = 120

TRAIT_SET_NAME = 120
TRAIT_KEY = 64
TRAIT_LABEL = 80
TRAIT_DESCRIPTION = 1000
TRAIT_QUESTION = 500

ASSESSMENT_TITLE = 200
# The anonymity threshold k (`min_responses_per_side`) is 1 to this: a side's averages
# are shown once k of its respondents have submitted.
THRESHOLD = 50

# People invited to one side of one assessment (withdrawn ones do not count): far above any
# team or client, low enough that a runaway import cannot make a round nobody can read.
RESPONDENTS_PER_SIDE = 500

# A respondent's comment on one trait, and the reason of one who declines.
COMMENT = 2000
DECLINE_REASON = 2000

COMMITMENT_ACTION = 2000
COMMITMENT_OWNER = PERSON_NAME

# The brand-partner workshop (`fitcheck.models.workshops`): its question, a sticky note's
# short phrase and its example, a cluster's name (a merged cluster takes a note's phrase),
# and the dots a facilitator may give each participant.
WORKSHOP_QUESTION = 300
WORKSHOP_NOTE = 200
WORKSHOP_EXAMPLE = 1000
WORKSHOP_CLUSTER = WORKSHOP_NOTE
WORKSHOP_DOTS = 20
