from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from institutions.models import Institution
from institutions.selectors import memberships_for_user

from .models import MailPreference
from .services import mail_preference_set, unsubscribe_target, wanted_by_default


@login_required
def preferences(request):
    """Which kinds of mail to get from each institution (e-mail language is on the profile)."""
    memberships = list(memberships_for_user(request.user))
    chosen = {
        (institution_id, kind): enabled
        for institution_id, kind, enabled in MailPreference.objects.filter(user=request.user).values_list(
            "institution_id", "kind", "enabled"
        )
    }

    def current(membership, kind):
        default = wanted_by_default(kind, is_organizer=membership.is_organizer)
        return chosen.get((membership.institution_id, kind), default)

    if request.method == "POST":
        wanted = set(request.POST.getlist("wanted"))
        for membership in memberships:
            for kind in MailPreference.Kind.values:
                enabled = f"{membership.institution_id}:{kind}" in wanted
                if enabled != current(membership, kind):
                    mail_preference_set(
                        user=request.user, institution=membership.institution, kind=kind, enabled=enabled
                    )
        messages.success(request, _("Your e-mail choices were saved."))
        return redirect("notifications:preferences")
    rows = [
        (
            membership.institution,
            [(kind, label, current(membership, kind)) for kind, label in MailPreference.Kind.choices],
        )
        for membership in memberships
    ]
    return render(request, "notifications/preferences.html", {"rows": rows})


# The token in the link is the authorization: mail clients send a one-click POST without a CSRF token.
@csrf_exempt
def unsubscribe(request, token):
    target = unsubscribe_target(token)
    if target is None:
        raise Http404
    user_id, institution_id, kind = target
    user = get_user_model().objects.filter(pk=user_id).first()
    institution = Institution.objects.filter(pk=institution_id).first()
    if user is None or institution is None or kind not in MailPreference.Kind.values:
        raise Http404
    label = MailPreference.Kind(kind).label
    if request.method == "POST":
        mail_preference_set(user=user, institution=institution, kind=kind, enabled=False)
        return render(request, "notifications/unsubscribed.html", {"kind_label": label, "target": institution})
    return render(request, "notifications/unsubscribe.html", {"kind_label": label, "target": institution})
