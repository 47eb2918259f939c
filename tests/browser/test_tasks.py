"""Tasks in the browser, at 360 px: a member claims an unclaimed task from the list and finds it
on "my work"; every page passes axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from logistics import services
from logistics.models import Task
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_claims_a_task_and_sees_it_on_my_work(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        task = services.task_create(
            institution=institution,
            author=organizer,
            title="Borrow folding tables",
            effort=Task.Effort.MEDIUM,
            due_on=timezone.localdate() + timedelta(days=2),
        )
        services.task_create(institution=institution, author=organizer, title="Count the cans", owner=organizer)
    login(page, member.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/logistics/")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Claim\W+Borrow folding tables$")).click()
    expect(page.locator("#messages")).to_contain_text("The task is yours")
    axe_check(page)
    page.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("link", name="Borrow folding tables")).to_be_visible()
    expect(page.get_by_text("Count the cans")).to_have_count(0)
    axe_check(page)
    page.goto(f"{live_server.url}/i/{institution.slug}/logistics/board/")
    expect(page.get_by_role("row", name="Mo 1 2")).to_be_visible()
    axe_check(page)
    page.goto(f"{live_server.url}/i/{institution.slug}/logistics/tasks/{task.pk}/")
    axe_check(page)
    with scope(institution=institution):
        assert Task.objects.get(pk=task.pk).owner == member
