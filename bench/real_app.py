"""The real app as the bench serves it, plus one measuring route that production never has: the floor
of a section page.

The render target compares a section page with a bare Jinja loop that reads nothing. A section page
cannot skip three things before it writes any HTML: the signed-in user from the revocable session token,
the response through the scope check, and the response's answers. This route does exactly those and
returns an empty page, so the table shows how much of the gap to the baseline is that floor and how much
is the page itself.
"""

from __future__ import annotations

from flask_login import current_user, login_required

from survey_app import create_app
from survey_app.responses import queries

app = create_app()


@app.get("/_bench/floor/<int:response_id>")
@login_required
def floor(response_id: int) -> str:
    queries.get_response_or_404(current_user, response_id).answer_map()
    return ""
