"""``manage.py api_token_revoke TOKEN_ID | --user USERNAME [--by USERNAME]``: revoke API tokens at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mpp.accounts.models import ApiToken, User
from mpp.accounts.services import api_token_revoke, api_token_revoke_all


class Command(BaseCommand):
    help = (
        "Revoke one API token (by its id) or every token of a user. Revoked tokens stay listed in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "token_id", nargs="?", type=int, help="The token's id (printed when it was made)."
        )
        target.add_argument("--user", dest="owner", help="Revoke every token of this user.")
        parser.add_argument("--by", dest="actor", help="Username of the administrator revoking (recorded).")

    def handle(
        self, *args: Any, token_id: int | None, owner: str | None, actor: str | None, **options: Any
    ) -> None:
        by = self._user(actor) if actor else None
        if owner:
            revoked = api_token_revoke_all(user=self._user(owner), actor=by)
            self.stdout.write(f"Revoked {len(revoked)} API token(s) of {owner}.")
            return
        if token_id is None or not ApiToken.objects.filter(pk=token_id).exists():
            raise CommandError(f"No API token {token_id}.")
        token = api_token_revoke(token_id=token_id, actor=by)
        self.stdout.write(f"API token {token.pk} ({token.name}) of {token.user.username} is revoked.")

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user
