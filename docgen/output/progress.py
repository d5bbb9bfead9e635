"""Progress of a bulk run: a bar with rate and time left on a terminal, plain lines elsewhere.

Off a terminal (a log file, a CI job) a redrawn bar would be noise, so a line is printed at
most every few seconds, and at the end. Counts only: no record data.
"""
from __future__ import annotations

import time
from typing import TextIO

from tqdm import tqdm

PLAIN_INTERVAL_S = 5.0


class Progress:
    def __init__(self, total: int, done: int, stream: TextIO | None, unit: str = "record") -> None:
        self.total = total
        self.done = done
        self.stream = stream
        self.unit = unit
        self._start_done = done
        self._start = self._last = time.monotonic()
        self._bar = None
        self._printed = -1
        if stream is not None and stream.isatty():
            self._bar = tqdm(total=total, initial=done, unit=unit, file=stream, desc="docgen batch",
                             dynamic_ncols=True, smoothing=0.1)

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.stream is not None and time.monotonic() - self._last >= PLAIN_INTERVAL_S:
            self._line()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.stream is not None and self._printed != self.done:
            self._line()

    def _line(self) -> None:
        now = time.monotonic()
        self._last = now
        self._printed = self.done
        rate = (self.done - self._start_done) / max(now - self._start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = f", about {left:.0f} s left" if self.done < self.total and rate > 0 else ""
        print(f"docgen batch: {self.done}/{self.total} {self.unit}s ({pct:.0f}%), {rate:.0f} {self.unit}s/s{eta}",
              file=self.stream, flush=True)
