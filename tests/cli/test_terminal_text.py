"""Text from input files reaches the terminal with its control characters shown, never obeyed."""

import csv
import io
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from licvisit.cli import main
from licvisit.textsafe import TerminalSafeStream, terminal_text
from tests.paths import TEST_DATA

RISK = TEST_DATA / "risk"
HOSTILE = "Evil\x1b]0;pwned\x07\rBar\x9b2J"
SHOWN = "Evil\\x1b]0;pwned\\x07\\x0dBar\\x9b2J"


def test_terminal_text_shows_control_characters_and_keeps_the_rest():
    assert terminal_text(HOSTILE) == SHOWN
    assert terminal_text("tab\there\nnew line £ é ☕ {{ 6*7 }}") == "tab\there\nnew line £ é ☕ {{ 6*7 }}"
    assert terminal_text("\x00\x08\x0b\x0c\x1f\x7f\x80") == "\\x00\\x08\\x0b\\x0c\\x1f\\x7f\\x80"


def test_terminal_safe_stream_filters_writes_and_hides_the_binary_buffer():
    sink = io.StringIO()
    stream = TerminalSafeStream(sink)
    stream.write("a\x1bb\n")
    stream.writelines(["\x07", "c"])
    assert sink.getvalue() == "a\\x1bb\n\\x07c"
    assert not hasattr(stream, "buffer")


def _hostile_premises(tmp_path: Path) -> list[str]:
    prem = pd.read_csv(RISK / "premises.csv", dtype=str, keep_default_na=False)
    prem.loc[prem["premises_id"] == "P1", "name"] = HOSTILE
    path = tmp_path / "premises.csv"
    prem.to_csv(path, index=False, quoting=csv.QUOTE_ALL)  # a bare CR would end the row
    return ["--calls", str(RISK / "calls.csv"), "--premises", str(path), "--visits", str(RISK / "visits.csv")]


def test_rank_and_explain_print_a_hostile_name_without_its_control_characters(tmp_path):
    inputs = _hostile_premises(tmp_path)
    # color=True: click strips CSI sequences only when the output is not a terminal; a terminal gets them.
    res = CliRunner().invoke(
        main, ["rank", *inputs, "--out", str(tmp_path / "out"), "--top", "5", "--explain", "P1"], color=True
    )
    assert res.exit_code == 0, res.output
    assert not any(c in res.output for c in "\x1b\x07\r\x9b")
    # in the table (names cut at 40 characters) and in full in the explanation
    assert f"P1             {SHOWN}" in res.output
    assert f"\n{SHOWN} (P1): rank" in res.output


def test_error_messages_show_control_characters(tmp_path):
    inputs = _hostile_premises(tmp_path)
    res = CliRunner().invoke(
        main, ["rank", *inputs, "--out", str(tmp_path / "out"), "--explain", "X\x1b[2J"], color=True
    )
    assert res.exit_code == 1
    assert "\x1b" not in res.output and "X\\x1b[2J" in res.output
