from django.urls import include, path

from .views import home

app_name = "followthrough"
urlpatterns = [
    path("", home.index, name="index"),
    # Each part of the step has its own URL module; their names stay in this namespace.
    path("goals/", include("followthrough.urls_goals")),
    path("timeline/", include("followthrough.urls_timeline")),
    path("", include("followthrough.urls_governance")),
    path("public-page/", include("followthrough.urls_public")),
    path("export/", include("followthrough.urls_export")),
]
