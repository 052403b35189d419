"""The round loader's building blocks: per-question row positions and the chunked answer columns."""

import numpy as np
import pandas as pd

from survey_app.reports.data import _AnswerColumns, _positions_by_key


def test_positions_keep_row_order_per_key_and_skip_missing_keys():
    keys = pd.Series(["b", None, "a", "b", "a", "c"], dtype="category")
    positions = _positions_by_key(keys)
    assert {k: v.tolist() for k, v in positions.items()} == {"a": [2, 4], "b": [0, 3], "c": [5]}
    assert all(v.dtype == np.int32 for v in positions.values())
    assert _positions_by_key(pd.Series(["x", "y", "x"]))["x"].tolist() == [0, 2]  # plain text keys too


def test_answer_columns_grow_past_the_counted_size_and_keep_only_wanted_responses():
    """Answers saved between the count and the read still arrive (the arrays grow); responses outside
    the filter are dropped; numbers come from value_num, other values are decoded JSON shared by text."""
    columns = _AnswerColumns(capacity=1, wanted={1, 2})
    columns.add([(1, "q1", "value", None, 3.0), (3, "q1", "value", None, 4.0)])
    columns.add([(2, "q2", "value", '["a", "b"]', None), (2, "q3", "none", None, None),
                 (1, "q2", "value", '["a", "b"]', None)])  # fmt: skip
    frame = columns.frame()
    assert frame["response_id"].tolist() == [1, 2, 2, 1]
    assert frame["question_key"].tolist() == ["q1", "q2", "q3", "q2"]
    assert frame["state"].tolist() == ["value", "value", "none", "value"]
    assert frame["value"].tolist() == [3, ["a", "b"], None, ["a", "b"]]
    assert frame["value"].iloc[1] is frame["value"].iloc[3]  # one decoded object for one JSON text
    assert np.isnan(frame["value_num"].iloc[1]) and frame["value_num"].iloc[0] == 3.0
