"""Staff sign in and out (``signin.services`` checks the password, the same service as the
patient pages and the API). The working site chosen at sign-in is kept in the session."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from policy.actor import WORKING_SITE_SESSION_KEY
from signin import services
from signin.forms import SignInForm

REMEMBER_SITE_COOKIE = "dovetail_site"


@never_cache
@csrf_protect
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignInForm(request, data=request.POST)
        if form.is_valid():
            site = form.cleaned_data["site"]
            login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[WORKING_SITE_SESSION_KEY] = site.pk
            target = request.POST.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("home")
            response: HttpResponse = HttpResponseRedirect(target or reverse("home"))
            response.set_cookie(REMEMBER_SITE_COOKIE, str(site.pk), max_age=60 * 60 * 24 * 365,
                                httponly=True, samesite="Lax", secure=request.is_secure())
            return response
        status = 400
    else:
        remembered = request.COOKIES.get(REMEMBER_SITE_COOKIE, "")
        form = SignInForm(request, initial={"site": remembered} if remembered.isdigit() else {})
        status = 200
    return render(request, "registration/sign_in.html",
                  {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.token_revoke(user=request.user)  # signing out ends the API token too
    logout(request)
    return redirect("sign-in")
