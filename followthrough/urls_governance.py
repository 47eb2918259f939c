from django.urls import path

from .views import governance

urlpatterns = [
    path("sustainability/", governance.sustainability, name="sustainability"),
    path("sustainability/terms/new/", governance.term_new, name="term_new"),
    path("independence/", governance.independence, name="independence"),
    path("independence/check/", governance.independence_check, name="independence_check"),
]
