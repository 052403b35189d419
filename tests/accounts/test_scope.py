"""The one scope check: a school sees itself, a certifier its subtree, the province everything."""

import pytest

from tests.factories import province_with_users


@pytest.fixture
def world(db):
    return province_with_users()


def visible(client, auth, username, world):
    auth.login(username)
    codes = {key: client.get(f"/units/{world[key].id}").status_code for key in ("province", "x", "y", "a", "b", "c")}
    auth.logout()
    return codes


def test_school_sees_only_itself(client, auth, world):
    assert visible(client, auth, "school_a", world) == {
        "province": 404, "x": 404, "y": 404, "a": 200, "b": 404, "c": 404,
    }  # fmt: skip


def test_certifier_sees_its_agency_and_schools(client, auth, world):
    assert visible(client, auth, "cert_x", world) == {
        "province": 404, "x": 200, "y": 404, "a": 200, "b": 200, "c": 404,
    }  # fmt: skip


def test_province_sees_everything(client, auth, world):
    assert set(visible(client, auth, "province", world).values()) == {200}


def test_directory_list_is_scoped(client, auth, world):
    auth.login("cert_x")
    html = client.get("/directory").get_data(as_text=True)
    assert "โรงเรียนเอ" in html and "โรงเรียนบี" in html
    assert "โรงเรียนซี" not in html and "สพม.ทดสอบ" not in html


def test_school_cannot_open_the_directory(client, auth, world):
    auth.login("school_a")
    assert client.get("/directory").status_code == 403


def test_missing_unit_is_404(client, auth, world):
    auth.login("province")
    assert client.get("/units/999999").status_code == 404
