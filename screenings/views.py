# Pages of the intake and review workflow: being built (see the step 2 issue); routes exist so services
# can link to them.
from django.http import Http404


def _not_yet(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404("This page is being built.")


intake_list = intake_draft = family_screening = review_queue = review_detail = _not_yet
