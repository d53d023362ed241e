"""The image built once per CI run (tests/image_steps.py ``cached_build``), as the two passes share it.

Each build makes a virtualenv, without pip: the Dockerfile here installs nothing. Three builds in all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import image_steps

DOCKERFILE = """\
FROM python:3.11-slim-bookworm AS image
WORKDIR /app
COPY manage.py manage.py
RUN echo {word} >> built.txt
"""


def dockerfile(folder: Path, word: str) -> Path:
    path = folder / "Dockerfile"
    path.write_text(DOCKERFILE.format(word=word))
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(image_steps.CACHE_VARIABLE, str(folder))
    return folder


def quiet(_: str) -> None:
    pass


def test_a_run_builds_the_image_once_and_gives_each_caller_its_own_copy(tmp_path, cache):
    first = image_steps.cached_build(
        tmp_path / "one", dockerfile=dockerfile(tmp_path, "a"), log=quiet, pip=False
    )
    (first.image.folder / "data").mkdir()
    (first.image.folder / "data" / "written-by-a-server.txt").write_text("x")

    again = image_steps.cached_build(
        tmp_path / "two", dockerfile=dockerfile(tmp_path, "a"), log=quiet, pip=False
    )

    # The RUN line ran once (one line in the file it appends to): the second is the first one's build.
    assert (again.image.folder / "built.txt").read_text() == "a\n"
    assert again.python_bin == first.python_bin
    assert (again.image.folder / "manage.py").read_bytes() == (image_steps.ROOT / "manage.py").read_bytes()
    # Its own copy of the image: what the first caller's server wrote is not in it.
    assert first.image.folder != again.image.folder
    assert not (again.image.folder / "data").exists()


def test_a_changed_dockerfile_or_a_build_cut_short_is_built_again(tmp_path, cache):
    image_steps.cached_build(tmp_path / "one", dockerfile=dockerfile(tmp_path, "a"), log=quiet, pip=False)
    changed = image_steps.cached_build(
        tmp_path / "two", dockerfile=dockerfile(tmp_path, "b"), log=quiet, pip=False
    )
    assert (changed.image.folder / "built.txt").read_text() == "b\n"
    assert len(list(cache.iterdir())) == 2

    # The build of "b" stopped before its end: no record, a folder half made.
    home = cache / image_steps.build_key(dockerfile(tmp_path, "b"), pip=False)
    (home / "build.pickle").unlink()
    (home / "build" / "half-done").write_text("")
    made = image_steps.cached_build(
        tmp_path / "three", dockerfile=dockerfile(tmp_path, "b"), log=quiet, pip=False
    )
    assert (made.image.folder / "built.txt").read_text() == "b\n"
    assert not (home / "build" / "half-done").exists()


def test_a_build_without_pip_is_never_taken_for_one_with_it(tmp_path):
    made = image_steps.build(tmp_path / "build", dockerfile=dockerfile(tmp_path, "a"), log=quiet, pip=False)
    assert not (made.python_bin / "pip").exists()
    assert image_steps.build_key(dockerfile(tmp_path, "a"), pip=False) != image_steps.build_key(
        dockerfile(tmp_path, "a")
    )
