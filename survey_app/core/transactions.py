"""Where a transaction ends: once per request, after the view; once per CLI command; nowhere else but by name.

Operations change state and flush; they never commit. The request commits once, after its view returns
(like Indico's request handler); each `flask` command commits once, through `command_transaction`.

The rule for a request: commit when the view *returned* a response below 500, roll back when it raised
(an `abort(403/404)`, a refused scope, a bug) or returned a 5xx. A returned 4xx still commits on purpose:
a section save keeps the valid answers when another field has an error and answers 422, a login failure
keeps its failure count and answers 422/429, a stale save answers 409 after its operation rolled back.
A commit that fails (the lock stayed taken) goes through the app's error handlers like any other error, so
the user gets core/db.py's Thai "busy, press save again" page, not a half-saved 200.

`commit_now` is the one way to commit earlier, and each call says why. The reasons are:
  (a) work outside the transaction must see it committed: an export job before a worker thread reads it,
      a removed file's row before the file is deleted;
  (b) a count or a record must stand when the request then fails: sign-in failure counts, rate-limit
      counts of the public person form, and the refused-access record written just before a 404;
  (c) a long command commits in short batches, so people saving meanwhile wait milliseconds, not minutes.

core imports no feature and not the app's extensions: the session is found through the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from sqlalchemy.orm import scoped_session

SERVER_ERROR = 500


def _session() -> scoped_session[Any]:
    """The Flask-SQLAlchemy session of the current app."""
    return current_app.extensions["sqlalchemy"].session


def commit_now() -> None:
    """Commit the work so far before the request or command ends; only for the reasons (a)–(c) above,
    and the caller says which in a comment."""
    _session().commit()


def rollback() -> None:
    """Undo what this request or command has flushed so far (e.g. an operation that refused half-way)."""
    _session().rollback()


def finish_request(response: Response) -> Response:
    """Commit the request's transaction when its view answered below 500, else roll it back."""
    if response.status_code < SERVER_ERROR:
        _session().commit()
    else:
        _session().rollback()
    return response


class TransactionalFlask(Flask):
    """The app class: after each view returns, its transaction is committed once (or rolled back).

    The commit runs inside the dispatch, before the response is finalised, so a commit that fails is
    handled by the registered error handlers (busy → 503) and `after_request` hooks see the outcome."""

    def dispatch_request(self) -> ResponseReturnValue:
        return finish_request(self.make_response(super().dispatch_request()))


@contextmanager
def command_transaction() -> Iterator[None]:
    """A `flask` command's transaction: committed when the block ends, rolled back when it raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit_now()
