"""Public person-survey pages (no login): the unit's link, one page of questions, a thank-you page.
And, for the unit's own users, the page that shares the link (with a printable QR code)."""

from __future__ import annotations

import secrets

import segno
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from survey_app.core import ratelimit
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.builder import form_data, page_helpers
from survey_app.responses import queries
from survey_app.responses.blueprint import bp
from survey_app.responses.forms import ActionForm
from survey_app.responses.models import PersonCode
from survey_app.responses.person import claim_code, read_whole, record_person_response, whole_form_class
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import LatePolicy, RoundPhase

POSTS_PER_WINDOW = 30
WINDOW_SECONDS = 600


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
    version = rnd.form_version
    defn, kind = version.parsed, ru.org_unit.kind.value
    form = whole_form_class(defn, version.content_hash)()
    if request.method == "GET":
        if request.cookies.get(_answered_cookie(rnd.id)) and not request.args.get("again"):
            return render_template("responses/person_already.html", ru=ru, token=token)
        form = whole_form_class(defn, version.content_hash)(formdata=None, data=form_data(defn, defn.questions(), {}))
        return _render(ru, defn, form, {}, {}, kind)
    allowed = ratelimit.allow(f"person:{request.remote_addr}:{ru.id}", POSTS_PER_WINDOW, WINDOW_SECONDS)
    db.session.commit()  # the count stands even when this post is refused below
    if not allowed:
        return render_template("responses/person_closed.html", ru=ru, phase="rate"), 429
    if not form.validate_on_submit():
        return _render(ru, defn, form, {}, {"_form": ["แบบฟอร์มหมดอายุ กรุณากดส่งอีกครั้ง"]}, kind), 400
    read = read_whole(defn, form, kind)
    code_row, code_error = _code(ru, rnd.identity)
    if code_error:
        read.errors["respondent_code"] = [code_error]
    if read.errors:
        db.session.rollback()
        return _render(ru, defn, form, read.answers, read.errors, kind), 422
    record_person_response(ru, defn, read.answers, now, code_row)
    db.session.commit()
    response = make_response(redirect(url_for("responses.person_thanks", token=token)))
    response.set_cookie(_answered_cookie(rnd.id), "1", max_age=180 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def _code(ru, identity: str):  # type: ignore[no-untyped-def]
    if identity != "code":
        return None, None
    typed = (request.form.get("respondent_code") or "").strip()
    if not typed:
        return None, "กรุณากรอกรหัสผู้ตอบที่ได้รับจากหน่วยงาน"
    row = claim_code(ru, typed)
    return (row, None) if row else (None, "รหัสนี้ไม่ถูกต้องหรือถูกใช้ไปแล้ว")


def _render(ru, defn, form, answers, errors, kind):  # type: ignore[no-untyped-def]
    return render_template(
        "responses/person_form.html",
        ru=ru, defn=defn, form=form, answers=answers, errors=errors, files_url=None,
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
