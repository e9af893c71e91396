"""Which address the portal takes as the client's, for each number of trusted proxies.

The address is what the rate limits count and what a comment's address code (kept a day for
abuse control) is made from. X-Forwarded-For is believed exactly PROXY_COUNT entries deep,
counted from the right, and not at all with PROXY_COUNT=0.
"""

from __future__ import annotations

import pytest

from feedback_portal.extensions import db
from feedback_portal.hashing import keyed_hash
from tests.conftest import make_app, seed_open_document
from tests.factories import all_comments, comment_post

SECTION = "/definition/basic"
PROXY = "10.0.0.1"
SECOND_PROXY = "10.0.0.2"
PERSON = "198.51.100.9"
FORGED = "1.1.1.1"
STRANGER = "203.0.113.5"


@pytest.mark.parametrize(
    ("proxy_count", "remote_addr", "x_forwarded_for", "client_address"),
    [
        # No proxy: the header is the client's own words, ignored.
        (0, STRANGER, FORGED, STRANGER),
        (0, PERSON, None, PERSON),
        # One proxy: its entry, the last, is believed; whatever the client sent before it is not.
        (1, PROXY, PERSON, PERSON),
        (1, PROXY, f"{FORGED}, {PERSON}", PERSON),
        (1, PROXY, None, PROXY),
        # One proxy, but reached directly: the header is believed, so the client picks its
        # address. This is why the app must listen only where the proxy can reach it.
        (1, STRANGER, FORGED, FORGED),
        # Two proxies: the entry the outer proxy wrote, second from the right.
        (2, SECOND_PROXY, f"{FORGED}, {PERSON}, {PROXY}", PERSON),
        (2, SECOND_PROXY, f"{PERSON}, {PROXY}", PERSON),
        # Fewer entries than proxies: nothing in the header is believed.
        (2, SECOND_PROXY, PERSON, SECOND_PROXY),
    ],
)
def test_the_client_address_for_each_proxy_count(
    test_database_url, proxy_count, remote_addr, x_forwarded_for, client_address
):
    app = make_app(test_database_url, PROXY_COUNT=proxy_count)
    with app.app_context():
        seed_open_document()
    client = app.test_client()
    headers = {"X-Forwarded-For": x_forwarded_for} if x_forwarded_for else {}
    data = comment_post(client, SECTION, comment="Where did this come from?")
    response = client.post(SECTION, data=data, headers=headers, environ_base={"REMOTE_ADDR": remote_addr})
    assert response.status_code == 302
    [comment] = all_comments(app)
    with app.app_context():
        assert comment.client_key == keyed_hash("client-address", client_address)
        db.engine.dispose()
