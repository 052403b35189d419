"""Survey links and QR codes never follow the request's Host header.

Before: `Host: evil.example` on a school's share page gave a link and a QR code to evil.example, to be
printed and handed to every teacher.
"""

from __future__ import annotations

import pytest

from tests.fixtures.answering import make_round
from tests.fixtures.app import Auth


@pytest.fixture
def share_url(world, auth):  # type: ignore[no-untyped-def]
    rnd = make_round(world, "tablet_satisfaction")
    auth.login("school_a")
    return f"/rounds/{rnd.id}/share"


def test_an_unknown_host_is_refused_when_no_public_address_is_configured(client, share_url):
    page = client.get(share_url, headers={"Host": "evil.example"})
    assert page.status_code == 400 and "evil.example" not in page.get_data(as_text=True)
    assert client.get(share_url).status_code == 200  # this machine's own name still works


def test_links_come_from_the_configured_public_address(app, share_url):
    app.config.update(PUBLIC_BASE_URL="https://survey.example.go.th", TRUSTED_HOSTS=None)
    try:
        forged = app.test_client()  # every request of this browser claims Host: evil.example
        forged.environ_base["HTTP_HOST"] = "evil.example"
        Auth(forged).login("school_a")
        page = forged.get(share_url).get_data(as_text=True)
    finally:
        app.config.update(PUBLIC_BASE_URL=None, TRUSTED_HOSTS=["localhost", "127.0.0.1", "::1"])
    assert "https://survey.example.go.th/s/" in page and "evil.example" not in page
