"""The kernel every domain package stands on: engine and units of work, the ORM models (every
table), the policy (who may do what, and over which branches), the signed-in identity and the
audit chain, masking, business days, the job ledger, the one error type, and `metrics`: every
number shown on more than one screen, defined once.

Its modules are its public surface (`from data_access.core import db, policy`); it imports no
domain package.
"""
