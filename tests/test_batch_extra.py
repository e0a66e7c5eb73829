"""Optional dependencies of the batch runner fail before any job runs, naming the extra."""

from __future__ import annotations

import sys

import pytest

from jinan_gis.analyses.batch import Job, run_batch
from jinan_gis.geo.errors import BatchError


def test_missing_pyarrow_fails_before_any_job(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if the cluster extra were absent
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    store = tmp_path / "does-not-matter.gpkg"
    store.write_bytes(b"")
    with pytest.raises(BatchError, match=r"jinan-gis\[cluster\]"):
        run_batch([Job("a", area="370112", metric="L-CLINIC-1000")], store_path=store,
                  results_path=tmp_path / "res")
    assert not (tmp_path / "res").exists()
