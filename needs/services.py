"""Writes for needs and needs surveys."""

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dualpower.ordering import swapped_with_neighbour
from institutions.services import audit_record

from .models import Answer, Choice, Need, Question, Response, Survey, SurveyContact, Theme


@transaction.atomic
def need_create(*, institution, author, title, description="", evidence="", people_count=0) -> Need:
    need = Need(
        institution=institution,
        created_by=author,
        title=title.strip(),
        description=description.strip(),
        evidence=evidence.strip(),
        people_count=people_count,
    )
    need.full_clean(exclude=["created_by"])
    need.save()
    audit_record(institution=institution, actor=author, action="need.created", title=need.title)
    return need


@transaction.atomic
def need_update(*, need, actor, **fields) -> Need:
    old_status = need.status
    for name, value in fields.items():
        setattr(need, name, value.strip() if isinstance(value, str) else value)
    need.full_clean(exclude=["created_by"])
    need.save()
    if need.status != old_status:
        audit_record(
            institution=need.institution,
            actor=actor,
            action="need.status_changed",
            title=need.title,
            status=need.status,
        )
    return need


@transaction.atomic
def focus_chosen(*, proposal, concerned) -> Need:
    """A proposal to make this need the institution's focus has passed (registered with decisions)."""
    need = Need.objects.with_scope(institution=proposal.institution).select_for_update().get(pk=concerned.pk)
    if need.status != Need.Status.FOCUS:
        need.status = Need.Status.FOCUS
        need.focus_chosen_at = timezone.now()
        need.save(update_fields=["status", "focus_chosen_at"])
        audit_record(institution=need.institution, actor=None, action="need.focus_chosen", title=need.title)
    return need


def focus_proposal_start(*, need, author):
    """Draft a proposal (majority vote) to make this need the focus; members discuss and vote on it."""
    from decisions.services import proposal_create

    return proposal_create(
        institution=need.institution,
        author=author,
        method="majority",
        concerns=need,
        title=_("Make “%(need)s” our focus") % {"need": need.title},
        text=_(
            "Proposal: the institution chooses this need as its focus and puts its work into meeting it.\n\n%(desc)s"
        )
        % {"desc": need.description or need.title},
    )


# Surveys -------------------------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *, institution, author, title, intro="", base_language=None, languages=(), access_code="", ask_contact=True
) -> Survey:
    base_language = base_language or institution.default_language
    survey = Survey(
        institution=institution,
        created_by=author,
        title=title.strip(),
        intro=intro.strip(),
        base_language=base_language,
        languages=sorted(set(languages) | {base_language}),
        access_code=access_code.strip(),
        ask_contact=ask_contact,
    )
    survey.full_clean(exclude=["created_by"])
    survey.save()
    audit_record(institution=institution, actor=author, action="survey.created", title=survey.title)
    return survey


@transaction.atomic
def survey_update(*, survey, actor, translations=None, **fields) -> Survey:
    """Change the survey's own texts and settings (its questions have their own services)."""
    for name, value in fields.items():
        setattr(survey, name, value.strip() if isinstance(value, str) else value)
    if "languages" in fields:
        survey.languages = sorted(set(survey.languages) | {survey.base_language})
    if translations is not None:
        survey.translations = clean_translations(translations)
    survey.full_clean(exclude=["created_by"])
    survey.save()
    return survey


def clean_translations(translations):
    """Drop empty texts so a blank translation falls back to the base language."""
    cleaned = {}
    for language, texts in translations.items():
        kept = {field: text.strip() for field, text in texts.items() if text and text.strip()}
        if kept:
            cleaned[language] = kept
    return cleaned


def _set_status(survey, actor, status, action):
    survey.status = status
    now = timezone.now()
    if status == Survey.Status.OPEN:
        survey.opened_at = survey.opened_at or now
        survey.closed_at = None
    elif status == Survey.Status.CLOSED:
        survey.closed_at = now
    survey.save(update_fields=["status", "opened_at", "closed_at"])
    audit_record(institution=survey.institution, actor=actor, action=action, title=survey.title)
    return survey


@transaction.atomic
def survey_open(*, survey, actor) -> Survey:
    """Start taking answers (also reopens a closed survey). A survey needs at least one question."""
    if survey.status == Survey.Status.OPEN:
        return survey
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    return _set_status(survey, actor, Survey.Status.OPEN, "survey.opened")


@transaction.atomic
def survey_close(*, survey, actor) -> Survey:
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    return _set_status(survey, actor, Survey.Status.CLOSED, "survey.closed")


@transaction.atomic
def survey_delete(*, survey, actor, typed_name=""):
    """Delete a survey with everything it collected. With responses, the exact title must be typed."""
    count = survey.responses.count()
    if count and typed_name.strip() != survey.title:
        raise ValidationError(_("Type the survey's title exactly as shown to delete it with its responses."))
    audit_record(
        institution=survey.institution, actor=actor, action="survey.deleted", title=survey.title, responses=count
    )
    Theme.objects.filter(survey=survey).delete()
    survey.delete()


def _yes_no_texts(survey):
    """ "Yes" and "No" in the survey's base language, with translations for its other languages."""
    texts = []
    for word in ("Yes", "No"):
        with translation.override(survey.base_language):
            base = _(word)
        others = {}
        for code, _name in survey.offered_languages()[1:]:
            with translation.override(code):
                others[code] = {"text": _(word)}
        texts.append((base, others))
    return texts


def _check_condition(question, show_if_choice):
    if show_if_choice is None:
        return
    trigger = show_if_choice.question
    if trigger.survey_id != question.survey_id or not trigger.is_choice:
        raise ValidationError(_("A question can only depend on a choice question of the same survey."))
    if question.pk and (
        trigger.pk == question.pk or (trigger.position, trigger.pk) >= (question.position, question.pk)
    ):
        raise ValidationError(_("A question can only depend on a question that comes before it."))


@transaction.atomic
def question_add(
    *, survey, actor, kind, text, choices=(), needs=(), translations=None, show_if_choice=None, **fields
) -> Question:
    """Add a question at the end. `choices` are (text, translations) pairs; `needs` make the choices of
    a "which needs matter most" question."""
    last = survey.questions.aggregate(last=Max("position"))["last"]
    question = Question(
        institution=survey.institution,
        survey=survey,
        position=(last or 0) + 1,
        kind=kind,
        text=text.strip(),
        translations=clean_translations(translations or {}),
        **fields,
    )
    _check_condition(question, show_if_choice)
    question.show_if_choice = show_if_choice
    question.full_clean()
    question.save()
    if kind == Question.Kind.YES_NO:
        choices = _yes_no_texts(survey)
    if kind == Question.Kind.NEEDS:
        for position, need in enumerate(needs, start=1):
            Choice.objects.create(
                institution=survey.institution, question=question, position=position, text=need.title, need=need
            )
    elif question.has_choices:
        _add_choices(question, choices, start=1)
    if question.has_choices and not question.choices.exists():
        raise ValidationError(_("This type of question needs at least one choice."))
    return question


def _add_choices(question, choices, *, start):
    for position, (text, translations) in enumerate(choices, start=start):
        choice = Choice(
            institution=question.institution,
            question=question,
            position=position,
            text=text.strip(),
            translations=clean_translations(translations or {}),
        )
        choice.full_clean()
        choice.save()


@transaction.atomic
def question_update(
    *,
    question,
    actor,
    text,
    translations=None,
    show_if_choice=None,
    choice_texts=None,
    removed_choices=(),
    new_choices=(),
    **fields,
) -> Question:
    """Reword or adjust a question. Changes that would break collected answers are refused:
    changing its type, or removing a choice someone picked."""
    answered = question.answers.exists()
    if "kind" in fields and fields["kind"] != question.kind and answered:
        raise ValidationError(_("People have answered this question, so its type cannot change."))
    for name, value in fields.items():
        setattr(question, name, value)
    question.text = text.strip()
    if translations is not None:
        question.translations = clean_translations(translations)
    _check_condition(question, show_if_choice)
    question.show_if_choice = show_if_choice
    question.full_clean()
    question.save()
    for choice in question.choices.all():
        if choice.pk in removed_choices:
            if choice.answers.exists():
                raise ValidationError(
                    _("“%(choice)s” was picked in some answers, so it cannot be removed. Reword it instead.")
                    % {"choice": choice.text}
                )
            if choice.dependent_questions.exists():
                raise ValidationError(
                    _("Another question is shown only when “%(choice)s” is picked; change that question first.")
                    % {"choice": choice.text}
                )
            choice.delete()
        elif choice_texts and choice.pk in choice_texts:
            choice.text, translations = choice_texts[choice.pk]
            choice.text = choice.text.strip()
            choice.translations = clean_translations(translations)
            choice.full_clean()
            choice.save()
    if question.kind not in (Question.Kind.YES_NO, Question.Kind.NEEDS):
        last = question.choices.aggregate(last=Max("position"))["last"] or 0
        _add_choices(question, new_choices, start=last + 1)
    if question.has_choices and not question.choices.exists():
        raise ValidationError(_("This type of question needs at least one choice."))
    return question


@transaction.atomic
def question_remove(*, question, actor):
    if question.answers.exists():
        raise ValidationError(
            _(
                "People have already answered this question, so removing it would lose their answers. "
                "You can reword it, or close this survey and start a new one."
            )
        )
    if Question.objects.filter(show_if_choice__question=question).exists():
        raise ValidationError(_("Another question depends on the answer to this one; change that question first."))
    question.delete()


@transaction.atomic
def question_move(*, question, up):
    """Swap the question with its neighbour above (up) or below."""
    siblings = Question.objects.filter(survey_id=question.survey_id).select_related("show_if_choice")
    # Lock only the questions: the conditions come through a nullable join, which cannot be locked.
    siblings = swapped_with_neighbour(
        siblings.select_for_update(of=("self",)).order_by("position", "pk"), question, up=up
    )
    if siblings is None:
        return question
    # A question cannot move above the one it depends on, nor the trigger below its dependant.
    by_pk = {sibling.pk: sibling for sibling in siblings}
    for sibling in siblings:
        if sibling.show_if_choice_id:
            trigger = by_pk.get(sibling.show_if_choice.question_id)
            if trigger and trigger.position >= sibling.position:
                raise ValidationError(
                    _("“%(question)s” depends on an earlier answer, so it must stay below that question.")
                    % {"question": sibling.text}
                )
    Question.objects.bulk_update(siblings, ["position"])
    return question


def answer_values(answers):
    """(question id, choice id, number, rank, text) for each answer row, from `answers` as built by
    SurveyAnswerForm.answers()."""
    rows = []
    for question, value in answers.items():
        rows.extend((question.pk, choice_id, None, None, "") for choice_id in value.get("choices", ()))
        rows.extend((question.pk, choice_id, None, rank, "") for choice_id, rank in value.get("ranks", ()))
        if "number" in value:
            rows.append((question.pk, None, value["number"], None, ""))
        if "text" in value:
            rows.append((question.pk, None, None, None, value["text"]))
        if value.get("other"):
            rows.append((question.pk, None, None, None, value["other"]))
    return rows


# On PostgreSQL one statement stores the response and its answers: atomic on its own, one round trip
# instead of four (BEGIN, two INSERTs, COMMIT) and no model objects per answer. Survey submissions are
# the busiest write of the public pages (bench/README.md).
_INSERT_RESPONSE_WITH_ANSWERS = """
WITH response AS (
    INSERT INTO needs_response (institution_id, survey_id, channel, language, submitted_at, entered_by_id)
    VALUES (%s, %s, %s, %s, %s, %s) RETURNING id
), answers AS (
    INSERT INTO needs_answer (institution_id, response_id, question_id, choice_id, number, rank, text)
    SELECT %s, response.id, row.question, row.choice, row.number, row.rank, row.text
    FROM response, unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::smallint[], %s::text[])
        AS row(question, choice, number, rank, text)
)
SELECT id FROM response
"""


def _insert_in_one_statement(response, rows, using):
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], [], [], []]
    with connections[using].cursor() as cursor:
        cursor.execute(
            _INSERT_RESPONSE_WITH_ANSWERS,
            [
                response.institution_id,
                response.survey_id,
                response.channel,
                response.language,
                response.submitted_at,
                response.entered_by_id,
                response.institution_id,
                *columns,
            ],
        )
        response.pk = cursor.fetchone()[0]
    response._state.adding, response._state.db = False, using
    # What saving it through the ORM would have told the rest of the app (stored pages are stale).
    post_save.send(Response, instance=response, created=True, update_fields=None, raw=False, using=using)


def response_submit(*, survey, language, answers, channel=Response.Channel.WEB, entered_by=None, contact=None):
    """Store one person's answers. Inserts only, so any number of people can submit at the same time.

    `answers` is {question: {"choices": [...], "ranks": [(choice id, rank)], "number": n, "text": t,
    "other": t}} as built by SurveyAnswerForm.answers(). `contact` is (name, contact) or None and is
    stored apart from the answers.
    """
    response = Response(
        institution=survey.institution, survey=survey, language=language, channel=channel, entered_by=entered_by
    )
    rows = answer_values(answers)
    using = router.db_for_write(Response)
    if contact is None and connections[using].vendor == "postgresql":
        _insert_in_one_statement(response, rows, using)
        return response
    with transaction.atomic():
        response.save()
        Answer.objects.bulk_create(
            Answer(
                institution_id=survey.institution_id,
                response=response,
                question_id=question,
                choice_id=choice,
                number=number,
                rank=rank,
                text=text,
            )
            for question, choice, number, rank, text in rows
        )
        if contact:
            name, reach = contact
            SurveyContact.objects.create(
                institution=survey.institution, survey=survey, name=name, contact=reach, language=language
            )
    return response


@transaction.atomic
def contact_delete(*, contact, actor):
    """Delete contact details on the person's request. The audit entry names no one."""
    audit_record(
        institution=contact.institution, actor=actor, action="survey.contact_deleted", title=contact.survey.title
    )
    contact.delete()


@transaction.atomic
def theme_add(*, survey, actor, name) -> Theme:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the theme a name."))
    theme, _created = Theme.objects.get_or_create(
        institution=survey.institution, survey=survey, name__iexact=name, defaults={"name": name}
    )
    return theme


@transaction.atomic
def answer_tag(*, answer, themes):
    """Set the themes of one free-text answer (replacing the ones it had)."""
    answer.themes.set(themes)
    return answer


@transaction.atomic
def need_from_theme(*, theme, actor) -> Need:
    """Turn a theme into a need on the list (or return the one it already became)."""
    if theme.need_id:
        return theme.need
    people = theme.answers.values("response").distinct().count()
    need = need_create(
        institution=theme.institution,
        author=actor,
        title=theme.name,
        evidence=_("Raised in free-text answers to the survey “%(survey)s”.") % {"survey": theme.survey.title},
        people_count=people,
    )
    theme.need = need
    theme.save(update_fields=["need"])
    return need
