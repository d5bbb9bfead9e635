"""docgen.output.spool: checked records kept on disk in any order of adding and reading."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from docgen.output.spool import Spool


def test_records_read_back_as_added_whatever_the_order_of_adds_and_reads(tmp_path: Path) -> None:
    values = [{"record_id": f"R{i}", "name": "見本　𠮷男" * (i % 3), "birth_date": date(1960, 1, 1 + i % 28)}
              for i in range(200)]
    with Spool(tmp_path) as spool:
        places = [spool.add(i, v) for i, v in enumerate(values[:100])]
        assert spool.read(places[42]) == (42, values[42])
        places += [spool.add(i, v) for i, v in enumerate(values[100:], 100)]     # adding after a read
        for i in (0, 199, 100, 99, 42):
            assert spool.read(places[i]) == (i, values[i])
    assert list(tmp_path.iterdir()) == []      # anonymous: nothing left behind
