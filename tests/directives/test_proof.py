"""verify_history proves more than the chains: each directive's state against its replayed history,
signatures by a trusted key, and checkpoints kept outside the database (a file, a webhook, email).

These run on SQLite (no trigger to switch off); tests/directives/test_proof_postgres.py runs the
issue's attacks on PostgreSQL as the application's role and as the owner.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import mail
from django.core.management import CommandError, call_command

from agencies.models import Agency
from directives import actions
from directives.history import proof
from directives.models import Directive, DirectiveEvent
from ledger import checkpoints, keys
from ledger.models import AccessEvent, Checkpoint
from tests.directives.test_history import NOON_NOV_26, tamper

AFTER = NOON_NOV_26 + dt.timedelta(hours=1)


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_history", *args, stdout=out)
    return out.getvalue()


def problems(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        verify(*args)
    assert raised.value.returncode == 1
    return str(raised.value)


def newest_seq(ref: str) -> int:
    return DirectiveEvent.objects.filter(directive__ref=ref).order_by("-seq")[0].seq


# --- State against history ----------------------------------------------------------------------------


def test_a_busy_history_replays_to_every_directives_state(busy_history):
    assert verify().startswith("Verified 24 events in 1 order, 13 directives, ")


def test_the_command_leaves_its_process_collecting_garbage_as_it_did(busy_history):
    before = gc.get_threshold()
    gc.set_threshold(1234, *before[1:])
    try:
        assert verify().startswith("Verified ")
        assert gc.get_threshold() == (1234, *before[1:])
    finally:
        gc.set_threshold(*before)


STATE_EDITS = {
    "status": (
        {"status": "completed", "completed_on": dt.date(2026, 7, 1)},
        "status is 'completed' but its events say 'in_progress'",
    ),
    "completion date": (
        {"completed_on": dt.date(2026, 11, 1)},
        "completion date is '2026-11-01' but its events say '2026-11-20'",
    ),
    "forecast": ({"forecast_on": dt.date(2027, 3, 1)}, "forecast is '2027-03-01' but its events say empty"),
    "original due date": (
        {"original_due_on": dt.date(2026, 9, 1)},
        "original due date is '2026-09-01' but its events say '2026-07-02'",
    ),
    "effective due date": (
        {"due_on": dt.date(2026, 9, 1)},
        "due date is '2026-09-01' but its events say '2026-07-02'",
    ),
    "overdue flag": ({"overdue_flagged_at": None}, "overdue flag is clear but its events say set"),
    "due instant": (
        {"due_at": dt.datetime(2027, 1, 1, tzinfo=dt.UTC)},
        "the due day ends at '2027-01-01T00:00:00.000000Z', not at the end of 2026-07-02 Eastern",
    ),
}
REFS = {"status": "2(c)(i)", "completion date": "2(c)(ii)"}


@pytest.mark.parametrize("change, message", STATE_EDITS.values(), ids=STATE_EDITS.keys())
def test_a_directive_changed_behind_its_history_is_named(busy_history, change, message):
    ref = next((r for name, r in REFS.items() if STATE_EDITS[name][0] is change), "2(a)")
    Directive.objects.filter(ref=ref).update(**change)
    found = problems()
    assert (
        f"EO 14409, directive {ref}, seq {newest_seq(ref)} (its newest event): the directive differs "
        in found
    )
    assert message in found


def test_a_directive_without_its_created_event_is_named(order):
    Directive.objects.create(order=order, ref="9(z)", title="Slipped in without a history")
    assert "EO 14409, directive 9(z): it has no events: its chain from created is missing" in problems()


def test_renaming_a_user_or_an_agency_leaves_the_history_green_and_the_access_log_says_so(
    busy_history,
    cisa_editor,
):
    cisa_editor.username = "cisa-editor-renamed"
    cisa_editor.save()
    cisa = Agency.objects.get(abbreviation="CISA")
    cisa.abbreviation, cisa.name = "CISA2", "Cybersecurity Agency, renamed"
    cisa.save()
    assert verify().startswith("Verified 24 events in 1 order, 13 directives")
    renames = AccessEvent.objects.filter(kind__in=["user_renamed", "agency_renamed"]).order_by("seq")
    assert [(e.kind, json.loads(e.detail)) for e in renames] == [
        ("user_renamed", {"old_username": "cisa-editor", "username": "cisa-editor-renamed"}),
        (
            "agency_renamed",
            {
                "abbreviation": "CISA2",
                "name": "Cybersecurity Agency, renamed",
                "old_abbreviation": "CISA",
                "old_name": "Cybersecurity and Infrastructure Security Agency",
            },
        ),
    ]


def test_an_event_whose_signature_was_removed_is_named(busy_history):
    event = DirectiveEvent.objects.get(kind="note")
    tamper(
        "UPDATE directives_directiveevent SET signature = '', key_id = '', signed_from = NULL WHERE id = %s",
        [event.id],
    )
    found = problems()
    assert f"(EO 14409, seq {event.seq + 1}, directive 2(e), kind deadline_extended" in found
    assert f"no signature covers seq {event.seq} to {event.seq - 1}" not in found
    assert (
        f"its signature vouches for seq {event.seq + 1} to {event.seq + 1}, "
        f"but no signature covers seq {event.seq}" in found
    )


# --- Keys -----------------------------------------------------------------------------------------


def test_after_a_key_rotation_the_old_keys_signatures_verify_while_it_is_trusted(settings, busy_history):
    old_public = keys.public_text(keys.keyring().private.public_key())
    new_private, _ = keys.generate()
    settings.HISTORY_SIGNING_KEY = new_private
    settings.HISTORY_TRUSTED_KEYS = []
    assert "which is not a trusted key" in problems()
    settings.HISTORY_TRUSTED_KEYS = [old_public]
    actions.add_note(Directive.objects.get(ref="2(a)"), "Signed by the new key.", actor=None)
    assert verify().startswith("Verified 25 events")
    signers = set(DirectiveEvent.objects.exclude(key_id="").values_list("key_id", flat=True))
    assert signers == {keys.key_id(keys.parse_public(old_public)), keys.keyring().signing_key_id}


def test_history_keys_generates_a_key_and_lists_the_trusted_public_keys(settings):
    out = io.StringIO()
    call_command("history_keys", "generate", stdout=out, stderr=io.StringIO())
    private = out.getvalue().splitlines()[0].removeprefix("HISTORY_SIGNING_KEY=")
    settings.HISTORY_SIGNING_KEY = private
    other = Ed25519PrivateKey.generate().public_key()
    settings.HISTORY_TRUSTED_KEYS = [keys.public_text(other)]
    out = io.StringIO()
    call_command("history_keys", "public", stdout=out)
    mine = keys.parse_private(private).public_key()
    assert sorted(out.getvalue().splitlines()) == sorted(
        [
            f"{keys.key_id(mine)} {keys.public_text(mine)}  # signs now",
            f"{keys.key_id(other)} {keys.public_text(other)}  # earlier key, still trusted",
        ]
    )


# --- Checkpoints and their sinks ------------------------------------------------------------------


def test_a_checkpoint_goes_to_the_file_sink_and_verify_checks_the_database_against_it(
    settings, tmp_path, busy_history
):
    path = tmp_path / "anchor" / "checkpoints.jsonl"
    path.parent.mkdir()
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    with time_machine.travel(AFTER, tick=False):
        out = io.StringIO()
        call_command("write_checkpoint", stdout=out)
    pk = Checkpoint.objects.get().pk
    assert out.getvalue().startswith(
        f"Checkpoint {pk} of 2026-11-26T18:00:00.000000Z: 2 chains signed by key "
    )
    assert out.getvalue().endswith("stored in the database, sent to the file.\n")
    [line] = [json.loads(text) for text in path.read_text().splitlines()]
    assert checkpoints.check(line) is None
    assert line["chains"]["order:14409"] == {
        "seq": 24, "count": 24, "hash": DirectiveEvent.objects.get(seq=24).hash, "label": "2(c)(ii)"
    }  # fmt: skip
    assert set(line["chains"]) == {"order:14409", "access"}
    assert (
        f"against the checkpoint of 2026-11-26T18:00:00.000000Z (checkpoint {pk} in the database), "
        f"the checkpoint of 2026-11-26T18:00:00.000000Z ({path}, line 1)"
        in verify("--checkpoints", str(path))
    )


def test_the_newest_events_removed_are_named_by_the_checkpoint_file(settings, tmp_path, busy_history):
    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    with time_machine.travel(AFTER, tick=False):
        call_command("write_checkpoint", stdout=io.StringIO())
    tamper("DELETE FROM directives_notification")
    # Cut where an append ended (the sweep's six flags, seq 18 to 23): what stays is whole and signed.
    tamper("DELETE FROM directives_directiveevent WHERE seq > 23")
    tamper("DELETE FROM ledger_checkpoint")
    Directive.objects.filter(ref="2(c)(ii)").update(
        status="not_started", completed_on=None
    )  # as the owner would
    settings.HISTORY_CHECKPOINT_FILE = ""  # without the file, the database alone cannot tell
    assert verify().startswith("Verified 23 events")
    assert (
        "EO 14409, directive 2(c)(ii), seq 24: in the checkpoint of 2026-11-26T18:00:00.000000Z "
        f"({path}, line 1), but not in the database (the chain now ends at seq 23): events were removed"
    ) in problems("--checkpoints", str(path))


def test_a_checkpoint_line_changed_after_it_was_signed_is_named(settings, tmp_path, busy_history):
    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    call_command("write_checkpoint", stdout=io.StringIO())
    line = json.loads(path.read_text())
    line["chains"]["order:14409"]["seq"] = 20
    path.write_text(json.dumps(line) + "\n")
    assert f"{path}, line 1: not a valid checkpoint: its signature does not verify with key" in problems(
        "--checkpoints", str(path)
    )


def test_verify_history_reads_the_configured_checkpoint_file_unasked(settings, tmp_path, busy_history):
    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    with time_machine.travel(AFTER, tick=False):
        call_command("write_checkpoint", stdout=io.StringIO())
    tamper("DELETE FROM directives_notification")
    tamper("DELETE FROM directives_directiveevent WHERE seq > 23")
    tamper("DELETE FROM ledger_checkpoint")
    Directive.objects.filter(ref="2(c)(ii)").update(status="not_started", completed_on=None)
    assert "seq 24: in the checkpoint of 2026-11-26T18:00:00.000000Z" in problems()  # no --checkpoints


def test_verify_history_refuses_a_checkpoint_file_that_is_not_there(db, tmp_path):
    with pytest.raises(CommandError, match=r"--checkpoints: .*missing\.jsonl is not a readable file"):
        verify("--checkpoints", str(tmp_path / "missing.jsonl"))


class _Receiver(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    """A real HTTP server on a free loopback port; yields its URL and what it received."""
    received: list[bytes] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/checkpoints", received
    server.shutdown()
    server.server_close()


def test_a_checkpoint_is_posted_to_the_webhook_and_emailed_to_the_reviewers(
    settings, webhook, busy_history, reviewer
):
    url, received = webhook
    settings.HISTORY_CHECKPOINT_WEBHOOK = url
    settings.HISTORY_CHECKPOINT_EMAIL = ["reviewers", "records@archives.example.gov"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    call_command("write_checkpoint", stdout=out)
    assert out.getvalue().endswith("stored in the database, sent to the webhook, sent to the email.\n")
    [body] = received
    line = json.loads(body)
    assert checkpoints.check(line) is None
    assert line == json.loads(Checkpoint.objects.get().line)
    [message] = mail.outbox
    assert message.to == ["records@archives.example.gov", "reviewer@example.com"]
    assert json.dumps(line, separators=(",", ":")) in message.body


def test_a_sink_that_fails_is_reported_and_the_checkpoint_is_kept(settings, db):
    settings.HISTORY_CHECKPOINT_WEBHOOK = "http://127.0.0.1:1/checkpoints"  # nothing listens on port 1
    with pytest.raises(CommandError, match=r"the webhook sink did not take it: URLError: .*refused"):
        call_command("write_checkpoint", stdout=io.StringIO())
    assert Checkpoint.objects.count() == 1


def test_beat_writes_a_checkpoint_and_sends_it_once_the_transaction_commits(
    settings,
    tmp_path,
    busy_history,
    django_capture_on_commit_callbacks,
):
    from directives import tasks

    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    with django_capture_on_commit_callbacks(execute=True):
        pk = tasks.write_checkpoint()
    assert json.loads(path.read_text()) == json.loads(Checkpoint.objects.get(pk=pk).line)


def test_an_export_writes_a_checkpoint_to_the_database_and_the_sinks(
    settings, tmp_path, busy_history, django_capture_on_commit_callbacks
):
    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("export_history", "--output", str(tmp_path / "backup.jsonl"), stderr=io.StringIO())
    exported = [json.loads(x) for x in (tmp_path / "backup.jsonl").read_text().splitlines()]
    [in_file] = [{k: v for k, v in x.items() if k != "type"} for x in exported if x["type"] == "checkpoint"]
    sent = json.loads(path.read_text())
    assert {k: v for k, v in sent.items() if k != "type"} == in_file
    assert Checkpoint.objects.count() == 1


def test_a_development_key_is_used_only_while_debug_is_on(settings):
    from tests.test_settings import run_django

    refused = run_django("print('started')", DEBUG="false", SECRET_KEY="a-long-production-secret",
                         ALLOWED_HOSTS="tracker.example.gov", HISTORY_SIGNING_KEY="")  # fmt: skip
    assert refused.returncode != 0
    assert (
        "HISTORY_SIGNING_KEY (or HISTORY_SIGNING_KEY_FILE) must be set when DEBUG is false" in refused.stderr
    )
    public = run_django("print('started')", DEBUG="false", SECRET_KEY="a-long-production-secret",
                        ALLOWED_HOSTS="tracker.example.gov",
                        HISTORY_SIGNING_KEY=keys.DEVELOPMENT_SEED)  # fmt: skip
    assert "HISTORY_SIGNING_KEY must not be the public development key when DEBUG is false" in public.stderr
    assert settings.HISTORY_SIGNING_KEY == keys.DEVELOPMENT_SEED  # the tests run with DEBUG on


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HISTORY_SIGNING_KEY": "not base64!"}, "HISTORY_SIGNING_KEY: not base64 (nor a PEM key)"),
        (
            {"HISTORY_SIGNING_KEY": "c2hvcnQ="},
            "HISTORY_SIGNING_KEY: an Ed25519 key is 32 bytes; this one is 5",
        ),
        ({"HISTORY_TRUSTED_KEYS": "c2hvcnQ="}, "HISTORY_TRUSTED_KEYS: an Ed25519 public key is 32 bytes"),
        (
            {"HISTORY_SIGNING_KEY_FILE": "/nonexistent/key"},
            "HISTORY_SIGNING_KEY_FILE: cannot read /nonexistent/key",
        ),
        (
            {"HISTORY_CHECKPOINT_WEBHOOK": "ftp://x"},
            "HISTORY_CHECKPOINT_WEBHOOK must start with http:// or https://",
        ),
        (
            {"HISTORY_CHECKPOINT_EMAIL": "someone"},
            "HISTORY_CHECKPOINT_EMAIL: 'someone' is neither an email address",
        ),
    ],
    ids=[
        "bad base64",
        "short key",
        "bad trusted key",
        "unreadable key file",
        "webhook scheme",
        "bad address",
    ],
)
def test_a_bad_proof_setting_stops_the_start_naming_it(env, message):
    from tests.test_settings import run_django

    if "HISTORY_SIGNING_KEY_FILE" in env:
        env = {**env, "HISTORY_SIGNING_KEY": ""}
    result = run_django("print('started')", DEBUG="true", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_signing_key_may_come_from_a_pem_file(tmp_path):
    from cryptography.hazmat.primitives import serialization

    from tests.test_settings import run_django

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "key.pem").write_bytes(pem)
    result = run_django(
        "from ledger import keys; print(keys.keyring().signing_key_id)",
        DEBUG="true", HISTORY_SIGNING_KEY="", HISTORY_SIGNING_KEY_FILE=str(tmp_path / "key.pem"),
    )  # fmt: skip
    assert result.stdout.strip() == keys.key_id(private.public_key())


def test_the_checkpoint_heads_name_every_chain(busy_history):
    heads = proof.heads()
    assert heads["order:14409"]["label"] == "2(c)(ii)"
    assert heads["access"]["seq"] == AccessEvent.objects.count()
