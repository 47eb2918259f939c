from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("", views.proposal_list, name="index"),
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/move/", views.transition, name="transition"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/comments/<int:comment_pk>/edit/", views.comment_edit, name="comment_edit"),
    path("<int:pk>/comments/<int:comment_pk>/hide/", views.comment_hide, name="comment_hide"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
]
