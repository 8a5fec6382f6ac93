from benchmarks.loadtest import main

raise SystemExit(main())
