"""Pages of one institution, included under `/i/<institution_slug>/`."""

from django.urls import path

from . import views

app_name = "institutions"
urlpatterns = [
    path("", views.institution_home, name="home"),
    path("join/", views.join_request, name="join"),
    path("invite/<token:token>/", views.invitation_accept, name="invitation_accept"),
    path("members/", views.member_list, name="members"),
    path("members/leave/", views.member_leave, name="leave"),
    path("members/me/affiliations/", views.my_affiliations, name="affiliations"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("members/invitations/", views.invitation_list, name="invitations"),
    path("members/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/requests/<int:pk>/", views.join_request_decide, name="join_request_decide"),
    path("settings/", views.institution_settings, name="settings"),
    path("settings/delete/", views.institution_delete, name="delete"),
    path("members/me/data.json", views.my_data, name="my_data"),
    path("audit/", views.audit_log, name="audit"),
]
