"""Small linear models in plain numpy: fitted deterministically, applied as one matmul.

Why numpy and not scikit-learn: the scope check fits a model on the agent's knowledge at
start-up, on any install, and `warmline train` must reproduce the shipped heads bit for
bit from a fresh `make` install; both want few dependencies and no randomness.

Features are standardised inside `fit_*` and the scaling is folded back into the
weights, so applying a model is `x @ weights + bias` on raw features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LinearModel:
    """`weights` (d, k) and `bias` (k,); k = 1 for a binary model."""

    weights: npt.NDArray[np.floating]
    bias: npt.NDArray[np.floating]

    def logits(self, x: npt.NDArray[np.floating]) -> Matrix:
        out: Matrix = np.asarray(x, dtype=np.float64) @ self.weights.astype(np.float64)
        return out + self.bias.astype(np.float64)


def sigmoid(z: npt.NDArray[np.floating]) -> Matrix:
    z = np.asarray(z, dtype=np.float64)
    out: Matrix = np.exp(-np.logaddexp(0.0, -z))
    return out


def softmax(z: npt.NDArray[np.floating]) -> Matrix:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    out: Matrix = e / e.sum(axis=-1, keepdims=True)
    return out


def _standardise(x: Matrix) -> tuple[Matrix, Matrix, Matrix]:
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std < 1e-8] = 1.0
    return (x - mean) / std, mean, std


def _fold_back(w: Matrix, b: Matrix, mean: Matrix, std: Matrix) -> LinearModel:
    """Undo the standardisation: (x - m)/s @ w + b == x @ (w/s) + (b - m/s @ w)."""
    raw_w = w / std[:, None]
    return LinearModel(weights=raw_w, bias=b - mean @ raw_w)


def fit_binary(x: npt.NDArray[np.floating], y: npt.NDArray[np.bool_], *, l2: float = 1.0,
               positive_weight: float = 1.0, iterations: int = 50) -> LinearModel:
    """L2-regularised logistic regression by Newton's method (exact and deterministic).

    `l2` is the penalty on standardised weights (not the bias), per training example
    summed; `positive_weight` scales the loss of positive examples (class imbalance).
    """
    xs, mean, std = _standardise(np.asarray(x, dtype=np.float64))
    n, d = xs.shape
    design = np.hstack([xs, np.ones((n, 1))])
    target = np.asarray(y, dtype=np.float64)
    sample = np.where(target > 0.5, positive_weight, 1.0)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    theta = np.zeros(d + 1)
    for _ in range(iterations):
        p = sigmoid(design @ theta)
        grad = design.T @ (sample * (p - target)) + penalty * theta
        curvature = sample * p * (1.0 - p)
        hessian = (design * curvature[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, grad)
        theta -= step
        if float(np.max(np.abs(step))) < 1e-6:
            break
    return _fold_back(theta[:-1, None], theta[-1:], mean, std)


def fit_softmax(x: npt.NDArray[np.floating], y: npt.NDArray[np.integer], classes: int, *,
                l2: float = 1.0, iterations: int = 300) -> LinearModel:
    """L2-regularised multinomial logistic regression by L-BFGS (deterministic)."""
    xs, mean, std = _standardise(np.asarray(x, dtype=np.float64))
    n, d = xs.shape
    design = np.hstack([xs, np.ones((n, 1))])
    onehot = np.zeros((n, classes))
    onehot[np.arange(n), np.asarray(y)] = 1.0
    mask = np.ones((d + 1, classes))
    mask[-1] = 0.0

    def loss_grad(flat: Matrix) -> tuple[float, Matrix]:
        theta = flat.reshape(d + 1, classes)
        z = design @ theta
        z -= z.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(z).sum(axis=1))
        loss = float(np.sum(logsum - (z * onehot).sum(axis=1)))
        loss += 0.5 * l2 * float(np.sum((theta * mask) ** 2))
        p = np.exp(z - logsum[:, None])
        grad = design.T @ (p - onehot) + l2 * theta * mask
        return loss, grad.ravel()

    theta = _lbfgs(loss_grad, np.zeros((d + 1) * classes), iterations)
    theta = theta.reshape(d + 1, classes)
    return _fold_back(theta[:-1], theta[-1], mean, std)


def _lbfgs(fun: object, x0: Matrix, iterations: int, memory: int = 10) -> Matrix:
    """A plain L-BFGS with a backtracking (Armijo) line search."""
    f = fun  # (x) -> (loss, grad)
    x = x0.copy()
    loss, grad = f(x)  # type: ignore[operator]
    s_list: list[Matrix] = []
    y_list: list[Matrix] = []
    for _ in range(iterations):
        q = grad.copy()
        alphas = []
        for s, yv in zip(reversed(s_list), reversed(y_list), strict=True):
            a = float(s @ q) / float(yv @ s)
            alphas.append(a)
            q -= a * yv
        if s_list:
            q *= float(s_list[-1] @ y_list[-1]) / float(y_list[-1] @ y_list[-1])
        for (s, yv), a in zip(zip(s_list, y_list, strict=True), reversed(alphas),
                              strict=True):
            b = float(yv @ q) / float(yv @ s)
            q += s * (a - b)
        direction = -q
        slope = float(grad @ direction)
        if slope >= 0:
            direction, slope = -grad, -float(grad @ grad)
        step = 1.0 if s_list else 1.0 / max(1.0, float(np.linalg.norm(grad)))
        while True:
            new_x = x + step * direction
            new_loss, new_grad = f(new_x)  # type: ignore[operator]
            if new_loss <= loss + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_vec, y_vec = new_x - x, new_grad - grad
        if float(s_vec @ y_vec) > 1e-10:
            s_list.append(s_vec)
            y_list.append(y_vec)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        converged = abs(loss - new_loss) <= 1e-7 * max(1.0, abs(loss))
        x, loss, grad = new_x, new_loss, new_grad
        if converged:
            break
    return x
