"""Fuzzing every form and every URL pattern (hypothesis): never a 500, and a refusal changes nothing.

Each test builds nothing itself: it uses the permission matrix's shared world (one of every object),
and runs every generated input inside a savepoint that is rolled back, so all inputs meet the same
world. Writes to tenant tables are watched statement by statement; when a refused (4xx) request
wrote to one, every tenant table is compared with the world as it was. Fixed seed (derandomize), so
CI tries the same inputs on every run; each test asserts how many inputs it tried, and the plan adds
up to at least 10,000 (`pytest -s` prints the counts).
"""

import re
import string
from contextlib import contextmanager
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.formdata import BUTTON_VALUES, rendered_fields
from tests.tenant_snapshot import changed_tables, tenant_models, tenant_snapshot
from tests.test_permissions import MATRIX, shared_world, url_for  # noqa: F401  (fixture)
from tests.urlwalk import project_url_names

FORM_INPUTS = int(__import__("os").environ.get("FUZZ_FORMS", 3_000))
PATH_INPUTS = int(__import__("os").environ.get("FUZZ_PATHS", 7_000))
HTMX = {"HX-Request": "true", "HX-Target": "main"}
SHARDS = 3  # each test runs a third of the inputs, well inside the per-test timeout on PostgreSQL
TRIED = {}


def fuzz_settings(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: the first failing input is reported as drawn, and a failure stays within the
        # suite's per-test timeout.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def test_the_plan_tries_at_least_10000_inputs():
    assert FORM_INPUTS + PATH_INPUTS >= 10_000


# What requests must not change, and how to tell cheaply -----------------------------------------------


def tenant_tables():
    tables = set()
    for model in tenant_models():
        tables.add(model._meta.db_table)
        tables.update(field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many)
    return tables


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def watching_writes(tables):
    """Collect the tenant tables any statement inside the block wrote to."""
    written = set()

    def watch(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1) in tables:
            written.add(match.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield written


class Fuzzer:
    """Sends one generated request inside a rolled-back savepoint and checks the answer."""

    def __init__(self, name):
        self.name = name
        self.tables = tenant_tables()
        self.world_rows = tenant_snapshot()
        self.tried = 0

    def check(self, send, label):
        cache.clear()  # rate limits would otherwise turn later inputs into 429s
        self.tried += 1
        with transaction.atomic():
            with watching_writes(self.tables) as written:
                response = send()
            status = response.status_code
            assert status < 500, f"{label}: {status}"
            if 400 <= status < 500 and written:
                rows = tenant_snapshot()
                assert rows == self.world_rows, (
                    f"{label}: refused ({status}) but changed {changed_tables(self.world_rows, rows)}"
                )
            transaction.set_rollback(True)

    def done(self, planned):
        TRIED[self.name] = self.tried
        print(f"\n{self.name}: {self.tried} inputs")  # noqa: T201  (the count for the report, with -s)
        assert self.tried >= planned


# Values ----------------------------------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u202e\u200b\ufeff",
        "😀" * 300,
        "-1",
        "0",
        "99999999999999999999999",
        "1e400",
        "NaN",
        "2030-02-30",
        "25:61",
        "../../etc/passwd",
        "%00",
        "{{ 7|add:1 }}",
        "\r\nSet-Cookie: x=1",
    ]
)
SIZES = st.sampled_from([1_000, 20_000, 200_000])
TEXT_VALUE = st.one_of(
    st.text(max_size=60),
    HOSTILE,
    st.integers().map(str),
    st.builds(lambda char, size: char * size, st.sampled_from(["x", "é", "\x00", "😀"]), SIZES),
)
# Bytes that are not UTF-8, or are UTF-8-looking encodings of surrogates and over-long forms.
BAD_BYTES = st.sampled_from(
    [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x80", b"\x00"]
)
RAW_CHUNK = st.one_of(st.binary(max_size=40), BAD_BYTES, st.text(max_size=20).map(str.encode))
JUNK_KEY = st.text(alphabet=string.ascii_letters + string.digits + "_-[].%", min_size=1, max_size=20)


def raw_form_body(names):
    """A urlencoded body built from raw bytes: real names, junk names, invalid percent escapes."""
    pair = st.tuples(
        st.one_of(st.sampled_from(names).map(str.encode), RAW_CHUNK),
        st.one_of(RAW_CHUNK, st.sampled_from([b"%FF", b"%ED%A0%80", b"%", b"%zz", b"%00"])),
    )
    return st.lists(pair, max_size=12).map(lambda pairs: b"&".join(key + b"=" + value for key, value in pairs))


ODD_FILE = st.builds(
    SimpleUploadedFile,
    name=st.one_of(
        st.sampled_from(["../../x.pdf", "a\x00b.png", "x" * 300 + ".jpg", "photo.jpg", "file", "..."]),
        # Any name a request can carry: the test client encodes it to UTF-8, which a lone surrogate
        # cannot be (undecodable bytes in names are the "rawfile" bodies' part).
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/\\"), min_size=1, max_size=30).filter(
            lambda name: name.strip() not in {"", ".", ".."}
        ),
    ),
    content=st.one_of(
        st.binary(max_size=200), st.sampled_from([b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n", b"GIF89a", b""])
    ),
    content_type=st.sampled_from(["application/pdf", "image/png", "text/html", "application/x-msdownload", ""]),
)


def raw_multipart(names):
    """A multipart body written by hand: odd file names (empty, NUL, not UTF-8) the test client would refuse."""
    part = st.tuples(
        st.sampled_from(names).map(str.encode),
        st.one_of(RAW_CHUNK, st.sampled_from([b"", b"..", b"a\x00b", b"\xff\xfe.pdf", b"x" * 2000])),
        st.one_of(st.binary(max_size=100), BAD_BYTES),
    )

    def body(parts):
        chunks = [
            b'--xyz\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n%s\r\n" % p
            for p in parts
        ]
        return b"".join(chunks) + b"--xyz--\r\n"

    return st.lists(part, min_size=1, max_size=3).map(body)


def sent_safely(value):
    """The test client encodes str values to UTF-8; a lone surrogate cannot be, so send it as '?'."""
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value


# 1. Every form ---------------------------------------------------------------------------------------


def poster_role(row):
    """The organizer if the matrix lets them post here, else the member if it lets them, else None."""
    return next((role for role in ("organizer", "member") if row["post"][role] not in {403, 404, 405}), None)


@pytest.fixture(scope="class")
def forms(shared_world, django_db_blocker):  # noqa: F811
    """[(URL name, url, role, field names)] for every URL whose POST the organizer or member may send;
    the fields are those the page's GET renders, plus the usual buttons."""
    from tests.fixtures import _client_for

    found = []
    with django_db_blocker.unblock(), transaction.atomic():
        for name, row in MATRIX.items():
            role = poster_role(row)
            if role is None:
                continue
            url = url_for(name, shared_world)
            names = set(BUTTON_VALUES)
            if row["get"][role] == 200:
                response = _client_for(shared_world["users"][role]).get(url)
                if response.get("Content-Type", "").startswith("text/html"):
                    names |= set(rendered_fields(response.content))
            found.append((name, url, role, sorted(names)))
        transaction.set_rollback(True)
    cache.clear()
    return found


class TestFuzzEveryForm:
    @pytest.mark.parametrize("shard", range(SHARDS))
    def test_every_form_survives_random_and_malformed_posts(self, shard, forms, shared_world, db, client_for):  # noqa: F811
        assert len(forms) > 100, "fewer forms than the matrix has: the catalogue is broken"
        clients = {role: client_for(shared_world["users"][role]) for role in ("organizer", "member")}
        fuzzer = Fuzzer(f"forms {shard + 1}/{SHARDS}")
        planned = -(-FORM_INPUTS // SHARDS)
        forms = forms[shard::SHARDS]

        @fuzz_settings(planned)
        @given(data=st.data())
        def post_one(data):
            name, url, role, names = data.draw(st.sampled_from(forms), label="form")
            client = clients[role]
            headers = HTMX if data.draw(st.booleans(), label="htmx") else {}
            kind = data.draw(
                st.sampled_from(["fields", "fields", "raw", "multipart", "rawfile", "many", "huge", "odd"])
            )
            key = st.one_of(st.sampled_from(names), JUNK_KEY)
            if kind == "fields":
                values = data.draw(st.dictionaries(key, st.one_of(TEXT_VALUE, st.lists(TEXT_VALUE, max_size=3))))
                send = lambda: client.post(url, sent_safely_dict(values), headers=headers)  # noqa: E731
            elif kind == "raw":
                body = data.draw(raw_form_body(names))
                send = lambda: client.generic(  # noqa: E731
                    "POST", url, body, content_type="application/x-www-form-urlencoded", headers=headers
                )
            elif kind == "multipart":
                values = data.draw(st.dictionaries(key, st.one_of(TEXT_VALUE, ODD_FILE), max_size=6))
                send = lambda: client.post(url, sent_safely_dict(values), headers=headers)  # noqa: E731
            elif kind == "rawfile":
                body = data.draw(raw_multipart(names))
                send = lambda: client.generic(  # noqa: E731
                    "POST", url, body, content_type="multipart/form-data; boundary=xyz", headers=headers
                )
            elif kind == "many":
                count = data.draw(st.sampled_from([200, 999, 1_001, 3_000]))
                values = {f"{names[n % len(names)]}{n or ''}": "1" for n in range(count)}
                send = lambda: client.post(url, values, headers=headers)  # noqa: E731
            elif kind == "huge":
                field = data.draw(st.sampled_from(names))
                size = data.draw(st.sampled_from([100_000, 2_000_000, 3_000_000]))
                send = lambda: client.post(url, {field: "x" * size}, headers=headers)  # noqa: E731
            else:  # a body that claims one format and is another
                content_type, body = data.draw(
                    st.sampled_from(
                        [
                            ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
                            ("multipart/form-data", b"name=x"),
                            ("multipart/form-data; boundary=", b"--\r\n"),
                            ("application/json", b'{"name": "x"}'),
                            ("text/plain", b"\xff\xfe\x00"),
                            ("application/x-www-form-urlencoded; charset=latin-1", "name=caf\xe9".encode("latin-1")),
                            ("application/x-www-form-urlencoded; charset=no-such", b"name=x"),
                        ]
                    )
                )
                # generic() sends the bytes as they are (post() would re-encode them in the stated charset).
                send = lambda: client.generic("POST", url, body, content_type=content_type, headers=headers)  # noqa: E731
            fuzzer.check(send, f"POST {url} ({kind}) as {role}")

        post_one()
        fuzzer.done(planned)


def sent_safely_dict(values):
    return {
        key: ([sent_safely(v) for v in value] if isinstance(value, list) else sent_safely(value))
        for key, value in values.items()
    }


# 2. Every URL pattern, with random segments and query strings ----------------------------------------

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
SEGMENT = {
    "int": st.one_of(
        st.integers(min_value=0, max_value=10**30).map(str),
        # around the database integer limits: the first beyond them used to be a 500
        st.sampled_from(["0", "00", str(2**31), str(2**63 - 1), str(2**63), "1" * 40]),
    ),
    "slug": st.one_of(st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z"), st.just("x" * 3000)),
    "str": st.text(min_size=1, max_size=80).map(lambda text: quote(text.encode("utf-8", "replace"), safe="")),
}
QUERY_KEY = st.one_of(st.sampled_from(["page", "kind", "lang", "q", "next", "status", "channel", "period"]), JUNK_KEY)
QUERY_VALUE = st.one_of(
    st.text(max_size=30), HOSTILE, st.integers().map(str), st.sampled_from(["en", "es", "zz", "-1", "999999"])
)


def real_kwargs(name, world):
    kwargs = {kwarg: world["objects"][key] for kwarg, key in MATRIX[name].get("args", {}).items()}
    kwargs["institution_slug"] = world["institution"].slug
    return kwargs


class TestFuzzEveryUrlPattern:
    @pytest.mark.parametrize("shard", range(SHARDS))
    def test_every_url_pattern_survives_random_segments_and_queries(self, shard, shared_world, db, client_for):  # noqa: F811
        routes = list(project_url_names())
        assert {name for name, _route in routes} <= set(MATRIX)
        routes = routes[shard::SHARDS]
        clients = {role: client_for(shared_world["users"][role]) for role in ("anon", "member", "organizer")}
        fuzzer = Fuzzer(f"paths {shard + 1}/{SHARDS}")
        planned = -(-PATH_INPUTS // SHARDS)

        @fuzz_settings(planned)
        @given(data=st.data())
        def get_one(data):
            name, route = data.draw(st.sampled_from(routes), label="route")
            real = real_kwargs(name, shared_world)

            def segment(match):
                converter, kwarg = match.group(1) or "str", match.group(2)
                random = SEGMENT.get(converter, SEGMENT["str"])
                if kwarg in real and data.draw(st.booleans()):
                    return quote(str(real[kwarg]), safe="")
                return data.draw(random)

            path = "/" + CONVERTER.sub(segment, route)
            query = data.draw(st.lists(st.tuples(QUERY_KEY, QUERY_VALUE), max_size=4))
            raw = data.draw(st.sampled_from(["", "", "", "&%FF=%ED%A0%80", "&page=%00", "&&=&", "&lang[]=es"]))
            url = path + "?" + urlencode([(k, sent_safely(v)) for k, v in query]) + raw
            role = data.draw(st.sampled_from(["anon", "member", "organizer", "organizer"]), label="role")
            headers = HTMX if data.draw(st.booleans(), label="htmx") else {}
            method = data.draw(st.sampled_from(["get", "get", "get", "head", "post"]), label="method")
            fuzzer.check(
                lambda: getattr(clients[role], method)(url, headers=headers), f"{method.upper()} {url} as {role}"
            )

        get_one()
        fuzzer.done(planned)
