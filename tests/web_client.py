"""A small HTTP client for the production smoke test: real requests to a server on a loopback port.

It sends what a TLS-terminating proxy in front of gunicorn would: the site's host name and
``X-Forwarded-Proto: https`` (the server runs with ``SECURE_PROXY_SSL_HEADER`` set to trust it), so the
production settings stay as they are: HTTPS redirect, secure cookies, HSTS. It keeps its cookies itself,
``Secure`` ones included (the proxy's side of the connection is plain HTTP), and sends the CSRF cookie's
token and the site's origin with every unsafe request, as a browser's form would.
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip()

    def set_cookies(self) -> SimpleCookie:
        """Return every cookie the response sets (or clears)."""
        cookies: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return cookies


@dataclass
class WebClient:
    """One visitor: a cookie jar, and optionally an API token sent with every request."""

    port: int
    host: str
    login_path: str
    token: str | None = None
    proxy_https: bool = True
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes = b"", content_type: str | None = None) -> Response:
        """Send one request and return its response, unread redirects included."""
        headers = {"Host": self.host, "Content-Length": str(len(body))}
        if self.proxy_https:
            headers["X-Forwarded-Proto"] = "https"
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method in UNSAFE and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
            headers["Origin"] = f"https://{self.host}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for name, morsel in response.set_cookies().items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the sign-in page, as a person does; raise if the site refuses."""
        self.get(self.login_path)  # sets the CSRF cookie
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        ).encode()
        response = self.request("POST", self.login_path, form, "application/x-www-form-urlencoded")
        if response.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"signing in as {username} answered {response.status}")


class _References(HTMLParser):
    """Collect what a page loads: stylesheets and icons, scripts, images."""

    ATTRIBUTES = {"link": "href", "script": "src", "img": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.ATTRIBUTES.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)


def page_references(html: str) -> list[str]:
    """Return the URLs a page loads with ``<link href>``, ``<script src>`` and ``<img src>``."""
    parser = _References()
    parser.feed(html)
    return parser.found


CSS_URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]+)\1\s*\)""")


def css_references(css: str) -> list[str]:
    """Return the URLs inside ``url(...)`` of a stylesheet, without inline data and fragments."""
    found = []
    for match in CSS_URL.finditer(css):
        url = match["url"].strip()
        if url.startswith(("data:", "#")):
            continue
        found.append(url.split("#")[0])
    return found
