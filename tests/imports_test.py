"""Every package the code and the tests import comes from requirements.txt.

A fresh machine has only what ``pip install -r requirements.txt`` brings. A package installed by
hand on a developer's machine (or left over from earlier work) would let the tests pass there and
fail everywhere else, so every ``import`` in the project is checked: each top-level module must be
in the standard library, be the project's own, or be provided by a distribution that
requirements.txt names (directly: a package that only comes in as another one's dependency may
disappear with that package's next release).

An import guarded by ``try: ... except ImportError`` in the app or a benchmark is optional (the code
runs without it). In a test it is not: a fresh machine would quietly skip what it guards.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("core", "ui", "app_pages", "tests", "bench", "deploy", "docs", "streamlit_app.py")
REQUIREMENTS = ROOT / "requirements.txt"
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
# Calls that import a module named by a string literal: the module is a dependency as much as an import statement's.
_IMPORTING_CALLS = {"import_module", "importorskip", "__import__"}


def normalise(name: str) -> str:
    """A distribution name in its canonical form (PEP 503): ``Tensorflow_CPU`` -> ``tensorflow-cpu``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def required_distributions(text: str) -> set[str]:
    """The distribution names a requirements file lists, normalised; options, extras and versions dropped."""
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match is None:
            raise ValueError(f"requirements.txt: cannot read a package name in {line!r}")
        names.add(normalise(match.group(0)))
    return names


@dataclass(frozen=True)
class Import:
    module: str  # the top-level module: ``matplotlib`` for ``import matplotlib.pyplot``
    file: Path  # relative to the project root
    line: int
    guarded: bool = False  # inside ``try:`` with an ``except ImportError``

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def imports_in(source: str, file: Path) -> list[Import]:
    """The absolute imports of one file (statements, and ``import_module``/``importorskip`` of a literal)."""
    tree = ast.parse(source, filename=str(file))
    guarded = {id(n) for t in ast.walk(tree) if _catches_import_error(t) for s in t.body for n in ast.walk(s)}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if called in _IMPORTING_CALLS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names = [arg.value]
        found += [Import(name.split(".")[0], file, node.lineno, id(node) in guarded) for name in names if name]
    return found


def _catches_import_error(node: ast.AST) -> bool:
    if not isinstance(node, ast.Try):
        return False
    for handler in node.handlers:
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(isinstance(c, ast.Name) and c.id in _IMPORT_ERRORS for c in caught):
            return True
    return False


def project_files(root: Path = ROOT) -> list[Path]:
    files = []
    for name in SOURCES:
        path = root / name
        files += sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts) if path.is_dir() else [path]
    return files


def own_modules(root: Path, file: Path) -> set[str]:
    """Names that resolve inside the project: top-level packages and modules, and a script's siblings.

    A script in a folder that is not a package (``bench/``) is run as ``python bench/x.py``, which
    puts its folder on ``sys.path``; so its neighbours import as top-level modules.
    """
    own = {p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.py"))}  # packages, namespace ones too
    own |= {p.stem for p in root.glob("*.py")}
    if not (file.parent / "__init__.py").exists():
        own |= {p.stem for p in file.parent.glob("*.py")}
    return own


def unprovided(
    imports: Iterable[Import],
    required: set[str],
    distributions: Mapping[str, list[str]],
    own: Mapping[Path, set[str]],
) -> list[str]:
    """One line per import that neither the standard library, the project nor requirements.txt provides.

    ``distributions`` maps a top-level module to the distributions that install it, as
    :func:`importlib.metadata.packages_distributions` does; ``own`` maps a file to its own modules.
    """
    problems = []
    for imp in imports:
        if imp.module in sys.stdlib_module_names or imp.module in own[imp.file]:
            continue
        if imp.guarded and imp.file.parts[0] != "tests":
            continue  # optional: the code has a fallback
        providers = sorted({normalise(d) for d in distributions.get(imp.module, [])})
        if required & set(providers):
            continue
        if providers:
            reason = f"installed here by {', '.join(providers)}, which requirements.txt does not name"
        else:
            reason = "no installed distribution provides it"
        problems.append(f"{imp}: `{imp.module}`: {reason}")
    return problems


def missing_distributions(required: Iterable[str]) -> list[str]:
    """The distributions requirements.txt names that are not installed in this environment."""
    missing = []
    for name in sorted(required):
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def _project_imports() -> tuple[list[Import], dict[Path, set[str]]]:
    imports, own = [], {}
    for path in project_files():
        rel = path.relative_to(ROOT)
        imports += imports_in(path.read_text(encoding="utf-8"), rel)
        own[rel] = own_modules(ROOT, path)
    return imports, own


# -- the project ---------------------------------------------------------------------------------


def test_every_requirement_is_installed():
    missing = missing_distributions(required_distributions(REQUIREMENTS.read_text(encoding="utf-8")))
    assert not missing, (
        f"requirements.txt names {', '.join(missing)}, not installed in {sys.prefix}: "
        "run `pip install -r requirements.txt`"
    )


def test_every_import_is_provided_by_requirements():
    imports, own = _project_imports()
    assert len({i.file for i in imports}) > 50  # the walk found the project
    required = required_distributions(REQUIREMENTS.read_text(encoding="utf-8"))
    problems = unprovided(imports, required, importlib.metadata.packages_distributions(), own)
    assert not problems, "imports that a fresh `pip install -r requirements.txt` may not provide:\n" + "\n".join(
        problems
    )


# -- the checker itself --------------------------------------------------------------------------


def test_requirement_names_are_read_without_versions_extras_or_comments():
    text = (
        "# Runtime\ntensorflow-cpu>=2.20,<2.22\nKeras [extra] >=3 ; python_version>'3'\n\n-r other.txt\nruff  # lint\n"
    )
    assert required_distributions(text) == {"tensorflow-cpu", "keras", "ruff"}
    assert normalise("Typing_Extensions") == normalise("typing.extensions") == "typing-extensions"


def test_imports_are_found_in_every_form():
    source = (
        "import os, numpy.linalg as la\n"
        "from matplotlib.figure import Figure\n"
        "from . import sibling\n"
        "from .x import y\n"
        "def f():\n"
        "    import scipy.special\n"
        "    pytest.importorskip('playwright.sync_api')\n"
        "    importlib.import_module('yaml')\n"
        "try:\n"
        "    import psutil\n"
        "except (OSError, ImportError):\n"
        "    psutil = None\n"
        "try:\n"
        "    import torch\n"
        "except ValueError:\n"
        "    pass\n"
    )
    found = imports_in(source, Path("core/x.py"))
    assert sorted((i.module, i.line) for i in found) == [
        ("matplotlib", 2),
        ("numpy", 1),
        ("os", 1),
        ("playwright", 7),
        ("psutil", 10),
        ("scipy", 6),
        ("torch", 14),
        ("yaml", 8),
    ]
    assert {i.module for i in found if i.guarded} == {"psutil"}


def test_script_siblings_are_own_but_package_siblings_are_not(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("")
    (tmp_path / "core" / "helper.py").write_text("")
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "training.py").write_text("")
    (tmp_path / "app.py").write_text("")
    assert own_modules(tmp_path, tmp_path / "bench" / "models.py") == {"core", "bench", "app", "training"}
    assert own_modules(tmp_path, tmp_path / "core" / "helper.py") == {"core", "bench", "app"}


def _check(module: str, distributions: Mapping[str, list[str]], required=frozenset({"tensorflow-cpu", "numpy"})):
    file = Path("tests/x_test.py")
    return unprovided([Import(module, file, 7)], set(required), distributions, {file: {"core", "tests"}})


def test_a_guarded_import_is_optional_in_the_app_but_not_in_a_test():
    guarded = [Import("psutil", Path(f), 3, guarded=True) for f in ("bench/load.py", "tests/x_test.py")]
    own = {Path("bench/load.py"): set(), Path("tests/x_test.py"): set()}
    assert unprovided(guarded, {"numpy"}, {}, own) == [
        "tests/x_test.py:3: `psutil`: no installed distribution provides it"
    ]


@pytest.mark.parametrize("module", ["os", "__future__", "core", "tests"])
def test_standard_library_and_own_modules_pass(module):
    assert _check(module, {}) == []


def test_a_module_is_matched_to_its_distribution_by_normalised_name():
    assert _check("tensorflow", {"tensorflow": ["Tensorflow_CPU"]}) == []
    assert _check("numpy", {"numpy": ["numpy"]}) == []


def test_a_package_installed_by_hand_is_named():
    """scipy on a developer's machine but not in requirements.txt: the failure names file, module and package."""
    problems = _check("scipy", {"numpy": ["numpy"], "scipy": ["scipy"]})
    assert problems == ["tests/x_test.py:7: `scipy`: installed here by scipy, which requirements.txt does not name"]


def test_an_uninstalled_requirement_is_named():
    """tensorflow-cpu uninstalled: its module is unprovided, and the distribution is reported missing."""
    installed = importlib.metadata.packages_distributions()
    without = {module: dists for module, dists in installed.items() if "tensorflow-cpu" not in map(normalise, dists)}
    assert _check("tensorflow", installed) == []
    assert _check("tensorflow", without) == ["tests/x_test.py:7: `tensorflow`: no installed distribution provides it"]
    assert missing_distributions({"tensorflow-cpu", "no-such-distribution-here"}) == ["no-such-distribution-here"]
