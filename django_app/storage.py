"""Static file URLs that carry the mount prefix (WSGI SCRIPT_NAME) of the current request.

Django prefixes a relative STATIC_URL with the script prefix only once, when the static files
storage is first built; WhiteNoise builds it at start-up, before any request has said where the
app is mounted. This storage asks for the prefix on every call instead, the way `reverse()` does,
so the stylesheet link is right under `/django` as much as at `/`.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.urls import get_script_prefix


class MountedStaticFilesStorage(StaticFilesStorage):
    def url(self, name: str | None) -> str:
        return get_script_prefix().rstrip("/") + super().url(name)
