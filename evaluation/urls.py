from django.urls import include, path

from .views import home

app_name = "evaluation"
urlpatterns = [
    path("", home.index, name="index"),
    # Each part of the step has its own URL module; their names stay in this namespace.
    path("logs/", include("evaluation.urls_logs")),
    path("check-ins/", include("evaluation.urls_checkins")),
    path("self-evaluations/", include("evaluation.urls_selfeval")),
    path("grievances/", include("evaluation.urls_grievances")),
    path("incidents/", include("evaluation.urls_incidents")),
    path("", include("evaluation.urls_health")),
]
