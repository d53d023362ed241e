"""The image's steps outside Docker: the Dockerfile read and carried out in folders, as CI can.

There is no Docker daemon in CI, so the production smoke test (``tests/test_production_smoke.py``) reads
the Dockerfile and does what it says where that can be done without one:

- each build stage gets a folder that stands for its ``/app``; ``FROM`` an earlier stage starts from a
  copy of that stage's folder;
- ``COPY`` from the build context copies the project's files as ``docker build`` would send them (those
  git knows of, less what ``.dockerignore`` excludes); ``COPY --from=<stage>`` copies from that stage's
  folder;
- ``RUN`` lines run as written, with ``sh -c`` in the stage's folder, the stage's ``ENV`` and the
  image's Python (a virtualenv of this interpreter, so ``pip`` installs into it) first on ``PATH``;
  ``/app`` in a command or a variable is read as the stage's folder;
- what sets up the operating system rather than the application is left to Docker alone: ``COPY`` from
  another image (Node.js: this machine's own is used, as ``make install`` uses it) and the commands of
  a ``RUN`` line (between ``&&``) that start with one of ``SYSTEM_COMMANDS`` (packages, symlinks, the
  user the server runs as).

So a file the Dockerfile forgets to copy is missing here too, and the static files are built by the same
script, from the same lock files, as in the image.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = "/app"
# RUN lines starting with these set up the operating system (packages, links under /usr, the user the
# server runs as): they need Docker's root file system, and this machine has its own.
SYSTEM_COMMANDS = ("apt-get", "ln", "useradd", "groupadd", "chown")
# Variables of this machine that its tools need (certificates, proxies, locale) or that move the clock
# of every process (faketime, for `make test-future`); nothing else of the caller's environment (its
# DEBUG, DATABASE_URL ...) reaches the image's steps.
PASSED_THROUGH = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS")
PASSED_THROUGH_PREFIXES = ("PIP_", "NPM_CONFIG_", "npm_config_")
CLOCK_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_NO_CACHE", "DONT_FAKE_MONOTONIC")


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int

    def __str__(self) -> str:
        return f"Dockerfile:{self.line}: {self.keyword} {self.args}"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None


def parse_dockerfile(text: str) -> list[Stage]:
    """Return the build stages of a Dockerfile, each with its instructions (continuations joined)."""
    stages: list[Stage] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.lstrip().startswith("#") or (not raw.strip() and not pending):
            continue  # Docker drops comment lines, inside a continued instruction too
        if not pending:
            start = number
        pending.append(raw.rstrip())
        if pending[-1].endswith("\\"):
            pending[-1] = pending[-1][:-1]
            continue
        keyword, _, args = " ".join(part.strip() for part in pending).partition(" ")
        pending = []
        instruction = Instruction(keyword.upper(), args.strip(), start)
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif not stages:
            raise ValueError(f"{instruction}: before the first FROM")
        else:
            stages[-1].instructions.append(instruction)
    return stages


def exec_form(args: str) -> list[str]:
    """Return the argument list of an instruction in exec (JSON) form, e.g. CMD ["gunicorn", ...]."""
    value = json.loads(args)
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError(f"not a JSON list of strings: {args}")
    return value


def healthcheck_command(stage: Stage) -> list[str]:
    """Return the command of the stage's HEALTHCHECK (its CMD in exec form)."""
    instruction = stage.last("HEALTHCHECK")
    if instruction is None:
        raise ValueError("the image has no HEALTHCHECK")
    _, _, command = instruction.args.partition("CMD ")
    return exec_form(command)


def image_cmd(dockerfile: Path = ROOT / "Dockerfile") -> list[str]:
    """Return the image's CMD: the last stage's, in exec form."""
    cmd = parse_dockerfile(dockerfile.read_text())[-1].last("CMD")
    if cmd is None:
        raise ValueError("the image has no CMD")
    return exec_form(cmd.args)


def compose_web_steps(compose_file: Path = ROOT / "docker-compose.yml") -> tuple[list[str], list[str]]:
    """Return the start-up commands (the ``migrate`` service's) and the ``web`` service's server command.

    docker-compose.yml runs ``sh -c "step && step && step"`` in the one-shot migrate service, as the
    database's owner, then the web service's command (exec form), as the application's role.
    """
    compose = yaml.safe_load(compose_file.read_text())
    shell, flag, script = compose["services"]["migrate"]["command"]
    if (shell, flag) != ("sh", "-c"):
        raise ValueError("the migrate service's command is not sh -c '...'")
    # docker-compose turns "$$" into "$" before the container's shell sees it (and expands "${X}" from
    # .env, which the script does not use).
    script = script.replace("$$", "$")
    server = compose["services"]["web"]["command"]
    if not isinstance(server, list):
        raise ValueError("the web service's command is not in exec form")
    return and_list(script), [str(part) for part in server]


# --- The build context: the files `docker build .` sends.
def dockerignore_regex(pattern: str) -> re.Pattern:
    """Translate a .dockerignore pattern (Go's filepath.Match with ``*`` and ``?``, plus ``**``)."""
    segments = pattern.strip("/").split("/")
    regex = ""
    for number, segment in enumerate(segments, start=1):
        last = number == len(segments)
        if segment == "**":
            regex += ".*" if last else "(?:.*/)?"
        else:
            regex += re.escape(segment).replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + ("" if last else "/")
    return re.compile(regex + r"\Z")


def context_files(root: Path = ROOT) -> list[str]:
    """Return the paths (relative, with /) that a build context of ``root`` holds.

    The files git knows of (tracked, or new and not ignored: a clean clone holds exactly these besides
    what `make install` creates), less those .dockerignore excludes. A pattern also excludes what lies
    under a directory it matches; the last pattern that matches a path decides, ``!`` re-including.
    """
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607 - git on PATH
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode()
    rules = []
    ignore = root / ".dockerignore"
    for raw in ignore.read_text().splitlines() if ignore.exists() else []:
        line = raw.strip()
        if line and not line.startswith("#"):
            include = line.startswith("!")
            rules.append((include, dockerignore_regex(line.lstrip("!"))))
    kept = []
    for path in filter(None, listed.split("\0")):
        if not (root / path).is_file():
            continue  # deleted in the work tree but not yet in git
        prefixes = ["/".join(path.split("/")[: n + 1]) for n in range(path.count("/") + 1)]
        excluded = False
        for include, regex in rules:
            if any(regex.match(prefix) for prefix in prefixes):
                excluded = not include
        if not excluded:
            kept.append(path)
    return kept


# --- Carrying the stages out.
@dataclass
class StageResult:
    stage: Stage
    folder: Path
    env: dict[str, str]  # the stage's ENV, as written (with /app)


@dataclass
class Build:
    """The build's outcome: each stage's folder and environment, and what was left to Docker."""

    stages: list[StageResult]
    python_bin: Path
    left_to_docker: list[str]

    @property
    def image(self) -> StageResult:
        """Return the last stage: the image itself."""
        return self.stages[-1]

    def env(self, **extra: str) -> dict[str, str]:
        """Return the environment of the image's processes: its ENV, its Python first on PATH, ``extra``."""
        return {**process_env(self.image, self.python_bin, clock=True), **extra}


def machine_env(*, clock: bool) -> dict[str, str]:
    """Return what the image's steps keep of this process's environment (see ``PASSED_THROUGH``)."""
    keep = {
        name: value
        for name, value in os.environ.items()
        if name in PASSED_THROUGH
        or name.startswith(PASSED_THROUGH_PREFIXES)
        or name.lower().endswith("_proxy")
    }
    if clock:
        keep.update({name: os.environ[name] for name in CLOCK_VARIABLES if name in os.environ})
    return keep


def process_env(result: StageResult, python_bin: Path, *, clock: bool) -> dict[str, str]:
    """Return the environment a process of ``result``'s stage gets: its ENV with /app read as its folder."""
    return {
        **machine_env(clock=clock),
        **{name: in_folder(value, result.folder) for name, value in result.env.items()},
        "PATH": f"{python_bin}:{os.environ['PATH']}",
    }


def in_folder(value: str, folder: Path) -> str:
    """Read an absolute /app path (alone, or in a colon-separated list) as ``folder``."""
    return ":".join(
        str(folder) + part[len(WORKDIR) :] if part == WORKDIR or part.startswith(WORKDIR + "/") else part
        for part in value.split(":")
    )


def in_folder_text(command: str, folder: Path) -> str:
    """Read every absolute /app path in a shell command as ``folder``."""
    return re.sub(r"(?<![\w/.-])/app(?=/|\s|$)", str(folder), command)


def and_list(command: str) -> list[str]:
    """Split a shell command at each ``&&`` outside quotes: ``a && 'b && c'`` -> ``a``, ``'b && c'``."""
    parts, current, quote, i = [], "", None, 0
    while i < len(command):
        char = command[i]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif command.startswith("&&", i):
            parts.append(current.strip())
            current, i = "", i + 2
            continue
        current += char
        i += 1
    return [*parts, current.strip()]


def run_flags(instruction: Instruction) -> tuple[dict[str, Path], str]:
    """Return a RUN's cache mounts (target -> this machine's folder for it) and the command after them.

    BuildKit's ``--mount=type=cache,target=/root/...`` keeps a folder of the builder's between builds,
    outside the image. Here this machine builds, as its own user rather than root: the folder is the
    same path under its home (``/root/.cache/uv`` -> ``~/.cache/uv``, which the tool finds there since
    HOME passes through; for uv it is the cache `make install` fills). Other flags are not understood.
    """
    rest = instruction.args.strip()
    mounts: dict[str, Path] = {}
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        rest = rest.lstrip()
        options = dict(part.partition("=")[::2] for part in flag.removeprefix("--mount=").split(","))
        target = options.get("target") or options.get("dst") or options.get("destination", "")
        cache = flag.startswith("--mount=") and options.get("type") == "cache"
        if not (cache and target.startswith("/root/")):
            understood = "--mount=type=cache under /root only"
            raise NotImplementedError(f"{instruction}: the smoke test understands {understood}")
        mounts[target] = Path(os.environ["HOME"]) / target.removeprefix("/root/")
    return mounts, rest


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _copy_instruction(instruction: Instruction, folder: Path, files: list[str], stages: dict) -> bool:
    """Carry out a COPY into ``folder``; return False when it copies from another image (left to Docker)."""
    words = shlex.split(instruction.args)
    flags = [w for w in words if w.startswith("--")]
    *sources, dest = [w for w in words if not w.startswith("--")]
    origin = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
    if any(not f.startswith("--from=") for f in flags):
        raise NotImplementedError(f"{instruction}: the smoke test understands --from only")
    if origin is not None and origin not in stages:
        return False
    destination = Path(in_folder(dest, folder)) if dest.startswith("/") else folder / dest
    into = dest.endswith("/") or len(sources) > 1  # the destination is a folder to copy files into

    for source in sources:
        if origin is not None:
            path = Path(in_folder(source, stages[origin].folder))
            if not path.exists():
                raise FileNotFoundError(f"{instruction}: stage {origin} has no {source}")
            _copy(path, destination / path.name if into and path.is_file() else destination)
            continue
        source = source.strip("/")
        if source in files:
            _copy(ROOT / source, destination / Path(source).name if into else destination)
            continue
        under = [f for f in files if source == "." or f.startswith(source + "/")]
        if not under:
            raise FileNotFoundError(f"{instruction}: the build context has no {source}")
        for f in under:
            _copy(ROOT / f, destination / (f if source == "." else f[len(source) + 1 :]))
    return True


def build(workdir: Path, *, dockerfile: Path = ROOT / "Dockerfile", log=print, pip: bool = True) -> Build:
    """Carry out ``dockerfile``'s stages under ``workdir`` and return the result (see the module doc).

    The image's Python is a new virtualenv of this interpreter at ``workdir/python``: the Dockerfile's
    ``pip install`` lines install into it. Raise ``subprocess.CalledProcessError`` if a step fails.
    ``pip=False`` leaves pip out of it (a Dockerfile that installs nothing: the cache's own tests), which
    saves the 3.5 s of CPU that installing pip into a virtualenv takes.
    """
    python_bin = workdir / "python" / "bin"
    venv = [sys.executable, "-m", "venv", *([] if pip else ["--without-pip"]), str(python_bin.parent)]
    subprocess.run(venv, check=True)  # noqa: S603 - our interpreter
    files = context_files()
    named: dict[str, StageResult] = {}
    done: list[StageResult] = []
    left_to_docker: list[str] = []
    for number, stage in enumerate(parse_dockerfile(dockerfile.read_text())):
        folder = workdir / f"stage-{number}-{stage.name or 'image'}"
        base = named.get(stage.base)
        if base is not None:
            shutil.copytree(base.folder, folder, symlinks=True)
        else:
            folder.mkdir(parents=True)
            left_to_docker.append(f"FROM {stage.base} (its Python: a virtualenv of this machine's)")
        result = StageResult(stage=stage, folder=folder, env=dict(base.env) if base else {})
        for instruction in stage.instructions:
            keyword, args = instruction.keyword, instruction.args
            if keyword == "WORKDIR" and args != WORKDIR:
                raise NotImplementedError(f"{instruction}: the smoke test lays out {WORKDIR} only")
            elif keyword == "ENV":
                result.env.update(pair.partition("=")[::2] for pair in shlex.split(args))
            elif keyword == "COPY":
                if not _copy_instruction(instruction, folder, files, named):
                    left_to_docker.append(f"{instruction} (from another image: this machine's own)")
            elif keyword == "RUN":
                mounts, args = run_flags(instruction)
                if args.startswith("["):
                    raise NotImplementedError(f"{instruction}: write RUN in shell form")
                for target, here in mounts.items():
                    here.mkdir(parents=True, exist_ok=True)
                    left_to_docker.append(f"{instruction.line}: RUN --mount cache {target}: {here}")
                parts = and_list(args)
                system = [part for part in parts if part.split()[0] in SYSTEM_COMMANDS]
                if system:
                    left_to_docker.append(f"{instruction.line}: RUN {' && '.join(system)}")
                command = " && ".join(in_folder_text(part, folder) for part in parts if part not in system)
                if not command:
                    continue
                log(f"[{stage.name or 'image'}] RUN {command}")
                # Built today, whatever clock the tests run with (faketime would fail TLS to the registries).
                env = process_env(result, python_bin, clock=False)
                # The Dockerfile's own line, run as docker build runs it.
                subprocess.run(["sh", "-c", command], cwd=folder, env=env, check=True, timeout=900)  # noqa: S603, S607
            elif keyword not in ("WORKDIR", "USER", "EXPOSE", "HEALTHCHECK", "CMD", "LABEL"):
                raise NotImplementedError(f"{instruction}: not understood by the smoke test")
        done.append(result)
        if stage.name:
            named[stage.name] = result
    return Build(stages=done, python_bin=python_bin, left_to_docker=left_to_docker)


# --- One build for a whole CI run.
# CI runs the suite twice (the second time with the clock moved ahead): the image is the same commit's,
# built the same way, so the second pass takes the first one's build instead of installing every package
# again. Set IMAGE_CACHE_DIR to a folder of this run (.ci/run makes one and removes it at the end); a
# build is reused only for the same Dockerfile, build context (every file and its content) and Python.
CACHE_VARIABLE = "IMAGE_CACHE_DIR"


def build_key(dockerfile: Path = ROOT / "Dockerfile", *, pip: bool = True) -> str:
    """Return a digest of what a build depends on: the Dockerfile, every context file, this Python."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode() + (b"" if pip else b" without pip") + b"\0" + dockerfile.read_bytes())
    for path in sorted(context_files()):
        digest.update(b"\0" + path.encode() + b"\0" + hashlib.sha256((ROOT / path).read_bytes()).digest())
    return digest.hexdigest()[:32]


def cached_build(
    workdir: Path, *, dockerfile: Path = ROOT / "Dockerfile", log=print, pip: bool = True
) -> Build:
    """Return ``build``'s result, built once per IMAGE_CACHE_DIR and key (see above), or fresh without it.

    The image's folder is copied into ``workdir`` for each caller, so what one run of the server writes
    (its data folder) never reaches the next: each starts from the image as built. The stages before it
    and the image's Python stay in the cache; nothing writes to them (``PYTHONDONTWRITEBYTECODE``).
    """
    cache = os.environ.get(CACHE_VARIABLE)
    if not cache:
        return build(workdir, dockerfile=dockerfile, log=log, pip=pip)
    home = Path(cache) / build_key(dockerfile, pip=pip)
    record = home / "build.pickle"
    if record.is_file():
        log(f"the image built earlier in this run, from {home}")
        made: Build = pickle.loads(record.read_bytes())  # noqa: S301 - written below, by this run
    else:
        # The virtualenv's scripts name the folder they were installed in, so the build is made where it
        # stays; the record is written last, so a build cut short is never reused (it is made again).
        shutil.rmtree(home, ignore_errors=True)
        made = build(home / "build", dockerfile=dockerfile, log=log, pip=pip)
        record.write_bytes(pickle.dumps(made))
    image = made.image
    copy = workdir / image.folder.name
    shutil.copytree(image.folder, copy, symlinks=True)
    stages = [*made.stages[:-1], StageResult(stage=image.stage, folder=copy, env=image.env)]
    return Build(stages=stages, python_bin=made.python_bin, left_to_docker=made.left_to_docker)
