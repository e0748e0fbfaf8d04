"""The hearings app's pages: the officer's NTA, court staff's docket time, filing queue and hearing moves
(``hearings.urls_pages``), print staff's queue and batches (``hearings.urls_print``), and CBP's hearing day at the port
(``hearings.urls_port``), and the observers' and press log at the hearing facilities (``hearings.urls_observers``, O1, O2)."""

from hearings.urls_observers import urlpatterns as observer_urlpatterns
from hearings.urls_pages import urlpatterns as page_urlpatterns
from hearings.urls_port import urlpatterns as port_urlpatterns
from hearings.urls_print import urlpatterns as print_urlpatterns

app_name = "hearings"

urlpatterns = [*page_urlpatterns, *print_urlpatterns, *port_urlpatterns, *observer_urlpatterns]
