"""Expand the paths given to an import into items (a display path and a way to read the bytes), safely.

Guarantees:
- folders are walked recursively; a symlink (file or folder) is followed only when its target lies inside
  the folder given; folder loops are not walked twice;
- a file larger than the limit is never read; a zip member is read only when its name is safe (no
  absolute path, no `..`), its declared size is within the limit and its compression ratio is not a
  bomb's, and reading stops at the limit whatever the header says;
- every problem becomes an Item with `error` set (Chinese reason), so the batch goes on.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from django.conf import settings

from .readers import SUPPORTED

MAX_RATIO = 200  # uncompressed / compressed size beyond which a member is treated as a zip bomb
MAX_ARCHIVE_TOTAL = 2 * 1024 * 1024 * 1024  # unpacked bytes per archive


def max_bytes() -> int:
    return getattr(settings, "MIAOBI_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


@dataclass
class Item:
    path: str  # as shown in the report
    name: str  # file name (its extension picks the reader)
    read: Callable[[], bytes] | None = None
    error: str = ""
    skipped: str = ""


def _too_big(size: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f} MB），单个文件上限 {max_bytes() // 1024 // 1024} MB"


def _file_item(path: Path, shown: str) -> Item:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return Item(shown, path.name, skipped="zip")  # expanded by the caller
    if suffix not in SUPPORTED:
        return Item(shown, path.name, skipped=f"不支持的文件类型：{suffix or '无扩展名'}")
    try:
        size = path.stat().st_size
    except OSError:
        return Item(shown, path.name, error="无法读取文件")
    if size > max_bytes():
        return Item(shown, path.name, error=_too_big(size))

    def read(path=path) -> bytes:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes() + 1)
        if len(data) > max_bytes():
            raise ValueError(_too_big(len(data)))
        return data

    return Item(shown, path.name, read)


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def iter_folder(folder: Path) -> Iterator[Item]:
    root = folder.resolve()
    seen = {root}
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            yield Item(str(current), current.name, error="无法读取文件夹")
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink() and not _is_within(path, root):
                yield Item(str(path), entry.name, error="符号链接指向导入文件夹之外，已拒绝")
                continue
            if entry.is_dir():
                real = path.resolve()
                if real not in seen:
                    seen.add(real)
                    stack.append(path)
            elif entry.is_file():
                yield from iter_path(path, root=root)


def iter_zip(path: Path, shown: str) -> Iterator[Item]:
    try:
        if path.stat().st_size > max_bytes() * 40:
            yield Item(shown, path.name, error=_too_big(path.stat().st_size))
            return
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        yield Item(shown, path.name, error="压缩包已损坏或不是 zip 文件")
        return
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            member = f"{shown}!{name}"
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                yield Item(member, PurePosixPath(name).name, error="压缩包内的文件路径不安全（含 ../ 或绝对路径），已拒绝")
                continue
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in SUPPORTED:
                yield Item(member, PurePosixPath(name).name, skipped=f"不支持的文件类型：{suffix or '无扩展名'}")
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            total += info.file_size
            if info.file_size > max_bytes() or total > MAX_ARCHIVE_TOTAL or (ratio > MAX_RATIO and info.file_size > 1024 * 1024):
                yield Item(member, PurePosixPath(name).name, error="压缩包内文件解压后过大（疑似压缩炸弹），已拒绝")
                continue
            data = _read_member(path, info)
            if isinstance(data, str):
                yield Item(member, PurePosixPath(name).name, error=data)
            else:
                yield Item(member, PurePosixPath(name).name, lambda data=data: data)


def _read_member(path: Path, info: zipfile.ZipInfo) -> bytes | str:
    """The member's bytes, read at most to the limit (a lying header cannot make us unpack more)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(info) as fh:
            data = fh.read(max_bytes() + 1)
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return "无法解压压缩包内的文件（已损坏或已加密）"
    if len(data) > max_bytes():
        return "压缩包内文件解压后过大（疑似压缩炸弹），已拒绝"
    return data


def iter_path(path: Path, root: Path | None = None) -> Iterator[Item]:
    """Items of one path given on the command line (file, folder or .zip)."""
    shown = str(path)
    if not os.path.lexists(path):
        yield Item(shown, path.name, error="文件不存在")
    elif path.is_dir():
        yield from iter_folder(path)
    elif path.suffix.lower() == ".zip" and path.is_file():
        yield from iter_zip(path, shown)
    elif path.is_file():
        yield _file_item(path, shown)
    else:
        yield Item(shown, path.name, error="不是普通文件")


def iter_paths(paths) -> Iterator[Item]:
    for path in paths:
        yield from iter_path(Path(path))


def iter_stored(path: Path, shown: str) -> Iterator[Item]:
    """Items of one file kept under another name (a staged upload): an archive's members, or the file
    itself reported and read as `shown` (its name gives the reader, the fallback title and the date)."""
    if path.suffix.lower() == ".zip":
        yield from iter_zip(path, shown)
    elif path.is_dir():
        root = str(path)
        for item in iter_folder(path):
            item.path = shown + item.path[len(root):] if item.path.startswith(root) else item.path
            yield item
    else:
        item = _file_item(path, shown)
        item.name = PurePosixPath(shown.replace("\\", "/")).name or item.name
        yield item


def count_items(path: Path) -> int:
    """How many items `iter_stored(path, …)` yields (read from the archive's directory, nothing unpacked)."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                return max(1, sum(1 for info in archive.infolist() if not info.is_dir()))
        except (OSError, zipfile.BadZipFile):
            return 1
    if path.is_dir():
        return sum(len(files) for _, _, files in os.walk(path))
    return 1

