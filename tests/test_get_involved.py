"""Offering to work with the team: consent recorded in its exact words, and withdrawn as easily."""

import re

import pytest
from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import ConsentRecord, InvolvementOffer
from feedback_portal.services.involvement import CONSENT_WORDING
from tests.factories import comment_post
from tests.pages import check_page, heading, parse, text_of

PAGE = "/get-involved"


def offer_post(client, **fields) -> dict[str, str]:
    data = comment_post(client, PAGE)
    data.update({"name": "Priya Shah", "email": "priya@example.com", "interests": "training", "consent": "y"})
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def offers(app) -> list[InvolvementOffer]:
    with app.app_context():
        rows = db.session.scalars(select(InvolvementOffer).order_by(InvolvementOffer.id)).all()
        db.session.expunge_all()
        return rows


def test_every_page_links_to_get_involved(client):
    for path in ("/", "/definition/basic", "/privacy"):
        assert parse(client.get(path)).select_one("nav a[href='/get-involved']") is not None


def test_the_form_shows_the_consent_statement_unticked(client):
    soup = check_page(client.get(PAGE))
    consent = soup.select_one("input[name=consent]")
    assert consent is not None and not consent.has_attr("checked")
    assert CONSENT_WORDING in text_of(soup)
    interests = [label.get_text(strip=True) for label in soup.select("input[name=interests] + label")]
    assert interests[0] == "Designing or changing services" and interests[-1] == "Something else"


def test_an_offer_is_stored_with_its_consent_and_a_way_to_withdraw(client, app):
    response = client.post(
        PAGE,
        data=offer_post(
            client,
            phone="0121 496 0000",
            how_to_be_involved="Online meetings",
            access_needs="Large print please",
        ),
    )
    assert response.headers["Location"] == "/get-involved/done"
    done = check_page(client.get("/get-involved/done"))
    withdraw_link = done.select_one("a[href*='/get-involved/withdraw/']")["href"]
    [offer] = offers(app)
    assert (offer.name, offer.email, offer.phone) == ("Priya Shah", "priya@example.com", "0121 496 0000")
    assert offer.interests == "training"
    assert offer.access_needs == "Large print please"
    token = withdraw_link.rsplit("/", 1)[1]
    assert token not in offer.withdraw_token_hash
    with app.app_context():
        [consent] = db.session.scalars(select(ConsentRecord)).all()
        assert consent.involvement_offer_id == offer.id
        assert (consent.purpose, consent.wording, consent.wording_version) == (
            "involvement",
            CONSENT_WORDING,
            "get-involved-v1",
        )

    confirm = check_page(client.get(re.sub(r"^https?://[^/]+", "", withdraw_link)))
    assert heading(confirm) == "Withdraw your consent"
    data = {field["name"]: field.get("value", "") for field in confirm.select("form input[type=hidden]")}
    path = re.sub(r"^https?://[^/]+", "", withdraw_link)
    soup = check_page(client.post(path, data=data))
    assert heading(soup) == "Your details have been deleted"
    [offer] = offers(app)
    assert (offer.name, offer.email, offer.phone, offer.access_needs) == (None, None, None, None)
    assert offer.withdrawn_at is not None
    with app.app_context():
        assert db.session.scalar(select(ConsentRecord.withdrawn_at)) is not None
    again = check_page(client.get(path), status=410)
    assert heading(again) == "You have already withdrawn your offer"


def test_a_made_up_withdrawal_link_is_not_found(client):
    check_page(client.get("/get-involved/withdraw/not-a-real-token"), status=404)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consent": None}, "Select that you agree"),
        ({"name": ""}, "Enter your name"),
        ({"email": "", "phone": ""}, "Enter an email address or a phone number"),
        ({"email": "", "phone": "call me"}, "Enter a phone number"),
        ({"email": "two@example.com three@example.com"}, "Enter one email address"),
        ({"interests": None}, "Select what you are interested in"),
        ({"interests": "not-a-section"}, "not a valid choice"),
        ({"access_needs": "bad\x00"}, "must not include control characters"),
    ],
)
def test_bad_offers_are_explained_and_not_stored(client, app, fields, message):
    response = client.post(PAGE, data=offer_post(client, **fields))
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert message.lower() in text_of(soup.select_one(".govuk-error-summary")).lower()
    assert soup.select_one("input#name")["value"] == fields.get("name", "Priya Shah")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InvolvementOffer)) == 0
        assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_the_same_offer_sent_twice_is_stored_once(client, app):
    data = offer_post(client)
    client.post(PAGE, data=data)
    client.post(PAGE, data=data)
    assert len(offers(app)) == 1


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, app):
    response = client.post(PAGE, data=offer_post(client, website="http://spam.example"))
    assert response.headers["Location"] == "/get-involved/done"
    done = check_page(client.get("/get-involved/done"))
    assert done.select_one("a[href*='/get-involved/withdraw/']") is None
    assert offers(app) == []
