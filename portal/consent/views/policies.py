"""A label's standing policies: the list, adding one and lifting one, each with an exact
preview of the permissions it would flip before anything is saved."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Label
from portal.consent.access import Party, PartyKind, party_view
from portal.consent.models import LabelPolicy
from portal.consent.policy_forms import LiftForm, PolicyForm
from portal.consent.selectors.policies import (
    policies_of,
    policy_add_preview,
    policy_lift_preview,
    policy_products,
)
from portal.consent.services import ConsentError, PolicyOutcome, policy_add, policy_lift
from portal.consent.wording import policy_cap, policy_words

TEMPLATE = "consent/policies.html"


def _label(party: Party) -> Label:
    assert party.label is not None
    return party.label


def _page(party: Party, form: PolicyForm, **extra: Any) -> dict[str, Any]:
    in_force, lifted = policies_of(label=_label(party))
    return {
        "party": party,
        "form": form,
        "in_force": [(p, policy_words(policy_cap(p))) for p in in_force],
        "lifted": [(p, policy_words(policy_cap(p))) for p in lifted],
        **extra,
    }


def _flipped(outcome: PolicyOutcome) -> str:
    if not outcome.flipped:
        return "No permission changed."
    return " ".join(
        f"{name}: {n:,} permission{'s' if n != 1 else ''} changed."
        for name, n in outcome.flipped.items()
    )


def _products(party: Party) -> Any:
    return policy_products(label_id=_label(party).pk)


@party_view(PartyKind.LABELS)
def label_policies(request: AuthedRequest, party: Party) -> HttpResponse:
    """The policies in force and those lifted, and the form to add one."""
    return render(request, TEMPLATE, _page(party, PolicyForm(products=_products(party))))


@require_POST
@party_view(PartyKind.LABELS)
def label_policy_add(request: AuthedRequest, party: Party) -> HttpResponse:
    """Preview what a new policy would stop, then (confirmed) add it."""
    label = _label(party)
    form = PolicyForm(request.POST, products=_products(party))
    if not form.is_valid():
        return render(request, TEMPLATE, _page(party, form), status=422)
    conditions = form.conditions()
    if not form.cleaned_data["confirm"]:
        stops = policy_add_preview(label=label, now=timezone.now(), **conditions)
        preview = {
            "words": policy_words(policy_cap(LabelPolicy(label=label, **conditions))),
            "flips": stops,
            "total": sum(stops.values()),
        }
        return render(request, TEMPLATE, _page(party, form, adding=preview))
    try:
        outcome = policy_add(actor=request.user, label=label, **conditions)
    except ConsentError as exc:
        messages.error(request, f"{exc} Nothing was changed.")
    else:
        words = policy_words(policy_cap(outcome.policy))
        messages.success(
            request, f"Policy added: {label.name} does not allow {words}. {_flipped(outcome)}"
        )
    return redirect(reverse("label_policies", args=[label.pk]))


@require_POST
@party_view(PartyKind.LABELS)
def label_policy_lift(request: AuthedRequest, party: Party, policy_id: int) -> HttpResponse:
    """Preview what lifting a policy would permit again, then (confirmed) lift it."""
    label = _label(party)
    policy = get_object_or_404(
        LabelPolicy.objects.select_related("use_type", "product"), pk=policy_id, label=label
    )
    form = LiftForm(request.POST)
    form.is_valid()
    words = policy_words(policy_cap(policy))
    if not form.cleaned_data.get("confirm"):
        if policy.lifted_at is not None:
            messages.info(request, "That policy was lifted already.")
            return redirect(reverse("label_policies", args=[label.pk]))
        permits = policy_lift_preview(policy=policy, now=timezone.now())
        preview = {"policy": policy, "words": words, "flips": permits}
        preview["total"] = sum(permits.values())
        return render(
            request, TEMPLATE, _page(party, PolicyForm(products=_products(party)), lifting=preview)
        )
    try:
        outcome = policy_lift(actor=request.user, policy=policy)
    except ConsentError as exc:
        messages.error(request, f"{exc} Nothing was changed.")
    else:
        messages.success(
            request, f"Policy lifted: {label.name} allows {words} again. {_flipped(outcome)}"
        )
    return redirect(reverse("label_policies", args=[label.pk]))
