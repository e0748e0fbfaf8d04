"""The pages of step 2: the intake drafts, the family screening with its proposal, and the supervisor's review
(A1–A5, F1–F3, N3, S1), driven through the Django test client on the real database."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case, CaseStatus, Encounter
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from screenings.models import AmenabilityReview, DuplicateDismissal, IntakeDraft, ScreeningFacts
from screenings.services import (
    amenability_decide,
    amenability_return,
    family_submit_for_review,
    intake_create,
    intake_draft_save_encounter,
    intake_draft_save_member,
    intake_draft_start,
    intake_draft_submit,
)
from tests.factories import AlienFactory, UserFactory, location, user_with_role
from tests.screenings.factories import member as family_member
from tests.screenings.factories import mixed_family, screen_all, send_back_to_screening

pytestmark = pytest.mark.django_db

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")

MOTHER = {
    "relationship": "head",
    "family_name": "Reyes Mejía",
    "given_names": "Ana Lucía",
    "date_of_birth": "1990-03-14",
    "sex": "F",
    "country_of_citizenship": "HN",
    "preferred_language": "es",
    "a_number": "",
}
FATHER = {
    **MOTHER,
    "relationship": "spouse",
    "family_name": "Ortiz Pérez",
    "given_names": "José Manuel",
    "date_of_birth": "1987-11-02",
    "sex": "M",
    "country_of_citizenship": "GT",
}
CHILD = {
    **MOTHER,
    "relationship": "child",
    "family_name": "Ortiz Reyes",
    "given_names": "Valeria",
    "date_of_birth": "2019-06-05",
    "country_of_citizenship": "MX",
}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    """What a reader sees: tags removed, whitespace collapsed."""
    return visible_text_of(page_text(response))


def visible_text_of(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


_families = itertools.count()


def another_family(officer) -> Encounter:
    """The issue's family (as ``mixed_family``), its people born a year earlier each time: not duplicates."""
    earlier = next(_families)
    return intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        members=[
            family_member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990 - earlier, 3, 14)),
            family_member(
                "spouse", "José Manuel", "Ortiz Pérez", dt.date(1987 - earlier, 11, 2), country="GT", sex="M"
            ),
            family_member("child", "Valeria", "Ortiz Reyes", dt.date(2019 - earlier, 6, 5), country="MX"),
        ],
    )


def submitted_family(officer) -> tuple[AmenabilityReview, list[Case]]:
    encounter = another_family(officer)
    cases = screen_all(officer, encounter)
    return family_submit_for_review(actor=officer, encounter_id=encounter.pk), cases


def draft_with_encounter(officer) -> IntakeDraft:
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    return intake_draft_save_encounter(
        actor=officer,
        draft_id=draft.pk,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )


# A3: the refusal as the page shows it, the plain words first and the rule and code after them, quietly.
SEPARATION = (
    "You entered, screened or submitted this family, so another supervisor must decide it or return it. "
    '<span class="mpp-code">(A3 · separation_of_duties)</span>'
)


@pytest.fixture
def supervisor_b(db):
    return user_with_role(Role.CBP_SUPERVISOR)


# --- Who may open which page ---------------------------------------------------------------------------

INTAKE = {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT}
SUPERVISOR = {Role.CBP_SUPERVISOR}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_only_its_pages(client_for, officer, role):
    review, _ = submitted_family(officer)
    user = user_with_role(role, locations=["sys-poe"])  # everyone at the family's port
    client = client_for(user)

    expected = {
        reverse("screenings:intake-list"): 200 if role in INTAKE else 403,
        reverse("screenings:family-screening", args=[review.encounter_id]): (
            200 if role in INTAKE | SUPERVISOR else 403
        ),
        reverse("screenings:review-queue"): 200 if role in SUPERVISOR else 403,
        reverse("screenings:review", args=[review.pk]): 200 if role in INTAKE | SUPERVISOR else 403,
    }

    assert {url: client.get(url).status_code for url in expected} == expected
    duplicates = client.post(reverse("screenings:intake-duplicates"), {"family_name": "Reyes"})
    assert duplicates.status_code == (200 if role in INTAKE else 403)


def test_users_without_a_role_get_403_and_anonymous_users_the_login_page(client_for, client, officer):
    review, _ = submitted_family(officer)
    urls = [
        reverse("screenings:intake-list"),
        reverse("screenings:family-screening", args=[review.encounter_id]),
        reverse("screenings:review-queue"),
        reverse("screenings:review", args=[review.pk]),
    ]

    nobody = client_for(UserFactory())

    assert [nobody.get(url).status_code for url in urls] == [403] * 4
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_supervisor_at_another_location_neither_sees_nor_decides_the_family(client_for, officer):
    review, _ = submitted_family(officer)
    elsewhere = client_for(user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"]))

    assert elsewhere.get(reverse("screenings:review", args=[review.pk])).status_code == 404
    assert (
        elsewhere.get(reverse("screenings:family-screening", args=[review.encounter_id])).status_code == 404
    )
    queue = elsewhere.get(reverse("screenings:review-queue"))
    assert 'data-testid="review-queue-empty"' in page_text(queue)
    response = elsewhere.post(reverse("screenings:review-decide", args=[review.pk]), {"reason": "x"})
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING


def test_an_officer_at_another_port_cannot_open_or_screen_the_family(client_for, officer):
    encounter = mixed_family(officer)
    case = encounter.cases.order_by("id").first()
    elsewhere = client_for(user_with_role(Role.CBP_OFFICER, locations=["elp-poe"]))

    assert elsewhere.get(reverse("screenings:family-screening", args=[encounter.pk])).status_code == 404
    response = elsewhere.post(
        reverse("screenings:screening-save", args=[encounter.pk, case.pk]),
        {f"case-{case.pk}-officer_fluent": "yes", f"case-{case.pk}-fit_to_travel": "fit"},
    )
    assert response.status_code == 404
    assert not ScreeningFacts.objects.exists()


def test_someone_elses_draft_is_404(client_for, officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    colleague = client_for(user_with_role(Role.CBP_OFFICER))

    assert colleague.get(reverse("screenings:intake-draft", args=[draft.pk])).status_code == 404
    response = colleague.post(reverse("screenings:intake-member-save", args=[draft.pk]), MOTHER)
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.data["members"] == []


def test_the_menu_offers_intake_to_officers_and_the_review_queue_with_its_count_to_supervisors(
    client_for, officer, supervisor
):
    submitted_family(officer)

    officer_home = page_text(client_for(officer).get(reverse("cases:home")))
    supervisor_home = page_text(client_for(supervisor).get(reverse("cases:home")))

    assert f'href="{reverse("screenings:intake-list")}"' in officer_home
    assert f'href="{reverse("screenings:review-queue")}"' not in officer_home
    assert f'href="{reverse("screenings:review-queue")}"' in supervisor_home
    assert '<span class="usa-tag mpp-badge" data-testid="pending-reviews">1<' in supervisor_home
    assert f'href="{reverse("screenings:intake-list")}"' not in supervisor_home


def test_the_case_page_links_to_the_screening_of_its_family(client_for, officer):
    encounter = mixed_family(officer)
    case = encounter.cases.order_by("id").first()

    text = page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk])))

    assert f'href="{reverse("screenings:family-screening", args=[encounter.pk])}"' in text
    assert "Screening of this family" in text


# --- Intake: the draft flow ----------------------------------------------------------------------------


def test_intake_list_shows_my_drafts_with_resume_links_and_a_start_form(client_for, officer):
    mine = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_member(actor=officer, draft_id=mine.pk, data=MOTHER)
    theirs = intake_draft_start(actor=user_with_role(Role.CBP_OFFICER), location=location("sys-poe"))

    text = page_text(client_for(officer).get(reverse("screenings:intake-list")))

    assert "My drafts" in text
    assert f'href="{reverse("screenings:intake-draft", args=[mine.pk])}"' in text
    assert f'href="{reverse("screenings:intake-draft", args=[theirs.pk])}"' not in text
    assert "Ana Lucía Reyes Mejía" in text
    assert "Start a new intake" in text
    assert "San Ysidro Port of Entry (America/Los_Angeles)" in text
    assert "San Diego Immigration Court" not in text  # not an encounter site


def test_the_intake_draft_flow_creates_the_family_in_screening(client_for, officer):
    client = client_for(officer)
    port = location("sys-poe")

    started = client.post(reverse("screenings:intake-list"), {"location": port.pk})
    draft = IntakeDraft.objects.get(created_by=officer)
    assert started.url == reverse("screenings:intake-draft", args=[draft.pk])
    assert 'data-testid="zone-hint"' in page_text(client.get(started.url))  # step 1: the encounter

    local = (timezone.now() - dt.timedelta(hours=2)).astimezone(LOS_ANGELES).replace(second=0, microsecond=0)
    saved = client.post(
        reverse("screenings:intake-encounter", args=[draft.pk]),
        {"location": port.pk, "occurred_date": f"{local:%Y-%m-%d}", "occurred_time": f"{local:%H:%M}"},
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert parse_datetime(draft.data["occurred_at"]) == local  # the port's local time, stored aware

    for member in (MOTHER, FATHER, CHILD):
        response = client.post(reverse("screenings:intake-member-save", args=[draft.pk]), member)
        assert response.status_code == 302, page_text(response)
    review_step = page_text(client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=review"))
    assert "Family unit (3 members)" in review_step
    assert "✔ One head of the family unit." in review_step
    assert "Create cases" in review_step

    created = client.post(reverse("screenings:intake-submit", args=[draft.pk]))

    draft.refresh_from_db()
    assert draft.status == IntakeDraft.Status.SUBMITTED
    assert created.url == reverse("screenings:family-screening", args=[draft.encounter_id])
    cases = Case.objects.filter(encounter=draft.encounter).select_related("alien").order_by("id")
    assert [c.alien.given_names for c in cases] == ["Ana Lucía", "José Manuel", "Valeria"]
    assert {c.status for c in cases} == {CaseStatus.SCREENING}
    assert str(cases[2].alien.country_of_citizenship) == "MX"
    # Submitting again (double click) creates nothing more and leads to the screening.
    again = client.post(reverse("screenings:intake-submit", args=[draft.pk]))
    assert again.url == reverse("screenings:family-screening", args=[draft.encounter_id])
    assert Case.objects.count() == 3


def test_a_member_can_be_edited_and_removed(client_for, officer):
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    for member in (MOTHER, FATHER):
        client.post(reverse("screenings:intake-member-save", args=[draft.pk]), member)

    edit_page = page_text(
        client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members&edit=1")
    )
    client.post(
        reverse("screenings:intake-member-save", args=[draft.pk]),
        {**FATHER, "given_names": "José Manuel Jr", "index": "1"},
    )
    client.post(reverse("screenings:intake-member-remove", args=[draft.pk, 0]))

    assert "Edit member 2: José Manuel Ortiz Pérez" in edit_page
    assert 'value="José Manuel"' in edit_page
    draft.refresh_from_db()
    assert [m["given_names"] for m in draft.data["members"]] == ["José Manuel Jr"]


def test_the_encounter_step_shows_the_zone_and_refuses_a_future_time(client_for, officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    client = client_for(officer)
    tomorrow = timezone.now().astimezone(LOS_ANGELES) + dt.timedelta(days=1)

    page = page_text(client.get(reverse("screenings:intake-draft", args=[draft.pk])))
    response = client.post(
        reverse("screenings:intake-encounter", args=[draft.pk]),
        {
            "location": location("sys-poe").pk,
            "occurred_date": f"{tomorrow:%Y-%m-%d}",
            "occurred_time": "10:00",
        },
    )

    assert "is in America/Los_Angeles" in page
    assert response.status_code == 400
    text = page_text(response)
    assert 'id="id_occurred_date_error"' in text
    assert "The encounter time cannot be in the future." in text
    draft.refresh_from_db()
    assert "occurred_at" not in draft.data


def test_a_local_time_skipped_by_the_clock_change_is_refused(client_for, officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))

    response = client_for(officer).post(
        reverse("screenings:intake-encounter", args=[draft.pk]),
        {"location": location("sys-poe").pk, "occurred_date": "2026-03-08", "occurred_time": "02:30"},
    )

    assert response.status_code == 400
    assert "02:30 did not exist on 2026-03-08 in America/Los_Angeles" in page_text(response)


def test_a_future_date_of_birth_is_shown_next_to_its_field(client_for, officer):
    draft = draft_with_encounter(officer)
    future = (timezone.localdate() + dt.timedelta(days=10)).isoformat()

    response = client_for(officer).post(
        reverse("screenings:intake-member-save", args=[draft.pk]), {**MOTHER, "date_of_birth": future}
    )

    text = page_text(response)
    assert response.status_code == 400
    assert "<title>Error: Intake" in text
    # Plain language only: the generic code (``invalid``) is the API's, not the page's.
    assert (
        '<span class="usa-error-message" id="id_date_of_birth_error">Date of birth cannot be in the future.</span>'
        in text
    )
    assert (
        '<a href="#id_date_of_birth">Date of birth</a>: Date of birth cannot be in the future.</li>' in text
    )
    assert "invalid" not in visible_text(response)
    draft.refresh_from_db()
    assert draft.data["members"] == []


def test_an_unknown_country_is_shown_next_to_its_field(client_for, officer):
    draft = draft_with_encounter(officer)

    response = client_for(officer).post(
        reverse("screenings:intake-member-save", args=[draft.pk]), {**MOTHER, "country_of_citizenship": "XX"}
    )

    text = page_text(response)
    assert response.status_code == 400
    assert 'id="id_country_of_citizenship_error"' in text
    assert '<a href="#id_country_of_citizenship">Country of citizenship</a>' in text
    draft.refresh_from_db()
    assert draft.data["members"] == []


def test_an_invalid_a_number_names_rule_n2(client_for, officer):
    draft = draft_with_encounter(officer)

    response = client_for(officer).post(
        reverse("screenings:intake-member-save", args=[draft.pk]), {**MOTHER, "a_number": "B12"}
    )

    assert response.status_code == 400
    # The explanation first; the rule and the reason code after it, quietly.
    assert re.search(
        r'id="id_a_number_error">“B12” is not an A-number[^<]+ <span class="mpp-code">\(N2 · a_number_invalid\)</span>',
        page_text(response),
    )


def test_a_child_without_a_parent_or_guardian_is_flagged_uac_on_the_draft(client_for, officer):
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    client.post(reverse("screenings:intake-member-save", args=[draft.pk]), {**MOTHER, "relationship": "head"})
    alone = {**CHILD, "relationship": "other", "given_names": "Luis", "date_of_birth": "2012-01-01"}
    client.post(reverse("screenings:intake-member-save", args=[draft.pk]), alone)
    client.post(reverse("screenings:intake-member-save", args=[draft.pk]), CHILD)  # the head's child

    text = page_text(client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members"))

    assert text.count('data-testid="uac-flag"') == 1
    luis = text[text.index('id="member-1"') : text.index('id="member-2"')]
    assert "Unaccompanied child (A2 · uac)" in luis


# --- Duplicates ----------------------------------------------------------------------------------------


def test_a_possible_duplicate_is_shown_after_saving_and_blocks_create_cases_until_dismissed(
    client_for, officer
):
    registered = AlienFactory(
        family_name="Reyes Mejia", given_names="Ana Lucia", date_of_birth=dt.date(1990, 3, 14), a_number=None
    )
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    client.post(reverse("screenings:intake-member-save", args=[draft.pk]), MOTHER)
    resolve = reverse("screenings:intake-duplicate-resolve", args=[draft.pk, 0, registered.pk])

    members_page = page_text(
        client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members")
    )
    refused = client.post(reverse("screenings:intake-submit", args=[draft.pk]))
    no_reason = client.post(resolve, {"decision": "different", "reason": " "})
    dismissed = client.post(resolve, {"decision": "different", "reason": "Different mother's name on the ID"})
    created = client.post(reverse("screenings:intake-submit", args=[draft.pk]))

    assert "Possible duplicate" in members_page
    assert "REYES MEJIA, Ana Lucia" in members_page
    assert "This is the same person" in members_page and "Different person" in members_page
    assert refused.status_code == 400
    assert re.search(
        r"Possible duplicates: [^<]+ <span class=\"mpp-code\">\(possible_duplicate\)</span>",
        page_text(refused),
    )
    assert no_reason.status_code == 400
    assert f'id="dismiss-0-{registered.pk}-error">This field is required.' in page_text(no_reason)
    assert dismissed.status_code == 302
    assert created.status_code == 302
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.candidate, dismissal.reason, dismissal.dismissed_by) == (
        registered,
        "Different mother's name on the ID",
        officer,
    )


def test_a_possible_duplicate_can_be_linked_as_the_same_person(client_for, officer):
    registered = AlienFactory(
        family_name="Reyes Mejia", given_names="Ana Lucia", date_of_birth=dt.date(1990, 3, 14)
    )
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    client.post(reverse("screenings:intake-member-save", args=[draft.pk]), MOTHER)

    client.post(
        reverse("screenings:intake-duplicate-resolve", args=[draft.pk, 0, registered.pk]),
        {"decision": "same"},
    )
    page = page_text(client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=review"))
    client.post(reverse("screenings:intake-submit", args=[draft.pk]))

    assert "Linked to a registered person" in page
    assert "✔ No possible duplicate left to decide." in page
    draft.refresh_from_db()
    assert draft.encounter.cases.get().alien == registered


def test_the_duplicate_check_partial_shows_candidates_as_the_officer_types(client_for, officer):
    AlienFactory(family_name="Hernandez Lopez", given_names="Maria Jose", date_of_birth=dt.date(1991, 2, 3))
    owner = AlienFactory(a_number="A123456789", family_name="Castillo", given_names="Rosa")
    client = client_for(officer)
    url = reverse("screenings:intake-duplicates")

    similar = client.post(
        url,
        {"family_name": "Hernández López", "given_names": "María José", "date_of_birth": "1991-03-02"},
        HTTP_HX_REQUEST="true",
    )
    by_a_number = client.post(url, {"a_number": "123-456-789"}, HTTP_HX_REQUEST="true")
    nothing = client.post(
        url,
        {"family_name": "Okonkwo", "given_names": "Chidi", "date_of_birth": "1980-01-01"},
        HTTP_HX_REQUEST="true",
    )

    assert similar.status_code == 200
    text = page_text(similar)
    assert "<html" not in text  # a fragment for htmx to swap in
    assert "Possible duplicate" in text and "HERNANDEZ LOPEZ, Maria Jose" in text
    assert "This A-number belongs to" in page_text(by_a_number)
    assert str(owner) in page_text(by_a_number)
    assert 'data-testid="no-duplicates"' in page_text(nothing)
    assert client.get(url, {"family_name": "Reyes"}).status_code == 405  # never in a URL
    assert AccessLog.objects.filter(user=officer, object_type="alien", object_ids=[str(owner.pk)]).exists()


def test_the_member_form_asks_htmx_for_the_duplicate_check_and_works_without_it(client_for, officer):
    draft = draft_with_encounter(officer)

    text = page_text(client_for(officer).get(reverse("screenings:intake-draft", args=[draft.pk])))

    assert f'hx-post="{reverse("screenings:intake-duplicates")}"' in text
    assert "X-CSRFToken" in text
    assert 'hx-include="[data-duplicate-check]"' in text
    assert 'id="duplicate-check" aria-live="polite"' in text
    assert "vendor/htmx/htmx.min.js" in text
    assert f'action="{reverse("screenings:intake-member-save", args=[draft.pk])}"' in text  # plain POST too


def test_abandoning_a_draft_needs_a_reason(client_for, officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    client = client_for(officer)

    refused = client.post(reverse("screenings:intake-abandon", args=[draft.pk]), {"reason": ""})
    done = client.post(reverse("screenings:intake-abandon", args=[draft.pk]), {"reason": "Entered twice"})

    assert refused.status_code == 400
    assert done.url == reverse("screenings:intake-list")
    draft.refresh_from_db()
    assert draft.status == IntakeDraft.Status.ABANDONED


# --- The family screening ------------------------------------------------------------------------------


def facts_post(case: Case, **facts: str) -> dict[str, str]:
    return {
        f"case-{case.pk}-{name}": value for name, value in {"fit_to_travel": "not_assessed", **facts}.items()
    }


def test_the_screening_page_has_a_fieldset_per_member_and_f2_only_for_the_mexican_child(client_for, officer):
    encounter = mixed_family(officer)
    mother, _, child = encounter.cases.order_by("id")

    text = page_text(client_for(officer).get(reverse("screenings:family-screening", args=[encounter.pk])))

    assert text.count("Save the screening") == 3
    assert f'name="case-{child.pk}-mexican_member_choice"' in text
    assert f'name="case-{mother.pk}-mexican_member_choice"' not in text
    assert "Voluntary return to Mexico with the family" in text
    assert f'<label class="usa-label" for="id_case-{mother.pk}-interpretation_language">' in text
    assert AccessLog.objects.filter(
        user=officer, object_type="encounter", object_ids=[str(encounter.pk)]
    ).exists()


def test_saving_a_member_records_the_facts_and_updates_the_proposal(client_for, officer):
    encounter = mixed_family(officer)
    child = encounter.cases.order_by("id")[2]
    client = client_for(officer)

    response = client.post(
        reverse("screenings:screening-save", args=[encounter.pk, child.pk]),
        facts_post(child, officer_fluent="yes", mexican_member_choice="voluntary_return", notes="Calm"),
    )

    assert response.status_code == 302
    facts = ScreeningFacts.objects.get(case=child)
    assert (facts.officer_fluent, facts.mexican_member_choice, facts.notes) == (
        True,
        "voluntary_return",
        "Calm",
    )
    assert facts.history.get().history_user == officer


def test_an_n3_error_is_shown_next_to_its_field_with_the_rule(client_for, officer):
    encounter = mixed_family(officer)
    mother = encounter.cases.order_by("id")[0]

    response = client_for(officer).post(
        reverse("screenings:screening-save", args=[encounter.pk, mother.pk]),
        facts_post(mother, officer_fluent="no"),
    )

    text = page_text(response)
    assert response.status_code == 400
    assert (
        f'id="id_case-{mother.pk}-interpretation_mode_error">The officer is not fluent: choose in-person or '
        'telephonic interpretation. <span class="mpp-code">(N3)</span>' in text
    )
    assert "The screening was not saved" in text
    assert not ScreeningFacts.objects.exists()


def test_the_proposal_shows_each_reason_with_its_rule_and_code(client_for, officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)

    response = client_for(officer).get(reverse("screenings:family-screening", args=[encounter.pk]))

    text = page_text(response)
    proposal = visible_text(response).split("Proposal From the rules")[1]
    assert proposal.count("Proposed: amenable") == 2
    assert proposal.count("Proposed: not amenable") == 1
    assert (
        "Valeria Ortiz Reyes Proposed: not amenable A2 · mexican_national — Citizen or national of Mexico"
        in proposal
    )
    assert "F1 · family_kept_together — Non-Mexican member of a mixed-nationality family" in proposal
    assert "A1 · a1_basis" in proposal
    assert "Submit for supervisor review</button>" in text and "aria-disabled" not in text


def test_blockers_are_listed_and_submission_is_refused_while_something_is_missing(client_for, officer):
    encounter = mixed_family(officer)
    client = client_for(officer)

    page = page_text(client.get(reverse("screenings:family-screening", args=[encounter.pk])))
    refused = client.post(reverse("screenings:family-submit", args=[encounter.pk]))

    assert "Missing before submission" in page
    assert "Record the screening of Valeria Ortiz Reyes." in page
    assert 'disabled aria-disabled="true"' in page
    assert refused.status_code == 409
    assert "The screening is not complete. Record the screening of Ana Lucía Reyes Mejía (A3)." in page_text(
        refused
    )
    assert '<span class="mpp-code">(A3 · screening_incomplete)</span>' in page_text(refused)
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.SCREENING}


def test_submitting_moves_the_family_to_review_and_makes_the_page_read_only(client_for, officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    client = client_for(officer)

    response = client.post(reverse("screenings:family-submit", args=[encounter.pk]))

    assert response.url == reverse("screenings:family-screening", args=[encounter.pk])
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}
    text = page_text(client.get(response.url))
    assert "Submitted for supervisor review (A3)" in text
    assert "Proposal as submitted" in text
    assert "Save the screening" not in text
    assert "A2 · mexican_national" in text
    # The supervisor reads the same page without any form.
    supervisor_text = page_text(client_for(supervisor).get(response.url))
    assert "Save the screening" not in supervisor_text and "Proposal as submitted" in supervisor_text


# --- The supervisor's review ---------------------------------------------------------------------------


def test_the_queue_lists_pending_families_oldest_first_with_their_proposal(client_for, officer, supervisor):
    older, _ = submitted_family(officer)
    newer, _ = submitted_family(officer)
    decided, _ = submitted_family(officer)
    amenability_decide(actor=supervisor, review_id=decided.pk, reason="Done")

    text = page_text(client_for(supervisor).get(reverse("screenings:review-queue")))

    older_link = reverse("screenings:review", args=[older.pk])
    newer_link = reverse("screenings:review", args=[newer.pk])
    assert text.index(older_link) < text.index(newer_link)
    assert reverse("screenings:review", args=[decided.pk]) + '"' not in text
    assert text.count('data-testid="review-row"') == 2
    assert "San Ysidro Port of Entry" in text
    assert officer.display_name in text
    assert "Valeria Ortiz Reyes:" in text and "A2 · mexican_national" in text


def test_a_supervisor_decides_and_each_case_moves(client_for, officer, supervisor):
    review, (mother, father, child) = submitted_family(officer)
    client = client_for(supervisor)
    form = {f"override_{c.pk}": "confirm" for c in (mother, father, child)}

    page = page_text(client.get(reverse("screenings:review", args=[review.pk])))
    response = client.post(
        reverse("screenings:review-decide", args=[review.pk]),
        {**form, "reason": "Facts verified with the family"},
    )

    assert "Record the decision" in page
    assert "Overrule the proposed health exclusion" not in page  # no health exclusion proposed
    assert response.url == reverse("screenings:review", args=[review.pk])
    statuses = [Case.objects.get(pk=c.pk).status for c in (mother, father, child)]
    assert statuses == [CaseStatus.AMENABLE, CaseStatus.AMENABLE, CaseStatus.NOT_AMENABLE]
    text = page_text(client.get(response.url))
    assert "Decision recorded." in text
    assert f"Decided by {supervisor.display_name}" in text
    assert "“Facts verified with the family”" in text
    assert "Record the decision" not in text
    for case in (mother, father, child):
        assert f'href="{reverse("cases:detail", args=[case.pk])}"' in text


def test_an_override_needs_its_own_reason(client_for, officer, supervisor):
    review, (_, father, _) = submitted_family(officer)
    client = client_for(supervisor)

    refused = client.post(
        reverse("screenings:review-decide", args=[review.pk]),
        {
            "reason": "Reviewed",
            f"override_{father.pk}": "exclude_discretion",
            f"override_reason_{father.pk}": "",
        },
    )
    done = client.post(
        reverse("screenings:review-decide", args=[review.pk]),
        {
            "reason": "Reviewed",
            f"override_{father.pk}": "exclude_discretion",
            f"override_reason_{father.pk}": "Pending extradition inquiry",
        },
    )

    assert refused.status_code == 400
    assert (
        f'id="id_override_reason_{father.pk}_error">Give the reason for the change to José Manuel'
        in page_text(refused)
    )
    assert done.status_code == 302
    father.refresh_from_db()
    assert father.status == CaseStatus.NOT_AMENABLE
    text = page_text(client.get(reverse("screenings:review", args=[review.pk])))
    assert "Excluded at the supervisor's discretion (A2 discretion)" in text
    assert "“Pending extradition inquiry”" in text


def test_a_health_overrule_is_offered_only_when_health_is_proposed(client_for, officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"Ana Lucía": {"fit_to_travel": "not_fit"}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother = encounter.cases.order_by("id")[0]

    response = client_for(supervisor).get(reverse("screenings:review", args=[review.pk]))

    text = page_text(response)
    assert text.count("Overrule the proposed health exclusion (A4)") == 1
    assert f'name="override_{mother.pk}" value="overrule_health"' in text
    assert "A4 · health — Found not fit to travel" in visible_text(response)


def test_the_submitter_supervisor_is_told_another_supervisor_must_decide(client_for, supervisor):
    both = UserFactory(roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"])
    review, _ = submitted_family(both)
    client = client_for(both)

    page = page_text(client.get(reverse("screenings:review", args=[review.pk])))
    response = client.post(reverse("screenings:review-decide", args=[review.pk]), {"reason": "Looks fine"})

    assert SEPARATION in page
    assert reverse("screenings:review-decide", args=[review.pk]) not in page  # no decision form
    assert response.status_code == 403
    assert SEPARATION in page_text(response)
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING


def test_the_second_supervisor_is_told_the_family_was_already_decided(
    client_for, officer, supervisor, supervisor_b
):
    review, _ = submitted_family(officer)
    late = client_for(supervisor_b)
    page_before = late.get(reverse("screenings:review", args=[review.pk]))  # both opened the page
    amenability_decide(actor=supervisor, review_id=review.pk, reason="First")

    response = late.post(reverse("screenings:review-decide", args=[review.pk]), {"reason": "Second"})

    assert page_before.status_code == 200
    assert response.status_code == 409
    text = page_text(response)
    assert f"This family was already decided by {supervisor.display_name} at" in text
    assert '<span class="mpp-code">(A3 · already_decided)</span>' in text
    assert "Nothing was changed." in text
    assert f"Decided by {supervisor.display_name}" in text
    review.refresh_from_db()
    assert review.decision_reason == "First"


def test_the_officer_reads_the_review_without_a_form(client_for, officer):
    review, _ = submitted_family(officer)

    text = page_text(client_for(officer).get(reverse("screenings:review", args=[review.pk])))

    assert "Awaiting the decision of a CBP supervisor" in text
    assert "Record the decision" not in text


# --- Queries do not grow with the rows ------------------------------------------------------------------


def test_review_queue_query_count_does_not_grow_with_families(client_for, officer, supervisor):
    client = client_for(supervisor)
    for _ in range(2):
        submitted_family(officer)
    few = count_queries(client, reverse("screenings:review-queue"))
    for _ in range(4):
        submitted_family(officer)

    many = count_queries(client, reverse("screenings:review-queue"))

    assert many == few


def test_intake_list_query_count_does_not_grow_with_drafts(client_for, officer):
    client = client_for(officer)

    years = iter(range(1950, 2000))

    def add_drafts(n: int) -> None:
        for _ in range(n):  # n drafts in progress and n submitted ones, each with a distinct person
            for submit in (False, True):
                draft = draft_with_encounter(officer)
                member = {**MOTHER, "given_names": f"Ana {submit}", "date_of_birth": f"{next(years)}-01-01"}
                intake_draft_save_member(actor=officer, draft_id=draft.pk, data=member)
                if submit:
                    intake_draft_submit(actor=officer, draft_id=draft.pk)

    add_drafts(2)
    few = count_queries(client, reverse("screenings:intake-list"))
    add_drafts(4)

    many = count_queries(client, reverse("screenings:intake-list"))

    assert many == few


# --- A3: the supervisor returns the family to the officer for re-screening -----------------------------

RETURN_REASON = "Check the father's parole papers"


def returned_family(officer, supervisor, reason: str = RETURN_REASON) -> tuple[AmenabilityReview, list[Case]]:
    review, cases = submitted_family(officer)
    return amenability_return(actor=supervisor, review_id=review.pk, reason=reason), cases


def local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LOS_ANGELES):%Y-%m-%d %H:%M}"


@pytest.mark.parametrize("role", list(Role))
def test_a3_only_a_supervisor_who_may_decide_is_offered_the_return_and_may_return(client_for, officer, role):
    # Given a family submitted by an officer, and a user of each role at its port
    review, _ = submitted_family(officer)
    client = client_for(user_with_role(role, locations=["sys-poe"]))
    return_url = reverse("screenings:review-return", args=[review.pk])

    # When the user opens the review and tries to return the family
    page = client.get(reverse("screenings:review", args=[review.pk]))
    response = client.post(return_url, {"return-reason": "Recheck"})

    # Then only the CBP supervisor sees the return form and may return it; everyone else gets 403
    if role == Role.CBP_SUPERVISOR:
        assert return_url in page_text(page)
        assert "Return to the officer for re-screening" in page_text(page)
        assert response.status_code == 302
        expected = AmenabilityReview.Status.RETURNED
    else:
        assert page.status_code in (200, 403)
        assert return_url not in page_text(page)
        assert response.status_code == 403
        expected = AmenabilityReview.Status.PENDING
    review.refresh_from_db()
    assert review.status == expected


def test_a3_the_submitter_supervisor_is_not_offered_the_return_and_is_refused_separation_of_duties(
    client_for,
):
    # Given a user who is both officer and supervisor and submitted the family
    both = UserFactory(roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"])
    review, cases = submitted_family(both)
    client = client_for(both)

    # When they open the review and post a return anyway
    page = page_text(client.get(reverse("screenings:review", args=[review.pk])))
    response = client.post(reverse("screenings:review-return", args=[review.pk]), {"return-reason": "Mine"})

    # Then there is no return form, the return is refused with 403 and the rule, and nothing moved
    assert reverse("screenings:review-return", args=[review.pk]) not in page
    assert response.status_code == 403
    assert SEPARATION in page_text(response)
    assert "The family was not returned to the officer" in page_text(response)
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING
    assert {Case.objects.get(pk=c.pk).status for c in cases} == {CaseStatus.AWAITING_REVIEW}


def test_a3_a_supervisor_at_another_location_cannot_return_the_family(client_for, officer):
    review, _ = submitted_family(officer)
    elsewhere = client_for(user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"]))

    response = elsewhere.post(reverse("screenings:review-return", args=[review.pk]), {"return-reason": "x"})

    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING


def test_a3_returning_needs_a_reason_shown_next_to_its_field(client_for, officer, supervisor):
    review, _ = submitted_family(officer)
    client = client_for(supervisor)

    response = client.post(reverse("screenings:review-return", args=[review.pk]), {"return-reason": "  "})

    assert response.status_code == 400
    text = page_text(response)
    assert 'id="return-error-summary"' in text
    assert 'id="id_return-reason_error">This field is required.' in text
    assert "Record the decision" in text  # the decision form is still offered
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING


def test_a3_returning_moves_every_case_back_to_screening_and_the_review_shows_the_return_without_forms(
    client_for, officer, supervisor
):
    # Given a submitted family and the supervisor on its review page
    review, cases = submitted_family(officer)
    client = client_for(supervisor)

    # When the supervisor returns it with what to look at again
    response = client.post(
        reverse("screenings:review-return", args=[review.pk]), {"return-reason": RETURN_REASON}
    )

    # Then every case is back in screening, with the reason in its history
    assert response.url == reverse("screenings:review", args=[review.pk])
    review.refresh_from_db()
    assert (review.status, review.decided_by, review.decision_reason) == (
        AmenabilityReview.Status.RETURNED,
        supervisor,
        RETURN_REASON,
    )
    for case in cases:
        case = Case.objects.get(pk=case.pk)
        assert case.status == CaseStatus.SCREENING
        assert RETURN_REASON in case.history.first().history_change_reason
    # And the review page says who returned it, when and why, with the proposal as submitted and no forms
    page = client.get(response.url)
    text = visible_text(page)
    assert "Returned to the officer for re-screening." in text  # the success message
    assert f"Returned to the officer by {supervisor.display_name} at {local(review.decided_at)}" in text
    assert f"“{RETURN_REASON}”" in text
    assert "A2 · mexican_national" in text
    raw = page_text(page)
    assert "<form" not in raw.split("<main", 1)[-1].split("</main>")[0]
    assert "Record the decision" not in raw and "Decided by" not in raw
    assert reverse("screenings:family-screening", args=[review.encounter_id]) in raw
    # The officer reads the same: no form, the return and the link to the screening
    officer_text = visible_text(client_for(officer).get(response.url))
    assert f"Returned to the officer by {supervisor.display_name}" in officer_text
    assert "Awaiting the decision" not in officer_text


def test_a3_a_returned_family_leaves_the_review_queue(client_for, officer, supervisor):
    returned, _ = returned_family(officer, supervisor)
    waiting, _ = submitted_family(officer)

    text = page_text(client_for(supervisor).get(reverse("screenings:review-queue")))

    assert text.count('data-testid="review-row"') == 1
    assert reverse("screenings:review", args=[waiting.pk]) + '"' in text
    assert reverse("screenings:review", args=[returned.pk]) + '"' not in text


def test_a3_after_a_return_the_screening_page_shows_the_reason_and_is_editable_again(
    client_for, officer, supervisor
):
    # Given a family returned for re-screening
    review, _ = returned_family(officer, supervisor)

    # When the officer opens the family's screening
    response = client_for(officer).get(reverse("screenings:family-screening", args=[review.encounter_id]))

    # Then the return is shown at the top with who, when and why, and every member can be screened again
    text = visible_text(response)
    assert f"Returned for re-screening by {supervisor.display_name} at {local(review.decided_at)}" in text
    assert f"“{RETURN_REASON}”" in text
    assert text.index("Returned for re-screening by") < text.index("Ana Lucía Reyes Mejía")
    raw = page_text(response)
    assert raw.count("Save the screening") == 3
    assert "Submit for supervisor review" in raw and "disabled" not in raw.split('id="submit"')[1]
    assert "Submitted for supervisor review (A3)" not in raw
    assert "Proposal as submitted" not in raw
    # The supervisor reads the same page, read only
    supervisor_text = page_text(
        client_for(supervisor).get(reverse("screenings:family-screening", args=[review.encounter_id]))
    )
    assert "Returned for re-screening by" in supervisor_text and "Save the screening" not in supervisor_text


def test_a3_the_corrected_screening_is_submitted_as_a_new_review_which_can_be_decided(
    client_for, officer, supervisor
):
    # Given a family returned because of the father's parole papers
    first, (mother, father, child) = returned_family(officer, supervisor)
    officer_client, supervisor_client = client_for(officer), client_for(supervisor)

    # When the officer records the parole and submits the family again
    saved = officer_client.post(
        reverse("screenings:screening-save", args=[first.encounter_id, father.pk]),
        facts_post(father, officer_fluent="yes", parole="on"),
    )
    submitted = officer_client.post(reverse("screenings:family-submit", args=[first.encounter_id]))

    # Then a new pending review is in the queue, and the returned one links to it
    assert (saved.status_code, submitted.status_code) == (302, 302)
    second = AmenabilityReview.objects.get(encounter_id=first.encounter_id, status="pending")
    assert second.pk != first.pk
    assert {Case.objects.get(pk=c.pk).status for c in (mother, father, child)} == {CaseStatus.AWAITING_REVIEW}
    queue = page_text(supervisor_client.get(reverse("screenings:review-queue")))
    assert queue.count('data-testid="review-row"') == 1
    assert reverse("screenings:review", args=[second.pk]) + '"' in queue
    returned_page = page_text(supervisor_client.get(reverse("screenings:review", args=[first.pk])))
    assert (
        f'href="{reverse("screenings:review", args=[second.pk])}" data-testid="newer-review"' in returned_page
    )
    # And the supervisor decides the new review: the father is not amenable (A2 parole)
    decided = supervisor_client.post(
        reverse("screenings:review-decide", args=[second.pk]), {"reason": "Parole status confirmed"}
    )
    assert decided.url == reverse("screenings:review", args=[second.pk])
    statuses = [Case.objects.get(pk=c.pk).status for c in (mother, father, child)]
    assert statuses == [CaseStatus.AMENABLE, CaseStatus.NOT_AMENABLE, CaseStatus.NOT_AMENABLE]
    screening = visible_text(
        officer_client.get(reverse("screenings:family-screening", args=[first.encounter_id]))
    )
    assert f"Decided by {supervisor.display_name}" in screening
    assert f"Returned for re-screening by {supervisor.display_name}" in screening  # the earlier return


def test_a3_returning_a_family_already_returned_or_decided_is_refused_as_already_decided(
    client_for, officer, supervisor, supervisor_b
):
    # Given one family returned and one decided by the first supervisor
    returned, _ = returned_family(officer, supervisor, reason="First")
    decided, _ = submitted_family(officer)
    amenability_decide(actor=supervisor, review_id=decided.pk, reason="Decided first")
    late = client_for(supervisor_b)

    # When a second supervisor returns each of them, and decides the returned one
    again = late.post(reverse("screenings:review-return", args=[returned.pk]), {"return-reason": "Second"})
    after_decision = late.post(
        reverse("screenings:review-return", args=[decided.pk]), {"return-reason": "Second"}
    )
    decide_returned = late.post(reverse("screenings:review-decide", args=[returned.pk]), {"reason": "Second"})

    # Then each is a 409 naming who closed it first, and nothing changed
    assert (again.status_code, after_decision.status_code, decide_returned.status_code) == (409, 409, 409)
    text = page_text(again)
    assert f"This family was already returned to the officer by {supervisor.display_name}" in text
    assert '<span class="mpp-code">(A3 · already_decided)</span>' in text
    assert "Nothing was changed" in text
    assert f"Returned to the officer by {supervisor.display_name}" in visible_text(again)
    assert f"This family was already decided by {supervisor.display_name}" in page_text(after_decision)
    assert "already returned to the officer" in page_text(decide_returned)
    returned.refresh_from_db()
    decided.refresh_from_db()
    assert (returned.status, returned.decision_reason) == (AmenabilityReview.Status.RETURNED, "First")
    assert (decided.status, decided.decision_reason) == (AmenabilityReview.Status.DECIDED, "Decided first")


_sizes = itertools.count()


def family_of(officer, size: int) -> Encounter:
    """A Honduran family of ``size``: mother (head), father, then children; distinct people each call."""
    n = next(_sizes)
    people = [
        family_member("head", "Marta", f"Size {n}", dt.date(1980, 1, 1 + n)),
        family_member("spouse", "Luis", f"Size {n}", dt.date(1979, 2, 1 + n), sex="M"),
        *(
            family_member("child", f"Child {i}", f"Size {n}", dt.date(2012 + i, 3, 1 + n))
            for i in range(size - 2)
        ),
    ]
    return intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        members=people,
    )


def test_a3_a_returned_review_page_reads_in_the_same_number_of_queries_for_2_or_5_members(
    client_for, officer, supervisor
):
    # Given two families, of 2 and of 5, each returned and resubmitted (so the page links to the new review)
    reviews = []
    for size in (2, 5):
        encounter = family_of(officer, size)
        screen_all(officer, encounter)
        first = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
        amenability_return(actor=supervisor, review_id=first.pk, reason="Recheck")
        family_submit_for_review(actor=officer, encounter_id=encounter.pk)
        reviews.append(first)
    client = client_for(supervisor)
    client.get(reverse("screenings:review-queue"))  # the first request of a session warms caches

    # When the supervisor opens each returned review
    small, large = (count_queries(client, reverse("screenings:review", args=[r.pk])) for r in reviews)

    # Then the number of queries does not grow with the family
    assert large == small


def test_s1_a_family_whose_decision_waits_for_uscis_is_marked_in_the_queue_and_on_its_review(
    client_for, officer, supervisor
):
    """S1/S4: a member's fear claim (opened at submission) refuses the family's decision; the queue and the
    review page say so, with the rule, instead of offering a decision the service would refuse."""
    waiting_encounter = another_family(officer)
    screen_all(officer, waiting_encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    waiting = family_submit_for_review(actor=officer, encounter_id=waiting_encounter.pk)
    ready, _ = submitted_family(officer)
    client = client_for(supervisor)

    queue = page_text(client.get(reverse("screenings:review-queue")))
    review_page = page_text(client.get(reverse("screenings:review", args=[waiting.pk])))
    ready_page = page_text(client.get(reverse("screenings:review", args=[ready.pk])))

    rows = queue.split('data-testid="review-row"')[1:]
    waiting_link = reverse("screenings:review", args=[waiting.pk]) + '"'
    assert [waiting_link in row for row in rows] == [True, False]  # oldest first
    assert ['data-testid="waits-for-uscis"' in row for row in rows] == [True, False]
    assert 'data-testid="decision-blocked"' in review_page
    assert "S1 · fear_claim_pending" in review_page and "Record the decision" not in review_page
    assert 'data-testid="decision-blocked"' not in ready_page and "Record the decision" in ready_page


# --- Step 4: policy corrections on the pages ---------------------------------------------------------


def test_a3_a_supervisor_who_recorded_a_fact_of_the_family_is_not_offered_the_decision(client_for, officer):
    """A3: the page's ``can_decide`` is the service's predicate — whoever recorded any screening fact of the
    family (here one note, later overwritten by the officer) neither decides nor returns it."""
    both = UserFactory(roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"])
    encounter = another_family(officer)
    mother = encounter.cases.order_by("id")[0]
    services_save(both, mother, {"officer_fluent": True, "notes": "Asked for water"})
    screen_all(officer, encounter, **{"Ana Lucía": {"notes": ""}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    client = client_for(both)

    page = page_text(client.get(reverse("screenings:review", args=[review.pk])))
    refused = client.post(reverse("screenings:review-decide", args=[review.pk]), {"reason": "Fine"})

    assert 'data-testid="separation-of-duties"' in page
    assert "You entered, screened or submitted this family" in page
    assert reverse("screenings:review-decide", args=[review.pk]) not in page
    assert reverse("screenings:review-return", args=[review.pk]) not in page
    assert refused.status_code == 403
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING


def services_save(actor, case: Case, facts: dict) -> None:
    from screenings.services import screening_facts_save

    screening_facts_save(actor=actor, case_id=case.pk, facts=facts)


def test_f3_the_childs_screening_records_that_her_mother_stated_the_fear(client_for, officer):
    encounter = mixed_family(officer)
    mother, _, child = encounter.cases.order_by("id")
    client = client_for(officer)

    page = page_text(client.get(reverse("screenings:family-screening", args=[encounter.pk])))
    saved = client.post(
        reverse("screenings:screening-save", args=[encounter.pk, child.pk]),
        facts_post(child, officer_fluent="yes", fear_of_return_expressed="on", fear_stated_by="parent"),
    )
    after = visible_text(client.get(reverse("screenings:family-screening", args=[encounter.pk])))

    assert f'name="case-{child.pk}-fear_stated_by" value="parent"' in page
    assert f'name="case-{mother.pk}-fear_stated_by"' not in page  # an adult states their own fear
    assert saved.status_code == 302
    facts = ScreeningFacts.objects.get(case=child)
    assert (facts.fear_of_return_expressed, facts.fear_stated_by) == (True, "parent")
    assert "Yes, stated by a parent, for the child" in after
    assert "F3 · family_mexican_member_fear" in after


def test_f3_a_childs_fear_without_who_stated_it_is_refused_next_to_the_field(client_for, officer):
    encounter = mixed_family(officer)
    child = encounter.cases.order_by("id")[2]

    response = client_for(officer).post(
        reverse("screenings:screening-save", args=[encounter.pk, child.pk]),
        facts_post(child, officer_fluent="yes", fear_of_return_expressed="on"),
    )

    assert response.status_code == 400
    assert f'id="id_case-{child.pk}-fear_stated_by_error">Valeria Ortiz Reyes is a child' in page_text(
        response
    )
    assert not ScreeningFacts.objects.exists()


def test_f2_a_lone_mexican_adult_is_screened_without_a_choice_and_submitted(client_for, officer):
    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        members=[
            family_member("head", "Jorge", "Salinas Ortega", dt.date(1985, 5, 5), country="MX", sex="M")
        ],
    )
    case = encounter.cases.get()
    client = client_for(officer)

    page = page_text(client.get(reverse("screenings:family-screening", args=[encounter.pk])))
    client.post(
        reverse("screenings:screening-save", args=[encounter.pk, case.pk]),
        facts_post(case, officer_fluent="yes"),
    )
    submitted = client.post(reverse("screenings:family-submit", args=[encounter.pk]))

    assert f'name="case-{case.pk}-mexican_member_choice"' not in page
    assert "Voluntary return to Mexico with the family" not in page
    assert submitted.status_code == 302
    review = AmenabilityReview.objects.get(encounter=encounter)
    assert [r["code"] for r in review.proposal["members"][0]["reasons"]] == ["mexican_national"]


def test_a3_a_family_back_in_screening_after_its_decision_is_screened_and_submitted_again(
    client_for, officer, supervisor, supervisor_b
):
    review, (_, father, _) = submitted_family(officer)
    amenability_decide(actor=supervisor, review_id=review.pk, reason="First decision")
    send_back_to_screening(review.encounter)
    client = client_for(officer)
    screening_url = reverse("screenings:family-screening", args=[review.encounter_id])

    page = page_text(client.get(screening_url))
    client.post(
        reverse("screenings:screening-save", args=[review.encounter_id, father.pk]),
        facts_post(father, officer_fluent="yes", parole="on"),
    )
    submitted = client.post(reverse("screenings:family-submit", args=[review.encounter_id]))

    assert 'data-testid="earlier-decision"' in page
    earlier = visible_text_of(page).split("Screened again after the supervisor’s decision")[1]
    assert f"Decided by {supervisor.display_name} at" in earlier and "“First decision”" in earlier
    assert page.count("Save the screening") == 3
    assert submitted.status_code == 302
    newer = AmenabilityReview.objects.get(encounter_id=review.encounter_id, status="pending")
    old_page = page_text(client_for(supervisor_b).get(reverse("screenings:review", args=[review.pk])))
    assert 'data-testid="superseded"' in old_page
    assert f'href="{reverse("screenings:review", args=[newer.pk])}" data-testid="newer-review"' in old_page
    assert "Submitted for supervisor review (A3)" in page_text(client.get(screening_url))


# --- Step 4: intake as an officer expects -------------------------------------------------------------


def test_intake_the_same_person_entered_twice_is_shown_naming_both_members_and_refused(client_for, officer):
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    for member in (MOTHER, FATHER, {**MOTHER, "relationship": "sibling", "given_names": "ANA LUCIA"}):
        client.post(reverse("screenings:intake-member-save", args=[draft.pk]), member)

    review_step = page_text(client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=review"))
    refused = client.post(reverse("screenings:intake-submit", args=[draft.pk]))

    sentence = "Members 1 and 3 are the same person: Ana Lucía Reyes Mejía, born 1990-03-14"
    assert sentence in review_step
    assert 'data-testid="repeated-member"' in review_step
    assert refused.status_code == 400
    assert sentence in page_text(refused)
    assert not Encounter.objects.exists()


def test_n2_an_a_number_of_someone_else_is_a_conflict_on_the_draft_until_linked(client_for, officer):
    owner = AlienFactory(
        a_number="A123456789",
        family_name="Castillo Ruiz",
        given_names="Rosa",
        date_of_birth=dt.date(1985, 4, 9),
    )
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    client.post(
        reverse("screenings:intake-member-save", args=[draft.pk]), {**MOTHER, "a_number": "123-456-789"}
    )

    members_page = page_text(
        client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members")
    )
    refused = client.post(reverse("screenings:intake-submit", args=[draft.pk]))
    client.post(
        reverse("screenings:intake-duplicate-resolve", args=[draft.pk, 0, owner.pk]), {"decision": "same"}
    )
    created = client.post(reverse("screenings:intake-submit", args=[draft.pk]))

    assert 'data-testid="a-number-conflict"' in members_page
    assert "The A-number A123456789 belongs to CASTILLO RUIZ, Rosa , born 1985-04-09" in visible_text_of(
        members_page
    )
    assert "Correct the A-number" in members_page
    assert refused.status_code == 400
    assert '<span class="mpp-code">(N2 · a_number_conflict)</span>' in page_text(refused)
    assert created.status_code == 302
    draft.refresh_from_db()
    assert draft.encounter.cases.get().alien == owner


def test_an_open_case_is_shown_at_intake_with_a_link_and_another_case_needs_a_reason(client_for, officer):
    earlier = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(days=1),
        members=[
            family_member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990, 3, 14), a_number="A087654321")
        ],
    )
    open_case = earlier.cases.get()
    draft = draft_with_encounter(officer)
    client = client_for(officer)
    client.post(
        reverse("screenings:intake-member-save", args=[draft.pk]), {**MOTHER, "a_number": "A087654321"}
    )
    review_url = reverse("screenings:intake-draft", args=[draft.pk]) + "?step=review"

    review_step = page_text(client.get(review_url))
    refused = client.post(reverse("screenings:intake-submit", args=[draft.pk]), {"open_case_reason-0": " "})
    created = client.post(
        reverse("screenings:intake-submit", args=[draft.pk]),
        {"open_case_reason-0": "Re-encountered after release; the first case goes to the court"},
    )

    assert 'data-testid="open-cases"' in review_step
    assert f'href="{reverse("cases:detail", args=[open_case.pk])}">Case {open_case.pk}</a>' in review_step
    shown = AccessLog.objects.filter(
        user=officer, object_type="case", path=reverse("screenings:intake-draft", args=[draft.pk])
    )
    assert shown.exists() and all(row.object_ids == [str(open_case.pk)] for row in shown)
    assert 'name="open_case_reason-0"' in review_step
    assert refused.status_code == 400
    assert 'id="open-case-reason-0-error"' in page_text(refused)
    assert created.status_code == 302
    draft.refresh_from_db()
    new_case = draft.encounter.cases.get()
    assert new_case.alien == open_case.alien
    assert "Re-encountered after release" in new_case.history.get().history_change_reason


def test_pages_speak_plainly_without_developer_words():
    """No file names, no talk of the project's steps, in what officers read."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates" / "screenings"
    for path in templates.glob("*.html"):
        text = path.read_text()
        for word in ("RULES.md", "STYLE.md", "metrics step", "step 2", "step 3", "TODO"):
            assert word not in text, f"{path.name}: {word}"


def test_the_queue_is_oldest_first_across_time_zones_with_each_time_in_its_zone(client_for, officer):
    """The queue orders by the instant, not by the local clock: El Paso's 03:00 MST (10:00 UTC) came before
    San Ysidro's 02:30 PST (10:30 UTC)."""
    el_paso_officer = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    supervisor = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe", "elp-poe"])
    el_paso = intake_create(
        actor=el_paso_officer,
        location=location("elp-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=3),
        members=[family_member("head", "Marta", "Quiroga Luna", dt.date(1979, 8, 8), country="SV")],
    )
    screen_all(el_paso_officer, el_paso)
    first = family_submit_for_review(actor=el_paso_officer, encounter_id=el_paso.pk)
    second, _ = submitted_family(officer)
    AmenabilityReview.objects.filter(pk=first.pk).update(
        submitted_at=dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
    )
    AmenabilityReview.objects.filter(pk=second.pk).update(
        submitted_at=dt.datetime(2026, 1, 15, 10, 30, tzinfo=dt.UTC)
    )

    text = page_text(client_for(supervisor).get(reverse("screenings:review-queue")))

    rows = text.split('data-testid="review-row"')[1:]
    assert len(rows) == 2
    assert reverse("screenings:review", args=[first.pk]) + '"' in rows[0]  # El Paso, 10:00 UTC
    assert reverse("screenings:review", args=[second.pk]) + '"' in rows[1]  # San Ysidro, 10:30 UTC
    assert "2026-01-15 03:00 MST" in rows[0]
    assert "2026-01-15 02:30 PST" in rows[1]


def test_destructive_and_final_actions_ask_for_confirmation_without_inline_script(
    client_for, officer, supervisor
):
    from django.contrib.staticfiles import finders

    draft = draft_with_encounter(officer)
    client = client_for(officer)
    client.post(reverse("screenings:intake-member-save", args=[draft.pk]), MOTHER)
    review, _ = submitted_family(officer)
    encounter = another_family(officer)
    pages = {
        "draft": page_text(client.get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members")),
        "screening": page_text(client.get(reverse("screenings:family-screening", args=[encounter.pk]))),
        "review": page_text(client_for(supervisor).get(reverse("screenings:review", args=[review.pk]))),
    }

    confirms = {
        name: re.findall(r'<form [^>]*action="([^"]+)"[^>]*data-confirm="[^"]+"', page)
        for name, page in pages.items()
    }
    assert reverse("screenings:intake-member-remove", args=[draft.pk, 0]) in confirms["draft"]
    assert reverse("screenings:intake-abandon", args=[draft.pk]) in confirms["draft"]
    assert reverse("screenings:family-submit", args=[encounter.pk]) in confirms["screening"]
    assert reverse("screenings:review-decide", args=[review.pk]) in confirms["review"]
    assert reverse("screenings:review-return", args=[review.pk]) in confirms["review"]
    for name, page in pages.items():
        assert '<script src="/static/js/confirm-and-focus.js"></script>' in page, name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), name  # no inline script
        assert not re.search(r"\son[a-z]+=", page), name  # no inline event handlers
    script = open(finders.find("js/confirm-and-focus.js")).read()
    assert "data-confirm" in script and "window.confirm" in script and ".focus()" in script


def test_n2_the_duplicate_check_says_as_the_officer_types_that_an_a_number_is_someone_elses(
    client_for, officer
):
    AlienFactory(
        a_number="A123456789",
        family_name="Castillo Ruiz",
        given_names="Rosa",
        date_of_birth=dt.date(1985, 4, 9),
    )
    client = client_for(officer)
    url = reverse("screenings:intake-duplicates")
    typed = {"a_number": "123-456-789", "given_names": "Rosa", "date_of_birth": "1985-04-09"}

    someone_else = page_text(
        client.post(url, {**typed, "family_name": "Reyes Mejía"}, HTTP_HX_REQUEST="true")
    )
    the_same = page_text(client.post(url, {**typed, "family_name": "Castillo Ruíz"}, HTTP_HX_REQUEST="true"))

    assert '<span class="mpp-code">(N2 · a_number_conflict)</span>' in someone_else
    assert "link the member to that person if it is them, or correct the A-number" in someone_else
    assert "a_number_conflict" not in the_same
    assert (
        "With the same name and date of birth, “Create cases” links this member to that person." in the_same
    )


def test_a_nul_byte_typed_into_the_duplicate_check_is_a_normal_answer_not_a_server_error(client_for, officer):
    AlienFactory(family_name="Hernandez Lopez", given_names="Maria Jose", date_of_birth=dt.date(1991, 2, 3))
    client = client_for(officer)

    response = client.post(
        reverse("screenings:intake-duplicates"),
        {
            "family_name": "Hernández\x00 López",
            "given_names": "María\x00",
            "date_of_birth": "1991-02-03\x00",
            "a_number": "A12\x003456789",
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
