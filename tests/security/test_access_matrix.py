"""Every route × every persona × every method gets the answer its rule declares: 404 outside scope,
403 for a role that may not act, the login page for anonymous. A new route without a rule fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from survey_app.forms_engine.operations import publish_files
from survey_app.forms_engine.queries import latest_versions
from tests.factories import province_with_users
from tests.fixtures.answering import ROOT
from tests.fixtures.app import csrf_token
from tests.security.world import PERSONAS, Objects, add_upload, attach_to_answer, build, client_for, restore_passwords

OK, NOT_FOUND, FORBIDDEN, LOGIN = "ok", "404", "403", "login"
LOGGED_IN = {p: OK for p in PERSONAS if p != "anon"} | {"anon": LOGIN}
EVERYONE = dict.fromkeys(PERSONAS, OK)
SCHOOLS_403 = {"school_a": FORBIDDEN, "school_b": FORBIDDEN}
REVIEWERS = {"anon": LOGIN, **SCHOOLS_403, "cert_x": OK, "cert_y": OK, "province": OK, "sysadmin": OK}
PROVINCE_ONLY = {"anon": LOGIN, **SCHOOLS_403, "cert_x": FORBIDDEN, "cert_y": FORBIDDEN, "province": OK, "sysadmin": OK}
A_IN_SCOPE = {"anon": LOGIN, "school_a": OK, "school_b": NOT_FOUND, "cert_x": OK, "cert_y": NOT_FOUND,
              "province": OK, "sysadmin": OK}  # fmt: skip
A_REVIEW = {**A_IN_SCOPE, **SCHOOLS_403}
A_RESPONDENT_ONLY = {**A_IN_SCOPE, "cert_x": FORBIDDEN, "province": FORBIDDEN, "sysadmin": FORBIDDEN}
OWNER_ONLY = {**dict.fromkeys(PERSONAS, NOT_FOUND), "anon": LOGIN, "province": OK}
RESPONDENTS_ONLY = {"anon": LOGIN, "school_a": OK, "school_b": OK, "cert_x": FORBIDDEN, "cert_y": FORBIDDEN,
                    "province": FORBIDDEN, "sysadmin": FORBIDDEN}  # fmt: skip
PERSON_ROUND_UNITS = {"anon": LOGIN, "school_a": OK, "school_b": OK, "cert_x": OK, "cert_y": NOT_FOUND,
                      "province": NOT_FOUND, "sysadmin": NOT_FOUND}  # fmt: skip
RESET = {**PROVINCE_ONLY, "cert_x": FORBIDDEN}
AUDIT_READERS = {**REVIEWERS, "school_a": NOT_FOUND, "school_b": NOT_FOUND}  # a school has no audit trail
SYSTEM_ADMIN_ONLY = {**PROVINCE_ONLY, "province": FORBIDDEN}
NO_SUCH_QUESTION = {**dict.fromkeys(PERSONAS, NOT_FOUND), "anon": LOGIN}


@dataclass
class Rule:
    path: Callable[[Objects], str]
    get: dict[str, str] | None = None
    post: dict[str, str] | None = None
    data: Callable[[Objects], dict] = lambda o: {}
    before: Callable[[object, Objects], None] | None = None  # e.g. a fresh object for a destructive check


def _fresh_removable_upload(app, o: Objects) -> None:  # type: ignore[no-untyped-def]
    from survey_app.extensions import db
    from survey_app.responses.models import Response, ResponseStatus
    from survey_app.responses.operations import transition

    response = db.session.get(Response, o.response_a)
    if response.status != ResponseStatus.RETURNED:
        transition(response, "return", None, comment="ทดสอบสิทธิ์")
    o.upload_a = add_upload(app, response)
    attach_to_answer(o.response_a, o.upload_a)
    db.session.commit()


RULES: dict[str, Rule] = {
    "accounts.login": Rule(lambda o: "/login", get=EVERYONE, post=EVERYONE, data=lambda o: {"username": "x", "password": "y"}),
    "accounts.logout": Rule(lambda o: "/logout", post=dict.fromkeys(PERSONAS, LOGIN)),  # logging out ends on the login page
    "accounts.change_password": Rule(lambda o: "/password", get=LOGGED_IN, post=LOGGED_IN),
    "accounts.directory": Rule(lambda o: "/directory", get=REVIEWERS),
    "accounts.home": Rule(lambda o: "/", get=LOGGED_IN),
    "accounts.language": Rule(lambda o: "/lang/en", get=EVERYONE),
    "accounts.reset_password": Rule(lambda o: f"/units/{o.unit_a}/users/{o.user_a}/reset", post=RESET),
    "accounts.unit": Rule(lambda o: f"/units/{o.unit_a}", get=A_IN_SCOPE),
    "accounts.unit_history": Rule(lambda o: f"/units/{o.unit_a}/history", get=A_IN_SCOPE),
    "accounts.directory_upload": Rule(lambda o: "/directory/import", get=PROVINCE_ONLY, post=PROVINCE_ONLY),
    "accounts.directory_apply": Rule(lambda o: "/directory/import/apply", post=PROVINCE_ONLY, data=lambda o: {"ticket": "forged"}),
    "accounts.new_unit": Rule(lambda o: "/units/new", get=PROVINCE_ONLY, post=PROVINCE_ONLY,
                              data=lambda o: {"code": "N0000001", "parent_code": "X0000001", "kind": "basic_school",
                                              "name_th": "โรงเรียนใหม่"}),
    "accounts.edit_unit": Rule(lambda o: f"/units/{o.unit_a}/edit", get=PROVINCE_ONLY, post=PROVINCE_ONLY,
                               data=lambda o: {"parent_code": "X0000001", "kind": "basic_school", "name_th": "โรงเรียนเอ ใหม่"}),
    "accounts.deactivate_unit": Rule(lambda o: f"/units/{o.unit_a}/deactivate", post=PROVINCE_ONLY),
    "accounts.reactivate_unit": Rule(lambda o: f"/units/{o.unit_a}/reactivate", post=PROVINCE_ONLY),
    "admin.audit": Rule(lambda o: "/admin/audit", get=AUDIT_READERS),
    "admin.audit_csv": Rule(lambda o: "/admin/audit.csv", get=AUDIT_READERS),
    "admin.settings": Rule(lambda o: "/admin/settings", get=SYSTEM_ADMIN_ONLY),
    "accounts.users": Rule(lambda o: "/users/", get=PROVINCE_ONLY),
    "accounts.new_user": Rule(lambda o: "/users/new", get=PROVINCE_ONLY, post=PROVINCE_ONLY,
                              data=lambda o: {"unit_code": "A0000001", "username": "new_clerk", "role": "respondent"}),
    "accounts.user": Rule(lambda o: f"/users/{o.user_a}", get=PROVINCE_ONLY, post=PROVINCE_ONLY,
                          data=lambda o: {"display_name": "ทดสอบ", "role": "respondent"}),
    "accounts.deactivate_user": Rule(lambda o: f"/users/{o.user_a}/deactivate", post=PROVINCE_ONLY),
    "accounts.reactivate_user": Rule(lambda o: f"/users/{o.user_a}/reactivate", post=PROVINCE_ONLY),
    "accounts.batch_accounts": Rule(lambda o: "/users/batch", get=PROVINCE_ONLY, post=PROVINCE_ONLY),
    "accounts.handout": Rule(lambda o: "/users/handouts/" + "x" * 32, post={**PROVINCE_ONLY, "province": NOT_FOUND,
                                                                           "sysadmin": NOT_FOUND}),
    "accounts.profile": Rule(lambda o: "/profile", get=LOGGED_IN, post=LOGGED_IN, data=lambda o: {"email": "a@b.co"}),
    "forms_engine.index": Rule(lambda o: "/forms/", get=PROVINCE_ONLY),
    "forms_engine.preview_form": Rule(lambda o: "/forms/1/preview", get=PROVINCE_ONLY, post=PROVINCE_ONLY),
    "reports.index": Rule(lambda o: "/reports/", get=REVIEWERS),
    "reports.round_report": Rule(lambda o: f"/reports/rounds/{o.round_id}", get=REVIEWERS),
    "reports.compare_year": Rule(lambda o: f"/reports/rounds/{o.round_id}/compare", get=REVIEWERS),
    "reports.compare_year_xlsx": Rule(lambda o: f"/reports/rounds/{o.round_id}/compare.xlsx", get=REVIEWERS),
    "reports.start_export": Rule(lambda o: f"/reports/rounds/{o.round_id}/export", post=REVIEWERS, data=lambda o: {"format": "csv"}),
    "reports.export_status": Rule(lambda o: f"/reports/exports/{o.job}", get=OWNER_ONLY),
    "reports.export_status_json": Rule(lambda o: f"/reports/exports/{o.job}.json", get=OWNER_ONLY),
    "reports.export_file": Rule(lambda o: f"/reports/exports/{o.job}/file", get=OWNER_ONLY),
    "responses.download": Rule(lambda o: f"/uploads/{o.upload_a}", get=A_IN_SCOPE),
    "responses.preview_upload": Rule(lambda o: f"/uploads/{o.upload_a}/preview", get=A_IN_SCOPE),
    "responses.remove": Rule(lambda o: f"/uploads/{o.upload_a}/remove", post=A_RESPONDENT_ONLY, before=_fresh_removable_upload),
    "responses.person_survey": Rule(lambda o: f"/s/{o.token_a}", get=EVERYONE, post=EVERYONE),
    # the world's forms have no unit_choice question: the search answers 404 to everyone signed in (and the
    # scoped behaviour itself is tested in tests/forms_engine/test_unit_choice.py)
    "responses.response_units": Rule(lambda o: f"/responses/{o.response_a}/units/nope?q=a", get=NO_SUCH_QUESTION),
    "responses.link_units": Rule(lambda o: f"/s/{o.token_a}/units/nope?q=a", get=dict.fromkeys(PERSONAS, NOT_FOUND)),
    "responses.person_thanks": Rule(lambda o: f"/s/{o.token_a}/thanks", get=EVERYONE),
    "responses.review_submit": Rule(lambda o: f"/responses/{o.response_a}/submit", get=A_RESPONDENT_ONLY, post=A_RESPONDENT_ONLY),
    "responses.round_entry": Rule(lambda o: f"/rounds/{o.round_id}/respond", get=LOGGED_IN),
    "responses.section": Rule(lambda o: f"/responses/{o.response_a}/s/0", get=A_IN_SCOPE, post=A_IN_SCOPE),
    "responses.share": Rule(lambda o: f"/rounds/{o.person_round_id}/share", get=PERSON_ROUND_UNITS, post=PERSON_ROUND_UNITS),
    "responses.share_poster": Rule(lambda o: f"/rounds/{o.person_round_id}/share/{o.unit_a}/poster", get=A_IN_SCOPE),
    "responses.share_units": Rule(lambda o: f"/rounds/{o.person_round_id}/share/units", get=REVIEWERS),
    "responses.share_sheet": Rule(lambda o: f"/rounds/{o.person_round_id}/share/sheet", get=REVIEWERS),
    "responses.start": Rule(lambda o: f"/rounds/{o.round_id}/respond/start", post=RESPONDENTS_ONLY),
    "responses.view": Rule(lambda o: f"/responses/{o.response_a}", get=A_IN_SCOPE),
    "review.accept_set": Rule(lambda o: f"/review/rounds/{o.round_id}/sets/{o.x_id}/accept", post=PROVINCE_ONLY),
    "review.return_set": Rule(lambda o: f"/review/rounds/{o.round_id}/sets/{o.x_id}/return", post=PROVINCE_ONLY,
                              data=lambda o: {"reason": "ทดสอบ"}),
    "review.bulk_certify": Rule(lambda o: f"/review/rounds/{o.round_id}/bulk-certify", post=A_REVIEW,
                                data=lambda o: {"response_id": str(o.response_a)}),
    "review.certify": Rule(lambda o: f"/review/responses/{o.response_a}/certify", post=A_REVIEW),
    "review.reopen": Rule(lambda o: f"/review/responses/{o.response_a}/reopen", post=A_REVIEW, data=lambda o: {"reason": "ทดสอบ"}),
    "review.return_": Rule(lambda o: f"/review/responses/{o.response_a}/return", post=A_REVIEW, data=lambda o: {"comment": "ทดสอบ"}),
    "review.certify_set": Rule(lambda o: f"/review/rounds/{o.round_id}/certify-set", get=REVIEWERS, post=REVIEWERS),
    "review.chase_list": Rule(lambda o: f"/review/rounds/{o.round_id}/chase.xlsx", get=REVIEWERS),
    "review.chase_list_province": Rule(lambda o: f"/review/rounds/{o.round_id}/chase-province.xlsx", get=PROVINCE_ONLY),
    "review.dashboard": Rule(lambda o: f"/review/rounds/{o.round_id}", get=REVIEWERS),
    "review.index": Rule(lambda o: "/review/", get=REVIEWERS),
    "review.letter": Rule(lambda o: f"/review/letters/{o.cert_x}", get=A_REVIEW),
    "review.province_dashboard": Rule(lambda o: f"/review/rounds/{o.round_id}/province", get=PROVINCE_ONLY),
    "review.review": Rule(lambda o: f"/review/responses/{o.response_a}", get=A_REVIEW),
    # reminders: one agency's set (?agency=X) is X's and the province's; the other agency gets 404
    "review.reminders": Rule(lambda o: f"/review/rounds/{o.round_id}/reminders?agency={o.x_id}", get=A_REVIEW),
    "review.send_reminders": Rule(lambda o: f"/review/rounds/{o.round_id}/reminders/send?agency={o.x_id}", post=A_REVIEW,
                                  data=lambda o: {"audience": "unsent", "days": "3"}),
    "review.reminder_schedule": Rule(lambda o: f"/review/rounds/{o.round_id}/reminders/schedule", post=PROVINCE_ONLY,
                                     data=lambda o: {"remind_days": "7, 1"}),
    "rounds.index": Rule(lambda o: "/rounds/", get=PROVINCE_ONLY),
    "rounds.new": Rule(lambda o: "/rounds/new", get=PROVINCE_ONLY, post=PROVINCE_ONLY),
    "rounds.detail": Rule(lambda o: f"/rounds/{o.round_id}", get=PROVINCE_ONLY, post=PROVINCE_ONLY),
    "rounds.archived": Rule(lambda o: "/rounds/archived", get=PROVINCE_ONLY),
    "rounds.edit": Rule(lambda o: f"/rounds/{o.round_id}/edit", get=PROVINCE_ONLY, post=PROVINCE_ONLY,
                        data=lambda o: {"title": "แก้ชื่อ", "opens_at": "01/10/2568 08:30", "closes_at": "30/09/2569 16:30"}),
    "rounds.close": Rule(lambda o: f"/rounds/{o.round_id}/close", post=PROVINCE_ONLY),
    "rounds.extend": Rule(lambda o: f"/rounds/{o.round_id}/extend", post=PROVINCE_ONLY,
                          data=lambda o: {"new_deadline": "30/09/2580 16:30"}),
    "rounds.reopen": Rule(lambda o: f"/rounds/{o.round_id}/reopen", post=PROVINCE_ONLY,
                          data=lambda o: {"new_deadline": "30/09/2580 16:30"}),
    "rounds.delete": Rule(lambda o: f"/rounds/{o.round_id}/delete", post=PROVINCE_ONLY),
    "rounds.archive": Rule(lambda o: f"/rounds/{o.round_id}/archive", post=PROVINCE_ONLY),
    "rounds.unarchive": Rule(lambda o: f"/rounds/{o.round_id}/unarchive", post=PROVINCE_ONLY),
    "static": Rule(lambda o: "/static/css/app.css", get=EVERYONE),
}  # fmt: skip


def test_every_route_has_a_rule(app):
    routes = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    declared = {(e, "GET") for e, r in RULES.items() if r.get} | {(e, "POST") for e, r in RULES.items() if r.post}
    assert routes - declared == set(), "routes without a declared access rule"
    assert declared - routes == set(), "rules for routes that no longer exist"


def _category(response) -> str:  # type: ignore[no-untyped-def]
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code == 302 and "/login" in location):
        return LOGIN
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 500, response.status_code
    return OK


def _world(app, db):  # type: ignore[no-untyped-def]
    units = province_with_users()
    publish_files(sorted((ROOT / "form_definitions").glob("*.yaml")))
    db.session.commit()
    units["versions"] = {v.form_key: v for v in latest_versions()}
    return units, build(units, app)


def _check(app, rule: Rule, o: Objects, method: str, persona: str) -> str | None:  # type: ignore[no-untyped-def]
    if rule.before:
        rule.before(app, o)
    client = client_for(app, persona)
    path = rule.path(o)
    if method == "GET":
        response = client.get(path)
    else:
        token = csrf_token(client, "/login" if persona == "anon" else "/")
        response = client.post(path, data={"csrf_token": token, **rule.data(o)})
    expected = (rule.get if method == "GET" else rule.post)[persona]
    got = _category(response)
    return None if got == expected else f"{method} {path} as {persona}: expected {expected}, got {response.status_code}"


def test_get_routes_answer_as_declared(app, db):
    """GETs change nothing (see test_no_get_changes_the_database), so one world serves them all."""
    _units, o = _world(app, db)
    failures = [
        failure
        for endpoint, rule in RULES.items()
        if rule.get
        for persona in rule.get
        if (failure := _check(app, rule, o, "GET", persona))
    ]
    assert failures == []


@pytest.mark.parametrize("endpoint", [e for e, r in RULES.items() if r.post])
def test_post_routes_answer_as_declared(app, db, endpoint):
    """Each POST route gets a fresh world; personas that must be refused go first, then those allowed."""
    units, o = _world(app, db)
    rule = RULES[endpoint]
    order = sorted(rule.post, key=lambda p: rule.post[p] == OK)
    failures = []
    for persona in order:
        failure = _check(app, rule, o, "POST", persona)
        if failure:
            failures.append(failure)
        restore_passwords(units)
    assert failures == []
