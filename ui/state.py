"""Session-state keys, in one place for widgets and tests alike."""

from __future__ import annotations

from katalog.content.filters import FACETS

FILTER_TEXT = "filter.text"
FILTER_FACET = {facet.key: f"filter.{facet.key}" for facet in FACETS}
CATALOGUE_FILTER = "catalogue.filter"  # the last FilterSpec used on Katalog, for Eksport
MEMBER = "member"  # katalog.voting.members.Member of the person who opened an invite link
INVITE_FAILED = "invite.failed"
SIGN_IN = "signin.key"  # the sign-in key of this browser (its hash is in sign_ins)
COOKIE_PENDING = "signin.cookie_pending"
SIGNED_OUT = "signin.signed_out"
ROUND_FORM = "round.form"
DRAFT_FAILED = "vote.draft_failed"
NEW_LINK = "members.new_link"
USECASE = "usecase.id"
USECASE_LAST = "usecase.last"  # the use-case last shown on the Use-case page, for a return without ?id=
USECASE_URL = "usecase.url"  # the query string the Use-case page last read or wrote: a different one is a new link
USECASE_PDF = "usecase.pdf"  # (use-case, views) and the PDF made for them
EXPORT_ALL = "export.all"
EXPORT_PDF = "export.pdf"
LAST_SAVED = "vote.last_saved"
MOCK_TABLE = "mockdata.table"


def chart_param(usecase_id: str, chart_id: str, param: str) -> str:
    return f"chart.{usecase_id}.{chart_id}.{param}"


def show_table(usecase_id: str, chart_id: str) -> str:
    return f"chart.{usecase_id}.{chart_id}.table"


def vote(round_id: int, usecase_id: str, criterion: str) -> str:
    return f"vote.{round_id}.{usecase_id}.{criterion}"


def vote_reason(round_id: int, usecase_id: str) -> str:
    return f"vote.{round_id}.{usecase_id}._reason"


def vote_recused(round_id: int, usecase_id: str) -> str:
    return f"vote.{round_id}.{usecase_id}._recused"


def vote_dots(round_id: int, usecase_id: str) -> str:
    return f"vote.{round_id}.{usecase_id}._dots"
REVIEW_ERROR = "review.error"
CARDS_SHOWN = "catalogue.cards_shown"
