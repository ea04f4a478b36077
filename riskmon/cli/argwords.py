"""argparse's own words in the active language: the "usage:" line, the section titles and the
error sentences argparse writes.

argparse speaks through gettext's global 'messages' domain, which is not riskmon's: a catalog bound
there would change every library's messages, and argparse's private methods are no API. So riskmon
translates the finished text, from argparse's public surface: what `format_help()` and
`format_usage()` return (their headings are always these few words) and the message `error()`
receives (argparse's sentences, matched by their wording in Python 3.11 to 3.14; riskmon's own
sentences, from its `type=` functions, are already in the active language and pass unchanged, and
so does a sentence a future argparse words differently: English, never wrong). The help option's
line is riskmon's own (riskmon.cli.args.Parser). In English the text is returned as it is.

argparse also wraps help at a number of characters, between words; Chinese has two cells to a
character and no spaces between words. So in Chinese riskmon wraps help itself (`wrap_cells`) and
argparse keeps its lines (riskmon.cli.args.WideHelpFormatter).
"""

from __future__ import annotations

import re

from riskmon.i18n import N_, _, is_english

_ESC = r"(?:\x1b\[[0-9;]*m)*"
"""Python 3.14 colours the help's headings on a terminal: the escapes stay around the word."""
_USAGE = re.compile(rf"\A({_ESC})(usage)({_ESC}):")
_HEADINGS = re.compile(rf"^({_ESC})(positional arguments|options)({_ESC}):$", re.MULTILINE)
HEADINGS = {"usage": N_("usage:"), "positional arguments": N_("positional arguments:"), "options": N_("options:")}
"""argparse's heading -> its msgid (with the colon: Chinese writes a full-width one)."""

_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (r"argument (?P<name>.+?): (?P<message>.+)", N_("argument {name}: {message}")),
        (
            r"invalid choice: (?P<value>.+), maybe you meant (?P<closest>.+)\? \(choose from (?P<choices>.+)\)",
            N_("invalid choice: {value}, maybe you meant {closest}? (choose from {choices})"),
        ),
        (
            r"invalid choice: (?P<value>.+) \(choose from (?P<choices>.+)\)",
            N_("invalid choice: {value} (choose from {choices})"),
        ),
        (r"invalid (?P<type>\S+) value: (?P<value>.+)", N_("invalid {type} value: {value}")),
        (r"expected one argument", N_("expected one argument")),
        (r"expected at most one argument", N_("expected at most one argument")),
        (r"expected at least one argument", N_("expected at least one argument")),
        (r"unrecognized arguments: (?P<args>.+)", N_("unrecognized arguments: {args}")),
        (r"the following arguments are required: (?P<names>.+)", N_("the following arguments are required: {names}")),
        (r"one of the arguments (?P<names>.+) is required", N_("one of the arguments {names} is required")),
        (
            r"ambiguous option: (?P<option>.+) could match (?P<matches>.+)",
            N_("ambiguous option: {option} could match {matches}"),
        ),
        (r"not allowed with argument (?P<name>.+)", N_("not allowed with argument {name}")),
        (r"ignored explicit argument (?P<value>.+)", N_("ignored explicit argument {value}")),
    )
)
"""argparse's error sentences (3.11-3.14) -> riskmon's msgid; the named parts are data (option
names, values, choices) and stay as argparse wrote them, but an argument's {message} is translated
in turn."""


def _heading(match: re.Match[str]) -> str:
    before, word, after = match.groups()
    return before + _(HEADINGS[word]) + after


def help_text(text: str) -> str:
    """argparse's help or usage text with its headings in the active language."""
    if is_english():
        return text
    return _HEADINGS.sub(_heading, _USAGE.sub(_heading, text))


def error_message(message: str) -> str:
    """An argparse error sentence in the active language (as it is when not one of argparse's)."""
    if is_english():
        return message
    for pattern, template in _ERRORS:
        match = pattern.fullmatch(message)
        if match is not None:
            fields = match.groupdict()
            if "message" in fields:
                fields["message"] = error_message(fields["message"])
            return _(template).format(**fields)
    return message


def wrap_cells(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal cells (one longer ASCII word excepted), broken at
    spaces or between Chinese characters, never inside a word (riskmon.present.cells)."""
    from riskmon.present.cells import wrapped_lines

    return wrapped_lines(" ".join(text.split()), width)
