"""`python -m ems_app users ...` and `python -m hospital_app users ...`: staff accounts from the
command line, for the operator who sets up the first administrator and for when no one can sign in.

The same operations as the admin page (shared/accounts.py), audited as "operator". A password is
never an argument (it would sit in the shell's history and the process list): it is read from
standard input with --password-stdin, or made up and printed once. Either way the operator knows
it: it is temporary (shared/accounts.py), and the person chooses their own at first sign-in, unless
--permanent says otherwise (a scripted service account; rare)."""
from __future__ import annotations

import secrets
import sys

from shared.errors import Refused, english

ACTOR = "operator"


def add_users_command(sub, roles: tuple[str, ...], team: bool = False) -> None:
    users = sub.add_parser("users", help="staff accounts: list, add, disable, enable, reset-password, "
                                         "reset-factors, end-sessions")
    act = users.add_subparsers(dest="users_command", required=True)
    act.add_parser("list", help="every account: username, role, state")
    add = act.add_parser("add", help="add an account; prints the password unless --password-stdin")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown to colleagues")
    add.add_argument("--role", required=True, choices=roles)
    if team:
        add.add_argument("--team", default="", help="the ambulance crew (paramedics)")
        add.add_argument("--organisation", default="", help="fire:<hq> or hospital:<id>")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    _permanent(add)
    for name, text in (("disable", "no more sign-in; the account's sessions end now"),
                       ("enable", "allow sign-in again"),
                       ("reset-factors", "remove the second factors (enrolled again at the next sign-in); sessions end"),
                       ("end-sessions", "end every session of the account now")):
        act.add_parser(name, help=text).add_argument("username")
    reset = act.add_parser("reset-password", help="set a new password; sessions end; prints it unless --password-stdin")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    _permanent(reset)


def _permanent(parser) -> None:
    parser.add_argument("--permanent", action="store_true",
                        help="the password stays the account's (not temporary): only for a service account "
                             "an operator scripts; should be rare, since whoever set it can sign in as the account")


def run_users_command(args, app) -> int:
    accounts = app.extensions["accounts"]
    try:
        with app.app_context():
            return _run(args, accounts)
    except Refused as e:
        print(f"error: {english(e.message, e.params)}", file=sys.stderr)
        return 2


def _password(args) -> tuple[str, bool]:
    """The password, and whether to print it (made up here)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return secrets.token_urlsafe(15), True


def _run(args, accounts) -> int:
    command = args.users_command
    if command == "list":
        for a in accounts.list():
            print(f"{a.username}\t{a.role}\t{'disabled' if a.disabled else 'active'}\t{a.display_name}")
        return 0
    if command == "add":
        password, show = _password(args)
        extra = {k: getattr(args, k) for k in ("team", "organisation") if getattr(args, k, None)}
        accounts.add(args.username, args.name, args.role, password, ACTOR, temporary=not args.permanent, **extra)
        print(f"added {args.username} ({args.role})" + (f"\t{password}" if show else ""))
        return 0
    if command == "enable":
        accounts.enable(args.username, ACTOR)
        print(f"enabled {args.username}")
        return 0
    if command == "reset-password":
        password, show = _password(args)
        ended = accounts.reset_password(args.username, password, ACTOR, temporary=not args.permanent)
        print(f"new password for {args.username}; {ended} session(s) ended" + (f"\t{password}" if show else ""))
        return 0
    done = {"disable": accounts.disable, "reset-factors": accounts.reset_factors, "end-sessions": accounts.revoke}
    ended = done[command](args.username, ACTOR)
    print(f"{command} {args.username}: {ended} session(s) ended")
    return 0
