"""Progress of long commands: a tqdm bar on a terminal, plain lines otherwise, nothing when quiet.

One class serves the three kinds of long work of the command line:

* named stages (``derive``, ``validate``, ``figures``; the cutoffs of a convergence study):
  :meth:`Progress.stage` announces each as it starts, with a plain line at once when the stream
  is not a terminal;
* counted units (the points of a sweep, the rows of a benchmark): :meth:`Progress.update`
  counts them, and a plain line is printed at most every :data:`LINE_INTERVAL_S` seconds and at
  the end, so logs stay readable;
* both at once: a stage name is shown next to the count.

``total`` may be unknown (``None``): a convergence loop does not know how many steps it takes.

Examples
--------
>>> import io
>>> stream = io.StringIO()
>>> with Progress("demo", total=2, stream=stream) as progress:
...     progress.stage("derive")
...     progress.stage("validate")
>>> print(stream.getvalue().splitlines()[1].split(",")[0])
demo: validate (2/2
>>> quiet = io.StringIO()
>>> with Progress("sweep", total=4, done=1, enabled=False, stream=quiet) as progress:
...     progress.update(3)
>>> quiet.getvalue()
''
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

LINE_INTERVAL_S = 10.0


class Progress:
    """Stages started and units finished of one task called ``description``.

    Parameters
    ----------
    description : str
        What is running, e.g. ``"sps000"`` or ``"sweep purcell"``.
    total : int, optional
        Number of stages or units, if known.
    done : int
        Units already finished before this run (a resumed sweep).
    enabled : bool
        ``False`` prints nothing (``--quiet``).
    stream : text stream, optional
        Where to write (standard error by default); a tqdm bar only if it is a terminal.
    unit : str
        Name of the counted unit in plain lines (``"points"``, ``"rows"``, ``"steps"``).
    """

    def __init__(self, description: str, total: int | None = None, done: int = 0, enabled: bool = True,
                 stream: TextIO | None = None, unit: str = "steps") -> None:
        self.description, self.total, self.done, self.enabled, self.unit = description, total, done, enabled, unit
        self.stream = stream if stream is not None else sys.stderr
        self._start = self._last_line = time.perf_counter()
        self._first, self._counted, self._shown = done, False, done
        terminal = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._bar = tqdm(total=total, initial=done, desc=description, file=self.stream, leave=False,
                         dynamic_ncols=True) if terminal else None

    def stage(self, name: str) -> None:
        """Stage ``name`` starts (it counts as one unit)."""
        self.done += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(name)
            self._bar.update(1)
            return
        of = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        print(f"{self.description}: {name} ({of}, {self._elapsed():.1f} s)", file=self.stream, flush=True)
        self._last_line = time.perf_counter()

    def update(self, n: int = 1) -> None:
        """``n`` more units are finished."""
        self.done += n
        self._counted = True
        if self._bar is not None:
            self._bar.update(n)
        elif self.enabled and time.perf_counter() - self._last_line >= LINE_INTERVAL_S:
            self._count_line()

    def _elapsed(self) -> float:
        return time.perf_counter() - self._start

    def _count_line(self) -> None:
        self._last_line, self._shown = time.perf_counter(), self.done
        rate = (self.done - self._first) / max(self._elapsed(), 1e-9)
        if self.total is None:
            print(f"{self.description}: {self.done} {self.unit}, {self._elapsed():.1f} s", file=self.stream,
                  flush=True)
            return
        left = f", {(self.total - self.done) / rate:.0f} s left" if rate > 0 and self.done < self.total else ""
        print(f"{self.description}: {self.done}/{self.total} {self.unit} "
              f"({100 * self.done / max(self.total, 1):.0f} %), {rate:.3g} {self.unit}/s{left}",
              file=self.stream, flush=True)

    def close(self) -> None:
        """Finish the bar, or print the final count line (if units were counted rather than staged)."""
        if self._bar is not None:
            self._bar.close()
        elif self.enabled and self._counted and self.done != self._shown:
            self._count_line()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
