"""Progress of a sweep: a tqdm bar on a terminal, plain lines otherwise, nothing when quiet.

On a terminal the bar shows points done, rate and time left. When stderr is not a terminal (a log
file, CI, a pipe) a plain line is printed at most every :data:`LINE_INTERVAL_S` seconds and at the
end, so logs stay readable.

Examples
--------
>>> progress = Progress("demo", total=4, done=1, enabled=False)
>>> progress.update(3)
>>> progress.close()
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

LINE_INTERVAL_S = 10.0


class Progress:
    """Counts finished points of ``total`` (``done`` already stored before this run).

    Examples
    --------
    >>> import io
    >>> stream = io.StringIO()
    >>> progress = Progress("demo", total=4, done=1, stream=stream)  # not a terminal: plain lines
    >>> progress.update(3)
    >>> progress.close()
    >>> lines = stream.getvalue().splitlines()
    >>> lines[0].startswith("demo: 1/4 points (25 %)"), lines[-1].startswith("demo: 4/4 points (100 %)")
    (True, True)
    """

    def __init__(self, label: str, total: int, done: int = 0, enabled: bool = True, stream: TextIO | None = None):
        self.label, self.total, self.done = label, total, done
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._bar = None
        self._start = time.perf_counter()
        self._first = done
        self._last_line = self._start
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=done, desc=label, unit="pt", file=self.stream, dynamic_ncols=True)
        elif enabled:
            self._line()

    def update(self, n: int = 1) -> None:
        """``n`` more points are finished.

        Examples
        --------
        >>> progress = Progress("demo", total=10, enabled=False)
        >>> progress.update(4)
        >>> progress.update()
        >>> progress.done
        5
        """
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.enabled and time.perf_counter() - self._last_line >= LINE_INTERVAL_S:
            self._line()

    def _line(self) -> None:
        now = time.perf_counter()
        self._last_line = now
        rate = (self.done - self._first) / max(now - self._start, 1e-9)
        left = f", {(self.total - self.done) / rate:.0f} s left" if rate > 0 and self.done < self.total else ""
        print(f"{self.label}: {self.done}/{self.total} points ({100 * self.done / max(self.total, 1):.0f} %), "
              f"{rate:.3g} points/s{left}", file=self.stream, flush=True)

    def close(self) -> None:
        """Finish the bar, or print the final line.

        Examples
        --------
        >>> import io
        >>> stream = io.StringIO()
        >>> Progress("quiet", total=2, enabled=False, stream=stream).close()  # disabled: prints nothing
        >>> stream.getvalue()
        ''
        """
        if self._bar is not None:
            self._bar.close()
        elif self.enabled:
            self._line()
