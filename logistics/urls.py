from django.urls import path

from . import views

app_name = "logistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:pk>/release/", views.task_release, name="task_release"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task_assign"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("mine/", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("meetings/<int:meeting_pk>/support/", views.meeting_support, name="meeting_support"),
    path("meetings/<int:meeting_pk>/support/<int:line_pk>/take/", views.support_take, name="support_take"),
    path("meetings/<int:meeting_pk>/support/<int:line_pk>/release/", views.support_release, name="support_release"),
]
