"""Production settings pass `manage.py check --deploy` with no warnings.

The check runs in a child process with only production-like variables: settings treat
a process as a test run when pytest is imported or DUALPOWER_TESTING=1, and neither
holds there, so the child sees the settings a deployment sees.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY_CHECK = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]


@pytest.fixture
def production_env(tmp_path):
    """A clean environment (nothing inherited that settings read, DUALPOWER_TESTING included)."""
    env = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "EMAIL_HOST": "smtp.example.org",
        "DUALPOWER_VAR_DIR": str(tmp_path),
    }
    for passthrough in ("PATH", "HOME", "LANG", "SYSTEMROOT"):
        if passthrough in os.environ:
            env[passthrough] = os.environ[passthrough]
    assert "DUALPOWER_TESTING" not in env and "DJANGO_DEBUG" not in env
    return env


def run_deploy_check(env):
    return subprocess.run(DEPLOY_CHECK, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check_without_warnings(production_env):
    result = run_deploy_check(production_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"check --deploy failed:\n{output}"
    assert "WARNINGS:" not in output and "ERRORS:" not in output, output
    assert "System check identified no issues" in output, output


def test_production_settings_refuse_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    result = run_deploy_check(production_env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr, result.stderr


def test_offline_commands_work_without_a_secret_key(production_env):
    """Making migrations needs no secret (it signs nothing), so it works with no environment set."""
    del production_env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO_ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
