"""The Dash app: pages lay out, callbacks call warehouse query functions and build figures."""
