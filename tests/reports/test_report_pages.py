"""Report pages and downloads are scoped like everything else; exports run off the request."""

import io

from openpyxl import load_workbook

from tests.fixtures.app import csrf_token
from tests.fixtures.reports import wait_for


def test_province_report_covers_everyone(client, auth, reported):
    _world, rnd = reported
    auth.login("province")
    html = client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="respondents">4<' in html and 'data-testid="completeness"' in html


def test_certifier_report_covers_its_agency_only(client, auth, reported):
    world, rnd = reported
    auth.login("cert_x")
    html = client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="respondents">3<' in html  # X, A, B
    assert client.get(f"/reports/rounds/{rnd.id}?agency={world['y'].id}").status_code == 404
    assert client.get(f"/reports/rounds/{rnd.id}?unit={world['c'].id}").status_code == 404


def test_schools_have_no_report_pages(client, auth, reported):
    _world, rnd = reported
    auth.login("school_a")
    assert client.get(f"/reports/rounds/{rnd.id}").status_code == 403


def test_filters_narrow_the_figures(client, auth, reported):
    world, rnd = reported
    auth.login("province")
    html = client.get(f"/reports/rounds/{rnd.id}?agency={world['y'].id}").get_data(as_text=True)
    assert 'data-testid="respondents">1<' in html
    html = client.get(f"/reports/rounds/{rnd.id}?status=all&kind=basic_school").get_data(as_text=True)
    assert 'data-testid="respondents">3<' in html


def test_export_runs_in_the_background_and_only_its_owner_downloads(app, client, auth, reported):
    _world, rnd = reported
    auth.login("cert_x")
    token = csrf_token(client, f"/reports/rounds/{rnd.id}")
    started = client.post(f"/reports/rounds/{rnd.id}/export", data={"csrf_token": token, "format": "xlsx"})
    assert started.status_code == 302
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    job = wait_for(job_id)
    assert job.status == "done", job.error
    assert client.get(f"/reports/exports/{job_id}.json").get_json()["url"]
    workbook = client.get(f"/reports/exports/{job_id}/file")
    assert workbook.status_code == 200 and "no-store" in workbook.headers["Cache-Control"]
    book = load_workbook(io.BytesIO(workbook.data))
    raw = next(ws for ws in book.worksheets if ws.title == "ข้อมูลดิบ")
    codes = {row[0] for row in raw.iter_rows(min_row=2, values_only=True) if row[0]}
    assert codes == {"X0000001", "A0000001", "B0000001"}  # the agency's own scope, nothing of Y
    auth.logout()
    auth.login("cert_y")
    assert client.get(f"/reports/exports/{job_id}/file").status_code == 404


def test_cli_export_writes_into_exports(runner, reported, tmp_path):
    _world, _rnd = reported
    for fmt in ("xlsx", "csv", "zip"):
        result = runner.invoke(args=["report", "export", "--form", "phetchabun_plan", "--year", "2563",
                                     "--format", fmt, "--out", str(tmp_path)])  # fmt: skip
        assert result.exit_code == 0, result.output
        path = result.output.strip().splitlines()[-1].split(" (")[0]
        assert path.endswith(f".{fmt}") and (tmp_path / path.rsplit("/", 1)[1]).stat().st_size > 0
    missing = runner.invoke(args=["report", "export", "--form", "phetchabun_plan", "--year", "2499"])
    assert missing.exit_code != 0 and "ไม่พบรอบ" in missing.output
