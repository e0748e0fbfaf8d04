"""``manage.py api_token_create USERNAME [--days N] [--name NAME]``: make an API token and print its secret once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mpp.accounts.models import User
from mpp.accounts.services import api_token_create
from mpp.exceptions import InvalidInput


class Command(BaseCommand):
    help = (
        "Make an API token for a user and print its secret. Only a hash is stored: the secret is shown now "
        "and never again. The token expires after --days (default API_TOKEN_TTL_DAYS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="Days the token is valid (default 30).")
        parser.add_argument(
            "--name", default="", help="What the token is for, e.g. the integration that will hold it."
        )

    def handle(self, *args: Any, username: str, days: int | None, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            token, secret = api_token_create(
                user=user, name=name or f"{username}, made with api_token_create", days=days
            )
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        expires = f"{token.expires_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        self.stdout.write(f"API token {token.pk} for {username} ({token.name}), valid until {expires}.")
        self.stdout.write("The secret, shown only now (store it safely; it cannot be shown again):")
        self.stdout.write(secret)
        self.stdout.write('Send it as the header "Authorization: Token <secret>".')
