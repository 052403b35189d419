"""Public person-survey pages (no login): the unit's link, one page of questions, a thank-you page.
And, for the unit's own users, the page that shares the link (with a printable QR code)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import segno
from flask import (
    Response,
    abort,
    after_this_request,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from survey_app.core import ratelimit
from survey_app.core.ratelimit import Limit
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.builder import form_data, page_helpers
from survey_app.responses import queries
from survey_app.responses.blueprint import bp
from survey_app.responses.forms import ActionForm
from survey_app.responses.models import PersonCode
from survey_app.responses.person import (
    again_allowed,
    again_token,
    claim_code,
    device_hash,
    new_answered_mark,
    new_device_id,
    read_whole,
    record_person_response,
    valid_device_id,
    whole_form_class,
)
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import LatePolicy, RoundPhase, RoundUnit

# One browser (device cookie) on one unit's link: a person correcting and re-sending the form stays far below.
POSTS_PER_WINDOW = 30
WINDOW_SECONDS = 600
# Complete answers from one address to one unit. A school behind one NAT address answering in a meeting
# (40 teachers over ten minutes, each after filling the form) sends a few a minute; a script sends dozens a
# second, each from a fresh cookie jar, so only these limits, which ignore cookies, can hold it.
BURST_ANSWERS, BURST_SECONDS = 8, 10
MINUTE_ANSWERS, MINUTE_SECONDS = 20, 60

DEVICE_COOKIE = "survey_device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep
ANSWERED_MAX_AGE = 180 * 24 * 3600
RATE_MESSAGE = "ส่งคำตอบถี่เกินไป กรุณารอสักครู่แล้วกดส่งอีกครั้ง (คำตอบของท่านยังอยู่ในแบบฟอร์ม)"


def _answered_cookie(round_id: int) -> str:
    return f"answered_{round_id}"


@bp.route("/s/<token>", methods=["GET", "POST"])
def person_survey(token: str):  # type: ignore[no-untyped-def]
    ru = round_queries.round_unit_by_token(token)
    if ru is None or not ru.round.per_person:
        abort(404)
    rnd, now = ru.round, now_bangkok()
    phase = rnd.phase(now)
    closed = phase == RoundPhase.CLOSED and (rnd.late_policy == LatePolicy.REFUSE or now > ru.deadline())
    if phase == RoundPhase.UPCOMING or closed:
        return render_template("responses/person_closed.html", ru=ru, phase=phase), 410 if closed else 200
    device = _device_id()  # a first visit gets its cookie here
    if request.method in ("GET", "HEAD"):  # HEAD is a look, never a submission
        return _show(ru, token)
    answered = request.cookies.get(_answered_cookie(rnd.id))
    again = request.form.get("again", "")
    if answered and not again_allowed(again, ru.id, answered):
        return render_template("responses/person_already.html", ru=ru, token=token, refused=True), 409
    return _receive(ru, token, now, device, again if answered else "")


def _show(ru: RoundUnit, token: str):  # type: ignore[no-untyped-def]
    """The empty form; or, once this browser has answered, the page that asks whether another person answers."""
    rnd = ru.round
    answered = request.cookies.get(_answered_cookie(rnd.id))
    if answered and not request.args.get("again"):
        return render_template("responses/person_already.html", ru=ru, token=token)
    defn, version = rnd.form_version.parsed, rnd.form_version
    form = whole_form_class(defn, version.content_hash)(formdata=None, data=form_data(defn, defn.questions(), {}))
    again = again_token(ru.id, answered) if answered else ""
    return _render(ru, defn, form, {}, {}, ru.org_unit.kind.value, again)


def _receive(ru: RoundUnit, token: str, now: datetime, device: str, again: str):  # type: ignore[no-untyped-def]
    """Check, limit and store one posted answer; the rate counts are committed even when it is refused."""
    rnd = ru.round
    defn, kind = rnd.form_version.parsed, ru.org_unit.kind.value
    form = whole_form_class(defn, rnd.form_version.content_hash)()
    hashed = device_hash(rnd.id, device)
    allowed = ratelimit.allow(f"person-device:{hashed[:40]}:{ru.id}", POSTS_PER_WINDOW, WINDOW_SECONDS)
    db.session.commit()  # the count stands even when this post is refused below
    if not allowed:
        return render_template("responses/person_closed.html", ru=ru, phase="rate"), 429
    if not form.validate_on_submit():
        return _render(ru, defn, form, {}, {"_form": ["แบบฟอร์มหมดอายุ กรุณากดส่งอีกครั้ง"]}, kind, again), 400
    read = read_whole(defn, form, kind)
    if not read.errors and not _unit_allows(ru):
        return _render(ru, defn, form, read.answers, {"_form": [RATE_MESSAGE]}, kind, again), 429
    code_row, code_error = _code(ru, rnd.identity)
    if code_error:
        read.errors["respondent_code"] = [code_error]
    if read.errors:
        db.session.rollback()
        return _render(ru, defn, form, read.answers, read.errors, kind, again), 422
    record_person_response(ru, defn, read.answers, now, code_row, device_hash=hashed)
    db.session.commit()
    response = make_response(redirect(url_for("responses.person_thanks", token=token)))
    response.set_cookie(_answered_cookie(rnd.id), new_answered_mark(), max_age=ANSWERED_MAX_AGE, **_cookie_flags())
    return response


def _unit_allows(ru: RoundUnit) -> bool:
    """Count one complete answer from this address to this unit (committed: it stands when refused)."""
    address = request.remote_addr or "-"
    allowed = ratelimit.allow_all(
        [
            Limit(f"person-burst:{address}:{ru.id}", BURST_ANSWERS, BURST_SECONDS),
            Limit(f"person-minute:{address}:{ru.id}", MINUTE_ANSWERS, MINUTE_SECONDS),
        ]
    )
    db.session.commit()
    return allowed


def _device_id() -> str:
    """This browser's random device id; a browser without one gets a new one in a long-lived cookie.

    The id is random and never linked to anything personal; only its per-round hash is stored."""
    current = request.cookies.get(DEVICE_COOKIE)
    if valid_device_id(current):
        return current  # type: ignore[return-value]
    fresh = new_device_id()

    @after_this_request
    def remember(response: Response) -> Response:
        response.set_cookie(DEVICE_COOKIE, fresh, max_age=DEVICE_MAX_AGE, **_cookie_flags())
        return response

    return fresh


def _cookie_flags() -> dict[str, Any]:
    """Script-proof, same-site and, where the site is served over HTTPS, secure, like the session cookie."""
    return {"httponly": True, "samesite": "Lax", "secure": bool(current_app.config.get("SESSION_COOKIE_SECURE"))}


def _code(ru, identity: str):  # type: ignore[no-untyped-def]
    if identity != "code":
        return None, None
    typed = (request.form.get("respondent_code") or "").strip()
    if not typed:
        return None, "กรุณากรอกรหัสผู้ตอบที่ได้รับจากหน่วยงาน"
    row = claim_code(ru, typed)
    return (row, None) if row else (None, "รหัสนี้ไม่ถูกต้องหรือถูกใช้ไปแล้ว")


def _render(ru, defn, form, answers, errors, kind, again=""):  # type: ignore[no-untyped-def]
    return render_template(
        "responses/person_form.html",
        ru=ru, defn=defn, form=form, answers=answers, errors=errors, files_url=None, again=again,
        typed_code=request.form.get("respondent_code", ""), **page_helpers(answers, kind),
    )  # fmt: skip


@bp.route("/s/<token>/thanks")
def person_thanks(token: str):  # type: ignore[no-untyped-def]
    ru = round_queries.round_unit_by_token(token)
    if ru is None:
        abort(404)
    return render_template("responses/person_thanks.html", ru=ru, token=token)


@bp.route("/rounds/<int:round_id>/share", methods=["GET", "POST"])
@login_required
def share(round_id: int):  # type: ignore[no-untyped-def]
    """The unit's link and QR code for its staff; one-time codes when the round asks for them."""
    ru = round_queries.get_round_unit_or_404(current_user, round_id, current_user.org_unit_id)
    if not ru.round.per_person:
        abort(404)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit() and ru.round.identity == "code":
        count = min(max(request.form.get("count", 0, type=int), 1), 500)
        db.session.add_all(PersonCode(round_unit_id=ru.id, code=_new_code()) for _ in range(count))
        db.session.commit()
        return redirect(url_for("responses.share", round_id=round_id))
    link = url_for("responses.person_survey", token=ru.link_token, _external=True)
    qr = Markup(segno.make(link, error="m").svg_inline(scale=5, title=ru.org_unit.name_th))  # noqa: S704 - segno escapes
    codes = db.session.scalars(
        db.select(PersonCode).where(PersonCode.round_unit_id == ru.id).order_by(PersonCode.id)
    ).all()
    return render_template(
        "responses/share.html", ru=ru, link=link, qr=qr, form=form, codes=codes,
        answered=queries.person_response_count(round_id, ru.org_unit_id),
        print_mode=request.args.get("print") == "1", base=current_app.config.get("PUBLIC_BASE_URL"),
    )  # fmt: skip


def _new_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))
