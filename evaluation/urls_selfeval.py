from django.urls import path

from .views import selfeval

urlpatterns = [
    path("", selfeval.rounds, name="selfevals"),
    path("new/", selfeval.round_new, name="selfeval_new"),
    path("<int:pk>/", selfeval.detail, name="selfeval"),
    path("<int:pk>/answer/", selfeval.answer, name="selfeval_answer"),
    path("<int:pk>/close/", selfeval.round_close, name="selfeval_close"),
    path("p/<str:token>/", selfeval.public, name="selfeval_public"),
    path("p/<str:token>/thanks/", selfeval.thanks, name="selfeval_thanks"),
]
