from django.urls import path

from fund import views

app_name = "fund"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("deposits/", views.deposit_create, name="deposit_create"),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("payments/", views.payment_queue, name="payment_queue"),
    path("payments/reveal/", views.payment_queue_reveal, name="payment_queue_reveal"),
    path("payments/batch.csv", views.batch_export, name="batch_export"),
    path("payments/statement/", views.statement_import, name="statement_import"),
    path("cases/<uuid:case_id>/", views.case_disbursements, name="case_disbursements"),
    path("cases/<uuid:case_id>/requests/", views.disbursement_create, name="disbursement_create"),
    path("disbursements/<uuid:pk>/edit/", views.disbursement_edit, name="disbursement_edit"),
    path(
        "disbursements/<uuid:pk>/transitions/<slug:name>/",
        views.disbursement_transition,
        name="disbursement_transition",
    ),
    path("disbursements/<uuid:pk>/decision/", views.disbursement_decide, name="disbursement_decide"),
]
