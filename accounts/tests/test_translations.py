r"""The Spanish translation keeps up with the English source.

These fail when someone adds or changes a user-facing string without updating
locale/es/LC_MESSAGES/django.po. To fix them:

    DUALPOWER_TESTING=1 .venv/bin/python manage.py makemessages -l es \
        --ignore=.venv --ignore=.tools --ignore=var --no-obsolete

then translate every empty or "fuzzy" entry in that file, remove the "fuzzy" flags, and
compile with `make messages`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
PO_PATH = REPO / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The same --ignore list as the makemessages command in the module docstring, plus what a
# working tree holds that is not source.
MAKEMESSAGES_IGNORE = [".venv", ".tools", "var"]
NOT_SOURCE = ("__pycache__", "*.pyc", ".git", ".pytest_cache", ".hypothesis", "node_modules", "*.mo", "*.sqlite3")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGoc%]")


def _unescape(text):
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def parse_po(path):
    """Read a .po file into a list of entries (dicts), skipping obsolete ("#~") ones.

    Each entry has msgctxt (or None), msgid, msgid_plural (or None), msgstrs (a list:
    one item, or one per plural form), flags (a set) and line (where it starts).
    """
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    def new_entry(line_number):
        return {"msgctxt": None, "msgid_plural": None, "msgstrs": {}, "flags": set(), "line": line_number}

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            # A comment after the strings of an entry starts the next entry.
            if entry is not None and "msgid" in entry:
                finish()
                entry, field = None, None
            if entry is None:
                entry = new_entry(number)
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = _FIELD.match(line)
        if match:
            name, index, value = match.group(1), match.group(2), _unescape(match.group(3))
            if (
                name in ("msgctxt", "msgid")
                and entry is not None
                and "msgid" in entry
                and (name == "msgctxt" or entry["msgstrs"])
            ):
                finish()
                entry = None
            if entry is None:
                entry = new_entry(number)
            if name.startswith("msgstr"):
                field = ("msgstrs", int(index) if index is not None else 0)
                entry["msgstrs"][field[1]] = value
            else:
                field = name
                entry[name] = value
            continue
        match = _CONTINUATION.match(line)
        if match and entry is not None and field is not None:
            value = _unescape(match.group(1))
            if isinstance(field, tuple):
                entry["msgstrs"][field[1]] += value
            else:
                entry[field] += value
            continue
        raise AssertionError(f"{path}:{number}: cannot read this line: {raw!r}")
    finish()
    for item in entries:
        item["msgstrs"] = [item["msgstrs"][i] for i in sorted(item["msgstrs"])]
    return entries


def _key(entry):
    return (entry["msgctxt"], entry["msgid"], entry["msgid_plural"])


def _describe(entry):
    text = repr(entry["msgid"])
    if entry["msgid_plural"] is not None:
        text += f" / plural {entry['msgid_plural']!r}"
    if entry["msgctxt"] is not None:
        text = f"[context {entry['msgctxt']!r}] " + text
    return text


def _nplurals(entries):
    header = next((e for e in entries if e["msgid"] == "" and e["msgctxt"] is None), None)
    assert header is not None, f"{PO_PATH} has no header entry"
    match = re.search(r"^Plural-Forms:\s*nplurals\s*=\s*(\d+)", header["msgstrs"][0], re.MULTILINE)
    assert match, f"{PO_PATH}: the header has no Plural-Forms line"
    return header, int(match.group(1))


def test_spanish_catalogue_is_complete():
    entries = parse_po(PO_PATH)
    header, nplurals = _nplurals(entries)
    messages = [e for e in entries if e is not header]
    assert messages, f"{PO_PATH} holds no messages"

    fuzzy = [e for e in entries if "fuzzy" in e["flags"]]
    untranslated = []
    for entry in messages:
        expected = nplurals if entry["msgid_plural"] is not None else 1
        if len(entry["msgstrs"]) != expected or not all(s.strip() for s in entry["msgstrs"]):
            untranslated.append(entry)

    problems = []
    if untranslated:
        problems.append(
            f"{len(untranslated)} untranslated:\n"
            + "\n".join(f"  line {e['line']}: {_describe(e)}" for e in untranslated)
        )
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy (check the translation, then remove the flag):\n"
            + "\n".join(f"  line {e['line']}: {_describe(e) if e['msgid'] else 'the header'}" for e in fuzzy)
        )
    assert not problems, f"The Spanish catalogue {PO_PATH.relative_to(REPO)} is not complete.\n" + "\n".join(problems)


def test_spanish_translations_keep_the_placeholders():
    """A translation that drops or renames %(name)s breaks the page or shows the wrong value."""
    entries = parse_po(PO_PATH)
    wrong = []
    for entry in entries:
        if not entry["msgid"] or "python-format" not in entry["flags"]:
            continue
        sources = [entry["msgid"]] + ([entry["msgid_plural"]] if entry["msgid_plural"] is not None else [])
        expected = set().union(*(_PLACEHOLDER.findall(s) for s in sources))
        for translation in entry["msgstrs"]:
            if translation and set(_PLACEHOLDER.findall(translation)) != expected:
                wrong.append(f"  line {entry['line']}: {_describe(entry)} -> {translation!r}")
    assert not wrong, "These Spanish translations do not use the same placeholders as the English:\n" + "\n".join(wrong)


def test_spanish_catalogue_is_up_to_date(tmp_path):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed, so makemessages cannot run")

    # makemessages writes into the tree it scans, so it runs on a copy of the source.
    copy = tmp_path / "src"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(*MAKEMESSAGES_IGNORE, *NOT_SOURCE))
    env = {
        **os.environ,
        "DUALPOWER_TESTING": "1",
        "DUALPOWER_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py sets it
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "es",
            "--no-obsolete",
            *(f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE),
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    fresh = {_key(e): e for e in parse_po(copy / PO_PATH.relative_to(REPO)) if e["msgid"]}
    committed = {_key(e): e for e in parse_po(PO_PATH) if e["msgid"]}
    missing = [fresh[k] for k in fresh if k not in committed]
    stale = [committed[k] for k in committed if k not in fresh]

    problems = []
    if missing:
        problems.append(
            f"{len(missing)} strings in the source are missing from the catalogue "
            "(run makemessages and translate these):\n" + "\n".join(f"  {_describe(e)}" for e in missing)
        )
    if stale:
        problems.append(
            f"{len(stale)} strings in the catalogue are no longer in the source "
            "(run makemessages with --no-obsolete to drop them):\n"
            + "\n".join(f"  line {e['line']}: {_describe(e)}" for e in stale)
        )
    assert not problems, f"{PO_PATH.relative_to(REPO)} is out of date.\n" + "\n".join(problems)


def test_pages_render_in_spanish(client, db):
    # The same test compilemessages uses to decide whether to compile again.
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        pytest.fail(
            f"{MO_PATH.relative_to(REPO)} is missing or older than the .po file: compile it with `make messages`",
            pytrace=False,
        )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    landing = client.get("/")
    assert landing.status_code == 200
    page = landing.content.decode()
    assert '<html lang="es">' in page
    assert "Crear una cuenta" in page and "Iniciar sesión" in page
    assert "Construye instituciones que tu comunidad dirige por sí misma" in page
    assert "Saltar al contenido principal" in page
    assert "Create an account" not in page and "Skip to main content" not in page

    login = client.get("/accounts/login/")
    assert login.status_code == 200
    page = login.content.decode()
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    # allauth translates its own login form; the page around it comes from the project's catalogue.
    assert "Dual Power: herramientas para instituciones dirigidas por las personas a quienes sirven." in page
