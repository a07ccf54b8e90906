"""CTDC-style records and their k-anonymisation.

The Counter Trafficking Data Collaborative publishes victim data only when
every combination of values in the file occurs at least k times (k = 11).
We do the same in two steps over the whole population being exported:

1. generalise: age bands that are rarer than k become "0--17"/"18+",
   citizenships rarer than k become their UN region ("Asia"), and regions
   still rarer than k become "Other"; recruiter relationships rarer
   than k become "Other", and a means-of-control or exploitation flag set on
   fewer than k records is folded into its group's Other flag;
2. suppress: records whose full combination of values is still shared by
   fewer than k records are left out.

After step 2 every published combination occurs at least k times, whatever
step 1 did; step 1 only keeps more records. Both counts are reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from referrals.choices import AgeBand, ExploitationType, MethodOfControl, Sex, TraffickerRelationship
from standards.regions import region_of

UNKNOWN = "Unknown"
OTHER = "Other"

GENDERS = {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.OTHER: OTHER, Sex.UNKNOWN: UNKNOWN}
AGE_BANDS = {
    AgeBand.CHILD: "0--17",
    AgeBand.YOUNG_ADULT: "18--24",
    AgeBand.ADULT: "25--34",
    AgeBand.MIDDLE: "35--49",
    AgeBand.OLDER: "50+",
    AgeBand.UNKNOWN: UNKNOWN,
}
ADULT_BANDS = {"18--24", "25--34", "35--49", "50+"}
RECRUITER_RELATIONSHIPS = {
    TraffickerRelationship.FAMILIAL: "Family/Relative",
    TraffickerRelationship.ACQUAINTED: "Friend/Acquaintance",
    TraffickerRelationship.UNACQUAINTED: "Stranger",
}

# CTDC's exploitation flags and the types each covers.
EXPLOITATION_FLAGS = {
    "isForcedLabour": {ExploitationType.FORCED_LABOUR},
    "isSexualExploit": {ExploitationType.SEXUAL_EXPLOITATION},
    "isForcedMarriage": {ExploitationType.FORCED_MARRIAGE},
    "isOrganRemoval": {ExploitationType.ORGAN_REMOVAL},
    "isSlaveryAndPractices": {ExploitationType.DOMESTIC_SERVITUDE},
    "isOtherExploit": {
        ExploitationType.FORCED_BEGGING,
        ExploitationType.FORCED_CRIMINALITY,
        ExploitationType.CHILD_EXPLOITATION,
        ExploitationType.OTHER,
    },
}
C = MethodOfControl
CONTROL_FLAGS = {
    "meansOfControlDebtBondage": {C.DEBT_BONDAGE},
    "meansOfControlTakesEarnings": {C.TAKES_EARNINGS},
    "meansOfControlRestrictsFinancialAccess": {C.RESTRICTS_FINANCIAL_ACCESS},
    "meansOfControlThreats": {C.PHYSICAL_THREATS, C.THREATENS_FAMILY},
    "meansOfControlPsychologicalAbuse": {C.PSYCHOLOGICAL_ABUSE},
    "meansOfControlPhysicalAbuse": {C.PHYSICAL_ABUSE},
    "meansOfControlSexualAbuse": {C.SEXUAL_ABUSE},
    "meansOfControlFalsePromises": {C.FALSE_PROMISES},
    "meansOfControlPsychoactiveSubstances": {C.PSYCHOACTIVE_SUBSTANCE},
    "meansOfControlRestrictsMedicalCare": {C.RESTRICTS_MEDICAL_CARE},
    "meansOfControlExcessiveWorkingHours": {C.EXCESSIVE_WORKING_HOURS},
    "meansOfControlThreatOfLawEnforcement": {C.THREATS_LAW_ENFORCEMENT},
    "meansOfControlWithholdsNecessities": {C.WITHHOLDS_NECESSITIES},
    "meansOfControlWithholdsDocuments": {C.WITHHOLDS_DOCUMENTS},
    "meansOfControlOther": {C.OTHER},
}
CONTROL_NOT_SPECIFIED = "meansOfControlNotSpecified"

COLUMNS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    *EXPLOITATION_FLAGS,
    *CONTROL_FLAGS,
    CONTROL_NOT_SPECIFIED,
    "RecruiterRelationship",
    "CountryOfExploitation",
]
# Flag columns folded into their group's Other column when rare.
FLAG_GROUPS = [(list(EXPLOITATION_FLAGS), "isOtherExploit"), (list(CONTROL_FLAGS), "meansOfControlOther")]


@dataclass(frozen=True)
class CaseFacts:
    """What the CTDC export reads of one case: plain, coded values only."""

    year: int
    sex: str
    age_band: str
    citizenship: str
    exploitation_types: tuple[str, ...]
    methods_of_control: tuple[str, ...]
    relationship_to_trafficker: str


@dataclass
class Anonymised:
    rows: list[dict]
    suppressed: int
    generalised: int
    k: int


def majority_status(age_broad: str) -> str:
    if age_broad == "0--17":
        return "Minor"
    if age_broad in ADULT_BANDS or age_broad == "18+":
        return "Adult"
    return UNKNOWN


def ctdc_row(facts: CaseFacts, *, country: str) -> dict:
    age = AGE_BANDS.get(facts.age_band, UNKNOWN)
    row = {
        "yearOfRegistration": facts.year,
        "gender": GENDERS.get(facts.sex, UNKNOWN),
        "ageBroad": age,
        "majorityStatus": majority_status(age),
        "citizenship": facts.citizenship or UNKNOWN,
    }
    types = set(facts.exploitation_types)
    row.update({flag: int(bool(types & covered)) for flag, covered in EXPLOITATION_FLAGS.items()})
    controls = set(facts.methods_of_control)
    row.update({flag: int(bool(controls & covered)) for flag, covered in CONTROL_FLAGS.items()})
    row[CONTROL_NOT_SPECIFIED] = int(not controls)
    row["RecruiterRelationship"] = RECRUITER_RELATIONSHIPS.get(facts.relationship_to_trafficker, UNKNOWN)
    row["CountryOfExploitation"] = country
    return row


def _generalise_values(rows: list[dict], column: str, coarser, k: int, changed: set[int]) -> None:
    """Replace values shared by fewer than k rows by `coarser(value)`."""
    counts = Counter(row[column] for row in rows)
    for index, row in enumerate(rows):
        value = row[column]
        if counts[value] < k and coarser(value) != value:
            row[column] = coarser(value)
            changed.add(index)


def _coarser_age(value: str) -> str:
    if value in ADULT_BANDS:
        return "18+"
    return value


def _other(value: str) -> str:
    return value if value == UNKNOWN else OTHER


def _region(code: str) -> str:
    return region_of(code) or _other(code)


def _fold_rare_flags(rows: list[dict], k: int, changed: set[int]) -> None:
    for flags, other in FLAG_GROUPS:
        for flag in flags:
            if flag == other:
                continue
            set_on = [i for i, row in enumerate(rows) if row[flag]]
            if 0 < len(set_on) < k:
                for index in set_on:
                    rows[index][flag] = 0
                    rows[index][other] = 1
                    changed.add(index)


def k_anonymise(rows: list[dict], *, k: int) -> Anonymised:
    """Generalise, then suppress, so every combination of the COLUMNS values
    in the result occurs at least k times."""
    rows = [dict(row) for row in rows]
    changed: set[int] = set()
    _generalise_values(rows, "ageBroad", _coarser_age, k, changed)
    for row in rows:
        row["majorityStatus"] = majority_status(row["ageBroad"])
    _generalise_values(rows, "citizenship", _region, k, changed)
    _generalise_values(rows, "citizenship", _other, k, changed)
    _generalise_values(rows, "RecruiterRelationship", _other, k, changed)
    _fold_rare_flags(rows, k, changed)
    combination = [tuple(row[c] for c in COLUMNS) for row in rows]
    counts = Counter(combination)
    kept = [i for i, key in enumerate(combination) if counts[key] >= k]
    return Anonymised(
        rows=[rows[i] for i in kept],
        suppressed=len(rows) - len(kept),
        generalised=len(changed & set(kept)),
        k=k,
    )
