"""Tests for sim.scenario.expressions: the safe expression language of scenario files."""

from __future__ import annotations

import dataclasses
import io
import itertools
import math
import pickle
import subprocess
import sys
import tokenize
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import sim.scenario.expressions as expressions
from sim.errors import InputError
from sim.scenario.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NESTING,
    Expression,
    ExpressionError,
    parse_expression,
)

NAMES = ("a", "b", "c")


def value(text: str, **values: Any) -> Any:
    return parse_expression(text, names=values.keys() | set(NAMES)).evaluate(
        {"a": 2.0, "b": 3.0, "c": -1.0, **values}
    )


# --------------------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("24 / 4 / 2", 3.0),
        ("2 ** 3 ** 2", 512.0),
        ("(2 ** 3) ** 2", 64.0),
        ("-2 ** 2", -4.0),
        ("(-2) ** 2", 4.0),
        ("2 ** -1", 0.5),
        ("2 ** -1 * 4", 2.0),
        ("-a * b", -6.0),
        ("- - a", 2.0),
        ("+a", 2.0),
        ("a - -b", 5.0),
        ("a * b ** 2", 18.0),
        ("1.5e1 + .5 + 2. + 1E-1", 17.6),
        ("0.3 * a * 2", 1.2),
        ("a / b * b", 2.0),
    ],
)
def test_arithmetic_and_precedence(text: str, expected: float) -> None:
    assert value(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(a, b)", 2.0),
        ("min(b, a, c)", -1.0),
        ("max(a, b, c, 10)", 10.0),
        ("clip(a, 0, 1)", 1.0),
        ("clip(c, 0, 1)", 0.0),
        ("clip(0.5, 0, 1)", 0.5),
        ("where(a < b, 10, 20)", 10.0),
        ("where(a > b, 10, 20)", 20.0),
        ("exp(0)", 1.0),
        ("exp(1)", math.e),
        ("log(exp(a))", 2.0),
        ("abs(c)", 1.0),
        ("sqrt(16)", 4.0),
        ("max(0, 1 - a / 4) ** 2", 0.25),
    ],
)
def test_functions(text: str, expected: float) -> None:
    assert value(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b", 1.0),
        ("a <= 2", 1.0),
        ("a > b", 0.0),
        ("b >= 3", 1.0),
        ("a == 2", 1.0),
        ("a != 2", 0.0),
        ("a < b and b < 4", 1.0),
        ("a < b and b > 4", 0.0),
        ("a > b or b > 2", 1.0),
        ("not a > b", 1.0),
        ("not a < b or b > 2", 1.0),  # (not (a < b)) or (b > 2)
        ("not (a < b or b > 2)", 0.0),
        ("a > 5 or a > 4 or a > 1", 1.0),
        ("0.5 * (a < b) + (b < a)", 0.5),
        ("(a < b) + (a < b)", 2.0),
        ("-(a < b)", -1.0),
        ("(a < b) == (b > a)", 1.0),
        ("where(a < b and not c > 0, a, b)", 2.0),
    ],
)
def test_comparisons_and_logic(text: str, expected: float) -> None:
    assert value(text) == expected


def test_docstring_examples_from_the_brief() -> None:
    expression = parse_expression(
        "0.3 * us_alliance_priority * 2", names={"us_alliance_priority", "unused"}
    )
    assert expression.names == frozenset({"us_alliance_priority"})
    assert expression.text == "0.3 * us_alliance_priority * 2"
    assert expression.evaluate({"us_alliance_priority": 0.5}) == pytest.approx(0.3)
    hazard = parse_expression("where(stance > 0, 0.2, 0.6)", names={"stance"})
    out = hazard.evaluate({"stance": np.array([-1.0, 0.0, 1.0])})
    np.testing.assert_array_equal(out, [0.6, 0.6, 0.2])


def test_scalars_give_floats_and_arrays_give_new_arrays() -> None:
    expression = parse_expression("a", names={"a"})
    assert type(expression.evaluate({"a": 2})) is float
    assert type(expression.evaluate({"a": np.float32(2)})) is float  # type: ignore[dict-item]
    array = np.array([1.0, 2.0])
    out = expression.evaluate({"a": array})
    assert isinstance(out, np.ndarray)
    assert out is not array
    assert not np.shares_memory(out, array)
    flags = parse_expression("a > 1", names={"a"}).evaluate({"a": array})
    assert isinstance(flags, np.ndarray)
    assert flags.dtype == np.float64
    grid = parse_expression("a * b", names={"a", "b"}).evaluate(
        {"a": np.arange(3.0), "b": np.arange(2.0)[:, None]}
    )
    assert isinstance(grid, np.ndarray)
    assert grid.shape == (2, 3)
    assert parse_expression("2", names=()).evaluate({}) == 2.0
    assert value("a", a=True) == 1.0  # booleans and integers are numbers


def test_expression_is_immutable_and_reports_its_names() -> None:
    expression = parse_expression("a + min(b, 1)", names=NAMES)
    assert expression.names == frozenset({"a", "b"})
    assert repr(expression) == "Expression('a + min(b, 1)')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        expression.text = "0"  # type: ignore[misc]
    assert expression == parse_expression("a + min(b, 1)", names=NAMES)


def test_where_and_logic_evaluate_only_what_each_point_selects() -> None:
    x = np.array([-1.0, 0.0, 1.0, np.e])
    guarded = parse_expression("where(x > 0, log(x), -5)", names={"x"})
    np.testing.assert_allclose(guarded.evaluate({"x": x}), [-5, -5, 0, 1])
    assert guarded.evaluate({"x": 0.0}) == -5.0
    both = parse_expression("x > 0 and log(x) > 0.5 or x < -0.5 and sqrt(-x) > 0", names={"x"})
    np.testing.assert_array_equal(both.evaluate({"x": x}), [1, 0, 0, 1])
    nested = parse_expression("where(x < 0, 0, where(x > 0, 1 / x, 7))", names={"x"})
    np.testing.assert_allclose(nested.evaluate({"x": x}), [0, 7, 1, 1 / np.e])


# --------------------------------------------------------------------------- errors


def test_unknown_name_suggests_the_nearest() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(
            "0.3 * x + us_alliance_prioirty",
            names={"x", "us_alliance_priority", "audience_cost"},
            where="scenarios/x.toml: payoffs.seoul.value",
        )
    assert str(caught.value) == (
        "scenarios/x.toml: payoffs.seoul.value: column 11: unknown name "
        "'us_alliance_prioirty'; did you mean 'us_alliance_priority'?"
    )
    assert caught.value.column == 11
    assert caught.value.where == "scenarios/x.toml: payoffs.seoul.value"
    assert isinstance(caught.value, InputError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "mx(a, b)",
            "column 1: unknown function 'mx'; expected one of abs, clip, exp, log, max, "
            "min, sqrt, where (did you mean 'max'?)",
        ),
        ("", "empty expression"),
        (" \t\n ", "empty expression"),
        (
            "a +",
            "column 4: expected a number, a parameter name, a function call or '(' after "
            "'+'; got the end of the expression",
        ),
        ("(a + b", "column 7: expected ')' to close the '(' at column 1; got the end"),
        ("a + b)", "column 6: unexpected ')' after a complete expression"),
        ("a b", "column 3: unexpected 'b' after a complete expression; expected an operator"),
        ("a.b", "column 2: unexpected character '.'; attribute access is not allowed"),
        ("a = 1", "column 3: unexpected character '='; use '==' to compare"),
        ("a < b < c", "column 7: comparisons cannot be chained"),
        ("a and b > 1", "column 1: each side of 'and' must be a comparison"),
        ("not a", "column 5: the operand of 'not' must be a comparison"),
        ("where(a, 1, 2)", "column 7: the condition of where() must be a comparison"),
        ("clip(a, 1)", "column 1: clip() takes 3 arguments; got 2"),
        ("min(a)", "column 1: min() takes at least 2 arguments; got 1"),
        ("log(a, b)", "column 1: log() takes 1 argument; got 2"),
        ("a(1)", "column 1: 'a' is a parameter, not a function"),
        ("max + 1", "column 1: 'max' is a function; call it as max(...)"),
        ("1e16", "column 1: number '1e16' is out of range"),
        ("nan", "column 1: unknown name 'nan' (numbers must be finite)"),
        ("2x", "column 1: malformed number '2x'"),
    ],
)
def test_parse_error_messages(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, names=NAMES, where="f.toml: k")
    assert str(caught.value).startswith(f"f.toml: k: {message}")


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("1 / (a - 2)", {"a": 2.0}, "column 1: division by zero in '1 / (a - 2)' at a=2.0"),
        ("b + log(a)", {"a": 0.0, "b": 1.0}, "column 5: log of zero in 'log(a)' at a=0.0"),
        ("log(a)", {"a": -1.0}, "column 1: log of a negative number in 'log(a)' at a=-1.0"),
        ("sqrt(a - 3)", {"a": 2.0}, "column 1: square root of a negative number"),
        ("exp(a)", {"a": 1000.0}, "column 1: overflow"),
        ("a ** 0.5", {"a": -4.0}, "column 1: a negative number raised to a fractional power"),
        ("a ** -1", {"a": 0.0}, "column 1: zero raised to a negative power"),
        (
            "2 ** 10 ** 10",
            {},
            "column 1: overflow (the value is too large to represent) in '2 ** 10 ** 10'",
        ),
        ("clip(1, a, 0)", {"a": 1.0}, "column 1: the lower bound of clip() exceeds its upper"),
        ("a", {}, "no value given for parameter 'a'"),
        ("a", {"a": "x"}, "the value of 'a' must be a number"),
        ("a", {"a": [[1], [1, 2]]}, "the value of 'a' is not a number"),
        ("a", {"a": np.nan}, "the value of 'a' is not finite"),
        ("a + b", {"a": np.zeros(2), "b": np.zeros(3)}, "the parameter arrays do not broadcast"),
    ],
)
def test_evaluation_errors(text: str, values: dict[str, Any], message: str) -> None:
    expression = parse_expression(text, names=NAMES, where="f.toml: k")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning may escape
        with pytest.raises(ExpressionError) as caught:
            expression.evaluate(values)
    assert str(caught.value).startswith(f"f.toml: k: {message}")


def test_evaluation_error_names_the_first_bad_point_of_a_sweep() -> None:
    expression = parse_expression("a / (b - 1)", names=NAMES)
    with pytest.raises(ExpressionError, match=r"at a=1\.0, b=1\.0 \(array index \(1, 0\)\)"):
        expression.evaluate({"a": np.array([1.0, 2.0, 3.0]), "b": np.array([[0.0], [1.0]])})


def test_errors_pickle_for_process_pools() -> None:
    error = ExpressionError("f.toml: k", "empty expression", column=3)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.where, copy.message, copy.column) == (
        str(error),
        "f.toml: k",
        "empty expression",
        3,
    )


# --------------------------------------------------------------------------- hostile input

HOSTILE = [
    "__import__('os')",
    "__import__",
    "__builtins__",
    "os.system('x')",
    "a.b",
    "a.__class__",
    "a[0]",
    "a[0:1]",
    "lambda: 1",
    "lambda x: x",
    "[x for x in y]",
    "(x for x in y)",
    "{1: 2}",
    "{a}",
    '"string"',
    "'string'",
    "f'{a}'",
    "b'x'",
    "eval('1')",
    "exec('1')",
    "open('/etc/passwd')",
    "getattr(a, 'b')",
    "import os",
    "a if b else c",
    "a; b",
    "a := 1",
    "a = 1",
    "a += 1",
    "*a",
    "**a",
    "a @ b",
    "a // b",
    "a % b",
    "a ^ b",
    "a & b",
    "a | b",
    "~a",
    "a << 1",
    "`a`",
    "\\",
    "a\\\nb",
    "#",
    "a # comment",
    "9" * 10_000,
    "9" * 1_999,
    "1" + "0" * 400,
    "1e999",
    "-1e999",
    "1e16",
    "1e-400e3",
    "0x10",
    "0b1",
    "1_000",
    "1j",
    "1.2.3",
    "1e",
    "1e+",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "True",
    "None",
    "(" * 10_000 + "a" + ")" * 10_000,
    "(" * 999 + "a" + ")" * 999,
    "(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1),
    "-" * 1_500 + "a",
    "not " * 400 + "a > 1",
    "min(" * 300 + "a" + ", 1)" * 300,
    "2 ** " * 500 + "2",
    "a" + " + a" * 999,
    "a" + " + a" * MAX_DEPTH,
    "(" * 1_000,
    ")" * 1_000,
    "",
    " ",
    "\t\n",
    "(",
    ")",
    "(a",
    "a)",
    "((a)",
    "a +",
    "a *",
    "a **",
    "* a",
    "a + * b",
    "a <",
    "a and",
    "not",
    "min(",
    "min(a,",
    "min(a,)",
    "min()",
    "()",
    "a,b",
    ",",
    "undefined_name",
    "mx(a, b)",
    "a\x00",
    "é",
    "ａ",  # fullwidth letter
    "١",  # Arabic-Indic digit one
    "a\u2212b",  # unicode minus
]
EVALUATION_HOSTILE = [
    "2 ** 10 ** 10",
    "10 ** 10 ** 10 ** 10",
    "exp(exp(exp(a)))",
    "1e15 ** 1e15",
    "(-1e15) ** 1e15",
    " * ".join(["1e15"] * 25),
    "1 / 0",
    "0 / 0",
    "log(0)",
    "sqrt(-1)",
    "(-8) ** (1 / 3)",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_text_is_refused_when_parsed(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(text, names=NAMES)


@pytest.mark.parametrize("text", EVALUATION_HOSTILE)
def test_hostile_arithmetic_is_refused_when_evaluated(text: str) -> None:
    expression = parse_expression(text, names=NAMES)
    with pytest.raises(ExpressionError, match="in '"):
        expression.evaluate({"a": np.array([1.0, 5.0]), "b": 1.0, "c": 1.0})


def test_caps_hold_without_reaching_the_recursion_limit() -> None:
    limit = sys.getrecursionlimit()
    assert parse_expression("(" * MAX_NESTING + "a" + ")" * MAX_NESTING, names=NAMES)
    assert parse_expression("-" * MAX_NESTING + "a", names=NAMES)
    assert parse_expression("min(" * MAX_NESTING + "a" + ", 1)" * MAX_NESTING, names=NAMES)
    chain = parse_expression("a" + " + a" * (MAX_DEPTH - 1), names=NAMES)
    assert chain.evaluate({"a": 1.0}) == MAX_DEPTH
    assert parse_expression(" " * (MAX_LENGTH - 1) + "a", names=NAMES)
    with pytest.raises(ExpressionError, match="too long"):
        parse_expression(" " * MAX_LENGTH + "a", names=NAMES)
    assert sys.getrecursionlimit() == limit


def test_non_text_is_refused() -> None:
    with pytest.raises(ExpressionError, match="expected the text of an expression; got int"):
        parse_expression(3, names=NAMES)  # type: ignore[arg-type]


IDENTIFIERS = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,12}\Z")
PYTHON_CONSTRUCTS = st.one_of(
    st.builds("{}.{}".format, IDENTIFIERS, IDENTIFIERS),
    st.builds("{}[{}]".format, IDENTIFIERS, st.integers(-5, 5)),
    st.builds(
        "{}({})".format,
        IDENTIFIERS.filter(lambda name: name not in FUNCTIONS),
        st.sampled_from(["", "1", "a", "'x'", "a, b"]),
    ),
    st.builds("__{}__".format, IDENTIFIERS),
    st.builds("lambda {}: {}".format, IDENTIFIERS, IDENTIFIERS),
    st.builds("[{} for {} in {}]".format, IDENTIFIERS, IDENTIFIERS, IDENTIFIERS),
    st.builds(repr, st.text(max_size=10)),
    st.builds("{} if {} else {}".format, IDENTIFIERS, IDENTIFIERS, IDENTIFIERS),
    st.builds("{}{}".format, st.integers(1, 99), IDENTIFIERS),
    st.builds(lambda n: "(" * n + "a" + ")" * n, st.integers(MAX_NESTING + 1, 999)),
    st.builds(lambda n: "-" * n + "a", st.integers(MAX_NESTING + 1, 1_999)),
    st.builds(lambda n: str(10**n), st.integers(16, 1_900)),
    st.builds(lambda s, op: f"a {op} {s}", st.sampled_from(["", ")", "*"]), st.just("+")),
)


@given(
    construct=PYTHON_CONSTRUCTS,
    prefix=st.sampled_from(["", "a + ", "min(1, ", "2 * ("]),
    suffix=st.sampled_from(["", " * 2", ")"]),
)
def test_generated_python_constructs_are_refused(construct: str, prefix: str, suffix: str) -> None:
    assume(not (construct in NAMES or construct in ("and", "or", "not")))
    with pytest.raises(ExpressionError):
        parse_expression(prefix + construct + suffix, names=NAMES)


TOKENS = [
    "a", "b", "1", "2.5", "1e3", "0", "+", "-", "*", "/", "**", "(", ")", ",", "<", "<=",
    "==", "!=", ">", "and", "or", "not", "min", "max", "clip", "where", "exp", "log", "sqrt",
    "abs", "__import__", "os", ".", "system", "[", "]", "'s'", "lambda", ":", "1e999", "nan",
    "=", "%", "@", " ", "\n",
]  # fmt: skip


def evaluate_or_refuse(text: str) -> None:
    """Parsing and evaluating either work, giving a finite value, or raise ExpressionError."""
    try:
        expression = parse_expression(text, names=NAMES)
    except ExpressionError:
        return
    points: list[dict[str, Any]] = [{"a": 0.0, "b": -1.0}, {"a": np.linspace(-3, 3, 7), "b": 1e15}]
    for values in points:
        try:
            result = expression.evaluate(values)
        except ExpressionError:
            continue
        assert np.all(np.isfinite(result))


@given(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))
def test_token_soup_parses_or_is_refused(text: str) -> None:
    evaluate_or_refuse(text)


@given(st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join))
def test_spaced_token_soup_parses_or_is_refused(text: str) -> None:
    evaluate_or_refuse(text)


@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_is_refused(text: str) -> None:
    evaluate_or_refuse(text)


def test_nothing_is_executed_or_imported() -> None:
    """Parse and evaluate every hostile input under an audit hook that records
    code compilation, execution, imports, process creation and file access."""
    script = f"""
import sys
import numpy as np
from sim.scenario.expressions import ExpressionError, parse_expression
events = []
watched = ("compile", "exec", "import", "os.system", "subprocess.Popen", "open", "os.exec")
def hook(event, args):
    if event.startswith(watched):
        events.append(event)
texts = {HOSTILE + EVALUATION_HOSTILE!r}
sys.addaudithook(hook)
for text in texts:
    try:
        parse_expression(text, names={NAMES!r}).evaluate({{"a": np.ones(3), "b": 1, "c": 1}})
    except ExpressionError:
        pass
print(sorted(set(events)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_module_cannot_execute_code() -> None:
    """No builtin that runs or imports code is named in the module (``re.compile`` is fine)."""
    source = Path(expressions.__file__).read_text()
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    names = {
        token.string
        for before, token in itertools.pairwise(tokens)
        if token.type == tokenize.NAME and before.string != "."
    }
    forbidden = {"eval", "exec", "compile", "ast", "__import__", "importlib", "getattr", "globals"}
    assert names & forbidden == set()


# --------------------------------------------------------------------------- properties

# A tree is a tuple: ("num", x), ("name", n), ("neg", t), (binary op, t, t),
# ("call", function, (t, ...)), ("where", condition, t, t); conditions are
# (comparison, t, t), ("and" | "or", c, c) and ("not", c).
Tree = tuple[Any, ...]

PRECEDENCE = {"or": 1, "and": 2, "not": 3, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7, "**": 8}
COMPARISONS = ["<", "<=", ">", ">=", "==", "!="]
for _op in COMPARISONS:
    PRECEDENCE[_op] = 4


def precedence(tree: Tree) -> int:
    if tree[0] == "num":
        return 7 if math.copysign(1.0, tree[1]) < 0 else 10
    return PRECEDENCE.get(tree[0], 10)


def render(tree: Tree) -> str:
    """The tree as text with only the parentheses the grammar needs."""

    def wrap(child: Tree, needs: bool) -> str:
        text = render(child)
        return f"({text})" if needs else text

    kind = tree[0]
    if kind == "num":
        return repr(tree[1])
    if kind == "name":
        return str(tree[1])
    if kind == "neg":
        return "-" + wrap(tree[1], precedence(tree[1]) < 7)
    if kind == "not":
        return "not " + wrap(tree[1], precedence(tree[1]) < 3)
    if kind == "call":
        return f"{tree[1]}({', '.join(render(arg) for arg in tree[2])})"
    if kind == "where":
        return f"where({render(tree[1])}, {render(tree[2])}, {render(tree[3])})"
    left, right = tree[1], tree[2]
    p = PRECEDENCE[kind]
    if kind == "**":
        return f"{wrap(left, precedence(left) < 10)} ** {wrap(right, precedence(right) < 7)}"
    if kind in COMPARISONS:
        return f"{wrap(left, precedence(left) <= p)} {kind} {wrap(right, precedence(right) <= p)}"
    return f"{wrap(left, precedence(left) < p)} {kind} {wrap(right, precedence(right) <= p)}"


class NotFiniteError(Exception):
    """The reference evaluation met a value that is not a finite number."""


def finite(x: float) -> float:
    if not math.isfinite(x):
        raise NotFiniteError
    return x


def power(x: float, y: float) -> float:
    if x < 0 and y != int(y):
        raise NotFiniteError
    try:
        result = x**y
    except (ZeroDivisionError, OverflowError):
        raise NotFiniteError from None
    assert isinstance(result, float)
    return finite(result)


def clip(x: float, lo: float, hi: float) -> float:
    if lo > hi:
        raise NotFiniteError
    return min(max(x, lo), hi)


REFERENCE_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": lambda x, y: finite(x + y),
    "-": lambda x, y: finite(x - y),
    "*": lambda x, y: finite(x * y),
    "/": lambda x, y: finite(x / y) if y != 0 else finite(math.inf),
    "**": power,
    "<": lambda x, y: float(x < y),
    "<=": lambda x, y: float(x <= y),
    ">": lambda x, y: float(x > y),
    ">=": lambda x, y: float(x >= y),
    "==": lambda x, y: float(x == y),
    "!=": lambda x, y: float(x != y),
}


def reference_function(name: str, args: list[float]) -> float:
    if name == "min":
        return min(args)
    if name == "max":
        return max(args)
    if name == "clip":
        return clip(*args)
    (x,) = args
    if name == "abs":
        return abs(x)
    if name == "exp":
        try:
            return finite(math.exp(x))
        except OverflowError:
            raise NotFiniteError from None
    if (name == "log" and x <= 0) or (name == "sqrt" and x < 0):
        raise NotFiniteError
    return math.log(x) if name == "log" else math.sqrt(x)


def reference(tree: Tree, env: dict[str, float]) -> float:
    """An independent evaluator over Python floats, lazy like Python's own operators."""
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "name":
        return env[tree[1]]
    if kind == "neg":
        return -reference(tree[1], env)
    if kind == "not":
        return float(not reference(tree[1], env))
    if kind == "and":
        return float(bool(reference(tree[1], env)) and bool(reference(tree[2], env)))
    if kind == "or":
        return float(bool(reference(tree[1], env)) or bool(reference(tree[2], env)))
    if kind == "where":
        return reference(tree[2] if reference(tree[1], env) else tree[3], env)
    if kind == "call":
        return reference_function(tree[1], [reference(arg, env) for arg in tree[2]])
    return REFERENCE_BINARY[kind](reference(tree[1], env), reference(tree[2], env))


LITERALS = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 0.5, 3.0, 10.0, -1.0]),
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: float(f"{x:.4g}")),
)
LEAVES = st.one_of(
    st.tuples(st.just("num"), LITERALS), st.tuples(st.just("name"), st.sampled_from(NAMES))
)


def extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    comparisons = st.tuples(st.sampled_from(COMPARISONS), children, children)
    conditions = st.one_of(
        comparisons,
        st.tuples(st.just("not"), comparisons),
        st.tuples(st.sampled_from(["and", "or"]), comparisons, comparisons),
        st.tuples(
            st.sampled_from(["and", "or"]),
            st.tuples(st.just("not"), comparisons),
            st.tuples(st.sampled_from(["and", "or"]), comparisons, comparisons),
        ),
    )
    one = st.sampled_from(["abs", "exp", "log", "sqrt"])
    return st.one_of(
        st.tuples(st.just("neg"), children),
        st.tuples(st.sampled_from(["+", "-", "*", "/", "**"]), children, children),
        st.tuples(st.just("call"), one, st.tuples(children)),
        st.tuples(
            st.just("call"),
            st.sampled_from(["min", "max"]),
            st.lists(children, min_size=2, max_size=3).map(tuple),
        ),
        st.tuples(st.just("call"), st.just("clip"), st.tuples(children, children, children)),
        st.tuples(st.just("where"), conditions, children, children),
        conditions,
    )


TREES = st.recursive(LEAVES, extend, max_leaves=12)
POINT_VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0]), st.floats(-10, 10, allow_nan=False)
)


def test_render_uses_minimal_parentheses() -> None:
    tree = ("-", ("name", "a"), ("-", ("num", 1.0), ("**", ("num", -2.0), ("neg", ("name", "b")))))
    assert render(tree) == "a - (1.0 - (-2.0) ** -b)"
    assert (
        render(
            ("*", ("neg", ("+", ("name", "a"), ("name", "b"))), ("<", ("name", "c"), ("num", 0.0)))
        )
        == "-(a + b) * (c < 0.0)"
    )


@given(tree=TREES, a=POINT_VALUES, b=POINT_VALUES, c=POINT_VALUES)
def test_scalar_evaluation_matches_the_reference(tree: Tree, a: float, b: float, c: float) -> None:
    env = {"a": a, "b": b, "c": c}
    expression = parse_expression(render(tree), names=NAMES)
    try:
        expected = reference(tree, env)
    except NotFiniteError:
        with pytest.raises(ExpressionError):
            expression.evaluate(env)
        return
    assert expression.evaluate(env) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@given(
    tree=TREES,
    a=st.lists(POINT_VALUES, min_size=1, max_size=4),
    b=st.lists(POINT_VALUES, min_size=1, max_size=3),
    c=POINT_VALUES,
)
def test_array_evaluation_equals_pointwise_evaluation(
    tree: Tree, a: list[float], b: list[float], c: float
) -> None:
    expression = parse_expression(render(tree), names=NAMES)
    grid: dict[str, Any] = {"a": np.array(a), "b": np.array(b)[:, None], "c": c}
    pointwise: list[list[float | None]] = []
    for bj in b:
        row: list[float | None] = []
        for ai in a:
            try:
                row.append(float(expression.evaluate({"a": ai, "b": bj, "c": c})))
            except ExpressionError:
                row.append(None)
        pointwise.append(row)
    failed = any(v is None for row in pointwise for v in row)
    if failed:
        with pytest.raises(ExpressionError):
            expression.evaluate(grid)
        return
    result = expression.evaluate(grid)
    expected = np.broadcast_to(np.array(pointwise, dtype=float), (len(b), len(a)))
    result = np.broadcast_to(result, expected.shape)  # only the names used set the shape
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-300)


@given(TREES)
def test_rendered_trees_round_trip_their_names(tree: Tree) -> None:
    expression = parse_expression(render(tree), names=NAMES)
    assert isinstance(expression, Expression)
    assert expression.names == tree_names(tree)


def tree_names(tree: Tree) -> set[str]:
    if tree[0] == "name":
        return {tree[1]}
    parts = tree[2] if tree[0] == "call" else tree[1:]
    return set().union(*(tree_names(p) for p in parts if isinstance(p, tuple)))
