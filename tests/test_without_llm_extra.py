"""The core works, and passes its suite, without the ``llm`` extra installed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the engine's own suites (the backends' ranking agreement and retries, which add nothing
#: about the extra, run in the main suite only)
CORE_SUITE = [
    "tests/conformance/test_backends.py",
    "tests/conformance/test_attacks.py",
    "tests/understanding",
    "tests/test_episodes.py",
    "tests/test_filters.py",
    "tests/test_forgetting.py",
    "tests/test_procedures.py",
    "tests/test_retrieval_units.py",
    "tests/test_sqlite_store.py",
]
#: A pytest plugin / startup hook that hides the llm extra from engramdb: bpe-openai is
#: blocked outright; pydantic (which spaCy and FastAPI also depend on) is blocked for
#: imports made by engramdb's own modules.
BLOCKER = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    def _importer():
        frame = sys._getframe(2)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("importlib", "_frozen_importlib")
        ):
            frame = frame.f_back
        return "" if frame is None else frame.f_globals.get("__name__", "")

    class NoLLMExtra(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            top = name.split(".")[0]
            if top == "bpe_openai" or (
                top == "pydantic" and _importer().startswith("engramdb")
            ):
                raise ImportError(f"{name} is not installed (blocked for this test)")
            return None

    sys.meta_path.insert(0, NoLLMExtra())
    """
)


@pytest.fixture
def without_llm_extra(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "no_llm_extra.py").write_text(BLOCKER)
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )


def test_the_core_imports_no_llm_package_and_says_what_an_llm_needs(
    without_llm_extra: dict[str, str],
) -> None:
    script = textwrap.dedent(
        """
        import no_llm_extra, sys
        from engramdb import Memory, CapabilityMissing
        from engramdb.providers.llm import OpenAICompatible
        from engramdb.testing import HashEmbedder
        with Memory.open(":memory:", embedder=HashEmbedder(), understand=False) as mem:
            mem.add("I moved to Lisbon", user_id="ana")
            assert mem.search("Lisbon", user_id="ana")
        llm = OpenAICompatible(base_url="http://127.0.0.1:9/v1", model="m")
        try:
            Memory.open(":memory:", embedder=HashEmbedder(), understand=False, llm=llm)
        except CapabilityMissing as exc:
            print("missing:", exc)
        assert "engramdb.pipeline.llm.runner" not in sys.modules
        assert not [m for m in sys.modules if m.startswith(("pydantic", "bpe_openai"))]
        """
    )
    done = run(without_llm_extra, "-c", script)
    assert done.returncode == 0, done.stderr
    assert "missing: the LLM layer needs the llm extra: pip install 'engramdb[llm]'" in done.stdout


@pytest.mark.slow
def test_the_core_suite_passes_without_the_llm_extra(without_llm_extra: dict[str, str]) -> None:
    done = run(
        without_llm_extra, "-m", "pytest", "-p", "no_llm_extra", "-q", "-p", "no:cacheprovider",
        "-k", "not postgres", *CORE_SUITE,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and " failed" not in done.stdout
