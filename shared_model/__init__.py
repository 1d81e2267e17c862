"""The model both web apps serve: training, the artifact, the feature schema, validation and
prediction, and the command line `python -m shared_model`.

Nothing here knows of HTTP, HTML or SQL: the web apps import what they need from the modules
(`shared_model.artifact.load_model`, `shared_model.predictor.Predictor`, ...), and what both of them
need about the web lives in `shared_web`. This module imports nothing, so that a command which
does not predict (a database migration) does not pay for scikit-learn.
"""
