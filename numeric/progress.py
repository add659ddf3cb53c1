"""Progress of an evolution over its output times: off, a QuTiP-style text line, or ``tqdm``.

``options["progress_bar"]`` of :func:`~qderive.numeric.mesolve` selects it: ``None`` (or ``""``,
``False``) for none, ``"text"`` for a line on standard error at every tenth of the output times
(percentage, run time, estimated time left, as QuTiP prints), ``"tqdm"`` for a :mod:`tqdm` bar
(imported only then).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

PROGRESS_BARS = (None, "", False, "text", "tqdm")


class NoProgress:
    """A progress bar that shows nothing.

    Examples
    --------
    >>> bar = progress_bar("", 5)
    >>> type(bar).__name__, bar.update(3), bar.close()
    ('NoProgress', None, None)
    """

    def update(self, steps: int = 1) -> None:
        """Count ``steps`` more output times (ignored).

        Examples
        --------
        >>> NoProgress().update(100)  # prints nothing
        """

    def close(self) -> None:
        """Finish (nothing to do).

        Examples
        --------
        >>> NoProgress().close()  # prints nothing
        """


class TextProgress:
    """``"40.0%. Run time:   0.12s. Est. time left: 00:00:00:00"`` at every tenth of ``total``.

    Examples
    --------
    >>> import io
    >>> stream = io.StringIO()
    >>> bar = TextProgress(20, stream)
    >>> for _ in range(20):
    ...     bar.update()
    >>> lines = stream.getvalue().splitlines()
    >>> len(lines), lines[0].split(".")[0], lines[-1].split("%")[0]  # one line per tenth
    (10, '10', '100.0')
    """

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total = max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        self.shown = 0
        self.started = time.perf_counter()

    def update(self, steps: int = 1) -> None:
        """Count ``steps`` more output times; print a line at each new tenth.

        Examples
        --------
        >>> import io
        >>> stream = io.StringIO()
        >>> bar = TextProgress(4, stream)
        >>> bar.update(1)
        >>> stream.getvalue().startswith("25.0%. Run time:")
        True
        >>> bar.update(5)  # clipped at the total
        >>> bar.done, stream.getvalue().splitlines()[-1].startswith("100.0%")
        (4, True)
        """
        self.done = min(self.done + steps, self.total)
        tenth = 10 * self.done // self.total
        if tenth > self.shown:
            self.shown = tenth
            elapsed = time.perf_counter() - self.started
            left = elapsed * (self.total - self.done) / self.done
            self.stream.write(f"{100 * self.done / self.total:.1f}%. Run time: {elapsed:7.2f}s. "
                              f"Est. time left: {time.strftime('%H:%M:%S', time.gmtime(left))}\n")

    def close(self) -> None:
        """Print the total run time.

        Examples
        --------
        >>> import io
        >>> stream = io.StringIO()
        >>> TextProgress(3, stream).close()
        >>> stream.getvalue().startswith("Total run time:")
        True
        """
        self.stream.write(f"Total run time: {time.perf_counter() - self.started:7.2f}s\n")


def progress_bar(kind: Any, total: int) -> Any:
    """The progress bar of ``kind`` (see the module docstring) for ``total`` output times.

    Examples
    --------
    >>> bar = progress_bar(None, 10)
    >>> bar.update(10); bar.close()
    """
    if kind in (None, "", False):
        return NoProgress()
    if kind == "text":
        return TextProgress(total)
    import tqdm

    return tqdm.tqdm(total=total)
