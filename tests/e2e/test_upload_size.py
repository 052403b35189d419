"""A file over its question's limit is refused beside the field before anything is sent (issue 14, item 9).

Before, a file larger than the request limit made the whole post unreadable (413) and the note typed in
the same submit was lost."""

from __future__ import annotations

import pytest

from survey_app.core.scope import Role
from survey_app.extensions import db
from survey_app.responses import operations
from tests.e2e.helpers import login
from tests.factories import make_user

pytestmark = pytest.mark.e2e

SECTION_3 = 2  # strategy_3: q_3_1_3 asks ESAs for files of at most 10 MB


def test_an_oversized_file_is_refused_beside_the_field_and_the_typing_stays(live_server, desktop, world, plan_round):
    make_user(world["x"], Role.RESPONDENT, "esa_x")
    response = operations.start_org_response(plan_round, world["x"], None)
    db.session.commit()
    login(desktop, live_server, "esa_x")
    desktop.goto(f"{live_server}/responses/{response.id}/s/{SECTION_3}")
    option = desktop.locator('input[name="q_3_1_1"]').first
    option.check()
    desktop.fill("#q_3_1_2", "โครงการรักการอ่าน")
    big = {"name": "รายงานผล.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)}
    desktop.set_input_files("#q_3_1_3", files=[big])
    error = desktop.locator("#err-q_3_1_3")
    assert "ไฟล์ใหญ่เกินกำหนด" in error.inner_text() and "รายงานผล.pdf" in error.inner_text()
    assert desktop.eval_on_selector("#q_3_1_3", "el => el.files.length") == 0
    assert desktop.input_value("#q_3_1_2") == "โครงการรักการอ่าน"
    small = {"name": "ย่อ.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"}
    desktop.set_input_files("#q_3_1_3", files=[small])
    assert desktop.locator("#err-q_3_1_3").count() == 0
