import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_model.validation import (
    MAX_BATCH_ROWS,
    ValidationError,
    validate_features,
    validate_instances,
)

NOT_NUMBERS = ["5.1", True, False, None, [], {}, float("nan"), float("inf"), -float("inf"), 10**400]


def test_valid_features_give_a_label_and_probabilities_that_sum_to_one(model, valid_features):
    outcome = model.predict(valid_features)
    assert outcome.label == "setosa"
    assert list(outcome.probabilities) == ["setosa", "versicolor", "virginica"]
    assert math.isclose(sum(outcome.probabilities.values()), 1.0)


def test_integers_are_numbers(model, valid_features):
    row = {**valid_features, "sepal_length": 5}
    assert model.predict(row).features["sepal_length"] == 5.0


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_a_value_that_is_not_a_finite_json_number_is_rejected(model, valid_features, value):
    with pytest.raises(ValidationError) as info:
        model.predict({**valid_features, "sepal_width": value})
    assert info.value.fields == {"sepal_width": "Must be a number from 0 to 7."}


@pytest.mark.parametrize("value", [-0.01, 7.01])
def test_a_value_out_of_range_is_rejected(model, valid_features, value):
    with pytest.raises(ValidationError) as info:
        model.predict({**valid_features, "sepal_width": value})
    assert info.value.fields == {"sepal_width": "Must be a number from 0 to 7."}


def test_range_ends_are_accepted(model, valid_features):
    assert model.predict({**valid_features, "sepal_width": 0}).label
    assert model.predict({**valid_features, "sepal_width": 7}).label


def test_a_missing_feature_is_named(model, valid_features):
    del valid_features["petal_width"]
    with pytest.raises(ValidationError) as info:
        model.predict(valid_features)
    assert info.value.fields == {"petal_width": "Required: a number from 0 to 5."}
    assert (
        info.value.message == 'Fix the invalid field named in "fields" and send the request again.'
    )


def test_an_unknown_key_is_named(model, valid_features):
    with pytest.raises(ValidationError) as info:
        model.predict({**valid_features, "colour": 1})
    assert info.value.fields == {
        "colour": "Unknown feature; the features are sepal_length, sepal_width, petal_length, petal_width."
    }


def test_every_bad_field_is_named_at_once(model):
    with pytest.raises(ValidationError) as info:
        model.predict({"sepal_length": "x", "extra": 1})
    assert set(info.value.fields) == {
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
        "extra",
    }
    assert (
        info.value.message
        == 'Fix the 5 invalid fields named in "fields" and send the request again.'
    )


@pytest.mark.parametrize("body", [[], "x", 3, None])
def test_features_that_are_not_an_object_are_rejected(model, body):
    with pytest.raises(ValidationError) as info:
        model.predict(body)
    assert info.value.fields == {
        "features": "Must be an object that maps each feature name to a number."
    }


def test_a_batch_keeps_input_order(model):
    rows = [e["features"] for e in model.manifest.examples]
    assert [o.label for o in model.predict_batch(rows)] == ["setosa", "versicolor", "virginica"]


def test_a_batch_of_one_thousand_rows_is_accepted(model, valid_features):
    assert len(model.predict_batch([valid_features] * MAX_BATCH_ROWS)) == MAX_BATCH_ROWS


@pytest.mark.parametrize("instances", [[], "rows", None, {"a": 1}])
def test_a_batch_that_is_not_a_list_of_one_or_more_rows_is_rejected(model, instances):
    with pytest.raises(ValidationError) as info:
        model.predict_batch(instances)
    assert list(info.value.fields) == ["instances"]


def test_a_batch_of_one_thousand_and_one_rows_is_rejected(model, valid_features):
    with pytest.raises(ValidationError) as info:
        model.predict_batch([valid_features] * (MAX_BATCH_ROWS + 1))
    assert info.value.fields == {
        "instances": "Must be a list of 1 to 1000 feature objects; got 1001."
    }


def test_a_bad_row_of_a_batch_is_named_by_index(model, valid_features):
    rows = [valid_features] * 5
    rows[3] = {**valid_features, "sepal_length": True}
    with pytest.raises(ValidationError) as info:
        model.predict_batch(rows)
    assert info.value.fields == {"instances[3].sepal_length": "Must be a number from 0 to 12."}


def test_a_batch_row_that_is_not_an_object_is_named(model, valid_features):
    with pytest.raises(ValidationError) as info:
        model.predict_batch([valid_features, 7])
    assert info.value.fields == {
        "instances[1]": "Must be an object that maps each feature name to a number."
    }


def test_a_batch_row_with_a_swapped_key_is_named(model, valid_features):
    row = dict(valid_features)
    row["petal"] = row.pop("petal_width")
    with pytest.raises(ValidationError) as info:
        model.predict_batch([row])
    assert set(info.value.fields) == {"instances[0].petal_width", "instances[0].petal"}


# Property-based: any mapping that breaks one rule is rejected with a message naming that field;
# any mapping that keeps every rule is accepted.


def _in_range(feature):
    return st.floats(min_value=feature.min, max_value=feature.max, allow_nan=False)


def _valid_rows(model):
    return st.fixed_dictionaries({f.name: _in_range(f) for f in model.features})


BAD_VALUES = st.one_of(
    st.text(max_size=5),
    st.booleans(),
    st.none(),
    st.just(float("nan")),
    st.sampled_from([float("inf"), -float("inf")]),
    st.floats(min_value=1e3, max_value=1e300),
    st.floats(max_value=-1e-9, min_value=-1e300),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_valid_mapping_is_accepted_with_probabilities_summing_to_one(model, data):
    row = data.draw(_valid_rows(model))
    outcome = model.predict(row)
    assert outcome.label in model.classes
    assert math.isclose(sum(outcome.probabilities.values()), 1.0)
    assert all(0.0 <= p <= 1.0 for p in outcome.probabilities.values())


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_mapping_with_one_bad_value_is_rejected_naming_that_field(model, data):
    row = data.draw(_valid_rows(model))
    name = data.draw(st.sampled_from([f.name for f in model.features]))
    row[name] = data.draw(BAD_VALUES)
    with pytest.raises(ValidationError) as info:
        model.predict(row)
    assert list(info.value.fields) == [name]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_mapping_with_a_missing_or_unknown_key_is_rejected_naming_it(model, data):
    row = data.draw(_valid_rows(model))
    names = [f.name for f in model.features]
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(names))
        del row[name]
    else:
        name = data.draw(st.text(min_size=1, max_size=10).filter(lambda k: k not in names))
        row[name] = 1.0
    with pytest.raises(ValidationError) as info:
        model.predict(row)
    assert list(info.value.fields) == [name]


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_a_batch_agrees_with_single_predictions(model, data):
    rows = data.draw(st.lists(_valid_rows(model), min_size=1, max_size=20))
    batch = model.predict_batch(rows)
    assert [o.label for o in batch] == [model.predict(r).label for r in rows]


def test_validate_features_returns_values_in_schema_order(model, valid_features):
    reordered = dict(reversed(list(valid_features.items())))
    array = validate_features(model.features, reordered)
    assert array.tolist() == [[valid_features[f.name] for f in model.features]]


def test_validate_instances_fast_and_slow_paths_agree(model, valid_features):
    good = validate_instances(
        model.features, [valid_features, dict(reversed(valid_features.items()))]
    )
    assert good.tolist()[0] == good.tolist()[1]
