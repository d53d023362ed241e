"""The files that build and check the project agree with each other: Dockerfile, compose, locks, hooks.

What the image does is run by the production smoke test (tests/test_production_smoke.py, which needs
PostgreSQL and Redis); these checks need nothing but the files, and say at once what drifted.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests import image_steps

ROOT = image_steps.ROOT
STAGES = image_steps.parse_dockerfile((ROOT / "Dockerfile").read_text())


def pins(lock: str) -> dict[str, str]:
    """Return package -> version of a lock file in requirements/."""
    text = (ROOT / "requirements" / lock).read_text()
    return {m["name"]: m["version"] for m in re.finditer(r"^(?P<name>[\w.-]+)==(?P<version>\S+)", text, re.M)}


def make_recipe(target: str) -> list[str]:
    """Return the commands of a Makefile target, with $(PY) and $(VENV) spelled out."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().replace("$(PY)", ".venv/bin/python").replace("$(VENV)", ".venv"))
    return recipe


def test_the_image_runs_as_a_user_other_than_root():
    user = STAGES[-1].last("USER")
    assert user is not None, "the image has no USER: it would run as root"
    assert user.args not in ("root", "0", "0:0")


def test_no_stage_of_the_image_sets_debug_or_a_secret():
    for stage in STAGES:
        for instruction in stage.instructions:
            if instruction.keyword in ("ENV", "ARG"):
                names = {pair.partition("=")[0] for pair in shlex.split(instruction.args)}
                assert not names & {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}, str(instruction)


def test_the_compose_web_service_starts_gunicorn_as_the_images_cmd():
    _, gunicorn = image_steps.compose_web_steps()
    assert gunicorn == image_steps.image_cmd()


def test_the_images_python_is_the_one_the_tests_run_on():
    # The smoke test runs the image's steps with this interpreter; the image's base must be its version.
    base = STAGES[0].base
    assert re.match(r"python:(\d+\.\d+)", base), base
    assert base.split(":")[1].startswith(f"{sys.version_info[0]}.{sys.version_info[1]}-")


def test_the_image_gets_every_python_package_at_the_version_ci_tests():
    runtime, dev = pins("runtime.txt"), pins("dev.txt")
    assert runtime, "requirements/runtime.txt pins nothing"
    differ = {name: (version, dev.get(name)) for name, version in runtime.items() if dev.get(name) != version}
    assert not differ, f"runtime.txt -> dev.txt versions differ (run `make lock`): {differ}"


def test_the_load_test_packages_keep_the_versions_ci_tests():
    load, dev = pins("load.txt"), pins("dev.txt")
    differ = {name: (version, load.get(name)) for name, version in dev.items() if load.get(name) != version}
    assert not differ, f"dev.txt -> load.txt versions differ (run `make lock`): {differ}"


def test_the_uv_that_installs_is_the_one_ci_tests():
    # pip installs uv from uv.txt first (make install, the image); it is dev.txt's uv, and only that.
    uv = pins("uv.txt")
    assert list(uv) == ["uv"], f"requirements/uv.txt pins {sorted(uv)}, not uv alone"
    assert uv["uv"] == pins("dev.txt")["uv"], "uv.txt's uv is not dev.txt's (run `make lock`)"


def test_celery_keeps_python_dateutil_2():
    assert pins("runtime.txt")["python-dateutil"].startswith("2.")


def test_every_npm_package_the_settings_serve_is_a_runtime_dependency():
    # The image installs `npm ci --omit=dev`: a package the settings serve static files from must not
    # be a devDependency (only the browser tests' axe-core is).
    package = json.loads((ROOT / "package.json").read_text())
    served = set()
    for entry in settings.STATICFILES_DIRS:
        path = Path(str(entry[1] if isinstance(entry, tuple) else entry))
        if "node_modules" in path.parts:
            parts = path.parts[path.parts.index("node_modules") + 1 :]
            served.add("/".join(parts[:2]) if parts[0].startswith("@") else parts[0])
    assert served, "no STATICFILES_DIRS entry under node_modules"
    assert served <= set(package["dependencies"]), served - set(package["dependencies"])
    assert not served & set(package.get("devDependencies", {}))


def test_the_pre_commit_hooks_run_what_make_lint_runs():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook), hook
        assert hook["language"] == "system" and hook["pass_filenames"] is False, hook
    # A hook may set variables first (`env DEBUG=true ...`), as make exports DEBUG=true.
    entries = [re.sub(r"^env (\w+=\S+ )+", "", hook["entry"]) for hook in hooks]
    assert sorted(entries) == sorted(make_recipe("lint")), (
        "Make .pre-commit-config.yaml's hooks run the commands of `make lint`"
    )


def test_the_build_context_leaves_out_what_dockerignore_lists():
    files = image_steps.context_files()
    assert "orderctl/settings/__init__.py" in files
    assert "requirements/runtime.txt" in files
    assert "scripts/build-static" in files
    assert not [f for f in files if f.startswith(("tests/", "docs/", "bench/", ".git/"))]


def test_a_cache_mount_is_the_same_folder_under_this_machines_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    run = image_steps.Instruction("RUN", "--mount=type=cache,target=/root/.cache/uv  uv pip install x", 1)
    assert image_steps.run_flags(run) == ({"/root/.cache/uv": tmp_path / ".cache" / "uv"}, "uv pip install x")
    assert image_steps.run_flags(image_steps.Instruction("RUN", "pip install x", 2)) == ({}, "pip install x")


@pytest.mark.parametrize(
    "flags",
    ["--mount=type=secret,id=token", "--mount=type=cache,target=/var/cache/apt", "--network=none"],
)
def test_a_run_flag_the_smoke_test_cannot_carry_out_is_refused(flags):
    with pytest.raises(NotImplementedError, match="--mount=type=cache under /root only"):
        image_steps.run_flags(image_steps.Instruction("RUN", f"{flags} make", 3))


def test_a_dockerignore_pattern_matches_as_docker_matches_it():
    pycache = image_steps.dockerignore_regex("**/__pycache__")
    assert pycache.match("__pycache__")
    assert pycache.match("orderctl/__pycache__")
    assert not pycache.match("orderctl/__pycache__x")
    env_files = image_steps.dockerignore_regex(".env.*")
    assert env_files.match(".env.local")
    assert not env_files.match("sub/.env.local")  # no ** : the top folder only
    assert not image_steps.dockerignore_regex("*.egg-info").match("a/b.egg-info")


def test_a_run_line_is_split_at_each_and_outside_quotes():
    assert image_steps.and_list("""a 'b && c' && d "e && f" &&g""") == ["a 'b && c'", 'd "e && f"', "g"]


def test_the_only_throwaway_key_is_on_the_static_build_scripts_collectstatic_line():
    in_dockerfile = [str(i) for stage in STAGES for i in stage.instructions if "SECRET_KEY" in i.args]
    assert not in_dockerfile
    script = (ROOT / "scripts" / "build-static").read_text().splitlines()
    lines = [line.strip() for line in script if "SECRET_KEY=" in line]
    assert len(lines) == 1 and lines[0].startswith("env -u DEBUG SECRET_KEY="), lines


# The packages and scripts mypy checks ([tool.mypy] files in pyproject.toml).
TYPED = ("orderctl", "agencies", "directives", "ledger", "uswds", "tests", "bench", "load", "eval", "scripts")
_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")


def test_every_type_ignore_names_its_error_and_says_why_on_the_line():
    # mypy refuses an ignore without an error code (ignore-without-code) and one that silences nothing
    # (warn_unused_ignores); the reason is for the reader, and this holds every ignore to giving one.
    unexplained = []
    for folder in TYPED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                found = _IGNORE.search(line)
                if found and not re.fullmatch(r"\[[a-z-]+(, [a-z-]+)*\]\s+#\s*\S.*", found["rest"]):
                    unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, "Name the error code and say why on the line:\n" + "\n".join(unexplained)


def test_mypy_checks_the_folders_the_ignore_rule_covers():
    files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"]
    checked = {entry.split("/")[0] for entry in files} - {"manage.py"}
    assert checked == set(TYPED)
