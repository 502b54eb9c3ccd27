"""The README's Python snippets, run as written (with short searches), so that they cannot drift
from the library: every name they use is defined, every call exists and does what they say."""

import re
import warnings

import pytest

from routeplan.cli import main

from conftest import REPO

# Only the searches' length differs from the README: a few hundred iterations, not a minute.
SHORT = {
    "time_limit=60": "stop=MaxIterations(150)",
    "MaxIterations(50_000) | NoImprovement(10_000)": "MaxIterations(150) | NoImprovement(10_000)",
}


def python_blocks(path):
    """The ```python blocks of a Markdown file, in order."""
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def shortened(code):
    for long, short in SHORT.items():
        code = code.replace(long, short)
    return code


def test_the_readme_has_its_snippets():
    blocks = python_blocks(REPO / "README.md")
    assert len(blocks) >= 5
    assert all(long in "".join(blocks) for long in SHORT)  # the substitutions still apply


def test_the_readme_snippets_run_as_written(tmp_path, monkeypatch):
    # From a folder of its own that sees the repository's data, as a reader at the repository root.
    (tmp_path / "data").symlink_to(REPO / "data")
    monkeypatch.chdir(tmp_path)
    from routeplan import MaxIterations

    namespace = {"MaxIterations": MaxIterations, "__name__": "__readme__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for block in python_blocks(REPO / "README.md"):
            exec(compile(shortened(block), "README.md", "exec"), namespace)
    assert namespace["problem"].name == "demo"  # the last block builds a problem
    assert namespace["plan"].problem.balance.tolerance == 0.05  # the balance block planned last
    assert (tmp_path / "kuiwen.html").is_file()
    assert (tmp_path / "mine.html").is_file()
    assert (tmp_path / "out/kuiwen/summary.json").is_file()
    assert (tmp_path / "out/compare/compare.csv").is_file()
    assert set(namespace["comparison"].plans) == {"hybrid", "region", "business-type", "value"}
    assert set(namespace["tried"].plans) == {"one manager fewer", "ten new shops", "small shops three times a cycle"}
    assert namespace["again"].visits_planned() == namespace["again"].visits_required()


def test_the_docs_name_no_issue_numbers_a_reader_cannot_see():
    for page in ("README.md", "benchmarks/README.md", "docs/file-formats.md", "docs/user-guide.md"):
        assert not re.search(r"issue #\d", (REPO / page).read_text(encoding="utf-8"), flags=re.IGNORECASE), page


def test_the_readme_quotes_the_benchmark_pages_pvrp_figures():
    bench = (REPO / "benchmarks" / "README.md").read_text(encoding="utf-8")
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    now = re.search(r"mean gap to the best known cost (\+[\d.]+ %), largest (\+[\d.]+ %) \((\w+)\)", bench)
    before = re.search(r"42 of 42 feasible, mean (\+[\d.]+ %), largest (\+[\d.]+ %)", bench)
    assert now
    assert before
    assert f"mean of {now[1]} above the best known costs (largest {now[2]}, {now[3]};" in readme
    assert f"{before[1]} and {before[2]})" in readme
    # The instance table: every instance once, customers and days whole numbers.
    rows = [line.split("|")[1:-1] for line in bench.splitlines() if re.match(r"\| pr?\d\d \| \d", line)]
    assert len({r[0] for r in rows}) == len(rows) == 42
    assert all(r[1].strip().isdigit() and r[2].strip().isdigit() for r in rows)


def quickstart():
    """The Quickstart's plan command (its arguments after ``routeplan``) and the table it shows."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"\.venv/bin/routeplan (plan [^\n]+)", section)
    table = re.search(r"^```text\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    assert command
    assert table
    return command[1].split(), table[1]


def test_the_quickstart_command_repeats_on_any_machine():
    argv, _ = quickstart()
    assert "--iterations" in argv  # a step count, not a time: the same plan everywhere
    assert "--seed" in argv
    assert "--time-limit" not in argv


@pytest.mark.slow
def test_the_quickstart_prints_the_readme_s_table(tmp_path, capsys):
    argv, table = quickstart()
    argv[argv.index("--out") + 1] = str(tmp_path / "kuiwen")
    argv[1] = str(REPO / argv[1])
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed == table, f"the README's Quickstart table should read:\n{printed}"
