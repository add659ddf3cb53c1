"""Kernels over tensor-product grids: the loop nest against the vectorised kernel and NumPy."""

from __future__ import annotations

import doctest
import importlib
import tempfile

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import InvalidArgumentsError, compile_expr
from qderive.codegen.grid import GridDrivers, driver_source, evaluate_on_grid


def test_loop_nest_equals_vectorised_kernel_bit_for_bit_and_numpy():
    x, y, z = sp.symbols("x y z", positive=True)
    expr = sp.sqrt(x * y) / (1 + z**2) + sp.Max(0, x - y)
    kernel = compile_expr(expr, [x, y, z], cache_dir=tempfile.mkdtemp())
    xs, zs = np.linspace(0.5, 2, 7), np.linspace(0.1, 3, 5)
    grid = evaluate_on_grid(GridDrivers(), kernel, [xs, 1.3, zs], [1, None, 0], (5, 7))  # dims (z, x)
    vectorised = kernel(xs[None, :], 1.3, zs[:, None])
    np.testing.assert_array_equal(grid, vectorised)
    numpy = np.sqrt(xs[None, :] * 1.3) / (1 + zs[:, None] ** 2) + np.maximum(0, xs[None, :] - 1.3)
    np.testing.assert_allclose(grid, numpy, rtol=1e-15)


def test_unused_dimension_is_broadcast_and_wrong_lengths_are_refused():
    x = sp.Symbol("x", positive=True)
    kernel = compile_expr(2 * x, [x], cache_dir=tempfile.mkdtemp())
    values = evaluate_on_grid(GridDrivers(), kernel, [np.array([1.0, 2.0])], [1], (3, 2))
    np.testing.assert_array_equal(values, [[2.0, 4.0]] * 3)
    assert driver_source(2, [1]).splitlines()[-1].strip() == "out[i0, i1] = f(a0[i1])"
    with pytest.raises(InvalidArgumentsError, match="expected 2 values"):
        evaluate_on_grid(GridDrivers(), kernel, [np.array([1.0, 2.0, 3.0])], [1], (3, 2))


def test_docstring_examples():
    assert doctest.testmod(importlib.import_module("qderive.codegen.grid")).failed == 0
