"""The notebooks run top to bottom (with short time limits)."""

import html
import os
import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


@pytest.mark.slow
def test_districting_notebook_runs(monkeypatch):
    from conftest import REPO

    folder = REPO / "notebooks"
    notebook = nbformat.read(folder / "districting.ipynb", as_version=4)
    monkeypatch.setenv("ROUTEPLAN_NOTEBOOK_TIME_LIMIT", "5")
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute(env=dict(os.environ))
    errors = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert errors == []
    # Its maps show without internet: every script and stylesheet inlined, none linked from the web.
    pages = [out["data"]["text/html"] for cell in notebook.cells if cell.cell_type == "code"
             for out in cell.get("outputs", []) if "text/html" in out.get("data", {}) and "iframe" in
             out["data"]["text/html"]]
    assert len(pages) == 2  # the customers' map and the two plans side by side
    for page in pages:
        assert "Leaflet 1.9.4" in page
        assert not re.search(r'src=(&quot;|")https?:', page)
        assert not re.search(r'<link[^>]+href=(&quot;|")https?:', html.unescape(page))
    table = next(out for cell in notebook.cells if cell.cell_type == "code" and "comparison.rows()" in cell.source
                 for out in cell.outputs if out.get("output_type") == "execute_result")
    for name in ("hybrid", "region", "business-type", "value"):
        assert name in table["data"]["text/plain"]
