"""The LLM layer from the command line: options and environment, answer, jobs, retry, eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import LOCOMO, LONGMEMEVAL
from tests.llm.conftest import Brain, fact

from engramdb.cli.main import cli
from engramdb.testing.llm_server import Reply, ScriptedLLMServer

pytestmark = pytest.mark.model


@pytest.fixture
def run(tmp_path: Path, minilm, llm_server: ScriptedLLMServer):  # type: ignore[no-untyped-def]
    env = {"ENGRAMDB_DB": str(tmp_path / "cli.db"), "ENGRAMDB_LLM_MODEL": "scripted"}

    def invoke(*args: str, code: int = 0, llm: bool = True) -> str:
        options = ["--llm-base-url", llm_server.url] if llm else []
        result = CliRunner().invoke(cli, [*options, *args], env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_add_extracts_then_answer_cites(run, brain: Brain) -> None:  # type: ignore[no-untyped-def]
    brain.facts = lambda t: [fact("Ana adopted a cat named Miso.", "Ana", "adopted", "cat",
                                  None, t[0][0])]  # fmt: skip
    memory_id = run("add", "I adopted a cat named Miso", "--user", "ana", "--speaker", "Ana")
    jobs = [json.loads(line) for line in run("jobs").splitlines()]
    assert [(j["kind"], j["status"]) for j in jobs] == [("extract", "done")]
    out = run("answer", "What is Ana's cat called?", "--user", "ana")
    assert out.splitlines()[0] == "Ana: I adopted a cat named Miso"  # the scripted model quotes
    assert out.splitlines()[1].endswith("I adopted a cat named Miso")  # the memory it cites
    answer = json.loads(run("answer", "What is Ana's cat called?", "--user", "ana", "--json"))
    assert memory_id.strip() in answer["sources"]
    assert answer["usage"]["answer"]["cached"] == 0 and answer["prompt"] == "answer@1"


def test_failed_jobs_are_listed_and_retried(  # type: ignore[no-untyped-def]
    run, llm_server: ScriptedLLMServer
) -> None:
    llm_server.push(*[Reply(status=503)] * 3)
    run("add", "I moved to Lisbon", "--user", "ana", "--speaker", "Ana")
    failed = [json.loads(line) for line in run("jobs", "--status", "failed").splitlines()]
    assert len(failed) == 1 and "503" in failed[0]["error"]
    assert json.loads(run("retry", failed[0]["id"])) == {"requeued": 1, "done": 1, "failed": 0}
    assert run("jobs", "--status", "failed") == ""


def test_llm_commands_without_a_model_say_so(run) -> None:  # type: ignore[no-untyped-def]
    out = run("answer", "Where?", "--user", "ana", code=1, llm=False)
    assert "needs an LLM" in out


@pytest.mark.slow
@pytest.mark.skipif(not LOCOMO.exists(), reason="LoCoMo data not available")
@pytest.mark.parametrize("baseline", [False, True])
def test_eval_answers_locomo_questions_with_the_judge(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, baseline: bool
) -> None:
    report_path = tmp_path / "report.json"
    args = ["eval", "locomo", "--data", str(LOCOMO), "--conversations", "1", "--llm",
            "--questions", "6", "--json", str(report_path)]  # fmt: skip
    out = run(*args, *(["--full-context"] if baseline else []))
    assert "acc" in out and "overall" in out
    report = json.loads(report_path.read_text())
    assert report["mode"] == ("full-context" if baseline else "memory")
    assert report["overall"]["questions"] == 6 and report["overall"]["failed"] == 0
    assert report["overall"]["mean_tokens"] > 0
    assert report["usage"]["judge_answer"]["calls"] == 6
    if baseline:  # the whole conversation is in every prompt
        assert report["overall"]["mean_tokens"] > 10_000
        assert "extract_facts" not in report["usage"]
    else:
        assert report["overall"]["mean_tokens"] < 1500
        assert report["usage"]["extract_facts"]["calls"] > 0


@pytest.mark.slow
@pytest.mark.skipif(not LONGMEMEVAL.exists(), reason="LongMemEval data not available")
@pytest.mark.parametrize("baseline", [False, True])
def test_eval_answers_longmemeval_with_the_per_type_judge(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, llm_server: ScriptedLLMServer, baseline: bool
) -> None:
    report_path = tmp_path / "report.json"
    args = ["eval", "longmemeval", "--data", str(LONGMEMEVAL), "--types", "knowledge-update",
            "--sample", "1", "--llm", "--no-llm-ingest", "--json", str(report_path)]  # fmt: skip
    out = run(*args, *(["--full-context"] if baseline else []))
    assert "knowledge-update" in out and "overall" in out
    report = json.loads(report_path.read_text())
    assert report["overall"]["questions"] == 1 and report["overall"]["failed"] == 0
    assert report["usage"]["judge_longmemeval"]["calls"] == 1
    judge = next(r for r in llm_server.requests if "LongMemEval" in r["messages"][0]["content"])
    assert "earlier information" in judge["messages"][0]["content"]  # the knowledge-update rule
    if baseline:  # the whole history (about 115k tokens) is in the prompt
        assert report["overall"]["mean_tokens"] > 50_000
    else:
        assert report["overall"]["mean_tokens"] < 1500
