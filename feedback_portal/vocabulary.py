"""The words the portal uses for states, reactions and reasons: one home, read by pages, emails,
figures and exports alike, so that a label changed here changes everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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

# Where a consultation stands, as staff see it (services.consultations.Stage), and its tag colour.
CONSULTATION_STAGE_LABELS = MappingProxyType(
    {"draft": "Draft", "scheduled": "Scheduled", "open": "Open", "closed": "Closed"}
)
CONSULTATION_STAGE_COLOURS = MappingProxyType(
    {"draft": "grey", "scheduled": "blue", "open": "green", "closed": "orange"}
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
        "consultation.create": "Made a consultation, in draft",
        "consultation.schedule": "Scheduled a consultation",
        "consultation.extend": "Extended a consultation",
        "consultation.close_early": "Closed a consultation early",
        "consultation.reopen": "Reopened a consultation",
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

# The "About you" questions asked after a comment or an offer (equality monitoring), with the
# answers each offers, as the form, the figures page and the totals file word them. The
# answers follow the 2021 census for England and Wales, at its top level.
PREFER_NOT_TO_SAY = "prefer-not-to-say"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"


@dataclass(frozen=True)
class EqualityQuestion:
    key: str
    question: str
    # Answer code -> words; "Prefer not to say" is added to every question.
    answers: Mapping[str, str]
    hint: str = ""

    @property
    def choices(self) -> Mapping[str, str]:
        return MappingProxyType({**self.answers, PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_LABEL})


EQUALITY_QUESTIONS: tuple[EqualityQuestion, ...] = (
    EqualityQuestion(
        "age_band",
        "What is your age?",
        MappingProxyType(
            {
                "under-18": "Under 18",
                "18-24": "18 to 24",
                "25-34": "25 to 34",
                "35-44": "35 to 44",
                "45-54": "45 to 54",
                "55-64": "55 to 64",
                "65-74": "65 to 74",
                "75-and-over": "75 or over",
            }
        ),
    ),
    EqualityQuestion(
        "disability",
        "Are your day-to-day activities limited because of a health problem or disability?",
        MappingProxyType(
            {"yes-a-lot": "Yes, limited a lot", "yes-a-little": "Yes, limited a little", "no": "No"}
        ),
        hint="Include problems related to old age. Count a health problem or disability that has lasted, "
        "or is expected to last, at least 12 months.",
    ),
    EqualityQuestion(
        "ethnicity",
        "What is your ethnic group?",
        MappingProxyType(
            {
                "asian": "Asian, Asian British or Asian Welsh",
                "black": "Black, Black British, Black Welsh, Caribbean or African",
                "mixed": "Mixed or multiple ethnic groups",
                "white": "White",
                "other": "Another ethnic group",
            }
        ),
    ),
    EqualityQuestion(
        "sex",
        "What is your sex?",
        MappingProxyType({"female": "Female", "male": "Male"}),
    ),
    EqualityQuestion(
        "gender_identity",
        "Is the gender you identify with the same as your sex registered at birth?",
        MappingProxyType({"yes": "Yes", "no": "No"}),
    ),
    EqualityQuestion(
        "religion",
        "What is your religion?",
        MappingProxyType(
            {
                "none": "No religion",
                "christian": "Christian",
                "buddhist": "Buddhist",
                "hindu": "Hindu",
                "jewish": "Jewish",
                "muslim": "Muslim",
                "sikh": "Sikh",
                "other": "Another religion",
            }
        ),
    ),
    EqualityQuestion(
        "sexual_orientation",
        "Which of the following best describes your sexual orientation?",
        MappingProxyType(
            {
                "straight": "Straight or heterosexual",
                "gay-or-lesbian": "Gay or lesbian",
                "bisexual": "Bisexual",
                "other": "Another sexual orientation",
            }
        ),
    ),
    EqualityQuestion(
        "carer",
        "Do you look after, or give any help or support to, anyone because of a long-term health "
        "condition, disability or problems related to old age?",
        MappingProxyType({"yes": "Yes", "no": "No"}),
        hint="Do not count anything you do as part of a paid job.",
    ),
)
EQUALITY_QUESTIONS_BY_KEY = MappingProxyType({question.key: question for question in EQUALITY_QUESTIONS})
AREA_QUESTION = "Your ward or postcode district (optional)"
AREA_HINT = "For example, Headingley or LS6. Only the first part of your postcode, not all of it."
# How the totals name the areas that are each given by fewer than 5 people, counted together.
OTHER_AREAS_LABEL = "Other areas, each given by fewer than 5 people"
FEWER_THAN_5 = "fewer than 5"
