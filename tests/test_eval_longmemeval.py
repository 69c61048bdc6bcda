"""The LongMemEval harness on a small hand-made file: loading, sampling, scoring, the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engramdb import Memory
from engramdb.cli.main import cli
from engramdb.cli.progress import LogProgress, format_duration
from engramdb.errors import InvalidInput
from engramdb.eval.longmemeval import (
    evaluate_longmemeval,
    load_longmemeval,
    parse_lme_date,
    sample_questions,
)
from engramdb.eval.metrics import ndcg
from engramdb.testing.fakes import HashEmbedder

FILLER = [
    {"role": "user", "content": "Can you suggest a good pasta recipe for tonight?"},
    {"role": "assistant", "content": "Try a simple aglio e olio with garlic and chili."},
]


def question(qid: str, kind: str, text: str, gold: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "question_id": qid,
        "question_type": kind,
        "question": text,
        "question_date": "2023/05/30 (Tue) 23:42",
        "answer": "Max",
        "answer_session_ids": ["answer_1"],
        "haystack_session_ids": ["filler_1", "answer_1", "filler_2"],
        "haystack_dates": [
            "2023/05/01 (Mon) 09:00",
            "2023/05/10 (Wed) 18:30",
            "2023/05/20 (Sat) 11:15",
        ],
        "haystack_sessions": [FILLER, gold, [*FILLER, {"role": "user", "content": ""}]],
    }


DOG = [
    {"role": "user", "content": "I adopted a beagle puppy and named him Max.", "has_answer": True},
    {"role": "assistant", "content": "Congratulations on adopting Max!", "has_answer": False},
]
DATA = [
    question("q1", "single-session-user", "What did I name my beagle puppy?", DOG),
    question("q2", "temporal-reasoning", "When did I adopt the beagle?", DOG),
    question("q3_abs", "single-session-user", "What did I name my parrot?", DOG),
]


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "lme.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(DATA, handle)
    return path


def test_load_reads_gzip_and_plain_json(data_file: Path, tmp_path: Path) -> None:
    plain = tmp_path / "lme.json"
    plain.write_text(json.dumps(DATA))
    for path in (data_file, plain):
        questions = load_longmemeval(path)
        assert [q.question_id for q in questions] == ["q1", "q2", "q3_abs"]
        assert questions[0].gold_turns == ("answer_1:0",)
        assert questions[0].turn_count == 6  # the empty turn is not counted
        assert questions[2].abstention and not questions[0].abstention


def test_bad_files_and_dates_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"question_id": "x"}]))
    with pytest.raises(InvalidInput, match="not a LongMemEval file"):
        load_longmemeval(bad)
    with pytest.raises(InvalidInput, match="unrecognised LongMemEval date"):
        parse_lme_date("30 May 2023")
    assert parse_lme_date("2023/05/30 (Tue) 23:42").isoformat() == "2023-05-30T23:42:00+00:00"


def test_sampling_spreads_over_types_and_is_reproducible(data_file: Path) -> None:
    questions = load_longmemeval(data_file)
    two = sample_questions(questions, total=2)
    assert {q.question_type for q in two} == {"single-session-user", "temporal-reasoning"}
    assert two == sample_questions(questions, total=2)
    assert len(sample_questions(questions, per_type=1)) == 2
    only = sample_questions(questions, types=["temporal-reasoning"])
    assert [q.question_id for q in only] == ["q2"]


def test_ndcg_is_one_for_a_perfect_ranking() -> None:
    assert ndcg(["a", "b", "c"], {"a"}, 10) == 1.0
    assert ndcg(["b", "a"], {"a"}, 10) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert ndcg(["b", "c"], {"a"}, 10) == 0.0


def test_each_question_in_its_scope_at_its_date(data_file: Path, tmp_path: Path) -> None:
    questions = load_longmemeval(data_file)
    with Memory.open(tmp_path / "m.db", embedder=HashEmbedder()) as mem:
        report = evaluate_longmemeval(mem, questions)
        assert report.turns == 3 * 6  # every non-empty turn of every haystack
        assert report.overall.questions == 2  # the abstention question is apart
        assert report.abstention["questions"] == 1
        assert report.overall.recall_at[10] == 1.0
        assert report.overall.session_all_at[5] == 1.0
        stored = mem.get_all(user_id="lme:q1", session_id="answer_1").memories
        assert stored[0].occurred_at.isoformat().startswith("2023-05-10T18:30")
        assert {m.speaker or m.role for m in stored} >= {"user", "assistant"}
        again = evaluate_longmemeval(mem, questions)  # the haystacks are reused
        assert again.turns == 0 and again.overall.recall_at[10] == 1.0


def test_cli_reports_types_and_writes_json(data_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli, ["eval", "longmemeval", "--data", str(data_file), "--json", str(out)],
        env={"ENGRAMDB_EMBEDDER": "hash"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "single-session-user" in result.output and "overall" in result.output
    report = json.loads(out.read_text())
    assert report["overall"]["recall@10"] == 1.0
    assert report["by_type"]["temporal-reasoning"]["session_recall_all@5"] == 1.0
    assert report["timing"]["turns_per_s"] > 0
    asked = {q["question_id"]: q for q in report["per_question"]}  # abstention apart
    assert sorted(asked) == ["q1", "q2"] and asked["q2"]["type"] == "temporal-reasoning"
    assert asked["q1"]["recall@10"] == 1.0 and 1 <= asked["q1"]["gold_ranks"][0] <= 10
    refused = CliRunner().invoke(cli, ["eval", "longmemeval", "--data", str(data_file),
                                       "--types", "chit-chat"])  # fmt: skip
    assert refused.exit_code == 2 and "unknown ['chit-chat']" in refused.output


def test_progress_lines_off_a_terminal_have_rate_and_eta() -> None:
    lines: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

    ticks = iter([0.0, 20.0, 40.0])
    bar = LogProgress(100, "turn", "ingest", every=15, out=Sink(), timer=lambda: next(ticks))  # type: ignore[arg-type]
    with bar:
        bar.update(50)
    text = "".join(lines)
    assert "ingest: 50/100 turn, 2.5 turn/s, ETA 20.0s" in text
    assert "in 40.0s" in text
    assert format_duration(372.4) == "6m12s" and format_duration(4000) == "1h06m40s"
