"""Who may use each URL: the access table, its personas and sample arguments, shared by two tests.

``tests/test_url_access.py`` walks every route with Django's test client and requires each persona's status
to be the one given here; ``tests/test_production_smoke.py`` requests the same routes as the same personas
over real HTTP from gunicorn running the image's files with the production settings.

Every route the resolver knows needs an entry in ``ACCESS`` (or ``ADMIN_MODELS`` for the admin's model
views). An entry maps each HTTP method to the status every persona gets, in the column order of
``PERSONAS``:

    anonymous, CISA editor, Treasury editor, ONCD editor (consulted only), oversight reviewer,
    a CISA editor's read-only API token (sent as ``Authorization: Token``), admin (superuser).

Requests use sample arguments (``Samples``, made in ``tests/access_samples.py``): CISA's directive
2(c)(ii) (CISA leads it, ONCD is consulted, Treasury is neither), Executive Order 14409, agency CISA,
and one object of each model in the admin.
Unsafe methods send an empty body: a 400 then means "allowed, but nothing valid to record", a 403 "not
allowed".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = ("anonymous", "cisa", "treasury", "oncd", "reviewer", "read_only", "admin")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HOW_TO_ADD = (
    "Add an entry for it to ACCESS in tests/access_table.py: for each method, the status each persona "
    "gets, in the order {personas} (admin model routes: add the model to ADMIN_MODELS)."
)


@dataclass(frozen=True)
class Route:
    """A route as the resolver has it: its key in the table, its full pattern and the view's name."""

    key: str
    pattern: str
    name: str | None


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            # Unnamed routes (the admin's object redirect and catch-all) are known by their pattern.
            yield Route(key=name or pattern, pattern=pattern, name=name)


def all_routes() -> list[Route]:
    """Return every route the project's URLconf resolves, the admin's and the API's included."""
    return list(_walk(get_resolver().url_patterns))


# ------------------------------------------------------------------------------------------------
# The table. Each row is one method's statuses, one per persona, in this order:
#                         anon   cisa   treas  oncd   revw   token  admin
def row(*statuses: int) -> tuple[int, ...]:
    assert len(statuses) == len(PERSONAS), statuses
    return statuses


def same_for(methods: str, statuses: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Return one row for each of the space-separated ``methods``."""
    return dict.fromkeys(methods.split(), statuses)


# A JSON endpoint that only reads: anonymous 401 (with a Token challenge), every signed-in persona and
# the read-only token 200; a write method is 405, except that the read-only token is refused first.
READ_ONLY_API = {
    "GET": row(401, 200, 200, 200, 200, 200, 200),
    **same_for("POST PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
}
# A staff page for any signed-in user that serves GET only. The token does not open HTML pages: it is
# for scripts, so it is sent to sign in like anyone without a session.
SIGNED_IN_GET_ONLY = {
    "GET": row(302, 200, 200, 200, 200, 302, 200),
    **same_for("POST PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
}

ACCESS: dict[str, dict[str, tuple[int, ...]]] = {
    # Open to the load balancer: it reads, and says only "ok".
    "healthz": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # Readiness, for the load balancer too: the names of the checks and whether each passed.
    "readyz": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # Prometheus's: off unless METRICS_TOKEN is set (it is not here; tests/test_metrics.py sets it).
    "metrics": {
        "GET": row(404, 404, 404, 404, 404, 404, 404),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # --- Sign-in and account pages
    # `/` sends each visitor on: to sign in, to their agency, to the dashboard or the list.
    "home": same_for("GET POST PUT PATCH DELETE", row(302, 302, 302, 302, 302, 302, 302)),
    # Signed-in users are sent on; an empty form is shown again with its errors (throttled by axes).
    "login": {
        **same_for("GET POST PUT", row(200, 302, 302, 302, 302, 200, 302)),
        **same_for("PATCH DELETE", row(405, 302, 302, 302, 302, 405, 302)),
    },
    # POST only, so a link or an image cannot sign anyone out.
    "logout": {
        "POST": row(302, 302, 302, 302, 302, 302, 302),
        **same_for("GET PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "password_change": {
        **same_for("GET POST PUT", row(302, 200, 200, 200, 200, 302, 200)),
        **same_for("PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    "password_change_done": SIGNED_IN_GET_ONLY,
    # Each user's own tokens; an empty form is a 400 that creates nothing.
    "api_tokens": {
        "GET": row(302, 200, 200, 200, 200, 302, 200),
        "POST": row(302, 400, 400, 400, 400, 302, 400),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # Confirming and revoking one of the user's own tokens: without ?revoke= (GET) or the revoke field
    # (POST) there is no token to name, a 400.
    "api_token_revoke": {
        **same_for("GET POST", row(302, 400, 400, 400, 400, 302, 400)),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # --- Directive pages
    "my_agency": SIGNED_IN_GET_ONLY,
    "directive_list": SIGNED_IN_GET_ONLY,
    # Everyone signed in reads 2(c)(ii); CISA (lead) and ONCD (consulted: a note) may post an update,
    # which is a 400 when empty; Treasury and the reviewer are refused with a 403. The page's other
    # forms (review, extension, decision, evidence, event date) are sent here too, each naming itself
    # in the field ``form``: tests/pages/test_directive_forms.py checks who may send each.
    "directive_detail": {
        "GET": row(302, 200, 200, 200, 200, 302, 200),
        "POST": row(302, 400, 403, 400, 403, 302, 400),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # A directive's whole history as CSV: for anyone signed in, as its page is.
    "directive_history_csv": SIGNED_IN_GET_ONLY,
    # Everyone signed in reads every directive, and so downloads its evidence (CISA's sample file).
    "evidence_download": SIGNED_IN_GET_ONLY,
    # The order's report as of a date (today without ?as_of=): page, CSV and PDF, read by everyone signed in.
    "order_report": SIGNED_IN_GET_ONLY,
    "order_report_csv": SIGNED_IN_GET_ONLY,
    "order_report_pdf": SIGNED_IN_GET_ONLY,
    # With one order tracked, the list goes straight to it.
    "order_list": same_for("GET POST PUT PATCH DELETE", row(302, 302, 302, 302, 302, 302, 302)),
    "order_detail": SIGNED_IN_GET_ONLY,
    # The import page: order managers (the permission; here the admin, a superuser) only. An empty
    # POST is the 400 of a text not given; everyone else is refused with a 403.
    "order_import": {
        "GET": row(302, 403, 403, 403, 403, 302, 200),
        "POST": row(302, 403, 403, 403, 403, 302, 400),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # --- The oversight dashboard and its exports: every signed-in user reads them.
    # A reviewer's work queue: reviewers only.
    "my_queue": {
        "GET": row(302, 403, 403, 403, 200, 302, 403),
        **same_for("POST PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    "dashboard": SIGNED_IN_GET_ONLY,
    "dashboard_export_csv": SIGNED_IN_GET_ONLY,
    "dashboard_export_json": SIGNED_IN_GET_ONLY,
    # --- Integrations (docs/integrations.md)
    # Single sign-on is off in the tests' settings: its routes are not there (tests/browser/test_sso.py
    # turns it on against a real provider).
    "oidc_authentication_init": {
        "GET": row(404, 404, 404, 404, 404, 404, 404),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "oidc_authentication_callback": {
        "GET": row(404, 404, 404, 404, 404, 404, 404),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "order_poam": SIGNED_IN_GET_ONLY,
    # One's own calendar addresses: a POST without the button's "rotate=yes" changes nothing (400).
    "calendar_page": {
        "GET": row(302, 200, 200, 200, 200, 302, 200),
        "POST": row(302, 400, 400, 400, 400, 302, 400),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # One's own notification settings: an empty form is a 400 that saves nothing.
    "notification_settings": {
        "GET": row(302, 200, 200, 200, 200, 302, 200),
        "POST": row(302, 400, 400, 400, 400, 302, 400),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # One's own notices (the kinds chosen for them on the notification settings); a POST without the
    # button's "rotate=yes" leaves the Atom feed's address as it is (400).
    "notices_feed": {
        "GET": row(302, 200, 200, 200, 200, 302, 200),
        "POST": row(302, 400, 400, 400, 400, 302, 400),
        **same_for("PUT PATCH DELETE", row(302, 405, 405, 405, 405, 302, 405)),
    },
    # The notices' Atom feed answers whoever holds its secret address (the CISA editor's sample key):
    # feed readers send no session. An unknown or rotated key is a 404
    # (tests/integrations/test_notices_atom.py).
    "notices_atom": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # Calendar feeds answer whoever holds the secret address (the CISA editor's sample key): calendar
    # programs send no session. An unknown key is a 404 (tests/directives/test_calendar_feeds.py).
    "calendar_mine": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "calendar_agency": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "calendar_order": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # The emails' one-click unsubscribe link (the CISA editor's address, signed): it answers without a
    # session; a GET only asks, and a POST without the one-click field changes nothing (400).
    "unsubscribe": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        "POST": row(400, 400, 400, 400, 400, 400, 400),
        **same_for("PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # Open data of the published sample order: public and read-only (an unpublished one is a 404).
    "open_data_page": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "open_data_json": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "open_data_csv": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # The DCAT-US catalog of published orders and the JSON feed's schema: public and read-only.
    "data_json": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "open_data_schema": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # --- The REST API (/api/v1/): sessions and tokens read; only the events endpoint writes.
    "api:order-list": READ_ONLY_API,
    "api:order-detail": READ_ONLY_API,
    "api:agency-list": READ_ONLY_API,
    "api:agency-detail": READ_ONLY_API,
    "api:directive-list": READ_ONLY_API,
    "api:directive-detail": READ_ONLY_API,
    "api:summary": READ_ONLY_API,
    # The one write: CISA (lead) and ONCD (consulted: a note) get the 400 of an empty update;
    # Treasury, the reviewer and the read-only token get 403.
    "api:directive-event-list": {
        "GET": row(401, 200, 200, 200, 200, 200, 200),
        "POST": row(401, 400, 403, 400, 403, 403, 400),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # Dating an event: the lead's editors (CISA) and admins get the 400 of an empty body, the rest 403.
    "api:directive-event-date": {
        "POST": row(401, 400, 403, 403, 403, 403, 400),
        **same_for("GET", row(401, 405, 405, 405, 405, 405, 405)),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # A directive's evidence files: everyone reads them; the lead's editors (CISA) and admins may upload,
    # and get the 400 of a body without a file; the rest are refused with a 403 first.
    "api:directive-evidence-list": {
        "GET": row(401, 200, 200, 200, 200, 200, 200),
        "POST": row(401, 400, 403, 403, 403, 403, 400),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    "api:directive-evidence-download": READ_ONLY_API,
    # Reviewing a claim: reviewers only (the 400 of an empty body); the token only reads.
    "api:directive-review": {
        "POST": row(401, 403, 403, 403, 400, 403, 403),
        **same_for("GET", row(401, 405, 405, 405, 405, 405, 405)),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # Extension requests: everyone signed in reads them; asking is checked against the directive the
    # body names, so an empty body is a 400 for each persona that may write at all.
    "api:extension-request-list": {
        "GET": row(401, 200, 200, 200, 200, 200, 200),
        "POST": row(401, 400, 400, 400, 400, 403, 400),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    "api:extension-request-detail": {
        "GET": row(401, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # Deciding: reviewers only (the 400 of an empty body).
    "api:extension-request-decision": {
        "POST": row(401, 403, 403, 403, 400, 403, 403),
        **same_for("GET", row(401, 405, 405, 405, 405, 405, 405)),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # Extending a deadline directly: administrators only (reviewers approve requests instead).
    "api:directive-extend": {
        "POST": row(401, 403, 403, 403, 403, 403, 400),
        **same_for("GET", row(401, 405, 405, 405, 405, 405, 405)),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # The schema and Swagger UI are public: they describe the API and hold no data.
    "api:schema": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "api:docs": {
        "GET": row(200, 200, 200, 200, 200, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    # An order's OSCAL plan of action and milestones: read like the rest.
    "api:order-poam": READ_ONLY_API,
    # Webhooks: every signed-in persona lists those it may manage (none for most); creating one needs
    # an agency to edit for (the reviewer has none: 403) and is a 400 with an empty body.
    "api:webhook-list": {
        "GET": row(401, 200, 200, 200, 200, 200, 200),
        "POST": row(401, 400, 400, 400, 403, 403, 400),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # The sample subscription is CISA's: other agencies do not see it (404). An empty PATCH is a 400;
    # there is no PUT. CISA's editor deletes it (204), after which the administrator finds nothing.
    "api:webhook-detail": {
        "GET": row(401, 200, 404, 404, 404, 200, 200),
        "PATCH": row(401, 400, 404, 404, 404, 403, 400),
        **same_for("POST PUT", row(401, 405, 405, 405, 405, 403, 405)),
        "DELETE": row(401, 204, 404, 404, 404, 403, 404),
    },
    # A new signing secret, shown once: CISA's editor and the administrator each rotate it.
    "api:webhook-rotate-secret": {
        "POST": row(401, 200, 404, 404, 404, 403, 200),
        "GET": row(401, 405, 405, 405, 405, 405, 405),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # A signed test message: CISA's editor and the administrator send one to the sample's address,
    # which answers nothing (no such host here): a 200 whose body says so.
    "api:webhook-test": {
        "POST": row(401, 200, 404, 404, 404, 403, 200),
        "GET": row(401, 405, 405, 405, 405, 405, 405),
        **same_for("PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    "api:webhook-deliveries": {
        "GET": row(401, 200, 404, 404, 404, 200, 200),
        **same_for("POST PUT PATCH DELETE", row(401, 405, 405, 405, 405, 403, 405)),
    },
    # Any other path under /api/v1/: anonymous learns nothing but "sign in".
    "api:not-found": {
        "GET": row(401, 404, 404, 404, 404, 404, 404),
        **same_for("POST PUT PATCH DELETE", row(401, 404, 404, 404, 404, 403, 404)),
    },
    # Any path under /api/ outside /api/v1/: the same JSON answers.
    "api_not_found": {
        "GET": row(401, 404, 404, 404, 404, 404, 404),
        **same_for("POST PUT PATCH DELETE", row(401, 404, 404, 404, 404, 403, 404)),
    },
}


# --- The admin: only staff get in; everyone else is sent to the admin's sign-in page (302).
def staff_only(get: int, post: int, others: int | None = None, put: int | None = None) -> dict:
    """Return the rows of an admin route where the admin gets ``get``, ``post``, and ``others`` for PUT,
    PATCH and DELETE (by default what GET gets, as the model views serve them) or ``put`` for PUT."""
    others = get if others is None else others
    statuses = {
        "GET": get,
        "POST": post,
        "PUT": others if put is None else put,
        "PATCH": others,
        "DELETE": others,
    }
    return {method: row(302, 302, 302, 302, 302, 302, status) for method, status in statuses.items()}


ADMIN_ROUTES: dict[str, dict[str, tuple[int, ...]]] = {
    "admin:index": staff_only(200, 200),
    "admin:app_list": staff_only(200, 200),
    # Open to everyone, as a sign-in page must be; a signed-in admin is sent on to the index.
    "admin:login": {
        "GET": row(200, 200, 200, 200, 200, 200, 302),
        **same_for("POST PUT", row(200, 200, 200, 200, 200, 200, 200)),
        **same_for("PATCH DELETE", row(405, 405, 405, 405, 405, 405, 405)),
    },
    "admin:logout": staff_only(405, 302, others=405),
    "admin:password_change": staff_only(200, 200, others=405, put=200),
    "admin:password_change_done": staff_only(200, 405, others=405),
    # Without its query parameters the autocomplete refuses even the admin.
    "admin:autocomplete": staff_only(403, 405, others=405),
    "admin:jsi18n": staff_only(200, 405, others=405),
    # Directives have no public page to jump to.
    "admin:view_on_site": staff_only(404, 404),
    "admin:auth_user_password_change": staff_only(200, 200),
    "admin/(?P<url>.*)$": staff_only(404, 404),
}

# For each model in the admin, what the admin gets from each of its views, as (GET, POST); PUT, PATCH
# and DELETE get GET's answer. POST sends an empty form: a 200 shows it again with its errors (or the
# delete confirmation), writing nothing.
MANAGED = {
    "changelist": (200, 200),
    "add": (200, 200),
    "history": (200, 200),
    "delete": (200, 200),
    "change": (200, 200),
    "object": (302, 302),  # <object_id>/ redirects to its change page
}
# Read-only in the admin: no add, and a change form that only shows.
VIEW_ONLY = {**MANAGED, "add": (403, 403), "change": (200, 403)}
# django-axes' records: the admin reads them and deletes an attempt to lift a lock early.
AXES_RECORD = {**MANAGED, "add": (403, 403), "change": (200, 302)}
ADMIN_MODELS: dict[str, dict[str, tuple[int, int]]] = {
    "auth_user": MANAGED,
    "auth_group": MANAGED,
    # Agencies and orders come from order files: the admin reads them.
    "agencies_agency": {**VIEW_ONLY, "delete": (403, 403)},
    "agencies_membership": MANAGED,
    # A reviewer is granted or revoked (agencies.roles, recorded in the access log), never edited.
    "agencies_oversightreviewer": {**MANAGED, "change": (200, 403)},
    # Tokens are created on the tokens page or by the command (their key is shown once); the admin
    # revokes them (delete) through the actions layer.
    "agencies_apitoken": {**VIEW_ONLY, "delete": (200, 200)},
    # Single sign-on links are made and removed (agencies.actions, in the access log), never edited.
    "agencies_signonlink": {**MANAGED, "change": (200, 403)},
    "directives_order": {**VIEW_ONLY, "delete": (403, 403)},
    # Directives come from order files: no add or delete; a change goes through the actions layer.
    "directives_directive": {**MANAGED, "add": (403, 403), "delete": (403, 403)},
    # What loaded orders revoke and amend: written only by loading a file, read here.
    "directives_orderchange": {**VIEW_ONLY, "delete": (403, 403)},
    # The history is append-only: no add, change or delete.
    "directives_directiveevent": {**VIEW_ONLY, "delete": (403, 403)},
    # The proof's records are append-only too: read in the admin, never written there.
    "ledger_accessevent": {**VIEW_ONLY, "delete": (403, 403)},
    "ledger_checkpoint": {**VIEW_ONLY, "delete": (403, 403)},
    # Webhook subscriptions are managed through actions.webhooks; their delivery log is read-only.
    "directives_webhooksubscription": MANAGED,
    "directives_webhookdelivery": {**VIEW_ONLY, "delete": (403, 403)},
    # The notification emails: written by the dispatcher only, read here (docs/faults.md).
    "directives_delivery": {**VIEW_ONLY, "delete": (403, 403)},
    "axes_accessattempt": AXES_RECORD,
    "axes_accesslog": AXES_RECORD,
    "axes_accessfailurelog": AXES_RECORD,
}


def admin_model_entries() -> dict[str, dict[str, tuple[int, ...]]]:
    """Return the table entries of every admin model route, keyed as the resolver walk keys them."""
    entries = {}
    for model, views in ADMIN_MODELS.items():
        app, name = model.split("_", 1)
        for view, (get, post) in views.items():
            key = f"admin/{app}/{name}/<path:object_id>/" if view == "object" else f"admin:{model}_{view}"
            entries[key] = staff_only(get, post)
    return entries


TABLE = {**ACCESS, **ADMIN_ROUTES, **admin_model_entries()}
