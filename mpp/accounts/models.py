"""Users, roles (as groups) and the places people work: ports, stations, courts and hearing facilities."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from mpp.accounts.roles import LOCATION_SCOPED_ROLES, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone name (for example America/Chicago).")


class Location(models.Model):
    """A place of the program: a port of entry, a Border Patrol station, an immigration court, a hearing
    facility or a USCIS asylum office. Reference data, loaded by a migration and editable in the admin."""

    class Kind(models.TextChoices):
        PORT_OF_ENTRY = "port_of_entry", "Port of entry (OFO)"
        BORDER_PATROL_STATION = "border_patrol_station", "Border Patrol station (USBP)"
        IMMIGRATION_COURT = "immigration_court", "Immigration court (EOIR)"
        HEARING_FACILITY = "hearing_facility", "Immigration hearing facility"
        ASYLUM_OFFICE = "asylum_office", "USCIS asylum office"

    code = models.SlugField(max_length=32, unique=True, help_text="Short stable identifier, e.g. sys-poe.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, help_text="U.S. state abbreviation.")
    sector = models.CharField(
        max_length=100, blank=True, help_text="Border Patrol sector or CBP field office."
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    address = models.TextField(
        blank=True,
        help_text="Street address as printed on documents (ports: where to report; courts: EOIR-33).",
    )
    court = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearing_facilities",
        help_text="For a hearing facility: the immigration court whose judges hear its cases.",
    )
    asylum_office = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referring_locations",
        help_text="S1: the USCIS asylum office that interviews the people who state a fear here.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="location_facility_has_court",
                condition=~models.Q(kind="hearing_facility") | models.Q(court__isnull=False),
            ),
            models.CheckConstraint(
                name="location_kind_valid",
                condition=models.Q(
                    kind__in=[
                        "port_of_entry",
                        "border_patrol_station",
                        "immigration_court",
                        "hearing_facility",
                        "asylum_office",
                    ]
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_encounter_site(self) -> bool:
        return self.kind in {self.Kind.PORT_OF_ENTRY, self.Kind.BORDER_PATROL_STATION}


def display_name(username: str, first_name: str, last_name: str) -> str:
    """How a user is named in histories and lists: the full name (as ``get_full_name``), else the username
    (``User.display_name``; the lists that read plain values call this with the three columns)."""
    return f"{first_name} {last_name}".strip() or username


def display_name_values(path: str) -> tuple[str, ...]:
    """The columns at ``path`` (a user) that a ``.values()`` row needs for its user's id and
    ``display_name``, e.g. ``served_by__id``, ``served_by__username`` …"""
    return tuple(f"{path}__{f}" for f in ("id", "username", "first_name", "last_name"))


class User(AbstractUser):
    """A person who uses the system. Never deleted: deactivate instead, so the history keeps its actors."""

    duty_locations = models.ManyToManyField(Location, blank=True, related_name="staff")

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError(
            "Users are never deleted; deactivate the account instead (it stays in the history)."
        )

    # ``mpp.accounts.selectors.users_with_access`` loads the two below in the user's own query (arrays
    # ``access_roles`` and ``access_location_ids``): the sign-in backend and the API token reader use it, so a
    # request reads the user, its roles and its duty locations in one query, fresh on every request (a role
    # taken away takes effect on the next request; nothing to invalidate).
    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        loaded = getattr(self, "access_roles", None)
        if loaded is not None:
            return frozenset(loaded)
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @cached_property
    def duty_location_ids(self) -> frozenset[int]:
        loaded = getattr(self, "access_location_ids", None)
        if loaded is not None:
            return frozenset(loaded)
        return frozenset(self.duty_locations.values_list("pk", flat=True))

    @property
    def is_location_scoped(self) -> bool:
        """True when every case-facing role this user holds is tied to a duty location."""
        case_roles = self.role_names - {Role.ANALYST}
        return bool(case_roles) and case_roles <= LOCATION_SCOPED_ROLES

    @property
    def display_name(self) -> str:
        return display_name(self.username, self.first_name, self.last_name)


class ApiToken(models.Model):
    """A secret an integration sends as ``Authorization: Token <secret>`` to use the API as ``user``.

    Only the SHA-256 of the secret is stored: the secret is shown once, when the token is made
    (``manage.py api_token_create``), and a copy of the database cannot be replayed against the API. A token
    works until it expires or is revoked, and only while its user is active. Tokens are never deleted, so
    who could reach the API, and until when, stays known.
    """

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. the integration holding it."
    )
    key_hash = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the secret."
    )
    key_prefix = models.CharField(
        max_length=8, editable=False, help_text="The first characters of the secret, to recognise a token."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                name="apitoken_expires_after_creation",
                condition=models.Q(expires_at__gt=models.F("created_at")),
            ),
            models.CheckConstraint(
                name="apitoken_revoker_only_when_revoked",
                condition=models.Q(revoked_by__isnull=True) | models.Q(revoked_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def state_at(self, at: dt.datetime) -> State:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= at:
            return self.State.EXPIRED
        return self.State.ACTIVE


class Session(AbstractBaseSession):
    """A signed-in (or anonymous) browser session, as Django's, with the id of its user in a column of its own
    (``user``, null for an anonymous session), set from the session data whenever the session is saved. The
    session store (``mpp.sessions``) reads the session and its user, with the user's roles, duty locations
    and unread notifications, in one query by that column, where Django reads the session and then the user.
    Django still checks the user against the session data (the id and the password hash) on every request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls) -> type:
        from mpp.sessions import SessionStore

        return SessionStore
