from django.urls import path

from .views import answer, needs, paper, results, surveys, themes

app_name = "needs"
urlpatterns = [
    path("", needs.index, name="index"),
    path("new/", needs.need_new, name="new"),
    path("<int:pk>/", needs.detail, name="detail"),
    path("<int:pk>/edit/", needs.edit, name="edit"),
    path("<int:pk>/focus/", needs.propose_focus, name="propose_focus"),
    # Building and running surveys (members see, organizers change).
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/new/", surveys.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey"),
    path("surveys/<int:pk>/edit/", surveys.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/status/", surveys.survey_status, name="survey_status"),
    path("surveys/<int:pk>/delete/", surveys.survey_delete, name="survey_delete"),
    path("surveys/<int:pk>/qr.svg", surveys.survey_qr, name="survey_qr"),
    path("surveys/<int:pk>/questions/new/", surveys.question_new, name="question_new"),
    path("surveys/<int:pk>/questions/<int:question_pk>/", surveys.question_edit, name="question_edit"),
    path("surveys/<int:pk>/questions/<int:question_pk>/move/", surveys.question_move, name="question_move"),
    path("surveys/<int:pk>/questions/<int:question_pk>/remove/", surveys.question_remove, name="question_remove"),
    path("surveys/<int:pk>/contacts/", surveys.contacts, name="survey_contacts"),
    path("surveys/<int:pk>/contacts/<int:contact_pk>/delete/", surveys.contact_delete, name="contact_delete"),
    path("surveys/<int:pk>/print/", paper.survey_print, name="survey_print"),
    path("surveys/<int:pk>/enter/", paper.survey_entry, name="survey_entry"),
    path("surveys/<int:pk>/results/", results.survey_results, name="survey_results"),
    path("surveys/<int:pk>/export.csv", results.survey_export, name="survey_export"),
    path("surveys/<int:pk>/answers/", themes.answers, name="survey_answers"),
    path("surveys/<int:pk>/answers/<int:answer_pk>/themes/", themes.answer_tag, name="answer_tag"),
    path("surveys/<int:pk>/themes/<int:theme_pk>/need/", themes.theme_need, name="theme_need"),
    # Answering, for anyone with the link (no account).
    path("s/<token:token>/", answer.answer, name="answer"),
    path("s/<token:token>/thanks/", answer.thanks, name="answer_thanks"),
]
