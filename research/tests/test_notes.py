"""Research notes: writing and editing with history, key reading, search and filters, files of
evidence (types, sizes, who may download), the summary per need, and hostile or bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from institutions.models import AuditEntry
from needs.services import need_create
from research import selectors, services
from research.demo import seed_notes
from research.models import Attachment, FieldNote, FieldNoteVersion, Tag
from tests.factories import MembershipFactory, OrganizerFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 30
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def url(name, institution, **kwargs):
    return reverse(f"research:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def note_data(**overrides):
    data = {
        "title": "Church pantry closes",
        "ran_by": "St. Mark's volunteers",
        "place": "St. Mark's basement",
        "period": "2017 to 2019",
        "outcome": "partly",
        "tried": "A weekly pantry in the church basement.",
        "evidence": "60 households a week at its peak.",
        "lessons": "Hold your own space and keys.",
        "tags": "Food, #space, food",
    }
    data.update(overrides)
    return data


def make_note(institution, author, **fields):
    defaults = {"title": "A note", "tried": "Something", "outcome": "unknown"}
    with scope(institution=institution):
        return services.note_create(institution=institution, author=author, **{**defaults, **fields})


def attach(client, institution, note, content, name, caption=""):
    return client.post(
        url("attachment_add", institution, pk=note.pk),
        {"file": SimpleUploadedFile(name, content), "caption": caption},
    )


def stored_files(media_root):
    return sorted(path for path in media_root.rglob("*") if path.is_file())


# Writing and editing


def test_member_writes_a_note_about_a_need_with_tags(member_client, institution, member):
    with scope(institution=institution):
        need = need_create(institution=institution, author=member, title="Food runs out before payday")
    response = member_client.post(url("new", institution), {**note_data(), "needs": [need.pk]})
    with scope(institution=institution):
        note = FieldNote.objects.get()
        assert list(note.needs.all()) == [need]
        assert sorted(tag.name for tag in note.tags.all()) == ["food", "space"]
        assert note.tags_text == "food, space"
        version = note.versions.get()
        entry = AuditEntry.objects.filter(action="field_note.created").get()
    assert response["Location"] == note.get_absolute_url()
    assert (note.author, note.outcome, note.version, version.number, version.title) == (
        member,
        "partly",
        1,
        1,
        "Church pantry closes",
    )
    assert entry.describe() == "Mo wrote the research note “Church pantry closes”"
    page = member_client.get(note.get_absolute_url()).content.decode()
    assert "It partly worked" in page and "Hold your own space and keys." in page and "#space" in page


def test_new_note_form_can_start_with_a_need_ticked(member_client, institution, member):
    with scope(institution=institution):
        need = need_create(institution=institution, author=member, title="Repairs take months")
    page = member_client.get(url("new", institution) + f"?need={need.pk}").content.decode()
    assert f'value="{need.pk}" id="id_needs_0" checked' in page
    assert member_client.get(url("new", institution) + "?need=abc").status_code == 200


def test_editing_keeps_every_version_and_the_history_shows_them(organizer_client, member_client, institution, member):
    note = make_note(institution, member, title="Freezer share", tried="Pooled money", tags="food")
    edit = url("edit", institution, pk=note.pk)
    response = organizer_client.post(
        edit,
        {
            **note_data(title="Freezer share", tried="Pooled money for bulk buys", outcome="worked", tags="food"),
            "base_version": 1,
            "change_note": "added how it went",
        },
    )
    assert response.status_code == 302
    member_client.post(
        edit,
        {
            **note_data(
                title="Tower A freezer share", tried="Pooled money for bulk buys", outcome="worked", tags="food, bulk"
            ),
            "base_version": 2,
        },
    )
    with scope(institution=institution):
        note.refresh_from_db()
        versions = list(FieldNoteVersion.objects.filter(note=note).order_by("number"))
    assert note.version == 3 and note.title == "Tower A freezer share"
    assert [version.title for version in versions] == ["Freezer share", "Freezer share", "Tower A freezer share"]
    assert versions[0].tried == "Pooled money" and versions[0].outcome == "unknown"
    assert versions[2].changed_labels() == ["title", "tags"]
    history = member_client.get(url("history", institution, pk=note.pk)).content.decode()
    assert "Version 3" in history and "Version 1" in history and "added how it went" in history
    first = member_client.get(url("version", institution, pk=note.pk, number=1)).content.decode()
    assert "Pooled money" in first and "We don’t know yet" in first and "Read the current version" in first
    assert member_client.get(url("version", institution, pk=note.pk, number=9)).status_code == 404


def test_linking_the_note_to_another_need_is_a_new_version(member_client, institution, member):
    with scope(institution=institution):
        food = need_create(institution=institution, author=member, title="Food runs out")
        rent = need_create(institution=institution, author=member, title="Rent is too high")
    note = make_note(institution, member, **note_data(needs=[food]))
    response = member_client.post(
        url("edit", institution, pk=note.pk), {**note_data(), "needs": [food.pk, rent.pk], "base_version": 1}
    )
    assert response.status_code == 302
    with scope(institution=institution):
        first, second = FieldNoteVersion.objects.filter(note=note).order_by("number")
    assert (first.needs_text, second.needs_text) == ("Food runs out", "Food runs out; Rent is too high")
    assert second.changed_labels() == ["needs it concerns"]
    page = member_client.get(url("version", institution, pk=note.pk, number=2)).content.decode()
    assert "Food runs out; Rent is too high" in page


def test_saving_an_unchanged_note_adds_no_version(member_client, institution, member):
    note = make_note(institution, member, **{k: v for k, v in note_data().items()})
    response = member_client.post(url("edit", institution, pk=note.pk), {**note_data(), "base_version": 1})
    assert response.status_code == 302
    with scope(institution=institution):
        assert FieldNoteVersion.objects.filter(note=note).count() == 1
        assert not AuditEntry.objects.filter(action="field_note.updated").exists()


def test_an_edit_over_someone_elses_newer_save_is_refused_and_keeps_the_typed_text(
    member_client, institution, member, organizer
):
    note = make_note(institution, member, title="Letters")
    with scope(institution=institution):
        services.note_update(note=note, editor=organizer, title="Letter campaign", base_version=1)
    response = member_client.post(
        url("edit", institution, pk=note.pk), {**note_data(title="My own words"), "base_version": 1}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this note" in page and "My own words" in page and "Letter campaign" in page
    assert 'name="base_version" value="2"' in page  # saving again starts from the newer version
    with scope(institution=institution):
        note.refresh_from_db()
    assert (note.title, note.version) == ("Letter campaign", 2)


# Key reading


def test_only_organizers_mark_key_reading(member_client, organizer_client, institution, member):
    older = make_note(institution, member, title="Key one")
    make_note(institution, member, title="Newer one")
    key = url("key_reading", institution, pk=older.pk)
    assert member_client.post(key, {"key_reading": "on"}).status_code == 403
    assert organizer_client.post(key, {"key_reading": "on"}).status_code == 302
    with scope(institution=institution):
        older.refresh_from_db()
        assert older.key_reading and AuditEntry.objects.filter(action="field_note.key_reading").exists()
        assert selectors.search_notes(institution)[0] == older  # key reading comes first
    page = member_client.get(url("index", institution)).content.decode()
    assert page.index("Key one") < page.index("Newer one") and "Key reading" in page
    assert "Mark as key reading" not in member_client.get(older.get_absolute_url()).content.decode()
    assert organizer_client.post(key, {"key_reading": "off"}).status_code == 302
    with scope(institution=institution):
        older.refresh_from_db()
    assert not older.key_reading


def test_key_reading_without_a_clear_choice_is_refused(organizer_client, institution, member):
    note = make_note(institution, member)
    for data in ({}, {"key_reading": "maybe"}, {"key_reading": HOSTILE}):
        response = organizer_client.post(url("key_reading", institution, pk=note.pk), data)
        assert response.status_code == 400 and "Choose whether" in response.content.decode()
    with scope(institution=institution):
        note.refresh_from_db()
    assert not note.key_reading


# Search and filters


@pytest.fixture
def library(institution, member):
    """Three notes and two needs to search through."""
    with scope(institution=institution):
        food = need_create(institution=institution, author=member, title="Food runs out")
        repairs = need_create(institution=institution, author=member, title="Repairs take months")
    notes = {
        "pantry": make_note(
            institution,
            member,
            title="Church pantry closes",
            tried="A weekly food pantry in a borrowed room.",
            outcome="partly",
            tags="food, space",
            needs=[food],
        ),
        "freezer": make_note(
            institution,
            member,
            title="Freezer share",
            tried="Families pooled money for bulk food.",
            lessons="Small groups and a written log.",
            outcome="worked",
            tags="food",
            needs=[food],
        ),
        "letters": make_note(
            institution,
            member,
            title="Repair letters",
            tried="Letters delivered together to the management office.",
            lessons="Keep a copy of every pantry letter.",
            outcome="unknown",
            tags="repairs",
            needs=[repairs],
        ),
    }
    return {"food": food, "repairs": repairs, **notes}


def titles(client, institution, query):
    response = client.get(url("index", institution) + query)
    assert response.status_code == 200, response.content.decode()
    with scope(institution=institution):
        return [note.title for note in response.context["notes"]]


def test_search_finds_notes_by_their_words(member_client, institution, library):
    assert set(titles(member_client, institution, "?q=pantry")) == {"Church pantry closes", "Repair letters"}
    assert titles(member_client, institution, "?q=freezer+log") == ["Freezer share"]
    assert titles(member_client, institution, "?q=management") == ["Repair letters"]
    assert titles(member_client, institution, "?q=bicycle") == []
    assert "No note matches" in member_client.get(url("index", institution) + "?q=bicycle").content.decode()


def test_search_puts_a_match_in_the_title_first(member_client, institution, library):
    assert titles(member_client, institution, "?q=pantry") == ["Church pantry closes", "Repair letters"]


def test_search_understands_phrases_in_quotes_and_words_to_leave_out(member_client, institution, library):
    assert titles(member_client, institution, '?q="bulk+food"') == ["Freezer share"]
    assert titles(member_client, institution, "?q=food+-freezer") == ["Church pantry closes"]


@on_postgresql
def test_postgresql_search_stems_words_and_ranks_by_weight(member_client, institution, library):
    # "pantries" finds "pantry" (English stemming); the title match outranks one in the lessons.
    assert titles(member_client, institution, "?q=pantries") == ["Church pantry closes", "Repair letters"]
    with scope(institution=institution):
        ranks = [note.rank for note in selectors.search_notes(institution, text="pantry")]
    assert ranks[0] > ranks[1] > 0


@on_postgresql
def test_postgresql_search_can_use_its_index(institution, library):
    from django.contrib.postgres.search import SearchQuery

    # Across all institutions, so the only way other than a full scan is the text-search index.
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = (
            FieldNote.objects.annotate(search=selectors.search_vector("english"))
            .filter(search=SearchQuery("pantry", search_type="websearch", config="english"))
            .explain()
        )
    assert "research_note_search_english" in plan


def test_filters_by_need_outcome_and_tag_combine_with_search(member_client, institution, library):
    food, repairs = library["food"].pk, library["repairs"].pk
    assert set(titles(member_client, institution, f"?need={food}")) == {"Church pantry closes", "Freezer share"}
    assert titles(member_client, institution, f"?need={repairs}") == ["Repair letters"]
    assert titles(member_client, institution, "?outcome=worked") == ["Freezer share"]
    assert set(titles(member_client, institution, "?tag=food")) == {"Church pantry closes", "Freezer share"}
    assert titles(member_client, institution, "?tag=space&outcome=partly") == ["Church pantry closes"]
    assert titles(member_client, institution, f"?q=pantry&need={repairs}") == ["Repair letters"]
    assert titles(member_client, institution, "?q=pantry&outcome=worked") == []
    assert titles(member_client, institution, "?q=&need=&outcome=&tag=") != []


@pytest.mark.parametrize(
    "query", ["?need=abc", "?need=987654", "?outcome=great", "?tag=nosuchtag", "?q=%00", "?q=" + "x" * 300]
)
def test_bad_search_input_is_answered_with_400_and_a_message(member_client, institution, library, query):
    response = member_client.get(url("index", institution) + query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_hostile_search_text_is_harmless(member_client, institution, library):
    for text in ["' OR 1=1 --", "%_%", '"unclosed', "!(&|", "\\", "😀" * 30, HOSTILE[:190]]:
        response = member_client.get(url("index", institution), {"q": text})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_notes_of_another_institution_are_never_found(member_client, institution, other_institution, library):
    other = OrganizerFactory(institution=other_institution).user
    make_note(other_institution, other, title="Other pantry", tried="pantry pantry pantry", tags="food")
    assert "Other pantry" not in titles(member_client, institution, "?q=pantry")
    with scope(institution=other_institution):
        other_need = need_create(institution=other_institution, author=other, title="Other need")
    assert member_client.get(url("index", institution) + f"?need={other_need.pk}").status_code == 400


# The need's page and the summary per need


def test_a_needs_page_shows_its_research_and_the_summary_groups_it_by_outcome(
    member_client, organizer_client, institution, library
):
    food = library["food"]
    organizer_client.post(url("key_reading", institution, pk=library["freezer"].pk), {"key_reading": "on"})
    page = member_client.get(reverse("needs:detail", args=[institution.slug, food.pk])).content.decode()
    research = page.split("<h2>Research</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Church pantry closes" in research and "Freezer share" in research and "Repair letters" not in research
    assert "It worked" in research and "It partly worked" in research
    assert url("need_summary", institution, pk=food.pk) in research
    summary = member_client.get(url("need_summary", institution, pk=food.pk)).content.decode()
    summary = summary.split("<section", 1)[1]  # the groups, after the counts
    assert summary.index("It worked") < summary.index("Freezer share") < summary.index("It partly worked")
    assert summary.index("It partly worked") < summary.index("Church pantry closes")
    assert "Repair letters" not in summary and "Small groups and a written log." in summary
    empty = member_client.get(url("need_summary", institution, pk=library["repairs"].pk)).content.decode()
    assert "Repair letters" in empty and "We don’t know yet" in empty


def test_summary_lists_key_reading_first_within_an_outcome(member_client, institution, member, organizer):
    with scope(institution=institution):
        need = need_create(institution=institution, author=member, title="Childcare")
    key = make_note(institution, member, title="Older but key", outcome="worked", needs=[need])
    make_note(institution, member, title="Newer", outcome="worked", needs=[need])
    with scope(institution=institution):
        services.note_mark_key_reading(note=key, actor=organizer, key_reading=True)
    summary = member_client.get(url("need_summary", institution, pk=need.pk)).content.decode()
    assert summary.index("Older but key") < summary.index("Newer")


def test_summary_of_an_unknown_or_foreign_need_is_404(member_client, institution, other_institution):
    other = OrganizerFactory(institution=other_institution).user
    with scope(institution=other_institution):
        foreign = need_create(institution=other_institution, author=other, title="Theirs")
    assert member_client.get(url("need_summary", institution, pk=foreign.pk)).status_code == 404
    assert member_client.get(url("need_summary", institution, pk=987654)).status_code == 404


# Files of evidence


@pytest.mark.parametrize(
    ("content", "name", "content_type", "suffix"),
    [
        (PDF, "Report 2019.pdf", "application/pdf", ".pdf"),
        (PNG, "flyer.png", "image/png", ".png"),
        (JPEG, "photo.JPG", "image/jpeg", ".jpg"),
        (GIF, "chart.gif", "image/gif", ".gif"),
        (WEBP, "photo.webp", "image/webp", ".webp"),
        (PDF, "report-without-extension", "application/pdf", ".pdf"),
    ],
)
def test_pdfs_and_photos_are_stored_with_the_type_their_content_proves(
    member_client, institution, member, _media_in_tmp, content, name, content_type, suffix
):
    note = make_note(institution, member)
    response = attach(member_client, institution, note, content, name, caption="From the archive")
    assert response.status_code == 302
    with scope(institution=institution):
        attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.original_name, attachment.size) == (content_type, name, len(content))
    assert attachment.file.name.startswith(f"research/{institution.pk}/") and attachment.file.name.endswith(suffix)
    assert name not in attachment.file.name  # the stored name is random
    assert stored_files(_media_in_tmp) == [_media_in_tmp / attachment.file.name]
    page = member_client.get(note.get_absolute_url()).content.decode()
    assert name in page and "From the archive" in page


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "report.pdf"),
        (HTML, "page.html"),
        (SVG, "image.svg"),
        (SVG, "photo.png"),
        (b"\x00\x01garbage", "photo.jpg"),
        (b"MZ\x90\x00", "setup.exe"),
        (b"GIF8", "short.gif"),
    ],
)
def test_files_that_are_not_pdfs_or_photos_are_refused(
    member_client, institution, member, _media_in_tmp, content, name
):
    note = make_note(institution, member)
    response = attach(member_client, institution, note, content, name)
    assert response.status_code == 400
    assert "Only PDF documents and photos" in response.content.decode()
    with scope(institution=institution):
        assert not Attachment.objects.exists()
    assert stored_files(_media_in_tmp) == []


def test_an_empty_or_missing_file_is_refused(member_client, institution, member):
    note = make_note(institution, member)
    assert attach(member_client, institution, note, b"", "empty.pdf").status_code == 400
    assert member_client.post(url("attachment_add", institution, pk=note.pk), {"caption": "x"}).status_code == 400
    with scope(institution=institution):
        assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_stored(member_client, institution, member, settings, _media_in_tmp):
    settings.RESEARCH_ATTACHMENT_MAX_BYTES = 1000
    note = make_note(institution, member)
    response = attach(member_client, institution, note, PDF + b"0" * 5000, "big.pdf")
    assert response.status_code == 400
    assert "This file is too large: files can be up to 0.001 MB." in response.content.decode()
    with scope(institution=institution):
        assert not Attachment.objects.exists()
    assert stored_files(_media_in_tmp) == []
    assert attach(member_client, institution, note, PDF, "small.pdf").status_code == 302


def test_an_upload_without_the_csrf_token_is_refused(institution, member):
    from django.test import Client

    note = make_note(institution, member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(url("attachment_add", institution, pk=note.pk), {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    with scope(institution=institution):
        assert not Attachment.objects.exists()


def test_a_note_holds_a_limited_number_of_files(member_client, institution, member, settings):
    settings.RESEARCH_ATTACHMENTS_PER_NOTE = 2
    note = make_note(institution, member)
    assert attach(member_client, institution, note, PDF, "one.pdf").status_code == 302
    assert attach(member_client, institution, note, PNG, "two.png").status_code == 302
    response = attach(member_client, institution, note, PDF, "three.pdf")
    assert response.status_code == 400 and "at most 2 files" in response.content.decode()
    with scope(institution=institution):
        assert Attachment.objects.count() == 2


def test_upload_file_names_lose_folders_and_control_characters(member_client, institution, member):
    note = make_note(institution, member)
    attach(member_client, institution, note, PDF, "..\\..\\etc/pass\x07wd\u202e.pdf")
    with scope(institution=institution):
        assert Attachment.objects.get().original_name == "passwd.pdf"
    assert services.clean_file_name("a" * 300 + ".pdf") == "a" * 196 + ".pdf"
    assert len(services.clean_file_name("b" * 300)) == 200
    assert services.clean_file_name("...") == "file"


@pytest.fixture
def pdf_note(institution, member, member_client):
    note = make_note(institution, member, title="With a report")
    assert attach(member_client, institution, note, PDF, "Report “2019”.pdf").status_code == 302
    with scope(institution=institution):
        return note, Attachment.objects.get()


def test_members_download_files_as_attachments_that_never_run(member_client, institution, pdf_note):
    note, attachment = pdf_note
    response = member_client.get(url("attachment", institution, pk=note.pk, attachment_pk=attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Report%20%E2%80%9C2019%E2%80%9D.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"].split("; ")
    assert "private" in response["Cache-Control"]


def test_nobody_but_members_can_download_a_file(client_for, institution, pdf_note, outsider, other_member):
    note, attachment = pdf_note
    download = url("attachment", institution, pk=note.pk, attachment_pk=attachment.pk)
    assert client_for(outsider).get(download).status_code == 404
    assert client_for(other_member).get(download).status_code == 404
    anonymous = client_for(None).get(download)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_file_of_another_institution_is_404(member_client, institution, other_institution, pdf_note, client_for):
    note, attachment = pdf_note
    their = OrganizerFactory(institution=other_institution).user
    their_note = make_note(other_institution, their, title="Theirs")
    assert (
        client_for(their).get(url("attachment", other_institution, pk=note.pk, attachment_pk=attachment.pk)).status_code
        == 404
    )
    # Our member, through our slug, with their note's id or our file under their note.
    assert (
        member_client.get(url("attachment", institution, pk=their_note.pk, attachment_pk=attachment.pk)).status_code
        == 404
    )
    assert (
        client_for(their)
        .post(url("attachment_remove", other_institution, pk=note.pk, attachment_pk=attachment.pk))
        .status_code
        == 404
    )
    with scope(institution=institution):
        assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_file_missing_on_disk_is_404_not_500(member_client, institution, pdf_note):
    note, attachment = pdf_note
    attachment.file.storage.delete(attachment.file.name)
    assert member_client.get(url("attachment", institution, pk=note.pk, attachment_pk=attachment.pk)).status_code == 404


def test_the_uploader_or_an_organizer_removes_a_file_and_it_leaves_the_disk(
    client_for, organizer_client, institution, pdf_note, _media_in_tmp, django_capture_on_commit_callbacks
):
    note, attachment = pdf_note
    remove = url("attachment_remove", institution, pk=note.pk, attachment_pk=attachment.pk)
    someone = MembershipFactory(institution=institution).user
    assert client_for(someone).post(remove).status_code == 403
    assert "Remove" not in client_for(someone).get(note.get_absolute_url()).content.decode().split("Files", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        assert organizer_client.post(remove).status_code == 302
    with scope(institution=institution):
        assert not Attachment.objects.exists()
        assert AuditEntry.objects.filter(action="attachment.removed").exists()
    assert stored_files(_media_in_tmp) == []


# Hostile text and bad input


def test_hostile_text_is_shown_as_text_everywhere(member_client, institution, member):
    with scope(institution=institution):
        need = need_create(institution=institution, author=member, title="Food")
    fields = {name: HOSTILE for name in ("title", "ran_by", "place", "period", "tried", "evidence", "lessons")}
    response = member_client.post(url("new", institution), {**fields, "outcome": "failed", "needs": [need.pk]})
    assert response.status_code == 302
    with scope(institution=institution):
        note = FieldNote.objects.get()
    attach(member_client, institution, note, PDF, "<img src=x onerror=alert(1)>.pdf", caption=HOSTILE)
    edit = {**fields, "outcome": "worked", "base_version": 1, "change_note": HOSTILE, "needs": [need.pk]}
    assert member_client.post(url("edit", institution, pk=note.pk), edit).status_code == 302
    pages = [
        url("index", institution),
        url("index", institution) + "?q=alert",
        note.get_absolute_url(),
        url("edit", institution, pk=note.pk),
        url("history", institution, pk=note.pk),
        url("version", institution, pk=note.pk, number=1),
        url("need_summary", institution, pk=need.pk),
        reverse("needs:detail", args=[institution.slug, need.pk]),
    ]
    for page in pages:
        html = member_client.get(page).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(" in html or "&lt;img src=x" in html, page


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"title": "   "},
        {"tried": ""},
        {"outcome": "great"},
        {"outcome": ""},
        {"title": "x" * 201},
        {"tried": "x" * 10_001},
        {"tags": ", ".join(f"tag{n}" for n in range(11))},
        {"tags": "x" * 41},
        {"title": "nul\x00byte"},
        {"needs": ["987654"]},
        {"needs": ["abc"]},
    ],
)
def test_bad_notes_are_refused_with_a_message_and_nothing_changes(member_client, institution, member, overrides):
    note = make_note(institution, member, title="Kept")
    with scopes_disabled():
        before = (FieldNote.objects.count(), FieldNoteVersion.objects.count(), Tag.objects.count())
    created = member_client.post(url("new", institution), note_data(**overrides))
    edited = member_client.post(url("edit", institution, pk=note.pk), {**note_data(**overrides), "base_version": 1})
    for response in (created, edited):
        assert response.status_code == 400
        assert 'class="errorlist' in response.content.decode()
    with scopes_disabled():
        assert (FieldNote.objects.count(), FieldNoteVersion.objects.count(), Tag.objects.count()) == before
    with scope(institution=institution):
        note.refresh_from_db()
    assert (note.title, note.version) == ("Kept", 1)


def test_an_edit_without_its_base_version_is_refused(member_client, institution, member):
    note = make_note(institution, member, title="Kept")
    for base in ({}, {"base_version": "x"}, {"base_version": "0"}):
        assert member_client.post(url("edit", institution, pk=note.pk), {**note_data(), **base}).status_code == 400
    with scope(institution=institution):
        note.refresh_from_db()
    assert note.title == "Kept"


def test_a_foreign_need_cannot_be_linked(member_client, institution, other_institution, member):
    other = OrganizerFactory(institution=other_institution).user
    with scope(institution=other_institution):
        foreign = need_create(institution=other_institution, author=other, title="Theirs")
    response = member_client.post(url("new", institution), {**note_data(), "needs": [foreign.pk]})
    assert response.status_code == 400
    with scopes_disabled():
        assert not FieldNote.objects.exists()


def test_tags_are_shared_within_an_institution_only(institution, other_institution, member):
    other = OrganizerFactory(institution=other_institution).user
    make_note(institution, member, tags="Food")
    make_note(institution, member, tags="food, Space  Needs")
    make_note(other_institution, other, tags="food")
    with scope(institution=institution):
        assert sorted(Tag.objects.values_list("name", flat=True)) == ["food", "space needs"]
        assert [(tag.name, tag.note_count) for tag in selectors.tags_in_use(institution)] == [
            ("food", 2),
            ("space needs", 1),
        ]


# Demo data


def test_demo_notes_are_seeded_once(institution, organizer, member):
    with scope(institution=institution):
        need_create(institution=institution, author=organizer, title="Food runs out before payday")
    seed_notes(institution, [organizer, member])
    seed_notes(institution, [organizer, member])
    with scope(institution=institution):
        notes = FieldNote.objects.all()
        assert 4 <= notes.count() <= 6
        assert {note.outcome for note in notes} >= {"worked", "partly", "failed"}
        assert notes.filter(key_reading=True).exists()
        assert notes.filter(needs__title="Food runs out before payday").exists()


def test_a_note_id_beyond_any_database_integer_is_404_not_a_crash(member_client, institution):
    """Found next to tests/test_fuzz.py's finding: the raw note_id lookup overflowed (a 500)."""
    url = reverse(
        "research:attachment", kwargs={"institution_slug": institution.slug, "pk": 10**40, "attachment_pk": 1}
    )
    assert member_client.get(url).status_code == 404
