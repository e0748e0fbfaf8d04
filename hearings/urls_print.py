"""Print staff's pages (the queue and its batches) and the documents as PDF (``hearings.print_views``)."""

from django.urls import URLPattern, path

from hearings import print_views

urlpatterns: list[URLPattern] = [
    path("print/", print_views.print_queue, name="print-queue"),
    path("print/batches/", print_views.print_batch_create, name="print-batch-create"),
    path("print/batches/<int:batch_id>/", print_views.print_batch, name="print-batch"),
    path("print/batches/<int:batch_id>/pdf/", print_views.print_batch_pdf, name="print-batch-pdf"),
    path(
        "print/batches/<int:batch_id>/printed/", print_views.print_batch_printed, name="print-batch-printed"
    ),
    path("sheets/<int:sheet_id>/pdf/", print_views.tear_sheet_pdf_view, name="tear-sheet-pdf"),
    path("families/<int:encounter_id>/nta.pdf", print_views.nta_record_pdf_view, name="nta-pdf"),
]
