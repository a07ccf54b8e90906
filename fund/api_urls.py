from django.urls import path

from fund import api

urlpatterns = [
    path("disbursements/", api.DisbursementListView.as_view(), name="disbursement-list"),
    path("disbursements/<str:disbursement_id>/", api.DisbursementDetailView.as_view(), name="disbursement-detail"),
    path(
        "disbursements/<str:disbursement_id>/transitions/<str:name>/",
        api.DisbursementTransitionView.as_view(),
        name="disbursement-transition",
    ),
    path("fund/", api.FundView.as_view(), name="fund"),
    path("fund/deposits/", api.FundDepositView.as_view(), name="fund-deposits"),
    path("fund/ledger/", api.FundLedgerView.as_view(), name="fund-ledger"),
]
