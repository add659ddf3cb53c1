"""Progress of long commands: a tqdm bar on a terminal, plain lines otherwise, nothing when quiet.

Examples
--------
>>> import io
>>> stream = io.StringIO()
>>> with Progress(["derive", "validate"], "demo", stream=stream) as progress:
...     progress.advance("derive")
>>> "demo: derive (1/2" in stream.getvalue()
True
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

from tqdm import tqdm


class Progress:
    """Announce named stages of a task as they start.

    Examples
    --------
    >>> import io
    >>> stream = io.StringIO()
    >>> with Progress(["derive"], "quiet", enabled=False, stream=stream) as progress:
    ...     progress.advance("derive")
    >>> stream.getvalue(), progress.done  # disabled: counts, prints nothing
    ('', 1)
    """

    def __init__(self, stages: Sequence[str], description: str, enabled: bool = True,
                 stream: TextIO | None = None) -> None:
        self.stages, self.description, self.enabled = tuple(stages), description, enabled
        self.stream = stream if stream is not None else sys.stderr
        self.done, self.start = 0, time.perf_counter()
        terminal = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = tqdm(total=len(self.stages), desc=description, file=self.stream, leave=False) if terminal else None

    def advance(self, stage: str) -> None:
        """Stage ``stage`` starts.

        Examples
        --------
        >>> import io
        >>> stream = io.StringIO()
        >>> progress = Progress(["derive", "validate", "figures"], "bloch", stream=stream)
        >>> progress.advance("derive"); progress.advance("validate")
        >>> [line.split(" (")[1].split(",")[0] for line in stream.getvalue().splitlines()]  # stage k of n
        ['1/3', '2/3']
        """
        self.done += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(stage)
            self.bar.update(1)
        else:
            elapsed = time.perf_counter() - self.start
            print(f"{self.description}: {stage} ({self.done}/{len(self.stages)}, {elapsed:.1f} s)", file=self.stream,
                  flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
