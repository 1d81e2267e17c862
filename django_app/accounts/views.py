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

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, FormView

from django_app.predictions.responses import HttpResponseSeeOther
from shared_web import accounts

from . import limits
from .forms import DeleteAccountForm, LoginForm, PasswordForm, SignupForm, TokenForm
from .models import ApiToken

PAGE_METHODS = ("get", "head", "post")


class FormPageMixin:
    """An invalid form is shown again with status 400."""

    http_method_names = PAGE_METHODS

    def form_invalid(self, form: Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SignupView(FormPageMixin, CreateView):
    """A new account, logged in at once (a new session id, the visitor's predictions kept)."""

    form_class = SignupForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("predictions:index")

    def form_valid(self, form: SignupForm) -> HttpResponse:
        self.object = form.save()
        login(self.request, self.object)
        return HttpResponseSeeOther(self.get_success_url())


class LoginView(FormPageMixin, auth_views.LoginView):
    """Django's log-in, behind the failed log-in limit (docs/spec.md#96-limits).

    The limit is checked before the password is, so that the right one gets the 429 too (the
    error page with `Retry-After`: `TooManyRequests`, answered by `ErrorMiddleware`). Only a
    refused username and password count as a failure, not a form with an empty field; a
    successful log-in clears the count.
    """

    form_class = LoginForm
    template_name = "accounts/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.limit_key = limits.login_key(request, request.POST.get("username", ""))
        limits.check_login_limit(self.limit_key)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            limits.count_login_failure(self.limit_key)
        return super().form_invalid(form)

    def form_valid(self, form: LoginForm) -> HttpResponse:
        limits.clear_login_failures(self.limit_key)
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
        return HttpResponseSeeOther(self.get_success_url())  # LOGOUT_REDIRECT_URL


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
