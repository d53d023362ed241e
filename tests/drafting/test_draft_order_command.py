"""`manage.py draft_order`: TOML to a file or standard output; a clear error and exit 1 on bad input."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directives.orderfile import parse_order_file
from tests.drafting.texts import PLAIN, SHAPE_OF_14409

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("draft_order", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_writes_the_draft_to_standard_output(tmp_path):
    path = tmp_path / "order.txt"
    path.write_text(PLAIN)
    out, err = run(str(path))
    spec = parse_order_file(out)
    assert spec.order.number == 99001
    assert "Drafted EO 99001: 11 directives" in err


def test_it_writes_the_draft_to_a_file_with_the_options_given(tmp_path):
    path = tmp_path / "testing.wh.md"
    path.write_text(SHAPE_OF_14409)
    output = tmp_path / "draft.toml"
    out, err = run(str(path), "--number", "99409", "--signed-on", "2026-03-10", "--output", str(output))
    assert out == ""
    spec = parse_order_file(output.read_text())
    assert (spec.order.number, spec.order.signed_on.isoformat()) == (99409, "2026-03-10")
    assert f"written to {output}" in err


def test_it_reads_standard_input_given_a_dash(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PLAIN.encode())))
    out, _ = run("-")
    assert parse_order_file(out).order.number == 99001


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", (), "the text is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (), "the input is binary"),
        (b"Sec. 1. Caf\xe9 au lait.", (), "cannot be decoded as UTF-8 (byte 11)"),
        (b"Dear diary, today I read a good book.", (), "does not look like an executive order"),
        (SHAPE_OF_14409.encode(), (), "give it with --number"),
        (PLAIN.encode(), ("--signed-on", "2026-02-30"), "--signed-on: '2026-02-30' is not a date"),
        (PLAIN.encode(), ("--number", "EO-1"), "--number: 'EO-1' is not an executive order's number"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, content, args, message):
    path = tmp_path / "order.wh.md"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(str(path), *args)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.txt"))


def test_from_the_shell_a_bad_input_exits_1_with_the_message_and_no_traceback(tmp_path):
    path = tmp_path / "page.wh.md"
    path.write_text(SHAPE_OF_14409)
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "draft_order", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true"},
    )
    assert result.returncode == 1
    assert "give it with --number" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
