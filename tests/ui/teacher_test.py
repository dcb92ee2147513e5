"""The teacher key: from the server's environment, compared after NFC and trimming, none set means nobody."""

from __future__ import annotations

import pytest

from ui import teacher


def test_no_key_set_means_nobody_is_the_teacher(monkeypatch):
    monkeypatch.delenv(teacher.KEY_ENV, raising=False)
    monkeypatch.setattr(teacher.st.secrets, "load_if_toml_exists", lambda: False)
    assert teacher.configured_key() is None
    assert not teacher.is_teacher("")
    assert not teacher.is_teacher("anything")


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_key_counts_as_none(monkeypatch, blank):
    monkeypatch.setenv(teacher.KEY_ENV, blank)
    monkeypatch.setattr(teacher.st.secrets, "load_if_toml_exists", lambda: False)
    assert teacher.configured_key() is None and not teacher.is_teacher(blank)


def test_the_key_matches_after_nfc_and_trimming_only(monkeypatch):
    monkeypatch.setenv(teacher.KEY_ENV, "Café 42")
    assert teacher.is_teacher("Café 42") and teacher.is_teacher("  Cafe\u0301 42\n")  # decomposed é, spaces
    for wrong in ("café 42", "Café 4", "Café 42 x", ""):
        assert not teacher.is_teacher(wrong)
    assert not teacher.is_teacher("C" * 10_000)


def test_a_broken_secrets_file_is_view_only(monkeypatch):
    monkeypatch.delenv(teacher.KEY_ENV, raising=False)

    def broken():
        raise ValueError("secrets.toml: bad TOML")

    monkeypatch.setattr(teacher.st.secrets, "load_if_toml_exists", broken)
    assert teacher.configured_key() is None


def test_the_key_from_secrets_toml(monkeypatch):
    class Secrets:
        def load_if_toml_exists(self):
            return True

        def get(self, name):
            return {"teacher_key": "from secrets"}.get(name)

    monkeypatch.delenv(teacher.KEY_ENV, raising=False)
    monkeypatch.setattr(teacher.st, "secrets", Secrets())
    assert teacher.configured_key() == "from secrets" and teacher.is_teacher("from secrets")
    monkeypatch.setenv(teacher.KEY_ENV, "from env")  # the environment comes first
    assert teacher.is_teacher("from env") and not teacher.is_teacher("from secrets")
