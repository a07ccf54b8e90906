"""The columns a referral spreadsheet may have, and one row as a referral.

Two layouts are recognised by their header row: the HTCDS Excel template
(field names such as prs_FirstName on the first row, labels on the second)
and this project's own template (our field names). Values in HTCDS columns
are HTCDS value names; in ours, our codes (coded assessment fields use HTCDS
value names in both).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.utils.translation import gettext as _

from referrals.choices import (
    DocumentType,
    ExploitationType,
    MethodOfControl,
    RecruitmentMethod,
    Sex,
    StatusDecisionMaker,
    SupportType,
    TraffickerRelationship,
    TraffickingStatus,
)
from standards.intake import cells
from standards.intake.files import Cell, SheetRefused


def _same(choices_class) -> dict[str, str]:
    return {value: value for value in choices_class.values}


HTCDS_GENDERS = {
    "Feminine": Sex.FEMALE,
    "Masculine": Sex.MALE,
    "TransgenderFeminine": Sex.OTHER,
    "TransgenderMasculine": Sex.OTHER,
    "NonConforming": Sex.OTHER,
    "NonSpecifiedUnknown": Sex.UNKNOWN,
}
HTCDS_EXPLOITATION = {
    "ForcedLabour": ExploitationType.FORCED_LABOUR,
    "SexualExploitation": ExploitationType.SEXUAL_EXPLOITATION,
    "ChildLabour": ExploitationType.CHILD_EXPLOITATION,
    "ForcedMarriage": ExploitationType.FORCED_MARRIAGE,
    "Servitude": ExploitationType.DOMESTIC_SERVITUDE,
    "ForcedMilitaryByNonStateActors": ExploitationType.OTHER,
    "OrganRemoval": ExploitationType.ORGAN_REMOVAL,
    "ForcedBegging": ExploitationType.FORCED_BEGGING,
    "ForcedAdoption": ExploitationType.OTHER,
    "Surrogacy": ExploitationType.OTHER,
    "Other": ExploitationType.OTHER,
}
CODED = {
    "trafficking_status": partial(cells.choice, accepted=_same(TraffickingStatus)),
    "status_decided_by": partial(cells.choice, accepted=_same(StatusDecisionMaker)),
    "methods_of_control": partial(cells.choices, accepted=_same(MethodOfControl)),
    "recruitment_methods": partial(cells.choices, accepted=_same(RecruitmentMethod)),
    "relationship_to_trafficker": partial(cells.choice, accepted=_same(TraffickerRelationship)),
    "age_when_trafficked": cells.integer,
    "support_types": partial(cells.choices, accepted=_same(SupportType)),
}

# header -> (our field, parser)
Parser = Callable[[object], object]
HTCDS_COLUMNS: dict[str, tuple[str, Parser]] = {
    "prs_FirstName": ("first_name", cells.text),
    "prs_MiddleName": ("middle_name", cells.text),
    "prs_SecondName": ("second_name", cells.text),
    "prs_Birthdate": ("date_of_birth", cells.date),
    "prs_Gender": ("sex", partial(cells.choice, accepted=HTCDS_GENDERS)),
    "prs_Citizenship": ("citizenship", cells.countries),
    "prs_IdentityNumber": ("document_number", cells.text),
    "prs_MobilePhone": ("phone", cells.text),
    "prs_HomePhone": ("home_phone", cells.text),
    "prs_MailingStreet": ("address_street", cells.text),
    "prs_MailingCity": ("address_city", cells.text),
    "prs_MailingState": ("address_state", cells.text),
    "prs_MailingPostalCode": ("address_postcode", cells.text),
    "prs_MailingCountry": ("address_country", cells.text),
    "con_Consent": ("consent_given", cells.boolean),
    "cas_ReferringOrganisation": ("referring_agency", cells.text),
    "cas_IncomingReferralDate": ("referral_date", cells.date),
    "vic_TypeOfExploitation": ("exploitation_types", partial(cells.choices, accepted=HTCDS_EXPLOITATION)),
    "vic_TraffickingStatus": ("trafficking_status", CODED["trafficking_status"]),
    "vic_TraffickingStatusDecisionMakingOrg": ("status_decided_by", CODED["status_decided_by"]),
    "vic_MethodOfRecruitment": ("recruitment_methods", CODED["recruitment_methods"]),
    "vic_MethodsOfControl": ("methods_of_control", CODED["methods_of_control"]),
    "vic_RelationshipToTrafficker": ("relationship_to_trafficker", CODED["relationship_to_trafficker"]),
    "vic_AgeWhenTrafficked": ("age_when_trafficked", CODED["age_when_trafficked"]),
    "spl_Type": ("support_types", CODED["support_types"]),
}
# The template's own misspelling of a field name.
HTCDS_ALIASES = {"vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg"}
HTCDS_FIELD = re.compile(r"^(org|prs|vic|per|cas|cco|hte|spl|con)_[A-Za-z]+$")

VAF_COLUMNS: dict[str, tuple[str, Parser]] = {
    "referring_agency": ("referring_agency", cells.text),
    "full_name": ("full_name", cells.text),
    "other_names": ("other_names", cells.text),
    "date_of_birth": ("date_of_birth", cells.date),
    "sex": ("sex", partial(cells.choice, accepted=_same(Sex))),
    "nationality": ("nationality", cells.text),
    "citizenship": ("citizenship", cells.countries),
    "document_type": ("document_type", partial(cells.choice, accepted=_same(DocumentType))),
    "document_number": ("document_number", cells.text),
    "phone": ("phone", cells.text),
    "address": ("address", cells.text),
    "region": ("region", cells.text),
    "exploitation_types": ("exploitation_types", partial(cells.choices, accepted=_same(ExploitationType))),
    "consent_given": ("consent_given", cells.boolean),
    "consent_date": ("consent_date", cells.date),
    "summary": ("summary", cells.text),
    **{name: (name, parser) for name, parser in CODED.items()},
}
VAF_REQUIRED = ("full_name", "exploitation_types", "consent_given")
HTCDS_REQUIRED = ("prs_FirstName", "vic_TypeOfExploitation", "con_Consent")


@dataclass
class Layout:
    kind: str  # "htcds" or "vaf"
    columns: dict[int, tuple[str, str, Parser]] = field(default_factory=dict)  # index -> (header, field, parser)
    ignored: list[str] = field(default_factory=list)  # HTCDS fields this system does not import
    label_keys: set[str] = field(default_factory=set)  # field names as a label row would spell them

    def header_for(self, name: str) -> str:
        """The column that would hold our field `name` (absent from this sheet)."""
        known = HTCDS_COLUMNS if self.kind == "htcds" else VAF_COLUMNS
        return next((header for header, (target, _parser) in known.items() if target == name), name)

    def skips_label_row(self, cells_: list[Cell]) -> bool:
        """The HTCDS template's second row holds the fields' labels ("First
        Name" under prs_FirstName), not a case: most of its values spell
        field names of the sheet."""
        values = [_label_key(c.value) for c in cells_ if isinstance(c.value, str) and c.value.strip()]
        return self.kind == "htcds" and bool(values) and sum(v in self.label_keys for v in values) * 2 >= len(values)


def _label_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.split("_", 1)[-1].casefold())


def layout_of(header: list[Cell]) -> Layout:
    names = [(i, c.value.strip()) for i, c in enumerate(header) if isinstance(c.value, str) and c.value.strip()]
    if not names:
        raise SheetRefused(_("The first row must name the columns; download a template from this page."))
    is_htcds = any(HTCDS_FIELD.match(name) for _i, name in names)
    known = HTCDS_COLUMNS if is_htcds else VAF_COLUMNS
    layout = Layout(kind="htcds" if is_htcds else "vaf", label_keys={_label_key(name) for _i, name in names})
    unknown, seen = [], set()
    for index, name in names:
        canonical = HTCDS_ALIASES.get(name, name) if is_htcds else name
        if canonical in seen:
            raise SheetRefused(_("The column %(name)s appears twice.") % {"name": canonical})
        seen.add(canonical)
        if canonical in known:
            layout.columns[index] = (canonical, *known[canonical])
        elif is_htcds and HTCDS_FIELD.match(canonical):
            layout.ignored.append(canonical)
        else:
            unknown.append(f"{header[index].ref} ({name[:40]})")
    if unknown:
        raise SheetRefused(
            _("Unknown columns: %(cols)s. Accepted columns: %(accepted)s.")
            % {"cols": "; ".join(unknown), "accepted": ", ".join(known)}
        )
    missing = [n for n in (HTCDS_REQUIRED if is_htcds else VAF_REQUIRED) if n not in seen]
    if missing:
        raise SheetRefused(_("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)})
    return layout
