"""How the JSON API knows an account: `Authorization: Bearer TOKEN`, nothing else
(docs/spec.md#95-api-tokens).

Decorators for the API views, as `login_required` is for pages; they hand the token's account to
the view as its `user` argument. They never read `request.user`, the session cookie's account:
the API ignores cookies, which is why its views may be exempt from CSRF checks.

The checks run in the spec's order: the token (401), then for a request without one the limit
(429); the view then applies the request rules (docs/spec.md#34-request-rules).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shared_web.errors import ApiError
from shared_web.tokens import bearer_token

from .limits import count_anonymous_prediction
from .models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

View = Callable[..., HttpResponse]


def token_user(request: HttpRequest) -> User | None:
    """The account of the request's token; `None` without an `Authorization` header.

    A wrong or revoked token, or a header of another kind, is a 401, wherever it is sent.
    """
    secret = bearer_token(request.headers.get("Authorization"))
    if secret is None:
        return None
    user = ApiToken.objects.user_for(secret)
    if user is None:
        raise ApiError.of(401)
    return user


def token_required(view: View) -> View:
    """A valid token, or 401: the routes that read and change stored predictions."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = token_user(request)
        if user is None:
            raise ApiError.of(401)
        return view(request, *args, user=user, **kwargs)

    return wrapped


def token_optional(view: View) -> View:
    """A token, or none (`user` is then `None`) unless `settings.API_TOKEN_REQUIRED`; a request
    without one counts against `ANONYMOUS_RATE_LIMIT`: the routes that predict."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = token_user(request)
        if user is None:
            if settings.API_TOKEN_REQUIRED:
                raise ApiError.of(401)
            count_anonymous_prediction(request)
        return view(request, *args, user=user, **kwargs)

    return wrapped
