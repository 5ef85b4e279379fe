"""Every code example in README.md and docs/*.md runs, and says what it shows.

- ```python blocks of a page run in order in one namespace, in the page's own interpreter (a
  child process, so what an example registers or caches stays out of the test process), in a
  temporary working directory with its own ``DATAWARD_HOME`` and a copy of the bundled samples
  at ``src/dataward/samples/``. Their asserts must hold, and so must the outputs they show
  as comments: a comment right after an expression (``dw.detect(text)  # [Finding(...)]``, or
  on the next lines), after an assignment (``t = op.apply(v)  # 'tok_1_…'``) or after a
  ``print(...)`` is compared with the value's ``repr`` (the printed text for ``print``);
  ``…`` and ``...`` stand for anything, whitespace is free. Only comments that look like a
  value are compared (a quote, bracket, ``True``/``False``/``None``, a number followed by
  nothing else, or ``Name(``); prose comments are not.
- ```bash, ```sh and ```console blocks run their commands in the same directory: ``dataward``
  commands in-process through the real console entry point (simple ones) or through bash with
  the virtualenv's ``dataward`` first on ``PATH``; every command must exit 0. In ```console
  blocks (and untagged blocks that start with ``$ ``) only ``$ `` lines are commands (the rest
  is shown output); ``NAME=value`` and ``export NAME=value`` carry over to later commands. ``dataward serve`` starts
  a real server on a free port (the page's ``127.0.0.1:8421`` is rewritten to it), and ``curl``
  runs with ``--fail-with-body`` so an answer outside 2xx fails the block.
- A block that cannot run here says why, visibly, in the markdown just before it:
  ``<!-- not-run: reason -->``. ``test_not_run_blocks_are_few`` lists them with their reasons.
- ```yaml examples parse, and a ``dataward.yaml`` example is valid settings.
- The layer table of docs/architecture.md holds: no import goes up a layer but the listed ones.
- Blocks are test ids ``page:index:line``. A page's blocks share one working directory per
  test process; a block whose page state is missing (xdist sent it elsewhere) replays the
  page's earlier blocks first.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tokenize
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUNNABLE = {"python", "bash", "sh", "console"}
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>.+?)\s*-->")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
DOCS_PORT = "127.0.0.1:8421"
VENV_BIN = Path(sys.executable).parent
MAX_NOT_RUN = 6


@dataclass(frozen=True)
class Block:
    page: str  # relative to the repository
    index: int  # among the page's runnable blocks
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    not_run: str | None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.index}:L{self.line}"


def parse_blocks(path: Path) -> list[Block]:
    """The page's runnable fenced blocks, each with the not-run reason written before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group("indent"))
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        lang = m.group("lang").lower()
        if not lang and lines[i + 1 : i + 2] and lines[i + 1].strip().startswith("$ "):
            lang = "console"  # an untagged block of shell commands is a console example
        if lang in RUNNABLE:
            before = next((s for s in reversed(lines[:i]) if s.strip()), "")
            reason = NOT_RUN.search(before)
            code = "\n".join(s[indent:] for s in lines[i + 1 : end]) + "\n"
            blocks.append(
                Block(
                    path.relative_to(REPO).as_posix(),
                    len(blocks),
                    i + 1,
                    lang,
                    code,
                    reason.group("reason") if reason else None,
                )
            )
        i = end + 1
    return blocks


ALL_BLOCKS = [b for page in PAGES for b in parse_blocks(page)]


# --- output comments -------------------------------------------------------------------------

_VALUE_START = re.compile(r"""^(?:['"\[{(]|True\b|False\b|None\b|-?\d[\d.]*$|[A-Z]\w*\()""")


def _comments(source: str) -> dict[int, tuple[str, bool]]:
    """line -> (comment text without '#', whole line?)"""
    out: dict[int, tuple[str, bool]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            whole = not tok.line[: tok.start[1]].strip()
            out[tok.start[0]] = (tok.string[1:].strip(), whole)
    return out


def _expected_output(
    stmt: ast.stmt, comments: dict[int, tuple[str, bool]], printed: bool
) -> str | None:
    """The output a comment shows for ``stmt``, or None when its comments are prose. A
    ``print`` shows its text on the lines below it; a value shows on its line or below."""
    end = stmt.end_lineno or stmt.lineno
    inline = comments.get(end)
    if inline and not inline[1]:
        text = inline[0]
    elif isinstance(stmt, ast.Expr):
        texts = []
        line = end + 1
        while line in comments and comments[line][1]:
            texts.append(comments[line][0])
            line += 1
        if printed and texts:
            return " ".join(texts)
        text = " ".join(texts)
    else:
        return None
    if not _VALUE_START.match(text):
        return None
    if text[0] in "'\"":  # a string, then maybe prose: "'tok_1_…', reversible"
        return text[: text.index(text[0], 1) + 1] if text.count(text[0]) >= 2 else None
    word = re.match(r"^(True|False|None)\b", text)
    if word:
        return word.group(1)
    return re.split(r"\s+—\s+", text)[0]  # "{...} — what it means"


def _matches(expected: str, actual: str) -> bool:
    pattern = ""
    for part in re.split(r"(…|\.\.\.|\s+)", expected.strip()):
        if part in ("…", "..."):
            pattern += ".*?"
        elif part.isspace():
            pattern += r"\s*"
        elif part:
            pattern += r"\s*".join(re.escape(c) for c in part)
    return re.fullmatch(pattern, actual.strip(), re.DOTALL) is not None


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    tree = ast.parse(block.code, filename=block.id)
    comments = _comments(block.code)
    for stmt in tree.body:
        where = f"{block.id} (line {block.line + stmt.lineno})"
        printed = (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name)
            and stmt.value.func.id == "print"
        )
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            if isinstance(stmt, ast.Expr):
                code = compile(ast.Expression(stmt.value), where, "eval")
                value = eval(code, namespace)
            else:
                code = compile(ast.Module([stmt], []), where, "exec")
                exec(code, namespace)
                value = None
        sys.stdout.write(out.getvalue())
        expected = _expected_output(stmt, comments, printed)
        if expected is None:
            continue
        if printed:
            actual = out.getvalue()
        elif isinstance(stmt, ast.Expr):
            actual = repr(value)
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            actual = repr(namespace[stmt.targets[0].id])
        else:
            continue
        assert _matches(expected, actual), (
            f"{where}: the page shows {expected!r}, the code gives {actual!r}"
        )


# --- shell -----------------------------------------------------------------------------------


def split_commands(block: Block) -> list[str]:
    """Commands of a shell block: ``$ `` lines in console blocks (with their continuation lines
    and here-documents), every line in bash blocks, joined across ``\\`` and open quotes."""
    lines = block.code.splitlines()
    commands: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if block.lang == "console":
            if not line.startswith("$ "):
                continue
            line = line[2:]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command = line
        while True:
            heredoc = re.search(r"<<-?\s*'?(\w+)'?", command)
            complete = True
            try:
                shlex.split(command, comments=True)
            except ValueError:
                complete = False
            if complete and not command.endswith("\\") and not heredoc:
                break
            if heredoc and complete and not command.endswith("\\"):
                marker = heredoc.group(1)
                while i < len(lines) and lines[i].strip() != marker:
                    command += "\n" + lines[i]
                    i += 1
                command += "\n" + marker
                i += 1
                break
            if i >= len(lines):
                break
            command += "\n" + lines[i]
            i += 1
        commands.append(command)
    return commands


_SHELL_SYNTAX = re.compile(r"[|<>;&$`*?]|\bexport\b")


def _in_process(argv: list[str]) -> tuple[int, str, str]:
    """Run the real console entry point in this (the page's) process."""
    from dataward.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["dataward", *argv]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    return code, out.getvalue(), err.getvalue()


def serve_page() -> None:
    """The page's own interpreter (``python tests/test_docs_run.py``): one request per stdin
    line, ``{"python": BLOCK}`` or ``{"cli": ARGV}``, one JSON reply per line. A fresh process
    per page keeps what the examples register or cache out of the test process."""
    reply = sys.stdout
    sys.stdout = sys.stderr
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for line in sys.stdin:
        request = json.loads(line)
        out = io.StringIO()
        try:
            if "python" in request:
                block = Block(**request["python"])
                with contextlib.redirect_stdout(out):
                    run_python(block, namespace)
                answer: dict[str, Any] = {"ok": True, "out": out.getvalue()}
            else:
                code, stdout, stderr = _in_process(request["cli"])
                answer = {"ok": True, "code": code, "out": stdout, "err": stderr}
        except BaseException:
            answer = {"ok": False, "error": traceback.format_exc(limit=-6), "out": out.getvalue()}
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


@dataclass
class Page:
    """What a page's blocks share: a working directory and home, its interpreter, variables
    and servers."""

    root: Path
    env: dict[str, str]
    done: int = 0  # blocks run so far
    address: str = DOCS_PORT
    child: subprocess.Popen[str] | None = None
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.child is None or self.child.poll() is not None:
            with (self.root / "interpreter.log").open("ab") as log:
                self.child = subprocess.Popen(
                    [sys.executable, __file__],
                    cwd=self.root,
                    env=self.env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write(json.dumps(request) + "\n")
        self.child.stdin.flush()
        ready, _, _ = select.select([self.child.stdout], [], [], 300)
        line = self.child.stdout.readline() if ready else ""
        if not line:
            log = (self.root / "interpreter.log").read_text(errors="replace")
            self.child.kill()
            self.child.wait()
            pytest.fail(f"the page's interpreter died or hung:\n{log[-3000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def processes(self) -> list[subprocess.Popen[Any]]:
        """Everything the page started, told to end (the page's interpreter at the end of its
        input, servers by SIGTERM); :func:`_end` waits for them."""
        started: list[subprocess.Popen[Any]] = [*self.servers]
        for server in self.servers:
            server.terminate()
        if self.child is not None:
            assert self.child.stdin is not None and self.child.stdout is not None
            self.child.stdin.close()
            self.child.stdout.close()
            started.append(self.child)
        self.child = None
        self.servers = []
        return started

    def stop(self) -> None:
        _end(self.processes())


def _end(processes: list[subprocess.Popen[Any]]) -> None:
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(page: Page, argv: list[str], where: str) -> None:
    """``dataward serve ...``: start it on a free port, wait until it answers, keep it for the
    page (stopped when the tests end)."""
    import httpx

    port = _free_port()
    if "--port" in argv:
        argv[argv.index("--port") + 1] = str(port)
    else:
        argv += ["--port", str(port)]
    log = page.root / f"server-{port}.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(VENV_BIN / "dataward"), *argv],
            cwd=page.root,
            env=page.env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    page.servers.append(server)
    page.address = f"127.0.0.1:{port}"
    for _ in range(1800):  # a loaded 2-core machine took 77 s to start two workers
        if server.poll() is not None:
            text = log.read_text(errors="replace")
            pytest.fail(f"{where}: `dataward {' '.join(argv)}` exited: {text[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://{page.address}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"{where}: `dataward serve` did not answer /health within 180 s")


def run_command(page: Page, command: str, where: str) -> None:
    command = command.replace(DOCS_PORT, page.address)
    simple: list[str] | None = None
    if not _SHELL_SYNTAX.search(command.split(" #", 1)[0]):
        with contextlib.suppress(ValueError):
            simple = shlex.split(command.replace("\\\n", " "), comments=True)
    if simple and Path(simple[0]).name == "dataward":
        if simple[1:2] == ["serve"]:
            _serve(page, simple[1:], where)
            return
        answer = page.ask({"cli": simple[1:]})
        if not answer["ok"]:
            pytest.fail(f"{where}: `{command}` raised:\n{answer['error']}")
        sys.stdout.write(answer["out"])
        assert answer["code"] == 0, (
            f"{where}: `{command}` exited {answer['code']}:\n{answer['err'][-3000:]}\n"
            f"{answer['out'][-2000:]}"
        )
        return
    export = re.fullmatch(r"(?:export )?([A-Za-z_]\w*)=(\S.*)", command.strip(), re.DOTALL)
    script = command
    if export:  # run it, then keep the variable for the page
        script = f'{command}\nprintf "%s" "${export.group(1)}"'
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=page.root,
        env={"URL": f"http://{page.address}", **page.env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    sys.stdout.write(done.stdout)
    assert done.returncode == 0, (
        f"{where}: `{command}` exited {done.returncode}:\n{done.stderr[-3000:]}\n"
        f"{done.stdout[-2000:]}"
    )
    if export:
        page.env[export.group(1)] = done.stdout


def run_block(block: Block, page: Page) -> None:
    if block.lang == "python":
        answer = page.ask({"python": asdict(block)})
        sys.stdout.write(answer["out"])
        if not answer["ok"]:
            pytest.fail(f"{block.id} failed:\n{answer['error']}", pytrace=False)
        return
    for command in split_commands(block):
        run_command(page, command, block.id)


# --- the tests -------------------------------------------------------------------------------

_PAGES: dict[str, Page] = {}

CURL_FAILS = 'curl() { command curl --fail-with-body --silent --show-error "$@"; }\n'


@pytest.fixture(scope="session")
def _docs_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("docs")
    (root / "bashenv").write_text(CURL_FAILS)
    yield root
    _end([p for page in _PAGES.values() for p in page.processes()])  # all at once
    _PAGES.clear()


def _page(block: Block, root: Path, cache_dir: str) -> Page:
    page = _PAGES.get(block.page)
    if page is None or page.done > block.index:
        if page is not None:
            page.stop()
        folder = root / block.page.replace("/", "_").removesuffix(".md")
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        samples = REPO / "src" / "dataward" / "samples"  # the bundled samples, where the docs say
        shutil.copytree(samples, folder / "src" / "dataward" / "samples")
        env = {
            **os.environ,
            "DATAWARD_HOME": str(folder / ".dataward"),
            "DATAWARD_CACHE_DIR": cache_dir,
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "BASH_ENV": str(root / "bashenv"),
            "HOME": str(folder),
        }
        for name in ("DATAWARD_DATABASE_URL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        page = Page(folder, env)
        _PAGES[block.page] = page
    return page


SERVED_PAGES = {
    b.page for b in ALL_BLOCKS if re.search(r"^\s*(\$ )?dataward serve\b", b.code, re.M)
}


@pytest.mark.parametrize(
    "block",
    [  # a page that starts `dataward serve` waits for a real server: seconds, more when loaded
        pytest.param(b, id=b.id, marks=[pytest.mark.slow] if b.page in SERVED_PAGES else [])
        for b in ALL_BLOCKS
    ],
)
def test_docs_block_runs(block: Block, _docs_root: Path, _pattern_cache: Path) -> None:
    if block.not_run:
        pytest.skip(f"marked not-run: {block.not_run}")
    page = _page(block, _docs_root, str(_pattern_cache))
    page_blocks = [b for b in ALL_BLOCKS if b.page == block.page]
    while page.done < block.index:  # replay what this process has not run for the page
        earlier = page_blocks[page.done]
        page.done += 1
        if not earlier.not_run:
            with contextlib.suppress(BaseException):
                run_block(earlier, page)
    page.done = block.index + 1
    run_block(block, page)


def test_not_run_blocks_are_few() -> None:
    """The blocks the docs mark as not run, with their reasons; the list stays short."""
    skipped = [f"{b.id}: {b.not_run}" for b in ALL_BLOCKS if b.not_run]
    print("\n".join(skipped))
    assert len(skipped) <= MAX_NOT_RUN, "\n".join(skipped)


def test_every_runnable_fence_is_found() -> None:
    """The parser sees every fenced block of a runnable language (a fence it missed would leave
    an example silently untested)."""
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        fences = re.findall(r"^\s*```(?:python|bash|sh|console|\n\s*\$ )", text, re.MULTILINE)
        page = path.relative_to(REPO).as_posix()
        assert len(fences) == sum(1 for b in ALL_BLOCKS if b.page == page), page


if __name__ == "__main__":
    serve_page()


def _registry_errors() -> list[str]:
    """The message of an unknown name, for every kind of registry Dataward has."""
    from dataward.detect.custom import validators
    from dataward.detect.registry import detectors
    from dataward.errors import UnknownNameError
    from dataward.policy.loader import PACKS
    from dataward.protect.base import operators
    from dataward.sources.base import sources
    from dataward.taxonomy import taxonomy

    messages = []
    for lookup in (
        detectors.get,
        operators.get,
        sources.get,
        validators.get,
        taxonomy().get,
        lambda name: (_ for _ in ()).throw(UnknownNameError("policy pack", name, PACKS)),
    ):
        with pytest.raises(UnknownNameError) as caught:
            lookup("no-such-name")
        messages.append(str(caught.value))
    return messages


def test_error_messages_name_only_commands_that_exist() -> None:
    """An unknown detector, operator, source, validator, entity or policy pack points to a
    command that exists (it pointed to `dataward operators`, which never did)."""
    import typer

    from dataward.cli.main import app

    root = typer.main.get_command(app)
    for message in _registry_errors():
        for command in re.findall(r"`dataward ([a-z -]+)`", message):
            group: Any = root
            for word in command.split():
                found = None
                if hasattr(group, "get_command"):  # a command group
                    found = group.get_command(group.context_class(group), word)
                assert found is not None, f"{message}: `dataward {command}` does not exist"
                group = found


# --- the layers of docs/architecture.md ------------------------------------------------------

ARCHITECTURE = REPO / "docs" / "architecture.md"


def _layers() -> tuple[dict[str, int], set[tuple[str, str]]]:
    """The layer of each top-level module (from the page's ```text table) and the exceptions
    it lists (``- `a` → `b`: why``)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = re.search(r"## Layers.*?```text\n(.*?)```", text, re.DOTALL)
    assert table, "docs/architecture.md has no layer table"
    layers = {}
    for line in table.group(1).splitlines():
        number, *names = line.split()
        layers.update(dict.fromkeys(names, int(number)))
    exceptions = set(re.findall(r"^- `(dataward[\w.]*)` → `(dataward[\w.]*)`", text, re.M))
    return layers, exceptions


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "dataward"


def test_imports_follow_the_layers_of_the_architecture_page() -> None:
    """No module imports one of a higher layer (imports inside functions count), except the
    few the page lists; every top-level module of src/dataward has a layer."""
    from tests.test_imports import import_graph

    layers, exceptions = _layers()
    graph, where = import_graph()
    unplaced = sorted({_top(m) for m in graph} - set(layers))
    assert not unplaced, f"docs/architecture.md gives no layer to {unplaced}"
    upward = [
        f"{a} (layer {layers[_top(a)]}) imports {b} (layer {layers[_top(b)]}) at "
        f"{':'.join(map(str, where[(a, b)]))}"
        for a, targets in sorted(graph.items())
        for b in sorted(targets)
        if layers[_top(b)] > layers[_top(a)] and (a, b) not in exceptions
    ]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)
    stale = sorted(e for e in exceptions if e[1] not in graph.get(e[0], set()))
    assert not stale, f"docs/architecture.md lists exceptions that no longer exist: {stale}"


# --- configuration examples ------------------------------------------------------------------


def _yaml_blocks() -> list[tuple[str, int, str]]:
    found = []
    for path in PAGES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = FENCE.match(line)
            if m and m.group("lang") == "yaml":
                end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
                indent = len(m.group("indent"))
                body = "\n".join(s[indent:] for s in lines[i + 1 : end])
                found.append((path.relative_to(REPO).as_posix(), i + 1, body))
    return found


YAML_BLOCKS = _yaml_blocks()


@pytest.mark.parametrize(
    ("page", "line", "body"), YAML_BLOCKS, ids=[f"{p}:L{n}" for p, n, _ in YAML_BLOCKS]
)
def test_yaml_example_is_valid(page: str, line: int, body: str, tmp_path: Path) -> None:
    """Every YAML example parses, and one that is a ``dataward.yaml`` (its keys are settings
    sections) is valid settings: a misspelt key in the docs fails here as it would for users."""
    import yaml

    from dataward.settings import Settings, load_settings

    doc = yaml.safe_load(body)
    if not isinstance(doc, dict) or not set(doc) <= set(Settings.model_fields):
        return
    settings = load_settings(home=tmp_path, **doc)
    if settings.protect:
        from dataward.protect.config import parse_config

        parse_config(settings.protect)
