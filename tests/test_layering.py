"""The layers keep to their jobs (docs/architecture.md): SQL only in warehouse/, Dash only in
dashboard/, imports only downward (warehouse ← etl ← dashboard), page layouts never query, and no
two modules of a layer need each other."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("warehouse", "etl", "dashboard")          # each may import those before it only


def modules(*packages):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(tree) -> set[str]:
    """Every module an AST imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_sql_and_duckdb_only_in_the_warehouse():
    found = []
    for path, tree in modules("etl", "dashboard"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "sql"):
                found.append(f"{relative(path)}:{node.lineno} .{node.attr}(")
        found += [f"{relative(path)} imports {name}" for name in imported(tree) if name.split(".")[0] == "duckdb"]
    assert not found


def test_dash_only_in_the_dashboard():
    found = [f"{relative(path)} imports {name}" for path, tree in modules("warehouse", "etl")
             for name in imported(tree) if name.split(".")[0] in ("dash", "dash_bootstrap_components", "dash_ag_grid",
                                                                 "plotly", "flask")]
    assert not found


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_only_go_down_a_layer(layer):
    above = LAYERS[LAYERS.index(layer) + 1:]
    found = [f"{relative(path)} imports {name}" for path, tree in modules(layer)
             for name in imported(tree) if name.split(".")[0] in above]
    assert not found


def test_page_layouts_never_query():
    """Layouts lay out; the numbers come from callbacks (settings shown in a layout come from the
    settings file, dashboard.data.file_setting)."""
    forbidden = {"cursor", "setting_or", "read_filters", "execute"}
    found = []
    for path, tree in modules("dashboard/pages"):
        for node in ast.walk(tree):          # from the query modules, constants (UPPER_CASE) only
            if isinstance(node, ast.Import):
                found += [f"{relative(path)} imports {a.name}" for a in node.names if a.name.startswith("warehouse.queries")]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("warehouse.queries"):
                found += [f"{relative(path)} imports {node.module}.{a.name}" for a in node.names if not a.name.isupper()]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in forbidden:
                found.append(f"{relative(path)}:{node.lineno} .{node.attr}")
    assert not found


def test_table_shapers_take_frames_not_connections():
    """dashboard/tables/ shapes what one warehouse call returned: it imports no query module and
    no function of it takes a connection (the call is the Table's `fetch`, beside the callbacks)."""
    found = []
    for path, tree in modules("dashboard/tables"):
        found += [f"{relative(path)} imports {name}" for name in imported(tree) if name.startswith("warehouse")]
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.args.args and node.args.args[0].arg in ("con", "connection"):
                found.append(f"{relative(path)}:{node.lineno} {node.name}({node.args.args[0].arg}, …)")
    assert not found


def test_no_two_modules_need_each_other():
    """No import cycle inside a layer, counting imports made inside functions: a cycle hides a
    module that does two jobs."""
    graph = {}
    for path, tree in modules(*LAYERS):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = imported(tree)
    names = set(graph)
    edges = {name: {target for target in graph[name] if target in names and target != name} for name in graph}
    cycles = []

    def visit(node, trail):
        for target in edges[node]:
            if target in trail:
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in done:
                visit(target, trail + [target])
        done.add(node)

    done: set[str] = set()
    for start in sorted(edges):
        if start not in done:
            visit(start, [start])
    assert not cycles


def test_the_project_cites_only_documents_it_carries():
    """Comments and docs point into docs/, never to files outside the repository."""
    outside = ("DOMAIN.md", "DATA_CONTRACT.md", "../shared", "seeds/")
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".md", ".sql", ".toml") or ".venv" in path.parts or "var" in path.parts \
                or path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [f"{relative(path)}: {name}" for name in outside if name in text]
    assert not found
    assert (ROOT / "docs" / "domain.md").exists()
