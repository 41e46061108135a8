"""Issue (or rotate) a user's API token from the command line: prints the key once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partnerships.tokens import ApiToken


class Command(BaseCommand):
    help = (
        "Issue a new API token for a user, revoking the one they had (rotation). The key is "
        "printed once; only its SHA-256 is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, help="Lifetime in days (default API_TOKEN_DAYS).")
        parser.add_argument(
            "--revoke", action="store_true", help="Revoke the user's token; issue none."
        )

    def handle(self, *args, username, days=None, revoke=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if revoke:
            found = ApiToken.revoke(user)
            self.stdout.write("Revoked." if found else f"{username} had no token.")
            return
        if days is not None and not 1 <= days <= 3650:
            raise CommandError("--days must be from 1 to 3650.")
        token, key = ApiToken.issue(user, days=days)
        self.stdout.write(key)
        self.stderr.write(f"Token of {username}, expires {token.expires:%Y-%m-%d %H:%M} UTC.")
