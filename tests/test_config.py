"""The app refuses to start with a configuration that would be unsafe in production."""

import subprocess
import sys
from pathlib import Path

import pytest

from feedback_portal import ConfigurationError, create_app

STRONG_KEY = "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3
PUBLIC_BASE_URL = "https://feedback.example.gov.uk"


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        create_app("production", {"SECRET_KEY": None})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": "changeme"})


def test_production_refuses_the_development_key():
    from config import DevelopmentConfig

    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": DevelopmentConfig.SECRET_KEY})


def test_production_refuses_debug_mode():
    with pytest.raises(ConfigurationError, match="Debug mode must be off"):
        create_app("production", {"SECRET_KEY": STRONG_KEY, "DEBUG": True})


def test_production_refuses_a_public_base_url_that_is_not_https():
    for base_url in ("http://127.0.0.1:5000", "https://", ""):
        with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL must be the https address"):
            create_app("production", {"SECRET_KEY": STRONG_KEY, "PUBLIC_BASE_URL": base_url})


def test_production_trusts_only_the_public_base_url_host_unless_told_more():
    settings = {"SECRET_KEY": STRONG_KEY, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}
    assert create_app("production", settings).config["TRUSTED_HOSTS"] == ["feedback.example.gov.uk"]
    more = create_app("production", {**settings, "TRUSTED_HOSTS": ["a.example", "b.example"]})
    assert more.config["TRUSTED_HOSTS"] == ["a.example", "b.example"]


def test_production_starts_with_a_strong_key_and_secure_cookies():
    app = create_app("production", {"SECRET_KEY": STRONG_KEY, "PUBLIC_BASE_URL": PUBLIC_BASE_URL})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_is_the_default_and_uses_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    app = create_app()
    assert app.config["ENV_NAME"] == "development"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_an_unknown_environment_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "staging")
    with pytest.raises(SystemExit, match="PORTAL_ENV must be one of"):
        create_app()


def test_brand_colour_must_be_a_colour():
    with pytest.raises(ConfigurationError, match="BRAND_COLOUR"):
        create_app("testing", {"BRAND_COLOUR": "red; background:url(x)"})


def public_base_url_in(environment: dict[str, str]) -> str:
    """PUBLIC_BASE_URL as a fresh process started with these variables would load it."""
    script = "from feedback_portal import create_app; print(create_app().config['PUBLIC_BASE_URL'])"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", **environment},
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_in_development_links_in_emails_follow_the_port_the_site_is_served_on():
    assert public_base_url_in({"PORTAL_ENV": "development", "PORT": "5101"}) == "http://127.0.0.1:5101"
    assert public_base_url_in({"PORTAL_ENV": "development"}) == "http://127.0.0.1:5000"


def test_a_public_base_url_that_is_set_wins_over_the_port():
    setting = {"PUBLIC_BASE_URL": "https://feedback.example.gov.uk", "PORT": "5101"}
    assert public_base_url_in({"PORTAL_ENV": "development", **setting}) == "https://feedback.example.gov.uk"
    production = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "PORT": "8000",
        "PUBLIC_BASE_URL": "https://feedback.example.gov.uk",
    }
    assert public_base_url_in(production) == "https://feedback.example.gov.uk"
