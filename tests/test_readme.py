"""The README's two set-up commands stay true: CI runs the test command verbatim."""

from tests.conftest import ROOT


def commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    return [line.strip() for line in lines if line.strip().startswith("python3 -m venv .venv")]


def test_readme_has_exactly_two_setup_commands():
    run_app, run_tests = commands()
    assert run_app.endswith("streamlit run app.py")
    assert run_tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands()[1] in [line.strip() for line in ci]


def test_readme_models_table_matches_the_shipped_metadata():
    from benchmarks import models_table

    readme = (ROOT / "README.md").read_text()
    assert models_table.readme_table(readme) == models_table.table()


def test_readme_benchmark_table_is_the_benchmarks_own_output():
    """The figures in the README's "Measured" table come from benchmarks/results/*.json, as
    written by python -m benchmarks, never typed by hand."""
    import re

    from benchmarks.__main__ import END, START, table

    readme = (ROOT / "README.md").read_text()
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), readme, re.S)
    assert match, "the README has no benchmark table"
    assert match.group(1) == table()
    for section in ("predict", "training", "cold", "memory", "train_page", "load"):
        assert (ROOT / "benchmarks" / "results" / f"{section}.json").is_file(), section


def test_readme_figures_are_generated_from_saved_results():
    """Drawn-digit and short-review accuracies, the models below target, training times and the
    wave models' MSE are written by benchmarks/readme_figures.py from saved results, never by hand."""
    from benchmarks import readme_figures

    readme = (ROOT / "README.md").read_text()
    for name, make in readme_figures.BLOCKS.items():
        assert readme_figures.readme_block(readme, name) == make(), name


def test_a_figure_names_the_commit_and_whether_the_code_had_changed(tmp_path):
    """benchmarks/provenance.commit: "+changes" when the measured code differs from the commit,
    not when a benchmark has only written its own results (or the README table) before the next."""
    import subprocess

    from benchmarks import provenance

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    for name in ("app.py", "README.md", "benchmarks/results/load.json"):
        (tmp_path / name).write_text("first\n")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "first")
    head = provenance.commit(tmp_path)
    assert head and "+" not in head
    (tmp_path / "benchmarks" / "results" / "load.json").write_text("a new result\n")
    (tmp_path / "README.md").write_text("its table, regenerated\n")
    assert provenance.commit(tmp_path) == head
    (tmp_path / "app.py").write_text("changed code\n")
    assert provenance.commit(tmp_path) == head + "+changes"
