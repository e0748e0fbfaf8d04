"""The hearings app's pages: the officer's NTA, court staff's docket time, filing queue and hearing moves
(``hearings.urls_pages``), and print staff's queue and batches (``hearings.urls_print``)."""

from hearings.urls_pages import urlpatterns as page_urlpatterns
from hearings.urls_print import urlpatterns as print_urlpatterns

app_name = "hearings"

urlpatterns = [*page_urlpatterns, *print_urlpatterns]
