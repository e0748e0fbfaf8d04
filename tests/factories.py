"""factory_boy factories. Records that carry history are created through the services where the history
matters to the test; these factories write rows directly for speed (still with history rows)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import Alien, Case, Encounter, FamilyMember, FamilyUnit, Language
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role


def location(code: str = "sys-poe") -> Location:
    """Reference locations are loaded by migration; look one up by code."""
    return Location.objects.get(code=code)


def language(code: str = "es") -> Language:
    return Language.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def locations(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for code in extracted or []:
            self.duty_locations.add(location(code))


def user_with_role(role: str, *, locations: list[str] | None = None, **kwargs: object) -> User:
    """A user holding one role; location-scoped roles default to San Ysidro."""
    if locations is None:
        locations = ["sys-poe"] if role in {Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.PRINT_STAFF} else []
        if role == Role.BORDER_PATROL_AGENT:
            locations = ["cv-bps"]
    return UserFactory(roles=[role], locations=locations, **kwargs)


class AlienFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alien

    a_number = factory.Sequence(lambda n: f"A{200000000 + n:09d}")
    family_name = factory.Faker("last_name")
    given_names = factory.Faker("first_name")
    date_of_birth = factory.LazyFunction(lambda: dt.date(1990, 5, 17))
    sex = Alien.Sex.FEMALE
    country_of_citizenship = "HN"
    preferred_language = factory.LazyFunction(lambda: language("es"))
    created_by = factory.SubFactory(UserFactory)


class FamilyUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyUnit

    created_by = factory.SubFactory(UserFactory)


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    family_unit = factory.SubFactory(FamilyUnitFactory)
    alien = factory.SubFactory(AlienFactory)
    relationship = FamilyMember.Relationship.HEAD


class EncounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encounter

    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=3))
    location = factory.LazyFunction(lambda: location("sys-poe"))
    component = Encounter.Component.OFO
    family_unit = factory.SubFactory(FamilyUnitFactory)
    created_by = factory.SubFactory(UserFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case whose person is the head of the encounter's family unit. Pass ``status`` to start elsewhere."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    encounter = factory.SubFactory(EncounterFactory)
    alien = factory.SubFactory(AlienFactory)
    location = factory.SelfAttribute("encounter.location")
    created_by = factory.SubFactory(UserFactory)
    status = Case.Status.SCREENING

    @factory.post_generation
    def membership(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        FamilyMember.objects.get_or_create(
            family_unit=self.encounter.family_unit,
            alien=self.alien,
            defaults={"relationship": extracted or FamilyMember.Relationship.HEAD},
        )


def family_with_cases(
    *, size: int = 3, location_code: str = "sys-poe", status: str = Case.Status.SCREENING
) -> list[Case]:
    """A family unit of ``size`` people (head first), one encounter, one case each."""
    loc = location(location_code)
    component = (
        Encounter.Component.OFO if loc.kind == Location.Kind.PORT_OF_ENTRY else Encounter.Component.USBP
    )
    encounter = EncounterFactory(location=loc, component=component)
    cases = []
    for i in range(size):
        relationship = FamilyMember.Relationship.HEAD if i == 0 else FamilyMember.Relationship.CHILD
        cases.append(CaseFactory(encounter=encounter, status=status, membership=relationship))
    return cases
