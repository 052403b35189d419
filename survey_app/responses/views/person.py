"""Public person-survey pages (no login): the unit's link, one page of questions, a thank-you page.
And, for the unit's own users, the page that shares the link (with a printable QR code)."""

from __future__ import annotations

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
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from survey_app.accounts.models import OrgUnit
from survey_app.core import ratelimit
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import REVIEWERS, require_role
from survey_app.core.ratelimit import Limit
from survey_app.core.thai import now_bangkok
from survey_app.core.transactions import commit_now
from survey_app.core.web import public_url
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answers
from survey_app.forms_engine.builder import form_data, page_helpers
from survey_app.responses import queries
from survey_app.responses.blueprint import bp
from survey_app.responses.filetypes import safe_filename
from survey_app.responses.forms import ActionForm
from survey_app.responses.models import PersonCode
from survey_app.responses.pages import split_pending_files
from survey_app.responses.person import (
    NAME_MAX_LENGTH,
    FilesRefused,
    again_allowed,
    again_token,
    check_person_files,
    claim_code,
    device_hash,
    issue_codes,
    new_answered_mark,
    new_device_id,
    read_name,
    read_whole,
    record_person_response,
    round_identity,
    valid_device_id,
    whole_form_class,
)
from survey_app.responses.uploads import discard_keys
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import Identity, LatePolicy, Round, RoundPhase, RoundUnit

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
RATE_MESSAGE = N_("ส่งคำตอบถี่เกินไป กรุณารอสักครู่แล้วกดส่งอีกครั้ง (คำตอบของท่านยังอยู่ในแบบฟอร์ม)")


def _answered_cookie(round_id: int) -> str:
    return f"answered_{round_id}"


@bp.route("/s/<token>", methods=["GET", "POST"])
def person_survey(token: str) -> ResponseReturnValue:
    ru = round_queries.round_unit_by_token(token)
    if ru is None or not ru.round.per_person:
        abort(404)
    rnd, now = ru.round, now_bangkok()
    phase = rnd.phase(now)
    closed = rnd.archived or (
        phase == RoundPhase.CLOSED and (rnd.late_policy == LatePolicy.REFUSE or now > ru.deadline())
    )
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


def _show(ru: RoundUnit, token: str) -> ResponseReturnValue:
    """The empty form; or, once this browser has answered, the page that asks whether another person answers."""
    rnd = ru.round
    answered = request.cookies.get(_answered_cookie(rnd.id))
    if answered and not request.args.get("again"):
        return render_template("responses/person_already.html", ru=ru, token=token)
    defn, version = rnd.form_version.parsed, rnd.form_version
    form = whole_form_class(defn, version.content_hash)(formdata=None, data=form_data(defn, defn.questions(), {}))
    again = again_token(ru.id, answered) if answered else ""
    return _render(ru, defn, form, {}, {}, ru.org_unit.kind.value, again)


def _receive(ru: RoundUnit, token: str, now: datetime, device: str, again: str) -> ResponseReturnValue:
    """Check, limit and store one posted answer; the rate counts are committed even when it is refused."""
    rnd = ru.round
    defn, kind = rnd.form_version.parsed, ru.org_unit.kind.value
    form = whole_form_class(defn, rnd.form_version.content_hash)()
    hashed = device_hash(rnd.id, device)
    allowed = ratelimit.allow(f"person-device:{hashed[:40]}:{ru.id}", POSTS_PER_WINDOW, WINDOW_SECONDS)
    commit_now()  # (b) the count stands even when this post is refused below
    if not allowed:
        return render_template("responses/person_closed.html", ru=ru, phase="rate"), 429
    if not form.validate_on_submit():
        return _render(ru, defn, form, {}, {"_form": [gettext("แบบฟอร์มหมดอายุ กรุณากดส่งอีกครั้ง")]}, kind, again), 400
    read = read_whole(defn, form, kind)
    pending = split_pending_files(read)
    if not read.errors and not _unit_allows(ru):
        return _render(ru, defn, form, read.answers, {"_form": [gettext(RATE_MESSAGE)]}, kind, again), 429
    identity = round_identity(rnd)
    code_row, code_error = _code(ru, identity)
    if code_error:
        read.errors["respondent_code"] = [code_error]
    name, name_error = read_name(request.form.get("respondent_name")) if identity.asks_name else (None, None)
    if name_error:
        read.errors["respondent_name"] = [name_error]
    if read.errors:
        _check_files_anyway(ru, defn, pending, read.errors)
        return _render(ru, defn, form, read.answers, read.errors, kind, again), 422
    try:  # a crash after a file was stored leaves it without a row: the storage sweep removes it (sweep.py)
        record_person_response(ru, defn, read.answers, now, code_row, device_hash=hashed, files=pending, name=name)
    except FilesRefused as refused:
        _undo(refused.stored.keys)
        read.errors.update(refused.stored.errors)
        _ask_again(pending, refused.stored.errors, read.errors)
        return _render(ru, defn, form, read.answers, read.errors, kind, again), 422
    response = make_response(redirect(url_for("responses.person_thanks", token=token)))
    response.set_cookie(_answered_cookie(rnd.id), new_answered_mark(), max_age=ANSWERED_MAX_AGE, **_cookie_flags())
    return response


def _check_files_anyway(
    ru: RoundUnit, defn: s.FormDefinition, pending: dict[str, list[FileStorage]], errors: dict[str, list[str]]
) -> None:
    """An answer that cannot be sent: its files are still checked (a refused type is named at once), then
    nothing is kept; a file that passed is named beside its field, to be chosen again."""
    stored = check_person_files(ru, defn, pending) if pending else None
    _undo(stored.keys if stored else [])
    if stored:
        errors.update(stored.errors)
    _ask_again(pending, stored.errors if stored else {}, errors)


def _ask_again(
    pending: dict[str, list[FileStorage]], refused: dict[str, list[str]], errors: dict[str, list[str]]
) -> None:
    """Beside each file that passed but was not sent: its own name (never a link), to be chosen again."""
    for key, files in pending.items():
        if key not in refused:
            names = ", ".join(safe_filename(f.filename or "") for f in files)
            errors.setdefault(key, []).append(gettext("ยังไม่ได้ส่งไฟล์ {names} กรุณาเลือกไฟล์อีกครั้งก่อนกดส่ง", names=names))


def _undo(keys: list[str]) -> None:
    """Roll the answer back, then delete the files it stored (no committed row points to them)."""
    db.session.rollback()
    discard_keys(keys)


def _unit_allows(ru: RoundUnit) -> bool:
    """Count one complete answer from this address to this unit (committed: it stands when refused)."""
    address = request.remote_addr or "-"
    allowed = ratelimit.allow_all(
        [
            Limit(f"person-burst:{address}:{ru.id}", BURST_ANSWERS, BURST_SECONDS),
            Limit(f"person-minute:{address}:{ru.id}", MINUTE_ANSWERS, MINUTE_SECONDS),
        ]
    )
    commit_now()  # (b) the count stands even when the answer is refused
    return allowed


def _device_id() -> str:
    """This browser's random device id; a browser without one gets a new one in a long-lived cookie.

    The id is random and never linked to anything personal; only its per-round hash is stored."""
    current = request.cookies.get(DEVICE_COOKIE)
    if valid_device_id(current):
        return current
    fresh = new_device_id()

    @after_this_request
    def remember(response: Response) -> Response:
        response.set_cookie(DEVICE_COOKIE, fresh, max_age=DEVICE_MAX_AGE, **_cookie_flags())
        return response

    return fresh


def _cookie_flags() -> dict[str, Any]:
    """Script-proof, same-site and, where the site is served over HTTPS, secure, like the session cookie."""
    return {"httponly": True, "samesite": "Lax", "secure": bool(current_app.config.get("SESSION_COOKIE_SECURE"))}


def _code(ru: RoundUnit, identity: Identity) -> tuple[PersonCode | None, str | None]:
    if not identity.uses_codes:
        return None, None
    typed = (request.form.get("respondent_code") or "").strip()
    if not typed:
        return None, gettext("กรุณากรอกรหัสผู้ตอบที่ได้รับจากหน่วยงาน")
    row = claim_code(ru, typed)
    return (row, None) if row else (None, gettext("รหัสนี้ไม่ถูกต้องหรือถูกใช้ไปแล้ว"))


def _render(
    ru: RoundUnit,
    defn: s.FormDefinition,
    form: FlaskForm,
    answers: Answers,
    errors: dict[str, list[str]],
    kind: str,
    again: str = "",
) -> str:
    """The one-page form; files are only ever named, never linked (files_url=None), to an anonymous visitor."""
    return render_template(
        "responses/person_form.html",
        ru=ru,
        defn=defn,
        form=form,
        answers=answers,
        errors=errors,
        files_url=None,
        again=again,
        identity=round_identity(ru.round),
        name_max=NAME_MAX_LENGTH,
        name_readers=name_readers(defn),
        typed_code=request.form.get("respondent_code", ""),
        typed_name=request.form.get("respondent_name", ""),
        **page_helpers(answers, kind),
    )


NAME_READERS = {"province": N_("สำนักงานศึกษาธิการจังหวัด"), "agency": N_("หน่วยงานต้นสังกัดของผู้ตอบ")}


def name_readers(defn: s.FormDefinition) -> str:
    """Who will see the names of a form that collects them, as the respondent reads it ("A, B")."""
    readers = [gettext(NAME_READERS[r]) for r in defn.names_visible_to()] if defn.collects_names else []
    return ", ".join(readers)


@bp.route("/s/<token>/thanks")
def person_thanks(token: str) -> ResponseReturnValue:
    ru = round_queries.round_unit_by_token(token)
    if ru is None:
        abort(404)
    defn = ru.round.form_version.parsed
    return render_template("responses/person_thanks.html", ru=ru, token=token, name_readers=name_readers(defn))


@bp.route("/rounds/<int:round_id>/share", methods=["GET", "POST"])
@login_required
def share(round_id: int) -> ResponseReturnValue:
    """A unit's link and QR code for its staff; one-time codes when the round asks for them. The unit's own
    users see their unit; an agency or the province passes `unit` for any unit in its scope."""
    unit_id = request.args.get("unit", type=int) or current_user.org_unit_id
    ru = _person_round_unit_or_404(round_id, unit_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit() and ru.round.identity.uses_codes:
        issue_codes(ru, request.form.get("count", 0, type=int), current_user.id)
        return redirect(url_for("responses.share", round_id=round_id, unit=_unit_arg(ru)))
    link = survey_link(ru)
    codes = queries.person_codes(ru.id)
    return render_template(
        "responses/share.html",
        ru=ru,
        link=link,
        qr=survey_qr(link, ru.org_unit.name_th),
        form=form,
        codes=codes,
        answered=queries.person_response_count(round_id, ru.org_unit_id),
        unit_arg=_unit_arg(ru),
        print_mode=request.args.get("print") == "1",
        base=current_app.config.get("PUBLIC_BASE_URL"),
    )


def survey_link(ru: RoundUnit) -> str:
    """The public address of a unit's person survey: the one place every share page, poster and sheet builds it."""
    return public_url("responses.person_survey", token=ru.link_token)


def survey_qr(link: str, title: str, scale: int = 5, *, fluid: bool = False) -> Markup:
    """The link as an inline SVG QR code (medium error correction survives a creased print-out); a `fluid` one
    has no fixed size (a viewBox only), so a poster or sheet sizes it with CSS."""
    qr = segno.make(link, error="m")
    return Markup(qr.svg_inline(scale=scale, title=title, omitsize=fluid))  # noqa: S704 - segno escapes


def _person_round_unit_or_404(round_id: int, unit_id: int) -> RoundUnit:
    ru = round_queries.get_round_unit_or_404(current_user, round_id, unit_id)
    if not ru.round.per_person:
        abort(404)
    return ru


def _unit_arg(ru: RoundUnit) -> int | None:
    """`unit` for links back to this page: only when it is not the user's own unit."""
    return None if ru.org_unit_id == current_user.org_unit_id else ru.org_unit_id


@bp.route("/rounds/<int:round_id>/share/<int:unit_id>/poster")
@login_required
def share_poster(round_id: int, unit_id: int) -> ResponseReturnValue:
    """One unit's poster to pin up: a large QR code, the survey's and the unit's names, no live counts."""
    ru = _person_round_unit_or_404(round_id, unit_id)
    link = survey_link(ru)
    return render_template(
        "responses/share_poster.html", ru=ru, link=link, qr=survey_qr(link, ru.org_unit.name_th, fluid=True)
    )


@bp.route("/rounds/<int:round_id>/share/units")
@login_required
def share_units(round_id: int) -> ResponseReturnValue:
    """An agency's or the province's list of its units' links, posters and share pages."""
    rnd, units = _units_to_share(round_id)
    return render_template(
        "responses/share_units.html",
        rnd=rnd,
        units=units,
        agencies=share_agencies(units),
        agency=request.args.get("agency", type=int),
        links={ru.id: survey_link(ru) for ru in units},
    )


@bp.route("/rounds/<int:round_id>/share/sheet")
@login_required
def share_sheet(round_id: int) -> ResponseReturnValue:
    """A print sheet of every unit's QR code (several to an A4 page), to hand out at a meeting."""
    rnd, units = _units_to_share(round_id)
    links = [(ru, survey_link(ru)) for ru in units]
    cards = [(ru, link, survey_qr(link, ru.org_unit.name_th, fluid=True)) for ru, link in links]
    return render_template("responses/share_sheet.html", rnd=rnd, cards=cards)


def _units_to_share(round_id: int) -> tuple[Round, list[RoundUnit]]:
    """The round's expected units in the user's scope (optionally under one `agency`), in directory order."""
    require_role(current_user, REVIEWERS)  # other units' links: agencies and the province
    rnd = round_queries.get_round_or_404(round_id)
    if not rnd.per_person:
        abort(404)
    units = round_queries.units_to_share(current_user, round_id)
    agency_id = request.args.get("agency", type=int)
    if agency_id:
        units = [ru for ru in units if f"/{agency_id}/" in ru.org_unit.path]
    return rnd, units


def share_agencies(units: list[RoundUnit]) -> list[OrgUnit]:
    """The units' parents, to narrow a long province list to one agency (empty when there is only one)."""
    parents = {ru.org_unit.parent.id: ru.org_unit.parent for ru in units if ru.org_unit.parent is not None}
    return sorted(parents.values(), key=lambda u: u.path) if len(parents) > 1 else []
