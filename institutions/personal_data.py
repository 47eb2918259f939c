"""A member's own data in one institution: every row of every model that points at them, found from
the models themselves (a foreign key to the user), so a new app's records are included without a list
to keep up to date. Secret ballots carry no link to voters and are not (and cannot be) included."""

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

# How a model's rows reach the institution, when not through their own `institution` field.
THROUGH = ("proposal__institution", "round__institution")


def institution_path(model):
    names = {field.name for field in model._meta.fields}
    if "institution" in names:
        return "institution"
    for path in THROUGH:
        if path.split("__")[0] in names:
            return path
    return None


def user_fields(model):
    return [
        field.name
        for field in model._meta.fields
        if field.is_relation
        and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    ]


def _plain(values):
    encoder = DjangoJSONEncoder()
    return {
        key: value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else encoder.default(value)
        for key, value in values.items()
    }


def personal_data(institution, user):
    """{"person": ..., "institution": ..., "records": {model label: [rows]}} — one query per model."""
    records = {}
    for model in apps.get_models():
        path, fields = institution_path(model), user_fields(model)
        if path is None or not fields or model._meta.label == settings.AUTH_USER_MODEL:
            continue
        mine = Q()
        for name in fields:
            mine |= Q(**{name: user})
        rows = [_plain(row) for row in model._base_manager.filter(mine, **{path: institution}).values()]
        if rows:
            records[model._meta.label] = rows
    return {
        "format": "dualpower-personal-data",
        "version": 1,
        "created_at": timezone.now().isoformat(),
        "person": {"name": user.name, "email": user.email, "language": user.language},
        "institution": {"name": institution.name, "slug": institution.slug},
        "records": records,
    }
