"""`python -m benchmarks`: the province benchmark; `python -m benchmarks loadtest`: the load test;
`python -m benchmarks writes [--scale N ...]`: the write path at several sizes."""
import sys

if sys.argv[1:2] == ["loadtest"]:
    from benchmarks.loadtest import main
    raise SystemExit(main(sys.argv[2:]))
if sys.argv[1:2] == ["writes"]:
    from benchmarks.writes import main
    raise SystemExit(main(sys.argv[2:]))
from benchmarks.province import main

raise SystemExit(main())
