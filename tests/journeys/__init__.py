"""User journeys: every example in README.md and in the ``--help`` texts, run for real.

The examples are extracted from the files themselves at test time (:mod:`.examples`), so a
new example is tested as soon as it is written; an example that no journey knows how to run
fails :func:`test_examples.test_every_example_has_a_journey`. Each journey runs in a tmp
folder against local stand-ins for the outside world (:mod:`.standins`: files generated from
the synthetic sample, the Overpass stand-in on 127.0.0.1, a serial/local Dask scheduler) and
asserts that the answer is sane (:mod:`.checks`), not merely that it ran.
"""
