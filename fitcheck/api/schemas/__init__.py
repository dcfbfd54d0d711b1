"""Marshmallow schemas of the API: they validate requests, shape responses, and are what
flask-smorest turns into the OpenAPI document. Names and shapes are those of docs/api.md.

- `common`: strict JSON types, the text rule, null-means-absent request bodies, fields of
  the public vocabulary;
- `requests`: what writes (partners, assessments, respondents, answers, outcomes) and
  what answers it;
- `rounds`: a revealed round's results and a partner's timeline;
- `portfolio`: the portfolio analysis;
- `reads`: the lists and documents an integrator reads back, and commitments.
"""
