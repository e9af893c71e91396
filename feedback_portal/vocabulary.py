"""The words the portal uses for states, reactions and reasons: one home, read by pages, emails,
figures and exports alike, so that a label changed here changes everywhere."""

from __future__ import annotations

from types import MappingProxyType

from feedback_portal.models.feedback import Channel, CommentState, InvolvementStatus, OfferSource, Reaction
from feedback_portal.models.summaries import ActionStatus, SummaryState

# What staff call each state of a comment.
STATE_LABELS = MappingProxyType(
    {
        CommentState.PENDING: "Pending",
        CommentState.PUBLISHED: "Published",
        CommentState.REJECTED: "Rejected",
        CommentState.SPAM: "Spam",
        CommentState.HIDDEN: "Hidden",
        CommentState.WITHDRAWN: "Withdrawn",
    }
)

REACTION_QUESTION = "Does this make sense to you?"
REACTION_LABELS = MappingProxyType(
    {
        Reaction.YES: "Yes",
        Reaction.PARTLY: "Partly",
        Reaction.NO: "No",
    }
)

# How a comment reached the council, as staff, figures and exports name it.
CHANNEL_LABELS = MappingProxyType(
    {
        Channel.ONLINE: "Online",
        Channel.PAPER: "On paper",
        Channel.EMAIL: "By email",
        Channel.PHONE: "By phone",
        Channel.EVENT: "At an event",
    }
)

# Where the team is with someone who offered to get involved, as staff and exports name it.
INVOLVEMENT_STATUS_LABELS = MappingProxyType(
    {
        InvolvementStatus.NEW: "New",
        InvolvementStatus.CONTACTED: "Contacted",
        InvolvementStatus.INVOLVED: "Involved",
        InvolvementStatus.NOT_NOW: "Not now",
        InvolvementStatus.WITHDRAWN: "Withdrawn",
    }
)

# Which form an offer came from.
OFFER_SOURCE_LABELS = MappingProxyType(
    {
        OfferSource.FORM: "Get involved form",
        OfferSource.COMMENT: "Comment form",
    }
)

# Why a moderator rejected a comment, as staff choose it.
REJECTION_REASONS = MappingProxyType(
    {
        "personal-information": "It contains personal information",
        "abusive": "It is abusive or offensive",
        "off-topic": "It is not about the document",
        "spam": "It is spam or advertising",
        "duplicate": "It repeats another comment",
        "other": "Another reason",
    }
)

# The same reasons, as the person who wrote the comment reads them in an email.
REJECTION_REASONS_IN_PLAIN_WORDS = MappingProxyType(
    {
        "personal-information": "it included personal information about someone",
        "abusive": "it was abusive or offensive",
        "off-topic": "it was not about the definition",
        "spam": "it looked like advertising or spam",
        "duplicate": "it repeated a comment we already have",
        "other": "it did not follow our rules for comments",
    }
)

# Why a member of the public reported a published comment.
REPORT_REASONS = MappingProxyType(
    {
        "personal-information": "It contains someone’s personal information",
        "abusive": "It is abusive or offensive",
        "spam": "It is spam or advertising",
        "off-topic": "It is not about this document",
        "other": "Something else",
    }
)

# Where a "You said, we did" summary stands, as staff see it.
SUMMARY_STATE_LABELS = MappingProxyType(
    {
        SummaryState.DRAFT: "Draft",
        SummaryState.PUBLISHED: "Published",
        SummaryState.WITHDRAWN: "Withdrawn",
    }
)

# What became of one thing people said, as staff choose it and the public read it.
ACTION_STATUS_LABELS = MappingProxyType(
    {
        ActionStatus.CHANGED: "Changed",
        ActionStatus.WILL_CHANGE: "Will change",
        ActionStatus.NOT_CHANGING: "Considered and not changing",
        ActionStatus.CONSIDERING: "Still considering",
    }
)
# The actions the outcome page lists under "What changed".
CHANGING_STATUSES = frozenset({ActionStatus.CHANGED, ActionStatus.WILL_CHANGE})

# Where a comment stands, as its author reads it on the page for their comment. Spam and
# rejected read alike: the author is never told what a filter or a moderator thought of them.
STATES_FOR_AUTHOR = MappingProxyType(
    {
        CommentState.PENDING: "Waiting to be read",
        CommentState.PUBLISHED: "Published",
        CommentState.REJECTED: "Not published",
        CommentState.SPAM: "Not published",
        CommentState.HIDDEN: "Taken down",
        CommentState.WITHDRAWN: "Withdrawn",
    }
)

assert set(REJECTION_REASONS) == set(REJECTION_REASONS_IN_PLAIN_WORDS)
assert set(STATES_FOR_AUTHOR) == set(CommentState)
assert set(STATE_LABELS) == set(CommentState)
assert set(REACTION_LABELS) == set(Reaction)
assert set(CHANNEL_LABELS) == set(Channel)
assert set(INVOLVEMENT_STATUS_LABELS) == set(InvolvementStatus)
assert set(OFFER_SOURCE_LABELS) == set(OfferSource)
assert set(SUMMARY_STATE_LABELS) == set(SummaryState)
assert set(ACTION_STATUS_LABELS) == set(ActionStatus)

# What the audit log calls each action it records; an action missing here is shown by its code.
AUDIT_ACTION_LABELS = MappingProxyType(
    {
        "sign_in.success": "Signed in",
        "sign_in.failure": "Failed to sign in",
        "sign_out": "Signed out",
        "totp.enable": "Turned on two-step sign-in",
        "totp.disable": "Turned off two-step sign-in",
        "password.set": "Set a password",
        "password.change": "Changed their password",
        "password_link.create": "Made a set-password link",
        "password_link.refuse": "Refused a set-password link",
        "account.create": "Added a staff account",
        "account.enable": "Enabled a staff account",
        "account.disable": "Disabled a staff account",
        "account.role_change": "Changed a role",
        "account.email_preferences": "Changed email preferences",
        "setting.change": "Changed a setting",
        "consultation.moderation_mode": "Changed how comments are moderated",
        "comment.publish": "Published a comment",
        "comment.publish_redacted": "Published a comment with a redaction",
        "comment.reject": "Rejected a comment",
        "comment.spam": "Marked a comment as spam",
        "comment.hide": "Hid a comment",
        "comment.restore": "Restored a comment",
        "comment.note": "Added a note to a comment",
        "comment.tag": "Gave a comment a theme",
        "comment.untag": "Took a theme off a comment",
        "comment.reports_dismissed": "Dismissed reports of a comment",
        "comment.enter_on_behalf": "Entered a comment for the person who sent it",
        "comment.withdrawn_by_author": "The author withdrew their comment",
        "response.save_draft": "Saved a draft response",
        "response.publish": "Published a response",
        "response.edit": "Changed a published response",
        "response.withdraw": "Withdrew a response",
        "theme.rename": "Renamed a theme",
        "theme.describe": "Described a theme",
        "theme.merge": "Merged a theme into another",
        "theme.delete": "Deleted a theme",
        "summary.create": "Started a ‘You said, we did’ summary",
        "summary.save_draft": "Saved a draft summary",
        "summary.publish": "Published a summary",
        "document.draft_start": "Started a draft of the document",
        "document.draft_edit": "Changed the draft of the document",
        "document.correction_undo": "Undid a correction to the document’s wording",
        "document.publish": "Published a new version of the document",
        "summary.edit": "Changed a published summary",
        "summary.withdraw": "Withdrew a summary",
        "involvement.status_changed": "Changed the status of an offer to get involved",
        "involvement.follower_changed": "Changed who follows up an offer",
        "involvement.note_added": "Added a note to an offer",
        "involvement.exported": "Exported the offers to get involved",
        "involvement.contact_details_refused": "Was refused an offer's contact details",
        "involvement.withdrawn_by_person": "The person withdrew their offer",
        "involvement.option_added": "Added a choice to the get involved form",
        "involvement.option_renamed": "Reworded a choice on the get involved form",
        "involvement.option_moved": "Moved a choice on the get involved form",
        "involvement.option_hidden": "Hid a choice on the get involved form",
        "involvement.option_shown": "Showed a choice on the get involved form again",
        "privacy.found": "Looked up what is held about a person",
        "privacy.exported": "Downloaded what is held about a person",
        "privacy.erased": "Erased a person's contact details",
        "retention.run": "Anonymised data past its retention period",
        "settings.retention": "Changed the retention periods",
        "export.csv": "Exported feedback",
        "export.xlsx": "Exported feedback as a workbook",
        "export.refused": "Was refused an export",
        "audit_log.export": "Downloaded the audit log",
    }
)
