"""Freed memory kept for reuse while a chunk is solved, where glibc was told not to.

Dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, so that
memory a task frees goes back to the system. Setting that variable also stops
glibc from adapting its mmap threshold, so every large temporary array (a
block's payoffs, backward induction's working arrays) becomes a fresh mapping
whose pages the kernel has to zero again: on the 2-core development machine a
20,000-point flagship chunk took 1.9 s in such a process instead of 0.36 s.

:func:`kept_heap` raises both thresholds for the duration of a chunk, then
restores the values the environment asked for and trims the heap, so that
between tasks the worker holds no more memory than Dask expects. Where no
such variable is set, or the C library is not glibc, it does nothing.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["kept_heap"]

#: glibc's mallopt() parameters and their defaults.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
DEFAULT_THRESHOLD = 128 * 1024
#: While a chunk runs: the largest mmap threshold glibc accepts on 64-bit, and a trim
#: threshold above any block's working set.
KEEP_MMAP, KEEP_TRIM = 32 * 1024 * 1024, 1024 * 1024 * 1024


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt  # noqa: B018 - only glibc has it
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def _asked(name: str) -> int | None:
    text = os.environ.get(name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


@contextmanager
def kept_heap() -> Iterator[None]:
    """Within the block, freed memory is reused instead of returned at once.

    Examples
    --------
    >>> with kept_heap():
    ...     total = sum(range(10))
    >>> total
    45
    """
    trim = _asked("MALLOC_TRIM_THRESHOLD_")
    mmap = _asked("MALLOC_MMAP_THRESHOLD_")
    libc = _glibc() if trim is not None or mmap is not None else None
    if libc is None:
        yield
        return
    libc.mallopt(M_MMAP_THRESHOLD, KEEP_MMAP)
    libc.mallopt(M_TRIM_THRESHOLD, KEEP_TRIM)
    try:
        yield
    finally:
        libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_THRESHOLD if trim is None else trim)
        libc.mallopt(M_MMAP_THRESHOLD, DEFAULT_THRESHOLD if mmap is None else mmap)
        libc.malloc_trim(0)
