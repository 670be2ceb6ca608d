"""`manage.py extract`: one JSON object per event per line, as the README says."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {
    "file", "type", "mode", "context", "status", "channel", "source", "target",
    "date", "date_precision", "what", "intensity", "confidence", "sentence",
    "start", "end", "cited_source",
}  # fmt: skip


def _lines(capsys, *args) -> list[dict]:
    call_command("extract", *args)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_each_event_is_a_line_with_every_documented_field(tmp_path, capsys):
    article = tmp_path / "letter.txt"
    article.write_text(
        "Venezuelan President Nicolás Maduro sent a letter to Russian President "
        "Vladimir Putin on Tuesday asking for military aid.\n",
        encoding="utf-8",
    )
    [event] = _lines(capsys, str(article), "--published", "2025-10-31")
    assert event.keys() >= FIELDS
    assert event["file"] == str(article)
    assert (event["type"], event["status"], event["channel"]) == (
        "REQUEST",
        "occurred",
        "letter",
    )
    assert event["source"]["country"] == "VEN" and event["target"]["country"] == "RUS"
    assert (event["date"], event["date_precision"]) == ("2025-10-28", "day")
    text = article.read_text(encoding="utf-8")
    assert text[event["start"] : event["end"]] == event["sentence"]


def test_several_files_in_one_call(tmp_path, capsys):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Russia warned Ukraine that it would strike.\n", encoding="utf-8")
    second.write_text("The weather was mild all week.\n", encoding="utf-8")
    events = _lines(capsys, str(first), str(second))
    assert [e["file"] for e in events] == [str(first)]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read it (No such file or directory)"),
        (b"\xff\xfe\xfa", "not UTF-8"),
    ],
)
def test_a_file_it_cannot_read_is_named_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)) as error:
        call_command("extract", str(path))
    assert str(path) in str(error.value)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    article = tmp_path / "two.txt"
    article.write_text(
        "Venezuelan President Nicolás Maduro sent a letter to Russian President "
        "Vladimir Putin on Tuesday asking for military aid. China's foreign "
        "minister Wang Yi met Venezuela's foreign minister in Beijing on Monday.\n",
        encoding="utf-8",
    )
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "tensions.settings"}
    command = [sys.executable, "manage.py", "extract", str(article)]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as run:
        run.stdout.close()  # as `| head -0` would
        stderr = run.stderr.read().decode()
        assert run.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
