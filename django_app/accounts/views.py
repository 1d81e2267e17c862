"""The account pages (docs/spec.md#91-pages): Django's auth views, answering as the spec asks.

Django's views answer a valid form with a 302 and an invalid one with a 200; the spec asks 303
(after a POST the browser GETs the next page) and 400 (the form again, refused), so each view
overrides `form_valid` and `form_invalid`, the hooks its docs name for that. Every page takes
GET, HEAD and POST only: Django's form views would also take PUT as a POST, and OPTIONS.
The pages that need an account send anyone else to the log-in page with Django's 302
(`LOGIN_URL`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError, transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, FormView

from django_app.predictions.responses import HttpResponseSeeOther
from shared_web import accounts

from .forms import DeleteAccountForm, LoginForm, PasswordForm, SignupForm, TokenForm
from .models import ApiToken

PAGE_METHODS = ("get", "head", "post")


class FormPageMixin:
    """An invalid form is shown again with status 400; no cache keeps an account's page (the
    tokens page shows a secret), as `LoginView` already asks."""

    http_method_names = PAGE_METHODS

    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response

    def form_invalid(self, form: Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SignupView(FormPageMixin, CreateView):
    """A new account, logged in at once (a new session id, the visitor's predictions kept)."""

    form_class = SignupForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("predictions:index")

    def form_valid(self, form: SignupForm) -> HttpResponse:
        try:
            with transaction.atomic():
                self.object = form.save()
        except IntegrityError:  # signed up by another request since the form's check
            form.add_error("username", accounts.USERNAME_TAKEN)
            return self.form_invalid(form)
        login(self.request, self.object)
        return HttpResponseSeeOther(self.get_success_url())


class LoginView(FormPageMixin, auth_views.LoginView):
    """Django's log-in, behind the failed log-in limit (docs/spec.md#96-limits): the form counts
    each attempt before the password is checked (`forms.LimitedLogInMixin`), and past the limit
    raises `TooManyRequests`, which `ErrorMiddleware` answers with the 429 page."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form: LoginForm) -> HttpResponse:
        login(self.request, form.get_user())
        return HttpResponseSeeOther(self.get_success_url())

    def get_redirect_url(self) -> str:
        """`next` only when it is a path of this site: one leading `/`, no scheme, no host.

        Django's check also allows a full URL on this host; the spec asks for a path.
        """
        url: str = super().get_redirect_url()
        return url if url.startswith("/") and not url.startswith("//") else ""


class LogoutView(auth_views.LogoutView):
    """Deletes the session on the server (Django's `logout` flushes it); POST only, no OPTIONS."""

    http_method_names = ("post",)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        logout(request)
        # Always home: `LogoutView` would follow a `next` too, which the spec's log-out has not.
        return HttpResponseSeeOther(resolve_url(settings.LOGOUT_REDIRECT_URL))


class PasswordChangeView(FormPageMixin, auth_views.PasswordChangeView):
    """A new password; this session stays logged in, every other one of the account ends.

    `update_session_auth_hash` gives this session a new id and the new password's hash; the
    other sessions still hold the old hash, which Django's `AuthenticationMiddleware` compares
    on their next request, and then flushes them.
    """

    form_class = PasswordForm
    template_name = "accounts/password.html"
    success_url = reverse_lazy("predictions:index")

    def form_valid(self, form: PasswordForm) -> HttpResponse:
        form.save()
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, accounts.PASSWORD_CHANGED)
        return HttpResponseSeeOther(self.get_success_url())


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class DeleteAccountView(LoginRequiredMixin, FormPageMixin, FormView):
    """Deletes the account; its tokens and predictions go with it (their foreign keys CASCADE)."""

    form_class = DeleteAccountForm
    template_name = "accounts/delete.html"
    success_url = reverse_lazy("predictions:index")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: DeleteAccountForm) -> HttpResponse:
        user = form.user
        logout(self.request)
        user.delete()
        messages.success(self.request, accounts.ACCOUNT_DELETED)
        return HttpResponseSeeOther(self.get_success_url())


class TokensView(LoginRequiredMixin, FormPageMixin, FormView):
    """The account's API tokens, and a form for a new one, whose secret is shown once: the page
    after a valid POST is that answer itself (201), never a redirect to a page that could show
    it again."""

    form_class = TokenForm
    template_name = "accounts/tokens.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(tokens=self.request.user.api_tokens.all(), **kwargs)

    def form_valid(self, form: TokenForm) -> HttpResponse:
        _, secret = ApiToken.objects.create_token(self.request.user, form.cleaned_data["name"])
        context = self.get_context_data(form=TokenForm(), new_token=secret)
        return self.render_to_response(context, status=201)


@require_POST  # first, as in Flask's routing: a GET is a 405 for anyone
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Deletes one of your tokens; anyone else's id is a 404, as an unknown one is."""
    get_object_or_404(request.user.api_tokens, pk=token_id).delete()
    return HttpResponseSeeOther(reverse("accounts:tokens"))
