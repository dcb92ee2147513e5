"""The run watcher counts finished runs and sessions from real ForwardMsg bytes."""

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser.script_runs import INTERRUPTED, ScriptRuns


def _finished(status: str) -> bytes:
    msg = ForwardMsg()
    msg.script_finished = ForwardMsg.ScriptFinishedStatus.Value(status)
    return msg.SerializeToString()


def _new_session(session_id: str) -> bytes:
    msg = ForwardMsg()
    msg.new_session.initialize.session_id = session_id
    return msg.SerializeToString()


def test_counts_finished_runs_but_not_interrupted_ones():
    runs = ScriptRuns()
    for frame in (_finished("FINISHED_SUCCESSFULLY"), _finished("FINISHED_EARLY_FOR_RERUN"), "text frame", b"\xff\x00"):
        runs.frame(frame)
    assert runs.finished == 1
    assert ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN") == INTERRUPTED


def test_records_each_session_once_in_order():
    runs = ScriptRuns()
    for sid in ("a", "a", "b", "a"):
        runs.frame(_new_session(sid))
    assert runs.sessions == ["a", "b"]
    assert "sessions ['a', 'b']" in runs.describe()
