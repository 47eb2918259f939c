from django.urls import include, path

from .views import tasks

app_name = "logistics"
urlpatterns = [
    path("", tasks.index, name="index"),
    path("tasks/new/", tasks.task_new, name="task_new"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", tasks.task_claim, name="task_claim"),
    path("tasks/<int:pk>/release/", tasks.task_release, name="task_release"),
    path("tasks/<int:pk>/assign/", tasks.task_assign, name="task_assign"),
    path("tasks/<int:pk>/status/", tasks.task_status, name="task_status"),
    path("mine/", tasks.mine, name="mine"),
    path("board/", tasks.board, name="board"),
    path("meetings/<int:meeting_pk>/support/", tasks.meeting_support, name="meeting_support"),
    path("meetings/<int:meeting_pk>/support/<int:line_pk>/take/", tasks.support_take, name="support_take"),
    path("meetings/<int:meeting_pk>/support/<int:line_pk>/release/", tasks.support_release, name="support_release"),
    # Each part of the step has its own URL module; their names stay in this namespace.
    path("", include("logistics.urls_shifts")),
    path("", include("logistics.urls_supplies")),
    path("procedures/", include("logistics.urls_procedures")),
    path("money/", include("logistics.urls_money")),
]
