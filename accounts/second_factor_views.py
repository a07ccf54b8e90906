"""Pages of the second factor: enrolment (QR code drawn here with segno, no
outside service), verification at sign-in, and one's own devices."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCodeDevice
from accounts.rate_limits import rate_limit_hit, rate_limit_wait
from accounts.second_factor import (
    has_confirmed_device,
    recovery_codes_regenerate,
    second_factor_verify,
    totp_device_confirm,
    totp_device_remove,
    totp_device_start,
)
from accounts.views import too_many_attempts
from audit.middleware import request_client_ip
from config.errors import DomainError

_ENROL_DEVICE = "vaf_enrol_device"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "class": "form-control"}),
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def _qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _show_recovery_codes(request, codes: list[str]):
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Enrol an authenticator app: scan the code, type a first code to confirm.
    Someone who has a device must pass it first: a password alone never adds one."""
    if has_confirmed_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': _next(request)})}")
    device = None
    device_id = request.session.get(_ENROL_DEVICE)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")
    if request.method == "POST" and device is not None and form.is_valid():
        wait = rate_limit_wait(bucket="mfa-failures", key=request_client_ip(request) or "unknown")
        if wait:
            return too_many_attempts(request, wait)
        try:
            codes = totp_device_confirm(user=request.user, device_id=device.pk, token=form.cleaned_data["code"])
        except DomainError as exc:
            rate_limit_hit(bucket="mfa-failures", key=request_client_ip(request) or "unknown")
            form.add_error("code", exc.detail)
        else:
            request.session.pop(_ENROL_DEVICE, None)
            device.refresh_from_db()
            otp_login(request, device)
            return _show_recovery_codes(request, codes)
    if device is None:
        device = totp_device_start(user=request.user)
        request.session[_ENROL_DEVICE] = device.pk
    context = {
        "form": form,
        "qr": _qr_data_uri(device),
        "secret": device.config_url.split("secret=")[1].split("&")[0],
        "next": _next(request),
    }
    return render(request, "accounts/mfa_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step of signing in."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = rate_limit_wait(bucket="mfa-failures", key=request_client_ip(request) or "unknown")
        if wait:
            return too_many_attempts(request, wait)
        device = second_factor_verify(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, RecoveryCodeDevice):
                used = _("You used a recovery code; each works once. Make new ones if few are left.")
                messages.warning(request, used)
            return redirect(_next(request))
        rate_limit_hit(bucket="mfa-failures", key=request_client_ip(request) or "unknown")
        form.add_error("code", _("That code is not right, or was already used."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET"])
def mfa_devices(request):
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk")
    recovery = RecoveryCodeDevice.objects.filter(user=request.user).first()
    left = recovery.codes.filter(used_at__isnull=True).count() if recovery else 0
    return render(request, "accounts/mfa_devices.html", {"devices": devices, "recovery_codes_left": left})


@login_required
@require_POST
def mfa_device_remove(request, device_id: int):
    try:
        totp_device_remove(user=request.user, device_id=device_id)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The device was removed."))
    return redirect("accounts:mfa_devices")


@login_required
@require_POST
def recovery_codes_new(request):
    try:
        codes = recovery_codes_regenerate(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("accounts:mfa_devices")
    return _show_recovery_codes(request, codes)
