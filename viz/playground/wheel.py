"""Wheels for the browser, made from the packages this Python has installed.

The playground installs tracegrad into Pyodide from a wheel in the site. Rather than
building one (which needs the source tree and a build backend), `installed_wheel`
zips the packages as they are installed here, editable or not, with the metadata a
wheel carries (METADATA, WHEEL, RECORD). Files the browser does not need are left
out: compiled caches, and the playground's own page files. The same files give the
same bytes (fixed timestamps, sorted names), so a site built twice is identical.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["installed_wheel"]

_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time in the file


def installed_wheel(
    distribution: str,
    packages: Iterable[str],
    *,
    leave_out: Callable[[str], bool] = lambda path: False,
) -> tuple[str, bytes]:
    """A pure-Python wheel of the installed `packages` of `distribution`.

    Args:
        distribution: the name pip knows it by, e.g. "tracegrad" or "graphviz".
        packages: the top-level import packages it holds, e.g. ["engine", "nn", "viz"].
        leave_out: True for a path inside the wheel ("viz/wasm/viz-global.js") to skip.

    Returns:
        The wheel's file name (`name-version-py3-none-any.whl`) and its bytes.

    Raises:
        ImportError: if a package is not installed (the message names it).

    Example:
        >>> name, data = installed_wheel("graphviz", ["graphviz"])
        >>> name.startswith("graphviz-") and name.endswith("-py3-none-any.whl")
        True
    """
    try:
        meta = importlib.metadata.distribution(distribution)
        version, metadata = meta.version, meta.read_text("METADATA") or ""
    except importlib.metadata.PackageNotFoundError:
        raise ImportError(
            f"cannot make a wheel of {distribution!r}: it is not installed "
            f"(pip install {distribution})"
        ) from None
    if not metadata:
        metadata = f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
    files: dict[str, bytes] = {}
    for package in packages:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ImportError(f"cannot make a wheel of {distribution!r}: no package {package!r}")
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*")):
            inside = f"{package}/{path.relative_to(root).as_posix()}"
            if path.is_file() and "__pycache__" not in path.parts and not leave_out(inside):
                files[inside] = path.read_bytes()
    stem = f"{_safe(distribution)}-{_safe(version)}"
    info = f"{stem}.dist-info"
    files[f"{info}/METADATA"] = metadata.encode("utf-8")
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tracegrad playground\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, _TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            wheel.writestr(entry, files[name])
    return f"{stem}-py3-none-any.whl", buffer.getvalue()


def _safe(text: str) -> str:
    """A wheel file name's part: runs of other characters become '_' (PEP 427)."""
    return "".join(c if c.isalnum() or c == "." else "_" for c in text)


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
