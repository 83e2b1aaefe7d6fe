"""Where the browser-vs-native latency gap goes: `python -m studies.browser_gap`; findings in README.md."""
