"""Scheduled and command-line work; each job is a plain function over data_access."""
