"""bot.nlu.metrics.calibration: accuracy per confidence band, and the expected calibration error."""

from __future__ import annotations

import pytest

from bot.nlu.metrics import calibration


def test_a_confidently_wrong_model_is_badly_calibrated():
    result = calibration([0.95] * 10, [True] * 3 + [False] * 7)
    [band] = result.bins
    assert (band.count, band.accuracy) == (10, 0.3) and band.mean_confidence == pytest.approx(0.95)
    assert result.expected_calibration_error == pytest.approx(0.65)


def test_a_calibrated_model_has_no_error_and_empty_bands_are_left_out():
    result = calibration([0.5, 0.5, 0.95, 0.95], [True, False, True, True], edges=(0.0, 0.6, 1.0001))
    assert [(b.count, b.accuracy) for b in result.bins] == [(2, 0.5), (2, 1.0)]
    assert result.expected_calibration_error == pytest.approx(0.025)
    assert calibration([0.1], [False], edges=(0.0, 0.5, 0.9, 1.0001)).bins[0].high == 0.5


def test_lengths_must_match():
    with pytest.raises(ValueError):
        calibration([0.5], [])
