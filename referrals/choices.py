from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    IN_ASSESSMENT = "in_assessment", _("In assessment")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExploitationType(models.TextChoices):
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    CHILD_EXPLOITATION = "child_exploitation", _("Child exploitation")
    OTHER = "other", _("Other")


class AssistanceCategory(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL = "legal", _("Legal aid")
    REPATRIATION = "repatriation", _("Repatriation")
    LIVING_ALLOWANCE = "living_allowance", _("Living allowance")
    EDUCATION_TRAINING = "education_training", _("Education and training")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    OTHER = "other", _("Other")
    NONE = "none", _("None")


class AgeBand(models.TextChoices):
    CHILD = "0-17", _("Under 18")
    YOUNG_ADULT = "18-24", _("18 to 24")
    ADULT = "25-34", _("25 to 34")
    MIDDLE = "35-49", _("35 to 49")
    OLDER = "50+", _("50 and over")
    UNKNOWN = "unknown", _("Unknown")


class IntakeChannel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
