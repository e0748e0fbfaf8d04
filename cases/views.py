# placeholder replaced by the browser-UI work
from django.http import HttpResponse


def home(request):  # type: ignore[no-untyped-def]
    return HttpResponse("home")


def search(request):  # type: ignore[no-untyped-def]
    return HttpResponse("search")


def case_detail_page(request, pk):  # type: ignore[no-untyped-def]
    return HttpResponse("case")


def case_transition_page(request, pk):  # type: ignore[no-untyped-def]
    return HttpResponse("t")
