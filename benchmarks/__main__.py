"""`python -m benchmarks`: the province benchmark; `python -m benchmarks loadtest`: the load test."""
import sys

if sys.argv[1:2] == ["loadtest"]:
    from benchmarks.loadtest import main
    raise SystemExit(main(sys.argv[2:]))
from benchmarks.province import main
raise SystemExit(main())
