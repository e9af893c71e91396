"""URL rules compiled once per test run, not once per app.

Every test builds a new app, and Werkzeug compiles each of its URL rules (about 170) into
Python code for building its URLs: four fifths of the cost of making an app (templates apart,
which have their own cache), a tenth of a second a test. The rules are the same in every app,
so the tests' apps use Flask's `url_rule_class` hook to take the compiled parts of the same rule
compiled earlier.

The converters are shared too, and keep the map of the app that compiled them first. None of
Werkzeug's converters, nor url_ids.IdConverter, reads its map; a converter that did would need
its rules compiled for each app.
"""

from __future__ import annotations

from typing import Any, ClassVar

from werkzeug.routing import Rule


class RuleCompiledOnce(Rule):
    _compiled: ClassVar[dict[tuple[Any, ...], Rule]] = {}

    def compile(self) -> None:
        assert self.map is not None, "rule not bound"
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,
            self.map.host_matching,
            repr(sorted((self.defaults or {}).items())),
            tuple(sorted(self.map.converters.items())),
        )
        compiled = self._compiled.get(key)
        if compiled is None:
            super().compile()
            self._compiled[key] = self
            return
        self._parts, self._trace, self._converters = compiled._parts, compiled._trace, compiled._converters
        self.arguments = set(compiled.arguments)
        # The builders are methods of the rule compiled first: the same functions, bound to this one.
        self._build = compiled._build.__func__.__get__(self, None)  # type: ignore[attr-defined]
        self._build_unknown = compiled._build_unknown.__func__.__get__(self, None)  # type: ignore[attr-defined]
