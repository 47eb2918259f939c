"""Root URLs. Everything that belongs to one institution lives under /i/<institution_slug>/."""

from django.urls import include, path, register_converter

from institutions import views as institution_views

from . import converters, views

register_converter(converters.TokenConverter, "token")

institution_patterns = [
    path("", include("institutions.urls")),
    path("decisions/", include("decisions.urls")),
    path("needs/", include("needs.urls")),
    path("consultation/", include("consultation.urls")),
    path("research/", include("research.urls")),
    path("meetings/", include("meetings.urls")),
    path("logistics/", include("logistics.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("follow-through/", include("followthrough.urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("new/", institution_views.institution_create, name="institution_create"),
    path("healthz", views.healthz, name="healthz"),
    # References for bench/web.py: each page's throughput is reported as a share of these.
    path("bench/bare/", views.bench_bare, name="bench_bare"),
    path("bench/bare-session/", views.bench_bare_session, name="bench_bare_session"),
    path("i/<slug:institution_slug>/", include(institution_patterns)),
]
