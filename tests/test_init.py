"""The public API: what ``routeplan/__init__.py`` imports is what ``__all__`` lists."""

import ast
import importlib
import inspect

import routeplan


def _imported_names() -> list[str]:
    """The names routeplan/__init__.py binds by import, read from its source."""
    tree = ast.parse(inspect.getsource(routeplan))
    names = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level > 0:  # the package's own modules
            names += [alias.asname or alias.name for alias in node.names]
    return names


def test_all_lists_exactly_the_names_imported():
    imported = _imported_names()
    assert len(imported) == len(set(imported)), "a name imported twice"
    assert len(routeplan.__all__) == len(set(routeplan.__all__)), "a name listed twice in __all__"
    assert sorted(routeplan.__all__) == sorted(imported)


def test_every_listed_name_is_public_and_importable():
    for name in routeplan.__all__:
        assert not name.startswith("_") or (name.startswith("__") and name.endswith("__")), name
        assert hasattr(routeplan, name), name
    star: dict[str, object] = {}
    exec("from routeplan import *", star)  # what a user's star import gives
    assert sorted(k for k in star if k != "__builtins__") == sorted(routeplan.__all__)


def test_listed_names_are_routeplans_own():
    for name in routeplan.__all__:
        value = getattr(routeplan, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__.startswith("routeplan."), (name, value.__module__)
            # The object is the one in the module it comes from (no stale copy).
            assert getattr(importlib.import_module(value.__module__), value.__name__) is value


def test_no_exported_name_hides_a_module():
    # `import routeplan.X as m` must give the module X, never a function bound over it
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(routeplan.__path__)}
    assert modules & set(routeplan.__all__) == set()
