"""Flask-Migrate's migrations of the Flask app's table (docs/spec.md#71-the-table): a package, so that
they travel inside the wheel with `alembic.ini`, `env.py`, `script.py.mako` and `versions/`."""
