"""The Django front end: the project package (settings, URLs, WSGI) and the `predictions` app.

django-admin migrate --settings=django_app.settings          # or: python manage.py migrate
django-admin runserver 8000 --settings=django_app.settings
"""
