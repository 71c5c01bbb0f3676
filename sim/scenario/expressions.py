"""Safe arithmetic expressions: the payoff terms and chance probabilities of scenario files.

A scenario writes ``value = "0.3 * us_alliance_priority - audience_cost"``; this
module turns such text into an immutable tree once, with its own tokenizer and
precedence-climbing parser, and evaluates the tree on scalars or on whole numpy
arrays of parameter values, so that a sweep over a million points is one pass.
Nothing here calls ``eval``, ``exec``, ``compile`` or the ``ast`` module: the
grammar below is all that can be parsed, so attribute access, subscripts,
strings, lambdas and calls to anything but the listed functions are syntax
errors, not merely forbidden.

Grammar, loosest binding first::

    expression  := or
    or          := and ("or" and)*
    and         := not ("and" not)*
    not         := "not" not | comparison
    comparison  := sum [("<" | "<=" | ">" | ">=" | "==" | "!=") sum]   # no chaining
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := ("+" | "-") unary | power
    power       := atom ["**" unary]                                  # right-associative
    atom        := NUMBER | NAME | FUNCTION "(" expression ("," expression)* ")"
                 | "(" expression ")"

As in Python, ``-2 ** 2`` is ``-4`` and ``2 ** 3 ** 2`` is ``512``. Numbers are
decimal (``3``, ``0.25``, ``.5``, ``1e-3``). Comparisons give 1 or 0 and may be
used as numbers (``0.5 * (x > 1)``); ``and``, ``or``, ``not`` and the condition
of ``where`` take comparisons (or other logical expressions) only, so that
``x and y`` is an error rather than a silent truthiness test. The functions are
``min(a, b, ...)``, ``max(a, b, ...)``, ``clip(x, lo, hi)``,
``where(condition, a, b)``, ``exp``, ``log`` (natural), ``abs`` and ``sqrt``.

``where`` evaluates only the branch that each point selects, and ``and``/``or``
evaluate their right side only where the left does not decide, so
``where(x > 0, log(x), 0)`` is fine at ``x = 0``. Every other value computed
must be finite: division by zero, the log of a negative number or an overflow
raises :class:`ExpressionError` naming the sub-expression and the point.

Caps (module constants) keep hostile text cheap: at most :data:`MAX_LENGTH`
characters, :data:`MAX_NESTING` levels of parentheses, signs, ``not`` and
function calls inside one another, a tree at most :data:`MAX_DEPTH` deep with at
most :data:`MAX_NODES` nodes, and numeric literals no larger than
:data:`MAX_LITERAL` in magnitude. Lengths and depths are checked before the
parser recurses, so no input can reach Python's recursion limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt

from sim.errors import InputError, closest_name, did_you_mean

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_NESTING",
    "MAX_NODES",
    "Expression",
    "ExpressionError",
    "parse_expression",
]

#: The longest expression text accepted, in characters.
MAX_LENGTH: Final = 2_000
#: How many parentheses, signs, ``not`` and calls may be nested inside one another.
MAX_NESTING: Final = 50
#: The deepest expression tree accepted (a chain ``a + b + c`` is as deep as it is long).
MAX_DEPTH: Final = 100
#: The most nodes (numbers, names, operators, calls) one expression may have.
MAX_NODES: Final = 500
#: The largest magnitude a numeric literal may have.
MAX_LITERAL: Final = 1e15

#: The functions an expression may call, with their least and greatest number of arguments.
FUNCTIONS: Final[Mapping[str, tuple[int, int | None]]] = {
    "abs": (1, 1),
    "clip": (3, 3),
    "exp": (1, 1),
    "log": (1, 1),
    "max": (2, None),
    "min": (2, None),
    "sqrt": (1, 1),
    "where": (3, 3),
}

_Array: TypeAlias = npt.NDArray[Any]
_Mask: TypeAlias = "npt.NDArray[np.bool_] | None"


class ExpressionError(InputError):
    """An expression cannot be parsed, or its value is not a finite number.

    Parameters
    ----------
    where
        Where the expression came from, e.g. ``"scenarios/x.toml: payoffs.seoul.value"``.
    message
        What is wrong and what was expected.
    column
        The 1-based position in the expression text where the problem is, if known.

    Examples
    --------
    >>> str(ExpressionError("scenarios/x.toml: payoffs.seoul.value", "empty expression"))
    'scenarios/x.toml: payoffs.seoul.value: empty expression'
    >>> str(ExpressionError("<expression>", "unknown name 'y'", column=5))
    "<expression>: column 5: unknown name 'y'"
    """

    def __init__(self, where: str, message: str, column: int | None = None) -> None:
        self.where = where
        self.message = message
        self.column = column
        prefix = where if column is None else f"{where}: column {column}"
        super().__init__(f"{prefix}: {message}")

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, str, int | None]]:
        # Pickle by the constructor's arguments, so errors survive process pools.
        return (type(self), (self.where, self.message, self.column))


# --------------------------------------------------------------------------- tokens

_DIGITS = frozenset("0123456789")
_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_CHARS = _IDENT_START | _DIGITS
_SPACE = frozenset(" \t\r\n")
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TWO_CHAR_OPS = frozenset({"**", "<=", ">=", "==", "!="})
_ONE_CHAR_OPS = frozenset("+-*/<>(),")
_KEYWORDS = frozenset({"and", "or", "not"})
_HINTS = {
    ".": "attribute access is not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "=": "use '==' to compare",
    "!": "use 'not' or '!='",
    "^": "use '**' for powers",
    "&": "use 'and'",
    "|": "use 'or'",
    "%": "the remainder operator is not supported",
    ":": "lambdas, slices and annotations are not allowed",
}
_EXPECTED_OPERAND = "a number, a parameter name, a function call or '('"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "op" (operators, parentheses, commas, keywords), "end"
    text: str
    start: int  # 0-based offset into the expression text
    value: float = 0.0

    def describe(self) -> str:
        return "the end of the expression" if self.kind == "end" else repr(_clip_text(self.text))


def _clip_text(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tokenize(text: str, where: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            assert match is not None  # a digit, or '.' then a digit, always matches
            j = match.end()
            if j < n and (text[j] in _IDENT_CHARS or text[j] == "."):
                while j < n and (text[j] in _IDENT_CHARS or text[j] in ".+-"):
                    if text[j] in "+-" and text[j - 1] not in "eE":
                        break
                    j += 1
                raise ExpressionError(
                    where, f"malformed number {_clip_text(text[i:j])!r}", column=i + 1
                )
            value = float(match.group())
            if not abs(value) <= MAX_LITERAL:
                raise ExpressionError(
                    where,
                    f"number {_clip_text(match.group())!r} is out of range; "
                    f"numbers must be finite and at most {MAX_LITERAL:.0e} in magnitude".replace(
                        "e+", "e"
                    ),
                    column=i + 1,
                )
            tokens.append(_Token("number", match.group(), i, value))
            i = j
        elif ch in _IDENT_START:
            j = i + 1
            while j < n and text[j] in _IDENT_CHARS:
                j += 1
            word = text[i:j]
            tokens.append(_Token("op" if word in _KEYWORDS else "name", word, i))
            i = j
        elif text[i : i + 2] in _TWO_CHAR_OPS:
            tokens.append(_Token("op", text[i : i + 2], i))
            i += 2
        elif ch in _ONE_CHAR_OPS:
            tokens.append(_Token("op", ch, i))
            i += 1
        else:
            hint = _HINTS.get(
                ch,
                "expressions contain only numbers, names, operators (+ - * / ** < <= > >= "
                "== != and or not), function calls, parentheses and commas",
            )
            raise ExpressionError(where, f"unexpected character {ch!r}; {hint}", column=i + 1)
    tokens.append(_Token("end", "", n))
    return tokens


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class _Node:
    """One node of an expression tree; ``start:end`` is its span in the text."""

    op: str  # "num", "name", "neg", "pos", a binary operator, "and", "or", "not", or "call"
    args: tuple[_Node, ...]
    start: int
    end: int
    boolean: bool  # a comparison or logical expression (its value is 0 or 1)
    depth: int
    value: float = 0.0  # for "num"
    name: str = ""  # for "name" and "call"


_COMPARISONS: Final = frozenset({"<", "<=", ">", ">=", "==", "!="})
# Binding powers for infix operators; "**" is right-associative.
_INFIX: Final = {
    "or": 1,
    "and": 2,
    **dict.fromkeys(_COMPARISONS, 4),
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "**": 8,
}
_NOT_OPERAND: Final = 3  # `not` binds looser than comparisons
_SIGN_OPERAND: Final = 7  # `-a * b` is `(-a) * b`, `-a ** b` is `-(a ** b)`


class _Parser:
    def __init__(self, text: str, names: frozenset[str], where: str) -> None:
        self.text = text
        self.names = names
        self.where = where
        self.tokens = _tokenize(text, where)
        self.pos = 0
        self.nesting = -1  # the outermost expression is level 0
        self.nodes = 0
        self.used: set[str] = set()

    # helpers
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def advance(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, message: str, offset: int) -> ExpressionError:
        return ExpressionError(self.where, message, column=offset + 1)

    def snippet(self, node: _Node) -> str:
        return _clip_text(self.text[node.start : node.end])

    def node(
        self,
        op: str,
        args: tuple[_Node, ...],
        start: int,
        end: int,
        *,
        boolean: bool = False,
        value: float = 0.0,
        name: str = "",
    ) -> _Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"expression is too long (more than {MAX_NODES} terms)", start)
        depth = 1 + max((a.depth for a in args), default=0)
        if depth > MAX_DEPTH:
            raise self.error(
                f"expression is too deeply nested (more than {MAX_DEPTH} levels); "
                "split it into named terms",
                start,
            )
        return _Node(op, args, start, end, boolean, depth, value, name)

    def require_boolean(self, node: _Node, role: str) -> None:
        if not node.boolean:
            raise self.error(
                f"{role} must be a comparison or a logical expression (such as 'x > 0'); "
                f"got {self.snippet(node)!r}",
                node.start,
            )

    # grammar
    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise ExpressionError(self.where, "empty expression")
        root = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            expected = "an operator or the end of the expression"
            if token.text == ")":
                expected = "no ')' here: it has no matching '('"
            raise self.error(
                f"unexpected {token.describe()} after a complete expression; expected {expected}",
                token.start,
            )
        return root

    def expression(self, min_power: int) -> _Node:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(
                f"expression is too deeply nested (more than {MAX_NESTING} levels of "
                "parentheses, signs or calls)",
                self.peek().start,
            )
        left = self.prefix()
        after_comparison = False
        while True:
            token = self.peek()
            power = _INFIX.get(token.text) if token.kind == "op" else None
            if power is None or power < min_power:
                break
            op = token.text
            if op in _COMPARISONS and after_comparison:
                raise self.error(
                    f"comparisons cannot be chained ({self.snippet(left)!r} {op} ...); "
                    "combine them with 'and'",
                    token.start,
                )
            self.advance()
            right = self.expression(power if op == "**" else power + 1)
            if op in ("and", "or"):
                self.require_boolean(left, f"each side of '{op}'")
                self.require_boolean(right, f"each side of '{op}'")
            boolean = op in _COMPARISONS or op in ("and", "or")
            left = self.node(op, (left, right), left.start, right.end, boolean=boolean)
            after_comparison = op in _COMPARISONS
        self.nesting -= 1
        return left

    def prefix(self) -> _Node:
        token = self.advance()
        if token.kind == "number":
            return self.node(
                "num", (), token.start, token.start + len(token.text), value=token.value
            )
        if token.kind == "name":
            if self.peek().text == "(":
                return self.call(token)
            return self.parameter(token)
        if token.text in ("-", "+", "not"):
            operand_power = _NOT_OPERAND if token.text == "not" else _SIGN_OPERAND
            operand = self.expression(operand_power)
            if token.text == "not":
                self.require_boolean(operand, "the operand of 'not'")
                return self.node("not", (operand,), token.start, operand.end, boolean=True)
            op = "neg" if token.text == "-" else "pos"
            return self.node(op, (operand,), token.start, operand.end)
        if token.text == "(":
            inner = self.expression(0)
            self.expect_close(token)
            # Keep the parentheses in the span, so messages quote what was written.
            return _Node(
                inner.op,
                inner.args,
                token.start,
                self.tokens[self.pos - 1].start + 1,
                inner.boolean,
                inner.depth,
                inner.value,
                inner.name,
            )
        after = f" after {self.tokens[self.pos - 2].describe()}" if self.pos >= 2 else ""
        raise self.error(
            f"expected {_EXPECTED_OPERAND}{after}; got {token.describe()}", token.start
        )

    def expect_close(self, opening: _Token) -> None:
        token = self.advance()
        if token.text != ")":
            raise self.error(
                f"expected ')' to close the '(' at column {opening.start + 1}; "
                f"got {token.describe()}",
                token.start,
            )

    def parameter(self, token: _Token) -> _Node:
        name = token.text
        if name not in self.names:
            if name in FUNCTIONS:
                message = f"'{name}' is a function; call it as {name}(...)"
            else:
                message = f"unknown name {name!r}" + _suggest(name, self.names)
                if name.lower() in ("nan", "inf", "infinity"):
                    message += " (numbers must be finite)"
                elif not self.names:
                    message += "; this expression may use no parameters"
            raise self.error(message, token.start)
        self.used.add(name)
        return self.node("name", (), token.start, token.start + len(name), name=name)

    def call(self, token: _Token) -> _Node:
        name = token.text
        if name not in FUNCTIONS:
            if name in self.names:
                message = f"{name!r} is a parameter, not a function"
            else:
                message = (
                    f"unknown function {name!r}; expected one of {', '.join(sorted(FUNCTIONS))}"
                    + did_you_mean(name, FUNCTIONS)
                )
            raise self.error(message, token.start)
        opening = self.advance()  # "("
        args = [self.expression(0)]
        while self.peek().text == ",":
            self.advance()
            args.append(self.expression(0))
        self.expect_close(opening)
        least, most = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            wanted = f"at least {least}" if most is None else str(least)
            plural = "" if wanted == "1" else "s"
            raise self.error(
                f"{name}() takes {wanted} argument{plural}; got {len(args)}", token.start
            )
        if name == "where":
            self.require_boolean(args[0], "the condition of where()")
        end = self.tokens[self.pos - 1].start + 1
        return self.node("call", tuple(args), token.start, end, name=name)


def _suggest(word: str, choices: Collection[str]) -> str:
    close = closest_name(word, choices)
    return f"; did you mean {close!r}?" if close else ""


# --------------------------------------------------------------------------- evaluation

_BINARY: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": np.power,
}
_COMPARE: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
_UNARY: Final[Mapping[str, Callable[[Any], Any]]] = {
    "exp": np.exp,
    "log": np.log,
    "abs": np.abs,
    "sqrt": np.sqrt,
}


def _restrict(active: _Mask, mask: _Array) -> _Array:
    return mask if active is None else np.logical_and(active, mask)


class _Evaluator:
    def __init__(self, expression: Expression, env: Mapping[str, _Array]) -> None:
        self.expression = expression
        self.env = env

    def number(self, node: _Node, active: _Mask) -> _Array:
        if node.boolean:
            return np.asarray(self.condition(node, active), dtype=np.float64)
        op = node.op
        if op == "num":
            return np.asarray(node.value)
        if op == "name":
            return self.env[node.name]
        if op == "pos":
            return self.number(node.args[0], active)
        if op == "neg":
            result: _Array = np.negative(self.number(node.args[0], active))
            return result
        if op in _BINARY:
            a = self.number(node.args[0], active)
            b = self.number(node.args[1], active)
            result = _BINARY[op](a, b)
            self.check(node, result, active, (a, b))
            return result
        return self.call(node, active)

    def call(self, node: _Node, active: _Mask) -> _Array:
        name, args = node.name, node.args
        if name == "where":
            cond = self.condition(args[0], active)
            a = self.number(args[1], _restrict(active, cond))
            b = self.number(args[2], _restrict(active, np.logical_not(cond)))
            result: _Array = np.where(cond, a, b)
            return result
        values = [self.number(arg, active) for arg in args]
        if name in ("min", "max"):
            fold = np.minimum if name == "min" else np.maximum
            result = values[0]
            for value in values[1:]:
                result = fold(result, value)
            return result
        if name == "clip":
            x, lo, hi = values
            inverted = np.greater(lo, hi)
            if active is not None:
                inverted = np.logical_and(inverted, active)
            if np.any(inverted):
                self.fail(node, inverted, "the lower bound of clip() exceeds its upper bound")
            clipped: _Array = np.minimum(np.maximum(x, lo), hi)
            return clipped
        result = _UNARY[name](values[0])
        self.check(node, result, active, (values[0],))
        return result

    def condition(self, node: _Node, active: _Mask) -> _Array:
        op, args = node.op, node.args
        result: _Array
        if op in _COMPARE:
            result = _COMPARE[op](self.number(args[0], active), self.number(args[1], active))
        elif op == "not":
            result = np.logical_not(self.condition(args[0], active))
        else:  # "and" / "or": the right side only matters where the left does not decide
            left = self.condition(args[0], active)
            decides = left if op == "and" else np.logical_not(left)
            right = self.condition(args[1], _restrict(active, decides))
            combine = np.logical_and if op == "and" else np.logical_or
            result = combine(left, right)
        return result

    def check(
        self, node: _Node, result: _Array, active: _Mask, operands: tuple[_Array, ...]
    ) -> None:
        finite = np.isfinite(result)
        if finite.all():
            return
        bad = np.logical_not(finite)
        if active is not None:
            bad = np.logical_and(bad, active)
            if not bad.any():
                return
        point, shape, index = self.locate(node, bad)
        here = [float(np.broadcast_to(o, shape)[index]) for o in operands]
        self.fail(node, bad, _reason(node, here), point)

    def locate(self, node: _Node, bad: _Array) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
        """Describe the first bad point by the parameter values used under ``node``."""
        names = sorted(_names_under(node))
        shape = np.broadcast_shapes(np.shape(bad), *(np.shape(self.env[n]) for n in names))
        flat = int(np.argmax(np.broadcast_to(bad, shape)))
        index = tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()
        values = ", ".join(
            f"{n}={float(np.broadcast_to(self.env[n], shape)[index])!r}" for n in names
        )
        point = f" at {values}" if values else ""
        if index:
            point += f" (array index {index})"
        return point, shape, index

    def fail(self, node: _Node, bad: _Array, reason: str, point: str | None = None) -> None:
        if point is None:
            point = self.locate(node, bad)[0]
        text = _clip_text(self.expression.text[node.start : node.end], 60)
        raise ExpressionError(
            self.expression.where, f"{reason} in {text!r}{point}", column=node.start + 1
        )


def _names_under(node: _Node) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.op == "name":
            found.add(current.name)
        stack.extend(current.args)
    return found


def _reason(node: _Node, operands: list[float]) -> str:
    op = node.name if node.op == "call" else node.op
    if op == "/" and operands[1] == 0:
        return "division by zero"
    if op == "**":
        base, exponent = operands
        if base < 0 and exponent != int(exponent):
            return "a negative number raised to a fractional power"
        if base == 0 and exponent < 0:
            return "zero raised to a negative power"
    if op == "log" and operands[0] <= 0:
        return "log of zero" if operands[0] == 0 else "log of a negative number"
    if op == "sqrt" and operands[0] < 0:
        return "square root of a negative number"
    return "overflow (the value is too large to represent)"


@dataclass(frozen=True)
class Expression:
    """A parsed expression: an immutable tree plus the text it came from.

    Build one with :func:`parse_expression`; evaluate it as often as needed.

    Attributes
    ----------
    text
        The expression as written.
    names
        The parameter names it uses.
    where
        Where it came from, for error messages.

    Examples
    --------
    >>> import numpy as np
    >>> payoff = parse_expression(
    ...     "0.3 * us_alliance_priority * 2", names={"us_alliance_priority", "audience_cost"}
    ... )
    >>> payoff.names
    frozenset({'us_alliance_priority'})
    >>> payoff.evaluate({"us_alliance_priority": 0.5})
    0.3
    >>> payoff.evaluate({"us_alliance_priority": np.array([0.0, 0.5, 1.0])})
    array([0. , 0.3, 0.6])
    """

    text: str
    names: frozenset[str]
    where: str
    _root: _Node = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def evaluate(self, values: Mapping[str, float | np.ndarray[Any, Any]]) -> _Array | float:
        """The expression's value at one point, or at many points at once.

        Parameters
        ----------
        values
            A value for each name in :attr:`names` (others are ignored): numbers, or
            numpy arrays that broadcast together.

        Returns
        -------
        float or numpy.ndarray
            A float when every value is a scalar; otherwise an array of the values'
            broadcast shape (a new array, never one of the inputs).

        Raises
        ------
        ExpressionError
            If a value is missing, not numeric or not finite, if the arrays do not
            broadcast, or if any value computed is not finite (division by zero,
            log of a negative number, overflow). The message quotes the
            sub-expression and the first point where it happened.

        Examples
        --------
        >>> import numpy as np
        >>> hazard = parse_expression("where(stance > 0, 0.2, 0.6) * scale", names={"stance", "scale"})
        >>> hazard.evaluate({"stance": np.array([-1.0, 0.0, 1.0]), "scale": 0.5})
        array([0.3, 0.3, 0.1])
        >>> parse_expression("1 / (x - 1)", names={"x"}).evaluate({"x": np.array([0.0, 1.0])})
        Traceback (most recent call last):
        ...
        sim.scenario.expressions.ExpressionError: <expression>: column 1: division by zero in '1 / (x - 1)' at x=1.0 (array index (1,))
        """  # noqa: E501
        env: dict[str, _Array] = {}
        for name in sorted(self.names):
            if name not in values:
                raise ExpressionError(self.where, f"no value given for parameter {name!r}")
            try:
                array = np.asarray(values[name])
            except (ValueError, TypeError) as error:
                raise ExpressionError(
                    self.where, f"the value of {name!r} is not a number or an array of numbers"
                ) from error
            if array.dtype.kind not in "biuf":
                raise ExpressionError(
                    self.where,
                    f"the value of {name!r} must be a number or an array of numbers; "
                    f"got {type(values[name]).__name__} of dtype {array.dtype}",
                )
            array = array.astype(np.float64, copy=False)
            if not np.isfinite(array).all():
                raise ExpressionError(self.where, f"the value of {name!r} is not finite")
            env[name] = array
        try:
            np.broadcast_shapes(*(a.shape for a in env.values()))
        except ValueError:
            shapes = ", ".join(f"{n} {a.shape}" for n, a in env.items())
            raise ExpressionError(
                self.where, f"the parameter arrays do not broadcast together: {shapes}"
            ) from None
        with np.errstate(all="ignore"):
            result = _Evaluator(self, env).number(self._root, None)
        if np.ndim(result) == 0:
            return float(result)
        return np.array(result, dtype=np.float64)


def parse_expression(
    text: str, *, names: Collection[str], where: str = "<expression>"
) -> Expression:
    """Parse the text of an expression once, checking every name it uses.

    Parameters
    ----------
    text
        The expression (see the module docstring for the grammar).
    names
        The parameter names it may use.
    where
        Where the text came from, put at the start of every error message.

    Returns
    -------
    Expression
        The immutable parsed expression.

    Raises
    ------
    ExpressionError
        If the text is empty, too long or too deeply nested, uses a character,
        name or function that is not allowed, or is not well formed; the message
        gives the column and what was expected.

    Examples
    --------
    >>> parse_expression("max(0, 1 - x) ** 2", names={"x"}).evaluate({"x": 0.5})
    0.25
    >>> parse_expression(
    ...     "0.3 * us_alliance_prioirty",
    ...     names={"us_alliance_priority"},
    ...     where="scenarios/x.toml: payoffs.seoul.value",
    ... )
    Traceback (most recent call last):
    ...
    sim.scenario.expressions.ExpressionError: scenarios/x.toml: payoffs.seoul.value: column 7: unknown name 'us_alliance_prioirty'; did you mean 'us_alliance_priority'?
    >>> parse_expression("__import__('os')", names=())
    Traceback (most recent call last):
    ...
    sim.scenario.expressions.ExpressionError: <expression>: column 12: unexpected character "'"; strings are not allowed
    """  # noqa: E501
    if not isinstance(text, str):
        raise ExpressionError(
            where, f"expected the text of an expression; got {type(text).__name__}"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            where, f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})"
        )
    parser = _Parser(text, frozenset(names), where)
    root = parser.parse()
    return Expression(text, frozenset(parser.used), where, root)
