"""The demo province and everything made up for it: the demo directory and accounts (`directory`), synthetic
answers in every status (`synthetic`), the province N times over for scale tests (`scale`), and `flask demo`
(`cli`). Shared by `make run`, the benchmarks and the tests that tell the demo's story.

It sits at the bottom of the one-way order (docs/architecture.md): it may import every feature, and no feature
imports it, so nothing made up ever reaches the app's own code paths.
"""
