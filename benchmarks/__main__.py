"""`python -m benchmarks`: the province benchmark; `python -m benchmarks loadtest`: the load test;
`python -m benchmarks writes [--scale N ...]`: the write path at several sizes;
`python -m benchmarks browser [--scale S ...] [--repeats 5]`: every page's wait in headless Chromium;
`python -m benchmarks bulletin [--scale N] [--db PATH]`: making the monthly bulletin."""
import sys

if sys.argv[1:2] == ["loadtest"]:
    from benchmarks.loadtest import main
    raise SystemExit(main(sys.argv[2:]))
if sys.argv[1:2] == ["writes"]:
    from benchmarks.writes import main
    raise SystemExit(main(sys.argv[2:]))
if sys.argv[1:2] == ["browser"]:
    from benchmarks.browser import main
    raise SystemExit(main(sys.argv[2:]))
if sys.argv[1:2] == ["bulletin"]:
    from benchmarks.bulletin import main
    raise SystemExit(main(sys.argv[2:]))
from benchmarks.province import main

raise SystemExit(main())
