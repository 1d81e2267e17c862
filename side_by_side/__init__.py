"""Both apps behind one address: `/flask/`, `/django/`, and a page that shows them side by side.

`wsgi.py` combines the two WSGI apps the way WSGI application dispatching is done (Werkzeug's
`DispatcherMiddleware`, as in Flask's docs); `serve.py` prepares the model and the databases and
runs it under gunicorn: `python3 dev.py -s serve`.
"""
