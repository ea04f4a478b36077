"""`riskmon completion bash|zsh|fish`: a completion script generated from the argparse parser.

The parser (riskmon.cli.args.Parser) keeps the options and subcommands it was given; `command_tree`
turns them into a plain tree and each shell gets a script from it: commands and their
subcommands, every option (with its help as the description in zsh and fish), the choices of
options and positionals (`--format json`, `completion zsh`), directories after DIR options and
files after PATH/FILE ones. No dependency: the scripts use each shell's own completion system.

    riskmon completion bash > ~/.local/share/bash-completion/completions/riskmon
    riskmon completion zsh  > ~/.zfunc/_riskmon        # with fpath+=(~/.zfunc) before compinit
    riskmon completion fish > ~/.config/fish/completions/riskmon.fish
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from riskmon.core.record import field, record

SHELLS = ("bash", "zsh", "fish")
_DIR_METAVARS = {"DIR"}
_FILE_METAVARS = {"PATH", "FILE"}


@record
class Option:
    flags: tuple[str, ...]
    """Empty for a positional."""
    help: str
    takes_value: bool
    choices: tuple[str, ...] = ()
    kind: str = ""
    """"dir" or "file": what to complete as the value; "" for nothing in particular."""
    metavar: str = ""
    """How help names the value (RANGE, SECONDS); "" when it takes none."""


@record(frozen=False)
class Command:
    path: tuple[str, ...]
    help: str
    options: list[Option] = field(default_factory=list)
    positionals: list[Option] = field(default_factory=list)
    subcommands: dict[str, Command] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def walk(self) -> Iterator[Command]:
        yield self
        for sub in self.subcommands.values():
            yield from sub.walk()

    def valued_flags(self) -> list[str]:
        return [flag for o in self.options if o.takes_value for flag in o.flags]


def _option(action: argparse.Action) -> Option | None:
    if action.help == argparse.SUPPRESS:
        return None
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    choices = tuple(str(c) for c in action.choices) if action.choices else ()
    kind = "dir" if metavar in _DIR_METAVARS else "file" if metavar in _FILE_METAVARS else ""
    help_ = (action.help or "").replace("%(default)s", str(action.default)).replace("%%", "%")
    takes_value = action.nargs != 0
    shown = metavar or (action.dest.upper() if takes_value else "")
    return Option(tuple(action.option_strings), help_, takes_value, choices, kind, shown)


def command_tree(parser: Any, path: tuple[str, ...] = ("riskmon",), help_: str = "") -> Command:
    """The parser's commands, options and subcommands as a tree (see the module doc)."""
    cmd = Command(path, help_ or parser.description or "")
    for action in getattr(parser, "options", []):
        opt = _option(action)
        if opt is not None:
            (cmd.options if opt.flags else cmd.positionals).append(opt)
    subparsers = getattr(parser, "subcommands", None)
    for name, sub in (subparsers.choices if subparsers is not None else {}).items():
        cmd.subcommands[name] = command_tree(sub, (*path, name), sub.description or "")
    return cmd


def script(shell: str, parser: Any) -> str:
    tree = command_tree(parser)
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](tree)


# ---------------------------------------------------------------------------------------------
# bash and zsh share the walk over the words typed so far: which command they name, skipping
# options and the values of options that take one.


def _q(text: str) -> str:
    """A single-quoted shell word."""
    return "'" + text.replace("'", "'\\''") + "'"


def _path_walk(tree: Command, first: int) -> list[str]:
    """Shell lines (bash and zsh alike) that set $cmd to the command path the words name."""
    subs = [f"{_q(c.name + ' ' + name)}" for c in tree.walk() for name in c.subcommands]
    valued = [_q(f"{c.name}:{flag}") for c in tree.walk() for flag in c.valued_flags()]
    return [
        '    local cmd="riskmon" w i skip=0',
        f"    for ((i={first}; i<{'COMP_CWORD' if first == 1 else 'CURRENT'}; i++)); do",
        f'        w="{"${COMP_WORDS[i]}" if first == 1 else "${words[i]}"}"',
        "        if ((skip)); then skip=0; continue; fi",
        '        case "$cmd $w" in',
        f'            {"|".join(subs)}) cmd="$cmd $w" ;;',
        '            *) case "$cmd:$w" in',
        f"                {'|'.join(valued)}) skip=1 ;;",
        "            esac ;;",
        "        esac",
        "    done",
    ]


def bash(tree: Command) -> str:
    values, lists = [], []
    for c in tree.walk():
        for o in c.options:
            if o.takes_value:
                how = f"compgen -W {_q(' '.join(o.choices))}" if o.choices else "compgen -d" if o.kind == "dir" else ""
                how = how or ("compgen -f" if o.kind == "file" else "")
                pattern = "|".join(_q(f"{c.name}:{flag}") for flag in o.flags)
                action = f'COMPREPLY=($({how} -- "$cur")); return' if how else "return"
                values.append(f"        {pattern}) {action} ;;")
        words = [f for o in c.options for f in o.flags]
        positional = [choice for p in c.positionals for choice in p.choices]
        lists.append(
            f"        {_q(c.name)}) opts={_q(' '.join(words))}; subs={_q(' '.join([*c.subcommands, *positional]))} ;;"
        )
    lines = [
        "# bash completion for riskmon, generated by `riskmon completion bash`",
        "_riskmon() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" opts="" subs=""',
        *_path_walk(tree, 1),
        '    case "$cmd:$prev" in',
        *values,
        "    esac",
        '    case "$cmd" in',
        *lists,
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
        "    else",
        '        COMPREPLY=($(compgen -W "$subs" -- "$cur"))',
        "    fi",
        "}",
        "complete -o default -F _riskmon riskmon",
    ]
    return "\n".join(lines) + "\n"


def _zsh_spec(name: str, text: str) -> str:
    """`name:description` for _describe; colons in the name are escaped."""
    return _q(name.replace(":", "\\:") + ":" + " ".join(text.split()))


def zsh(tree: Command) -> str:
    values, lists = [], []
    for c in tree.walk():
        for o in c.options:
            if o.takes_value:
                if o.choices:
                    action = f"compadd -- {' '.join(_q(x) for x in o.choices)}"
                else:
                    action = {"dir": "_directories", "file": "_files"}.get(o.kind, "_message value")
                pattern = "|".join(_q(f"{c.name}:{flag}") for flag in o.flags)
                values.append(f"        ({pattern}) {action}; return ;;")
        opts = [_zsh_spec(flag, o.help) for o in c.options for flag in o.flags]
        subs = [_zsh_spec(name, s.help) for name, s in c.subcommands.items()]
        subs += [_zsh_spec(choice, p.help) for p in c.positionals for choice in p.choices]
        lists.append(f"        ({_q(c.name)}) opts=({' '.join(opts)}); subs=({' '.join(subs)}) ;;")
    lines = [
        "#compdef riskmon",
        "# zsh completion for riskmon, generated by `riskmon completion zsh`",
        "_riskmon() {",
        "    local -a opts subs",
        *_path_walk(tree, 2),
        '    case "$cmd:${words[CURRENT-1]}" in',
        *values,
        "    esac",
        '    case "$cmd" in',
        *lists,
        "    esac",
        '    if [[ "${words[CURRENT]}" == -* ]]; then',
        "        _describe -t options option opts",
        "    else",
        "        _describe -t commands command subs || _files",
        "    fi",
        "}",
        'if [[ "${funcstack[1]}" == _riskmon ]]; then _riskmon "$@"; else compdef _riskmon riskmon; fi',
    ]
    return "\n".join(lines) + "\n"


def fish(tree: Command) -> str:
    lines = ["# fish completion for riskmon, generated by `riskmon completion fish`", "complete -c riskmon -f"]
    for c in tree.walk():
        cond = _fish_condition(tree, c)
        for name, sub in c.subcommands.items():
            lines.append(f"complete -c riskmon -n {_q(cond)} -a {_q(name)} -d {_q(_short(sub.help))}")
        for p in c.positionals:
            for choice in p.choices:
                lines.append(f"complete -c riskmon -n {_q(cond)} -a {_q(choice)} -d {_q(_short(p.help))}")
        for o in c.options:
            lines.append(f"complete -c riskmon -n {_q(cond)} {_fish_option(o)}")
    return "\n".join(lines) + "\n"


def _fish_condition(tree: Command, c: Command) -> str:
    """Fish's test that the words typed so far name command `c` (and none of its subcommands)."""
    if c is tree:
        return "__fish_use_subcommand"
    parts = [f"__fish_seen_subcommand_from {name}" for name in c.path[1:]]
    if c.subcommands:
        parts.append(f"not __fish_seen_subcommand_from {' '.join(c.subcommands)}")
    return "; and ".join(parts)


def _fish_option(o: Option) -> str:
    flags = []
    for flag in o.flags:
        flags.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
    if o.choices:
        flags.append(f"-x -a {_q(' '.join(o.choices))}")
    elif o.kind == "dir":
        flags.append("-x -a '(__fish_complete_directories)'")
    elif o.kind == "file":
        flags.append("-r -F")
    elif o.takes_value:
        flags.append("-x")
    return " ".join([*flags, "-d", _q(_short(o.help))])


def _short(text: str) -> str:
    """Fish shows one line per candidate."""
    words = " ".join(text.split())
    return words if len(words) <= 80 else words[:79] + "…"


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.i18n import _

    p.add_argument("shell", choices=SHELLS, help=_("the shell"))


def run(args: argparse.Namespace) -> int:
    from riskmon.cli.parser import build_parser
    from riskmon.i18n import english

    with english():  # descriptions and value kinds (DIR, FILE) as the parser says them in English
        parser = build_parser()
    print(script(args.shell, parser), end="")
    return 0
