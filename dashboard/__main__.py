"""`python -m dashboard [--db PATH] [--host HOST] [--port PORT]` serves the dashboard."""
from __future__ import annotations

import argparse
import os


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="jiceng dashboard 基层卫生监测")
    parser.add_argument("--db", help="warehouse file (default: JICENG_DB or var/jiceng.duckdb)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    if args.db:
        os.environ["JICENG_DB"] = args.db
    from dashboard.app import app
    print(f"jiceng: http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
