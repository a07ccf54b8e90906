"""The auditor's workspace: the log, each event and case history, the
personal-data access review, verification, checkpoints and exports.

Only auditors; every other role gets 403. Pages are keyset-paged on `seq`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role, user_roles
from audit.chain import stored_event_hash
from audit.checkpoints import checkpoint_note, checkpoint_signature_valid
from audit.exports import audit_log_export
from audit.forms import AccessReviewFilterForm, EventFilterForm
from audit.log_verification import verify_log
from audit.models import GENESIS_HASH
from audit.selectors import (
    REVEAL_ACTIONS,
    checkpoint_count,
    event_get,
    event_neighbours,
    event_page,
    events_filtered,
    latest_checkpoint,
    log_key_status,
    subject_events,
)
from audit.subjects import subject_find
from config.errors import ValidationFailed

PROBLEMS = {
    "edited": gettext_lazy("An event was changed after it was recorded: it no longer matches its hash."),
    "missing": gettext_lazy("Events are missing: a sequence number is absent (events were deleted)."),
    "inserted": gettext_lazy("An event was inserted: it is not part of the chain."),
    "out_of_order": gettext_lazy("Events were reordered: an event links to another than its predecessor."),
    "broken_link": gettext_lazy("The chain is broken: an event does not link to its predecessor."),
    "truncated": gettext_lazy("The chain was truncated: a signed checkpoint vouches for events that are gone."),
    "checkpoint_mismatch": gettext_lazy(
        "The chain was rewritten: an event differs from what a signed checkpoint vouches for."
    ),
    "checkpoint_signature": gettext_lazy("A checkpoint's signature is forged, or made with an untrusted key."),
    "checkpoint_file": gettext_lazy("A file in the checkpoint directory is not a valid checkpoint."),
    "fork": gettext_lazy("The log was forked: two checkpoints of the same size have different roots."),
    "tree_mismatch": gettext_lazy("The stored Merkle tree does not match the events."),
    "configuration": gettext_lazy("The log cannot be verified: its key, origin or checkpoint directory is missing."),
}


def auditor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if Role.AUDITOR not in user_roles(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def _list_page(request, form, *, template: str, actions: tuple[str, ...] = ()):
    """One keyset page of the filtered events, or the form's errors (400)."""
    page = None
    if form.is_valid():
        events = events_filtered(form.filters, actions=actions)
        page = event_page(events, before=form.cleaned_data.get("before"), after=form.cleaned_data.get("after"))
    context = {"form": form, "page": page, "query": form.query_string()}
    return render(request, template, context, status=200 if page is not None else 400)


@require_GET
@auditor_required
def event_list(request):
    return _list_page(request, EventFilterForm(request.GET), template="audit/event_list.html")


@require_GET
@auditor_required
def access_review(request):
    form = AccessReviewFilterForm(request.GET)
    return _list_page(request, form, template="audit/access_review.html", actions=REVEAL_ACTIONS)


def _export(request, form_class, *, view: str, template: str, actions: tuple[str, ...] = ()):
    form = form_class(request.POST)
    if form.is_valid():
        try:
            return audit_log_export(
                actor=request.user, filters=form.filters, fmt=request.POST.get("format", ""), view=view, actions=actions
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.detail)
    return _list_page(request, form, template=template, actions=actions)


@require_POST
@auditor_required
def event_export(request):
    return _export(request, EventFilterForm, view="events", template="audit/event_list.html")


@require_POST
@auditor_required
def access_export(request):
    return _export(
        request,
        AccessReviewFilterForm,
        view="access_review",
        template="audit/access_review.html",
        actions=REVEAL_ACTIONS,
    )


@require_GET
@auditor_required
def event_detail(request, seq: int):
    event = event_get(seq=seq)
    if event is None:
        raise Http404
    previous, following = event_neighbours(event)
    expected_prev = previous.hash if previous is not None else GENESIS_HASH
    context = {
        "event": event,
        "previous": previous,
        "following": following,
        "hash_ok": stored_event_hash(event) == event.hash,
        "link_ok": event.prev_hash == expected_prev and (previous is None or previous.seq == event.seq - 1),
        "next_link_ok": following is None or following.prev_hash == event.hash,
        "genesis": GENESIS_HASH,
    }
    return render(request, "audit/event_detail.html", context)


@require_GET
@auditor_required
def case_history(request, reference: str):
    subject = subject_find(reference)
    if subject is None:
        raise Http404
    page = event_page(
        subject_events(subject=subject), before=_cursor(request, "before"), after=_cursor(request, "after")
    )
    return render(request, "audit/case_history.html", {"subject": subject, "page": page, "query": ""})


@require_GET
@auditor_required
def verify(request):
    """The log's verification (incremental; `?full=1` replays everything) and
    its checkpoints. Signing is not offered here: the web process holds no
    signing key (`manage.py audit_checkpoint` signs)."""
    result = verify_log(full=request.GET.get("full") == "1")
    checkpoint = latest_checkpoint()
    context = {
        "result": result,
        "problem_text": PROBLEMS.get(result.problem or "", result.problem),
        "checkpoint": checkpoint,
        "checkpoint_note": checkpoint_note(checkpoint) if checkpoint else None,
        "checkpoint_valid": checkpoint_signature_valid(checkpoint) if checkpoint else None,
        "checkpoint_count": checkpoint_count(),
        "key": log_key_status(),
    }
    return render(request, "audit/verify.html", context)
