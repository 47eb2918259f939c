"""URL converters shared by every app."""


class TokenConverter:
    """Secret tokens in links (invitations, and later survey or RSVP links): URL-safe base64 only,
    so a malformed token is a 404 before any query is made."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
