"""Agreement rules: entry, verification, status, audit (entry), tallies (tally), scans (uploads)."""

from .entry import (
    AgreementData,
    AgreementError,
    DuplicateSuspected,
    PartyData,
    StaleEdit,
    attach_scan,
    cancel_agreement,
    create_agreement,
    find_duplicates,
    prefill_from_meeting,
    reject_agreement,
    set_status,
    snapshot,
    update_agreement,
    verify_agreement,
    visible_agreements,
)
from .parties import (
    NewOrganization,
    NotAllowed,
    OrganizationClash,
    PartyError,
    add_organization,
    check_parties,
    confirm_organization,
    default_role,
    may_edit_agreement,
    may_use,
    member_org_ids,
    merge_organization,
    party_choices,
    search_parties,
    submitter_org,
    unverified_organizations,
)
from .tally import business_with_distributors, ceremony_counts, dashboard, public_counts, tally, tally_agreements
from .uploads import InvalidScan, check_scan

__all__ = [
    "AgreementData", "AgreementError", "DuplicateSuspected", "InvalidScan", "NewOrganization", "NotAllowed",
    "OrganizationClash", "PartyData", "PartyError", "StaleEdit", "add_organization", "check_parties",
    "confirm_organization", "default_role", "may_edit_agreement", "may_use", "merge_organization", "party_choices",
    "search_parties", "submitter_org", "unverified_organizations",
    "attach_scan", "business_with_distributors", "cancel_agreement", "ceremony_counts", "check_scan",
    "create_agreement",
    "dashboard", "find_duplicates", "member_org_ids", "prefill_from_meeting", "public_counts", "reject_agreement",
    "set_status", "snapshot", "tally", "tally_agreements", "update_agreement", "verify_agreement",
    "visible_agreements",
]
