from django.urls import path

from .views import health

urlpatterns = [
    path("health/", health.health, name="health"),
    path("health/digest/", health.digest_preview, name="digest_preview"),
]
