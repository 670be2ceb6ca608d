"""The profile page: who the user is, and the API token they create and revoke.

DRF's authtoken holds one token per user. Its key is shown once, in the answer
to the request that made it; afterwards only its first characters are shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from rest_framework.authtoken.models import Token

from tensions import roles

_SHOWN_CHARS = 6


@login_required
def profile(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            return _page(request, new_key=token_replace(user=request.user).key)
        if action == "revoke":
            Token.objects.filter(user=request.user).delete()
            messages.success(request, "Token revoked: clients using it are refused.")
        return redirect("profile")
    return _page(request)


@transaction.atomic
def token_replace(*, user) -> Token:
    """A new token for `user`; the one before, if any, stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def _page(request, new_key: str | None = None):
    token = Token.objects.filter(user=request.user).first()
    context = {
        "role": roles.user_role(request.user),
        "token": token,
        "token_hint": token.key[:_SHOWN_CHARS] if token else "",
        "new_key": new_key,
    }
    return render(request, "registration/profile.html", context)
