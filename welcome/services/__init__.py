"""Domain rules as plain functions over the database session.

Every path that writes (admin forms, custom screens, CLI, imports, tests) goes through these
functions or the session hooks they install, so a rule cannot be skipped. Functions validate,
change and flush; they never commit: the caller commits once, at the edge.
"""
