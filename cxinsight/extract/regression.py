"""A standardised logistic regression over named features: what the discussion reader and the episode judge are.

Each subclass names its FEATURES (stored in the head file, so a file written for other features is refused)
and what it is (`KIND`, for that error). Applying one needs numpy only; fitting needs scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass
class StandardisedRegression:
    """Weights over standardised FEATURES, and the probability from which the answer is yes."""
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float = 0.5

    FEATURES: ClassVar[tuple[str, ...]] = ()
    KIND: ClassVar[str] = "regression"

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        # ((rows - mean) / scale) @ weights + bias, folded so the rows are not copied twice (calibration reads a lot)
        logits = rows @ (self.weights / self.scale) + (self.bias - (self.mean / self.scale) @ self.weights)
        return 1.0 / (1.0 + np.exp(-logits))

    def to_dict(self) -> dict:
        return {"features": list(self.FEATURES), "mean": _rounded(self.mean), "scale": _rounded(self.scale),
                "weights": _rounded(self.weights), "bias": round(self.bias, 6), "threshold": round(self.threshold, 4)}

    @classmethod
    def from_dict(cls, data: dict):
        if list(data["features"]) != list(cls.FEATURES):
            raise ValueError(f"its {cls.KIND} was trained on other features")
        arrays = [np.asarray(data[key], dtype=float) for key in ("mean", "scale", "weights")]
        if any(a.shape != (len(cls.FEATURES),) for a in arrays):
            raise ValueError(f"its {cls.KIND} needs {len(cls.FEATURES)} values per array")
        return cls(*arrays, bias=float(data["bias"]), threshold=float(data["threshold"]))

    @classmethod
    def fit(cls, rows: np.ndarray, targets: np.ndarray, regularisation: float = 1.0):
        """Standardise the rows (a feature that never varies here weighs nothing) and fit; threshold 0.5."""
        import warnings

        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        mean, scale = rows.mean(axis=0), rows.std(axis=0)
        scale[scale < 1e-6] = 1.0
        regression = LogisticRegression(C=regularisation, max_iter=3000)
        # One BLAS thread: on these narrow rows, threads cost more than they give (0.06 s a fit vs 0.45 s on 2 cores).
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            regression.fit((rows - mean) / scale, targets)
        return cls(mean, scale, regression.coef_[0].astype(float), float(regression.intercept_[0]))


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.7g}") for v in values]  # significant digits: a feature's spread may be tiny
