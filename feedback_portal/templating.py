"""What every template can use: who runs the portal, and the page title format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request, url_for
from wtforms.validators import Length

from feedback_portal.permissions import Capability, may


@dataclass(frozen=True)
class Organisation:
    name: str
    url: str
    directorate: str
    team_name: str
    team_email: str
    team_twitter: str
    service_name: str
    brand_colour: str

    @property
    def twitter_url(self) -> str:
        return "https://twitter.com/" + self.team_twitter.lstrip("@")


def current_organisation() -> Organisation:
    config = current_app.config
    return Organisation(
        name=config["ORGANISATION_NAME"],
        url=config["ORGANISATION_URL"],
        directorate=config["DIRECTORATE_NAME"],
        team_name=config["TEAM_NAME"],
        team_email=config["TEAM_EMAIL"],
        team_twitter=config["TEAM_TWITTER"],
        service_name=config["SERVICE_NAME"],
        brand_colour=config["BRAND_COLOUR"],
    )


def html_datetime(moment: datetime) -> str:
    """A moment as HTML's `datetime` attribute allows it: whole seconds, with the UTC offset."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def max_length(field: Any) -> int | None:
    """The longest a form field may be, from its own Length check, for the character count."""
    limits = [
        validator.max
        for validator in field.validators
        if isinstance(validator, Length) and validator.max >= 0
    ]
    return min(limits) if limits else None


def page_title(page: str, has_errors: bool = False) -> str:
    """'Page – Service – Organisation', with 'Error: ' first when the page shows errors."""
    org = current_organisation()
    title = f"{page} – {org.service_name} – {org.name}"
    return f"Error: {title}" if has_errors else title


# (label, endpoint, endpoints that count as being in that part of the site)
NAVIGATION = [
    (
        "The definition",
        "public.view_definition",
        {
            "public.view_definition",
            "public.view_section",
            "public.view_practice_item",
            "public.submit_document_comment",
            "public.submit_section_comment",
            "public.submit_practice_item_comment",
        },
    ),
    ("Get involved", "public.view_get_involved", {"public.view_get_involved", "public.submit_get_involved"}),
]


def main_navigation() -> list[dict[str, Any]]:
    """Items for the service navigation, with the current part of the site marked."""
    return [
        {"href": url_for(endpoint), "text": label, "active": request.endpoint in active_for}
        for label, endpoint, active_for in NAVIGATION
    ]


# (label, endpoint, the capability needed to see it)
STAFF_NAVIGATION = [
    ("Dashboard", "staff.view_dashboard", Capability.READ_FEEDBACK),
    ("Comments", "staff.list_comments", Capability.READ_FEEDBACK),
    ("Reported", "staff.list_reported_comments", Capability.MODERATE),
    ("You said, we did", "staff.list_summaries", Capability.READ_FEEDBACK),
    ("Themes", "staff.list_themes", Capability.READ_FEEDBACK),
    ("Figures", "staff.view_figures", Capability.READ_FEEDBACK),
    ("Export", "staff.view_export", Capability.READ_FEEDBACK),
    ("Get involved offers", "staff.list_offers", Capability.READ_FEEDBACK),
    ("Document", "staff.view_document", Capability.EDIT_DOCUMENT),
    ("Staff accounts", "staff.list_users", Capability.ADMINISTER),
    ("Consultations", "staff.list_consultations", Capability.RUN_CONSULTATIONS),
    ("Settings", "staff.view_settings", Capability.ADMINISTER),
    ("Get involved form", "staff.list_involvement_options", Capability.ADMINISTER),
    ("Audit log", "staff.list_audit_entries", Capability.ADMINISTER),
    ("Email problems", "staff.list_outbox", Capability.ADMINISTER),
    ("Find a person", "staff.view_privacy_search", Capability.ADMINISTER),
    ("Your account", "staff.view_account", Capability.READ_FEEDBACK),
]


def staff_navigation() -> list[dict[str, Any]]:
    """The staff pages this person's role may use, for the service navigation."""
    from flask_login import current_user

    items = []
    for label, endpoint, capability in STAFF_NAVIGATION:
        if not may(current_user.role, capability):
            continue
        href = url_for(endpoint)
        items.append({"href": href, "text": label, "active": request.path == href})
    return items


def template_globals() -> dict[str, Any]:
    return {
        "org": current_organisation(),
        "page_title": page_title,
        "main_navigation": main_navigation,
        "staff_navigation": staff_navigation,
    }
