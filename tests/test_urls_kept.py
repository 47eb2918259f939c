"""Addresses reversed once per process (dualpower/urls_kept.py) are the ones Django gives."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse, set_script_prefix

from dualpower import urls_kept
from dualpower.urls_kept import kept_reverse


def _view(request):  # pragma: no cover - only reversed, never called
    raise AssertionError


urlpatterns = [path("elsewhere/", _view, name="profile")]


@pytest.fixture
def calls(monkeypatch):
    """The calls that reached Django's reverse."""
    seen = []
    monkeypatch.setattr(urls_kept, "reverse", lambda *a, **kw: seen.append(a) or reverse(*a, **kw))
    urls_kept._kept.cache_clear()
    yield seen
    urls_kept._kept.cache_clear()


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("profile", (), {}),
        ("needs:index", (), {"institution_slug": "garden"}),
        ("decisions:detail", (), {"institution_slug": "garden", "pk": 7}),
        ("needs:answer", (), {"institution_slug": "garden", "token": "E0_1rwD2tCrwRfy6"}),
    ],
)
def test_the_kept_address_is_djangos_and_is_built_once(calls, name, args, kwargs):
    expected = reverse(name, args=args, kwargs=kwargs)
    assert kept_reverse(name, args=args, kwargs=kwargs) == expected
    assert kept_reverse(name, args=list(args), kwargs=dict(kwargs)) == expected
    assert len(calls) == 1


def test_other_arguments_another_prefix_or_another_url_configuration_give_their_own_address(calls):
    assert kept_reverse("decisions:detail", kwargs={"institution_slug": "garden", "pk": 7}) == "/i/garden/decisions/7/"
    assert kept_reverse("decisions:detail", kwargs={"institution_slug": "garden", "pk": 8}) == "/i/garden/decisions/8/"
    assert kept_reverse("profile") == "/profile/"
    set_script_prefix("/app/")
    try:
        assert kept_reverse("profile") == "/app/profile/"
    finally:
        set_script_prefix("/")
    with override_settings(ROOT_URLCONF=__name__):
        assert kept_reverse("profile") == "/elsewhere/"
    assert kept_reverse("profile") == "/profile/"


def test_an_argument_that_cannot_be_a_key_is_reversed_each_time(calls):
    class Number:
        __hash__ = None

        def __str__(self):
            return "7"

    kwargs = {"institution_slug": "garden", "pk": Number()}
    assert kept_reverse("decisions:detail", kwargs=kwargs) == "/i/garden/decisions/7/"
    assert kept_reverse("decisions:detail", kwargs=kwargs) == "/i/garden/decisions/7/"
    assert len(calls) == 2


def test_the_url_tag_in_every_template_uses_the_kept_addresses(calls):
    template = Template("{% url 'needs:index' institution_slug=slug %}|{% url 'profile' as mine %}{{ mine }}")
    for _visit in range(3):
        assert template.render(Context({"slug": "garden"})) == "/i/garden/needs/|/profile/"
    assert len(calls) == 2
    # Still Django's tag otherwise: an unknown name fails, or gives nothing with "as".
    assert Template("{% url 'no-such-page' as missing %}[{{ missing }}]").render(Context()) == "[]"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-page' %}").render(Context())
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")
