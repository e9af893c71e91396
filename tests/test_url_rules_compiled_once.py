"""The tests' apps share compiled URL rules (tests/helpers/url_rules.py): a second app must
build and match its URLs exactly as it would have compiled them itself."""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.routing import Rule

from tests.helpers.url_rules import RuleCompiledOnce


def make(rule_class: type[Rule], defaults: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.url_rule_class = rule_class
    app.add_url_rule("/sections/<slug>/comments/<int:page>", "comments", lambda slug, page: f"{slug} {page}")
    # A default for a variable in the rule is written into the compiled builder.
    app.add_url_rule("/report/<reason>", "report", lambda reason: reason, defaults=defaults)
    return app


def comments_rule(app: Flask) -> Rule:
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == "comments")


def test_a_second_app_builds_and_matches_urls_as_one_compiling_its_own_would():
    first = comments_rule(make(RuleCompiledOnce))
    for rule_class in (RuleCompiledOnce, Rule):
        app = make(rule_class)
        # Taken from the first app's rule, not compiled again: the point of the class.
        assert (comments_rule(app)._parts is first._parts) == (rule_class is RuleCompiledOnce)
        with app.test_request_context():
            assert url_for("comments", slug="who decides", page=2, theme="a&b") == (
                "/sections/who%20decides/comments/2?theme=a%26b"
            )
        assert app.test_client().get("/sections/basic/comments/3").text == "basic 3"
        assert app.test_client().get("/sections/basic/comments/three").status_code == 404


def test_the_same_rule_with_other_defaults_is_compiled_for_itself():
    make(RuleCompiledOnce, defaults={"reason": "spam"})
    app = make(RuleCompiledOnce, defaults={"reason": "abuse"})
    with app.test_request_context():
        assert url_for("report") == "/report/abuse"
