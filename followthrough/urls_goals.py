from django.urls import path

from .views import goals

urlpatterns = [
    path("", goals.goal_list, name="goals"),
    path("new/", goals.goal_new, name="goal_new"),
    path("<int:pk>/", goals.goal_detail, name="goal"),
    path("<int:pk>/edit/", goals.goal_edit, name="goal_edit"),
    path("<int:pk>/status/", goals.goal_status, name="goal_status"),
    path("<int:pk>/milestones/", goals.milestone_add, name="milestone_add"),
    path("<int:pk>/links/", goals.link_add, name="goal_link_add"),
    path("milestones/<int:pk>/reached/", goals.milestone_reached, name="milestone_reached"),
    path("milestones/<int:pk>/move/", goals.milestone_move, name="milestone_move"),
    path("links/<int:pk>/remove/", goals.link_remove, name="goal_link_remove"),
]
