"""Publishing a new version: the copy of the served file is exact, in the kernel or through the process."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from warehouse import db as wdb


def _file(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("size", [0, 1, 5 * 1024 * 1024 + 17])
def test_the_copy_is_exact_and_owner_only(tmp_path: Path, size: int) -> None:
    data = _file(tmp_path / "w.duckdb", size)
    wdb._copy(tmp_path / "w.duckdb", tmp_path / "kopio")
    assert (tmp_path / "kopio").read_bytes() == data
    assert (tmp_path / "kopio").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("err", [errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP])
def test_without_a_kernel_copy_the_process_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    data = _file(tmp_path / "w.duckdb", 3 * 1024 * 1024 + 5)

    def unsupported(*_: object) -> int:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "copy_file_range", unsupported)
    wdb._copy(tmp_path / "w.duckdb", tmp_path / "kopio")
    assert (tmp_path / "kopio").read_bytes() == data


def test_a_full_disk_during_the_copy_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _file(tmp_path / "w.duckdb", 1024)

    def full(*_: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "copy_file_range", full)
    with pytest.raises(OSError, match="space"):
        wdb._copy(tmp_path / "w.duckdb", tmp_path / "kopio")
