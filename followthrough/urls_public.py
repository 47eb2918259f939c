from django.urls import path

from .views import public

urlpatterns = [
    path("", public.public_page, name="public_page"),
]
