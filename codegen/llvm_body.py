"""Large real kernels: the straight-line body built as LLVM IR, not typed by Numba.

Numba types and lowers every arithmetic operation through its generic machinery, about
a millisecond per operation, so a 10^4-operation kernel spends most of its cold build
there.  For a body that is plain real arithmetic (``float64`` arguments, temporaries and
result; ``+ - * /``, integer powers and a few elementary functions) :func:`straight_line`
turns the printed statements into a Numba :func:`~numba.extending.intrinsic` whose code
generation emits the LLVM instructions directly: Numba then types one call, and LLVM
optimises the body as usual.  The body is one never-inlined LLVM function, named after the
function that calls it, with a loop over flat arrays beside it (``out[i] = body(x[i], ...)``),
so a kernel compiles its body once, in its scalar entry point: :class:`BodyLoop` runs that
loop, and other compiled loops (the parallel one) call the body through its address
(:func:`call_body`, :func:`body_address`) instead of compiling it again.  The scalar entry
point stays an ``@njit`` function of the generated module (cached, checksummed and checked
exactly like the others); ``@njit`` code calling it links (and compiles) the body there too.

The statements are the same text the Numba path compiles (``x0 = a*b`` ...), held as a
string in the generated module; they are parsed with :mod:`ast` (never executed) and
anything outside the supported subset raises :class:`~qderive.codegen.errors.CodegenError`
(:func:`operation_count` answers the question beforehand, so the emitter falls back to plain
Numba for such bodies).  Semantics are Python's on floats: integer literals become
doubles (the printer keeps them below 2^53), ``/`` is IEEE division (``inf``/``nan`` at a
pole, as Numba's ``error_model="numpy"``), ``x**n`` for an integer literal ``n`` is binary
powering (``1/x**|n|`` for ``n < 0``).

>>> body = straight_line(("x", "y"), "t = x*y\\nreturn t + 1/2")
>>> from numba import njit
>>> @njit
... def f(x, y):
...     return body(x, y)
>>> f(3.0, 2.0)
6.5
"""

from __future__ import annotations

import ast
import ctypes
import hashlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .errors import CodegenError

_DOUBLE = ir.DoubleType()
_INT = ir.IntType(64)
#: ``loop(double** columns, double* out, int64 n)``, as :class:`BodyLoop` calls it.
_C_LOOP = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)
#: The LLVM function holding a straight-line body is named after its caller: the caller's symbol,
#: this and a digest of the body.
BODY_SUFFIX = ".straight_line_body"
#: Added to a body's name: the loop over flat arrays compiled beside it (:class:`BodyLoop`).
LOOP_SUFFIX = ".loop"
_BINARY = {ast.Add: "fadd", ast.Sub: "fsub", ast.Mult: "fmul", ast.Div: "fdiv"}
#: ``np.<name>`` calls and the LLVM intrinsic each becomes (same IEEE results as NumPy's).
_FUNCTIONS = {"sqrt": "llvm.sqrt", "exp": "llvm.exp", "log": "llvm.log", "sin": "llvm.sin",
              "cos": "llvm.cos", "abs": "llvm.fabs"}


def straight_line(parameters: Sequence[str], statements: str):
    """A Numba intrinsic ``body(*parameters) -> float64`` computing ``statements``.

    Parameters
    ----------
    parameters : sequence of str
        Argument names, in call order (all ``float64``).
    statements : str
        Assignments ``name = expression`` one per line, ending with ``return expression``.

    Raises
    ------
    CodegenError
        When Numba compiles a call: a statement is outside the supported subset (see
        the module docstring).  The text is parsed then, not here, so that loading cached
        machine code costs nothing per operation.

    Examples
    --------
    >>> from numba import njit
    >>> body = straight_line(("x",), "t = x*x\\nreturn t*t - 2*t + 1")  # (x^2 - 1)^2
    >>> @njit
    ... def f(x):
    ...     return body(x)
    >>> f(3.0) == (3.0**2 - 1) ** 2
    True
    """
    parameters = tuple(parameters)
    n_args = len(parameters)
    suffix = f"{BODY_SUFFIX}.{hashlib.sha256(repr((parameters, statements)).encode()).hexdigest()[:16]}"
    adopted: list[tuple[Program, threading.Event | None]] = []  # parsed and checked from these statements

    def typer(typingctx, *arg_types):
        if len(arg_types) != n_args or any(t != types.float64 for t in arg_types):
            return None
        # parsed only when Numba compiles (a cache hit never parses), and not again when adopted
        program, built = adopted[0] if adopted else (parse_body(parameters, statements), None)

        def codegen(context, builder, signature, args):  # the star-args arrive as one tuple
            name = builder.function.name + suffix
            signature_type = ir.FunctionType(_DOUBLE, [_DOUBLE] * n_args)
            function = builder.module.globals.get(name)
            if function is None:
                # The body and its loop in a module of their own, added to the caller's code library here (LLVM
                # parses and optimises it, releasing the GIL); the caller's module only declares the body.
                body_module = context.create_module(name)
                definition = ir.Function(body_module, signature_type, name)
                definition.attributes.add("noinline")  # one compiled copy, called (by address) from the loops
                definition.attributes.add("nounwind")
                inner = ir.IRBuilder(definition.append_basic_block("entry"))
                inner.ret(_emit(program, inner, definition.args))
                _emit_loop(body_module, name + LOOP_SUFFIX, definition)
                context.active_code_library.add_ir_module(body_module)
                function = ir.Function(builder.module, signature_type, name)
            if built is not None:
                _set_when_finalising(context.active_code_library, built)
            return builder.call(function, cgutils.unpack_tuple(builder, args[0], n_args))

        return types.float64(types.StarArgTuple.from_types(arg_types)), codegen

    def adopt(program: Program, built: threading.Event | None = None) -> None:
        """Compile ``program`` (what :func:`parse_body` returned for these same parameters and
        statements, e.g. when the emitter checked them) instead of parsing the statements again;
        set ``built`` when the caller's code library starts generating machine code (LLVM's
        work, which releases the GIL; see :func:`_set_when_finalising`)."""
        if program.parameters != parameters or program.statements != statements:
            raise CodegenError("straight-line body: the adopted program was parsed from other statements")
        adopted[:] = [(program, built)]

    typer.__name__ = "straight_line_body"
    body = intrinsic(typer)
    body.symbol_suffix = suffix  # what body_address looks up in a compiled caller
    body.adopt = adopt
    return body


def _set_when_finalising(library, event: threading.Event) -> None:
    """Set ``event`` when ``library`` (the Numba code library being built) starts generating
    machine code (Numba's ``_finalize_specific``), the longest C++ part of a compile, during
    which the GIL is free.

    Python run by another thread earlier takes turns with Numba's own Python for the GIL, and
    every short LLVM call in between then waits for the other thread's turn: a 0.08 s reference
    evaluation slowed the 16 611-operation compile by 0.13 s when started as soon as the body's
    IR was built (median cold build 0.61 s when started with ``finalize``, before LLVM's module
    optimisation; 0.51-0.56 s from here).  Only this library's method is wrapped (an instance
    attribute); a Numba without it, or a compile that never gets there, leaves ``event`` to the
    compile's end (:func:`qderive.codegen.kernel._compile_then_set`).

    Examples
    --------
    >>> class Library:
    ...     def _finalize_specific(self):
    ...         return "machine code"
    >>> library, event = Library(), threading.Event()
    >>> _set_when_finalising(library, event)
    >>> event.is_set(), library._finalize_specific(), event.is_set()
    (False, 'machine code', True)
    >>> _set_when_finalising(object(), event)  # nothing to wrap: nothing happens
    """
    generate = getattr(library, "_finalize_specific", None)
    if generate is None:
        return

    def signal_then_generate():
        event.set()
        return generate()

    library._finalize_specific = signal_then_generate


@intrinsic
def call_body(typingctx, address, *arg_types):
    """``call_body(address, *args) -> float64``: call the straight-line body compiled at ``address``.

    ``address`` is what :func:`body_address` returns for a compiled caller of a
    :func:`straight_line` body, ``args`` are its ``float64`` arguments.  A loop calling the
    body this way does not compile it again (a body called directly is linked into its
    caller and compiled there once more).
    """
    if not isinstance(address, types.Integer) or any(t != types.float64 for t in arg_types):
        return None
    n_args = len(arg_types)

    def codegen(context, builder, signature, args):
        function = builder.inttoptr(args[0], ir.FunctionType(_DOUBLE, [_DOUBLE] * n_args).as_pointer())
        return builder.call(function, cgutils.unpack_tuple(builder, args[1], n_args))

    return types.float64(address, types.StarArgTuple.from_types(arg_types)), codegen


def body_address(caller, body) -> int:
    """Address of the compiled copy of ``body`` (a :func:`straight_line` body) inside ``caller``,
    a Numba dispatcher compiled for one signature whose code calls it.

    Raises
    ------
    CodegenError
        ``caller`` has no compiled body (never a null address).

    Examples
    --------
    >>> from numba import njit
    >>> body = straight_line(("x",), "return x*x + 1")
    >>> @njit("float64(float64)")
    ... def f(x):
    ...     return body(x)
    >>> @njit
    ... def twice(address, x):
    ...     return 2.0 * call_body(address, x)
    >>> twice(body_address(f, body), 3.0)
    20.0
    """
    return _address(caller, body.symbol_suffix)


def _emit_loop(module: ir.Module, name: str, body: ir.Function) -> None:
    """``void name(double** columns, double* out, i64 n)``: ``out[i] = body(columns[0][i], ...)``."""
    n_args = len(body.args)
    pointer = _DOUBLE.as_pointer()
    loop = ir.Function(module, ir.FunctionType(ir.VoidType(), [pointer.as_pointer(), pointer, _INT]), name)
    loop.attributes.add("nounwind")
    columns_arg, out, n = loop.args
    entry, repeat, done = (loop.append_basic_block(label) for label in ("entry", "loop", "done"))
    builder = ir.IRBuilder(entry)
    columns = [builder.load(builder.gep(columns_arg, [ir.Constant(_INT, k)])) for k in range(n_args)]
    builder.cbranch(builder.icmp_signed("<=", n, ir.Constant(_INT, 0)), done, repeat)
    builder.position_at_end(repeat)
    i = builder.phi(_INT)
    i.add_incoming(ir.Constant(_INT, 0), entry)
    value = builder.call(body, [builder.load(builder.gep(column, [i])) for column in columns])
    builder.store(value, builder.gep(out, [i]))
    following = builder.add(i, ir.Constant(_INT, 1))
    i.add_incoming(following, repeat)
    builder.cbranch(builder.icmp_signed("<", following, n), repeat, done)
    builder.position_at_end(done)
    builder.ret_void()


class BodyLoop:
    """``loop(*columns, out)``: ``out[i] = body(columns[0][i], ...)`` over flat ``float64`` arrays,
    run by the loop compiled beside a :func:`straight_line` body in ``caller`` (a Numba
    dispatcher compiled for one signature whose code calls ``body``), so neither the body nor
    a loop is compiled again.

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> body = straight_line(("x", "y"), "return x*y + 1")
    >>> @njit("float64(float64, float64)")
    ... def f(x, y):
    ...     return body(x, y)
    >>> out = np.empty(3)
    >>> BodyLoop(f, body, 2)(np.arange(3.0), np.full(3, 2.0), out)
    >>> out.tolist()
    [1.0, 3.0, 5.0]
    """

    def __init__(self, caller, body, n_args: int) -> None:
        self._caller = caller  # keeps the compiled code alive
        self._n_args = n_args
        self._run = _C_LOOP(_address(caller, body.symbol_suffix + LOOP_SUFFIX))

    def __call__(self, *arrays: np.ndarray) -> None:
        *columns, out = arrays
        if len(columns) != self._n_args:
            raise CodegenError(f"the loop takes {self._n_args} argument array(s) and out, got {len(columns)}")
        for array in arrays:  # the compiled loop reads and writes raw memory: check everything first
            if (not isinstance(array, np.ndarray) or array.dtype != np.float64 or array.ndim != 1
                    or not array.flags.c_contiguous or array.shape != out.shape):
                raise CodegenError(f"the loop takes flat, C-contiguous float64 arrays of one length, got {array!r:.80}")
        if not out.flags.writeable:
            raise CodegenError("the loop's out array is read-only")
        pointers = np.array([c.__array_interface__["data"][0] for c in columns] or [0], dtype=np.uintp)
        self._run(pointers.ctypes.data, out.__array_interface__["data"][0], out.shape[0])


def _address(caller, symbol_suffix: str) -> int:
    """Address of the function ``<caller's symbol><symbol_suffix>`` compiled into ``caller``."""
    compiled = list(caller.overloads.values())
    if len(compiled) != 1:
        raise CodegenError(f"a straight-line body's caller must be compiled for one signature, got {len(compiled)}")
    address = compiled[0].library.get_pointer_to_function(compiled[0].fndesc.llvm_func_name + symbol_suffix)
    if not address:
        raise CodegenError(f"{caller.__name__} holds no compiled copy of this straight-line body")
    return address


def operation_count(parameters: Sequence[str], statements: str) -> int | None:
    """Number of arithmetic operations and calls in ``statements``, or ``None`` when
    :func:`straight_line` does not accept them.

    Examples
    --------
    >>> operation_count(("x",), "t = x*x + 1\\nreturn np.sqrt(t)"), operation_count(("x",), "return x.real")
    (3, None)
    """
    try:
        return parse_body(tuple(parameters), statements).n_operations
    except CodegenError:
        return None


@dataclass(frozen=True)
class Program:
    """Straight-line statements parsed and checked against the supported subset.

    ``assignments`` are ``(target, expression)`` in order, ``result`` the returned
    expression; ``n_operations`` counts the arithmetic operations and calls.

    Examples
    --------
    >>> program = parse_body(("x", "y"), "t = x*y\\nreturn t - 1/t")
    >>> program.parameters, len(program.assignments), program.n_operations
    (('x', 'y'), 1, 3)
    """

    parameters: tuple[str, ...]
    statements: str
    assignments: tuple[tuple[str, ast.expr], ...]
    result: ast.expr
    n_operations: int


def parse_body(parameters: Sequence[str], statements: str) -> Program:
    """Parse ``statements`` with :mod:`ast` and check every node (one walk, counting the
    operations too); raise :class:`~qderive.codegen.errors.CodegenError` outside the subset.

    Examples
    --------
    >>> program = parse_body(("x",), "t = x*x + 1\\nreturn np.sqrt(t)")
    >>> [target for target, _ in program.assignments], program.n_operations
    (['t'], 3)
    """
    parameters = tuple(parameters)
    try:
        tree = ast.parse(statements, mode="exec")
    except SyntaxError as error:
        raise CodegenError(f"straight-line body does not parse: {error}") from None
    defined = set(parameters)
    assignments = []
    count = 0
    *body, last = tree.body or [None]
    for statement in body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            raise CodegenError(f"straight-line body: line {getattr(statement, 'lineno', '?')} is not "
                               "an assignment to a name")
        count += _check(statement.value, defined)
        defined.add(statement.targets[0].id)
        assignments.append((statement.targets[0].id, statement.value))
    if not isinstance(last, ast.Return) or last.value is None:
        raise CodegenError("straight-line body must end with 'return <expression>'")
    count += _check(last.value, defined)
    return Program(parameters, statements, tuple(assignments), last.value, count)


def _check(root: ast.expr, defined: set[str]) -> int:
    """Refuse anything outside the subset; return the number of operations and calls
    (iteratively: printed sums nest thousands deep)."""
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if node.id not in defined:
                raise CodegenError(f"straight-line body: {node.id} is used before it is assigned")
        elif kind is ast.Constant:
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise CodegenError(f"straight-line body: constant {node.value!r} is not a real number")
        elif kind is ast.BinOp and type(node.op) in _BINARY:
            count += 1
            stack += (node.left, node.right)
        elif kind is ast.BinOp and type(node.op) is ast.Pow:
            if _integer_exponent(node.right) is None:
                raise CodegenError("straight-line body: only integer-literal powers are supported")
            count += 1 + (type(node.right) is ast.UnaryOp)  # a negative exponent is a unary minus too
            stack.append(node.left)
        elif kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
            count += 1
            stack.append(node.operand)
        elif (kind is ast.Call and type(node.func) is ast.Attribute and type(node.func.value) is ast.Name
              and node.func.value.id == "np" and node.func.attr in _FUNCTIONS and len(node.args) == 1
              and not node.keywords):
            count += 1
            stack.append(node.args[0])
        else:
            raise CodegenError(f"straight-line body: {kind.__name__} node (line {getattr(node, 'lineno', '?')})"
                               " is outside the supported subset")
    return count


def _integer_exponent(node: ast.expr) -> int | None:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _emit(program: Program, builder: ir.IRBuilder, args) -> ir.Value:
    parameters, assignments, result = program.parameters, program.assignments, program.result
    values: dict[str, ir.Value] = dict(zip(parameters, args, strict=True))
    module = builder.module

    def function(name: str) -> ir.Function:
        full = f"{_FUNCTIONS[name]}.f64"
        existing = module.globals.get(full)
        return existing if existing is not None else ir.Function(module, ir.FunctionType(_DOUBLE, [_DOUBLE]), full)

    def constant(value) -> ir.Constant:
        return ir.Constant(_DOUBLE, float(value))

    def power(base: ir.Value, n: int) -> ir.Value:
        result, square, k = None, base, abs(n)
        while k:
            if k & 1:
                result = square if result is None else builder.fmul(result, square)
            k >>= 1
            if k:
                square = builder.fmul(square, square)
        result = constant(1.0) if result is None else result
        return builder.fdiv(constant(1.0), result) if n < 0 else result

    def operands(node: ast.expr) -> list[ast.expr]:
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            return [node.args[0]]
        if isinstance(node, ast.BinOp):
            return [node.left] if isinstance(node.op, ast.Pow) else [node.left, node.right]
        return []

    def combine(node: ast.expr, args: list):
        """An LLVM value, or a Python float when the node is a constant expression."""
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp):
            (operand,) = args
            if isinstance(node.op, ast.UAdd):
                return operand
            return -operand if isinstance(operand, (int, float)) else builder.fneg(operand)
        if isinstance(node, ast.Call):
            return builder.call(function(node.func.attr), [as_llvm(args[0])])
        if isinstance(node.op, ast.Pow):
            n = _integer_exponent(node.right)
            return float(args[0]) ** n if isinstance(args[0], (int, float)) else power(args[0], n)
        left, right = args
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return _fold(node.op, float(left), float(right))
        return getattr(builder, _BINARY[type(node.op)])(as_llvm(left), as_llvm(right))

    def value(root: ast.expr):
        """:func:`combine` over the tree, children first, without recursion."""
        done: dict[int, object] = {}
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                done[id(node)] = combine(node, [done[id(child)] for child in operands(node)])
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(operands(node)))
        return done[id(root)]

    def as_llvm(v):
        return constant(v) if isinstance(v, (int, float)) else v

    for target, expression in assignments:
        values[target] = as_llvm(value(expression))
    return as_llvm(value(result))


def _fold(op: ast.operator, left: float, right: float) -> float:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if right == 0.0:  # IEEE, as the compiled division would give
        return math.nan if left == 0.0 or left != left else math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right
