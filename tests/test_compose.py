"""docker-compose.yml, the "scale" shape: valid Compose, and wired the way DESIGN.md says.

No Docker engine is needed: the file is read with PyYAML (which resolves the x-app
anchor and `<<` merges as Compose does) and checked against the Compose JSON schema.
"""

import json
import shlex
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
# Relative to the repo, so it also works in a fresh clone with ../shared beside it.
SCHEMA_FILE = REPO_ROOT.parent / "shared" / "schemas" / "compose-spec.json"

APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def environment(service):
    """A service's environment as a dict, whichever of the two Compose forms it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def command_words(service):
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def test_compose_file_is_valid_against_the_compose_spec(compose):
    # Draft7Validator explicitly: the schema's $schema URI is not one jsonschema recognises.
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))
    errors = sorted(validator.iter_errors(compose), key=lambda error: list(error.absolute_path))
    report = "\n".join(f"- at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)
    assert not errors, f"docker-compose.yml does not match the Compose spec:\n{report}"


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "beat"])
def test_compose_defines_each_service_of_the_scale_shape(services, name):
    assert name in services, f"docker-compose.yml has no {name!r} service"


@pytest.mark.parametrize("name", APP_SERVICES)
@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY"])
def test_app_services_are_configured_by_environment(services, name, variable):
    assert environment(services[name]).get(variable), f"{name} does not get {variable}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_postgres_and_redis_by_service_name(services, name):
    env = environment(services[name])
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_secret_key_comes_from_the_environment_and_is_required(services, name):
    # Never a literal secret in the repo; compose refuses to start without one.
    assert environment(services[name])["SECRET_KEY"].startswith("${SECRET_KEY:?")


@pytest.mark.parametrize("name", ["postgres", "redis", "web"])
def test_stateful_services_and_web_report_their_health(services, name):
    healthcheck = services[name].get("healthcheck") or {}
    assert healthcheck.get("test") and not healthcheck.get("disable"), f"{name} has no healthcheck"


def test_web_healthcheck_asks_the_app_health_endpoint(services):
    test = services["web"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(test if isinstance(test, list) else [test])


def test_database_data_lives_in_a_declared_named_volume(compose, services):
    declared = compose.get("volumes") or {}
    sources = [
        (mount.split(":", 1)[0] if isinstance(mount, str) else mount.get("source"))
        for mount in services["postgres"].get("volumes", [])
        if (mount.split(":", 1)[-1] if isinstance(mount, str) else mount.get("target")) == "/var/lib/postgresql/data"
    ]
    assert sources, "postgres keeps its data outside any volume"
    assert sources[0] in declared, f"postgres data volume {sources[0]!r} is not a named volume declared at top level"


@pytest.mark.parametrize("name", APP_SERVICES)
@pytest.mark.parametrize("dependency", ["postgres", "redis"])
def test_app_services_wait_for_healthy_postgres_and_redis(services, name, dependency):
    depends_on = services[name].get("depends_on") or {}
    assert isinstance(depends_on, dict), f"{name} depends_on has no conditions"
    assert (depends_on.get(dependency) or {}).get("condition") == "service_healthy", (
        f"{name} does not wait for {dependency} to be healthy"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_after_the_one_shot_migration_succeeded(services, name):
    depends_on = services[name].get("depends_on") or {}
    migrations = [
        dependency
        for dependency, spec in depends_on.items()
        if (spec or {}).get("condition") == "service_completed_successfully"
        and {"manage.py", "migrate"} <= set(command_words(services[dependency]))
    ]
    assert migrations, f"{name} may start before `manage.py migrate` has run"


def test_web_serves_the_wsgi_app_with_granian_one_request_per_worker_at_a_time(services):
    words = command_words(services["web"])
    assert words[0] == "granian" and words[-1] == "dualpower.wsgi:application"
    assert "--interface=wsgi" in words and "--port=8000" in words
    # More threads per worker would each keep a database connection open (CONN_MAX_AGE).
    assert "--blocking-threads=1" in words


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_start_their_celery_process(services, name):
    assert command_words(services[name])[:4] == ["celery", "-A", "dualpower", name]


@pytest.mark.parametrize("name", ["web", "worker"])
def test_uploaded_files_live_in_a_volume_that_web_and_worker_share(compose, services, name):
    """Research evidence is written by the web process and read back by any of them: a named volume
    at the app's MEDIA_ROOT (var/media), or every recreated container would lose the files."""
    mounts = [mount.split(":") for mount in services[name]["volumes"]]
    assert ["media", "/app/var/media"] in [mount[:2] for mount in mounts]
    assert "media" in compose["volumes"]
