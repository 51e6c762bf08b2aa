"""The add-event form: WTForms renders fields and checks CSRF; schemas.py validates values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import HiddenInput

from ..integers import parse_int
from ..models import Actor, ActorKind, Candidate, Confidence, EventKind, Topic
from ..services.event_history import CONTENT
from .form_guide import LABELS, humanise_errors

csrf = CSRFProtect()
NEW_ACTOR = "__new__"


class StrictIntegerField(IntegerField):
    """An integer in ASCII digits only: WTForms' own int() reads "١" as 1."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            return
        self.data = parse_int(str(valuelist[0]).strip(), signed=True)
        if self.data is None:
            raise ValueError("Not a whole number (digits 0-9).")


def _choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


SCORES = [
    ("", "—"),
    ("2", "+2 strongly for"),
    ("1", "+1 for"),
    ("0", "0 neutral"),
    ("-1", "−1 against"),
    ("-2", "−2 strongly against"),
]
STANCE_ROWS = 3
MAX_STANCE_ROWS = 20


def init_app(app: Flask) -> None:
    # Checked in auth._protect_writes instead: Bearer-token API requests are exempt, cookies are not.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)


class LoginForm(FlaskForm):
    name = StringField("Name")
    password = PasswordField("Password")
    next = HiddenField()
    submit = SubmitField("Sign in")


class PasswordChangeForm(FlaskForm):
    # Field names are the ones accounts.check_password_change reports errors under.
    current_password = PasswordField("Current password", render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password (10 characters or more)", render_kw={"autocomplete": "new-password"}
    )
    new_password_again = PasswordField("New password, again", render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Change password")


class StanceRowForm(Form):
    topic = SelectField("Topic", validate_choice=False)
    score = SelectField("Score", choices=_choices(SCORES), validate_choice=False)
    rationale = StringField("Why this score")


class EventForm(FlaskForm):
    actor = SelectField(LABELS["actor"], validate_choice=False)
    new_actor_name = StringField("New actor: name")
    new_actor_slug = StringField("New actor: slug")
    new_actor_kind = SelectField(
        "New actor: kind", choices=_choices((k.value, k.value) for k in ActorKind), validate_choice=False
    )
    new_actor_role = StringField("New actor: role or title")
    new_actor_parent = SelectField("New actor: part of", validate_choice=False)
    kind = SelectField(
        LABELS["kind"], choices=_choices((k.value, k.value) for k in EventKind), validate_choice=False
    )
    date = StringField(LABELS["date"])
    date_basis = TextAreaField(LABELS["date_basis"])
    title = StringField(LABELS["title"])
    quote = TextAreaField(LABELS["quote"])
    summary = TextAreaField(LABELS["summary"])
    location = StringField(LABELS["location"])
    speaker_role = StringField(LABELS["speaker_role"])
    source_title = StringField(LABELS["source.title"])
    source_url = StringField(LABELS["source.url"])
    source_publisher = StringField(LABELS["source.publisher"])
    source_author = StringField(LABELS["source.author"])
    source_published = StringField(LABELS["source.published"])
    source_archive_url = StringField(LABELS["source.archive_url"])
    confidence = SelectField(
        LABELS["confidence"],
        choices=_choices((c.value, c.value) for c in Confidence),
        default=Confidence.medium.value,
        validate_choice=False,
    )
    stances = FieldList(FormField(StanceRowForm), min_entries=STANCE_ROWS, max_entries=MAX_STANCE_ROWS)
    version = StrictIntegerField(widget=HiddenInput())  # optimistic locking on edit
    candidate = HiddenField()  # the review-queue item this event comes from
    # An accepted extraction candidate: where the extractor found the quote, in the text of this digest.
    quote_start = HiddenField()
    quote_end = HiddenField()
    source_sha256 = HiddenField()
    # Evidence first: set by the confirmation step (checkbox or its own button) to save without evidence.
    confirm_unsourced = BooleanField("Yes, save this statement without evidence")
    save_unsourced = SubmitField("Save without evidence")
    add_row = SubmitField("Add a stance row")
    save = SubmitField("Save event")

    def set_choices(self, actors: Sequence[Actor], topics: Sequence[Topic]) -> None:
        """Fill the select boxes from the database."""
        actor_choices = [(a.slug, f"{a.name} ({a.slug})") for a in actors]
        self.actor.choices = _choices([("", "— choose —"), *actor_choices, (NEW_ACTOR, "New actor…")])
        self.new_actor_parent.choices = _choices([("", "— none —"), *actor_choices])
        topic_choices = _choices([("", "— topic —"), *((t.slug, t.name) for t in topics)])
        for row in self.stances:
            row.form.topic.choices = topic_choices

    def prefill_from_candidate(self, candidate: Candidate) -> None:
        """Start an event from a feed item: its title, link, date and publisher."""
        self.candidate.data = str(candidate.id)
        self.title.data = candidate.title
        self.source_title.data = candidate.title
        self.source_url.data = candidate.link
        self.source_publisher.data = candidate.publisher
        self.source_published.data = candidate.published
        self.date.data = candidate.published
        self.summary.data = candidate.summary

    def new_actor_payload(self) -> dict[str, Any] | None:
        """The inline actor to create, when the user chose "New actor…"."""
        if self.actor.data != NEW_ACTOR:
            return None
        return {
            "slug": self.new_actor_slug.data or "",
            "name": self.new_actor_name.data or "",
            "kind": self.new_actor_kind.data,
            "role": self.new_actor_role.data,
            "parent": self.new_actor_parent.data or None,
        }

    def event_payload(self) -> tuple[dict[str, Any], list[int]]:
        """The event as schema input, and which form row each stance came from."""
        stances, rows = [], []
        for i, row in enumerate(self.stances):
            topic, score = row.form.topic.data, row.form.score.data
            if not topic and not score and not row.form.rationale.data:
                continue
            stances.append(
                {"topic": topic or "", "score": _int_or_text(score), "rationale": row.form.rationale.data}
            )
            rows.append(i)
        payload = {
            "actor": self.actor.data or "",
            "kind": self.kind.data,
            "title": self.title.data or "",
            "date": self.date.data or "",
            "date_basis": self.date_basis.data,
            "quote": self.quote.data,
            "summary": self.summary.data,
            "location": self.location.data,
            "speaker_role": self.speaker_role.data,
            "source": {
                "title": self.source_title.data,
                "url": self.source_url.data,
                "publisher": self.source_publisher.data,
                "author": self.source_author.data,
                "published": self.source_published.data,
                "archive_url": self.source_archive_url.data,
            },
            "confidence": self.confidence.data,
            "stances": stances,
        }
        return payload, rows

    def unsourced_confirmed(self) -> bool:
        """Whether the editor confirmed saving without a source or quote (checkbox or its button)."""
        return bool(self.confirm_unsourced.data or self.save_unsourced.data)

    def show_errors(self, fields: dict[str, str], stance_rows: list[int]) -> None:
        """Put each service error message next to the form field it belongs to."""
        for path, message in fields.items():
            parts = path.split(".")
            if parts[0] == "stances" and len(parts) >= 3 and parts[1].isdigit():
                index = int(parts[1])
                row = self.stances[stance_rows[index]] if index < len(stance_rows) else self.stances[0]
                _add_error(getattr(row.form, parts[2], row.form.topic), message)
            elif parts[0] == "stances":
                _add_error(self.stances[0].form.topic, message)
            elif parts[0] == "source" and len(parts) > 1:
                _add_error(getattr(self, f"source_{parts[1]}", self.source_url), message)
            elif parts[0] == "new_actor" and len(parts) > 1:
                _add_error(getattr(self, f"new_actor_{parts[1]}", self.new_actor_name), message)
            else:
                _add_error(getattr(self, parts[0], self.title), message)
        humanise_errors(self)


def _add_error(field: Any, message: str) -> None:
    field.errors = [*list(field.errors or []), message]


def _int_or_text(value: str | None) -> int | str:
    """A score as a number when it is one in ASCII digits; otherwise the text, for the schema to refuse."""
    number = parse_int((value or "").strip(), signed=True)
    return value or "" if number is None else number


def event_form_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    """An event's record (the export shape) as the form's flat fields."""
    source = snapshot.get("source") or {}
    stances = [
        {"topic": s["topic"], "score": str(s["score"]), "rationale": s.get("rationale") or ""}
        for s in snapshot.get("stances", [])
    ]
    stances += [{"topic": "", "score": "", "rationale": ""}] * max(1, STANCE_ROWS - len(stances))
    fields = [k for k in CONTENT if k not in ("source", "stances")]  # those two are spread below
    data = {k: snapshot.get(k) for k in (*fields, "version")}
    keys = ("title", "url", "publisher", "author", "published", "archive_url")
    data.update({f"source_{k}": source.get(k) for k in keys})
    data["stances"] = stances
    return data


class _SimpleForm(FlaskForm):
    def show_errors(self, fields: dict[str, str]) -> None:
        for path, message in fields.items():
            _add_error(getattr(self, path.split(".")[0], None) or self.slug, message)
        humanise_errors(self)


class ActorForm(_SimpleForm):
    slug = StringField("Slug")
    name = StringField("Name")
    kind = SelectField("Kind", choices=_choices((k.value, k.value) for k in ActorKind), validate_choice=False)
    role = StringField("Role or title")
    country = StringField("Country")
    parent = SelectField("Part of", validate_choice=False)
    aliases = TextAreaField("Other names, one per line (any script)")
    description = TextAreaField("Description")
    save = SubmitField("Save actor")

    def set_choices(self, actors: Sequence[Actor], exclude: str) -> None:
        others = ((a.slug, f"{a.name} ({a.slug})") for a in actors if a.slug != exclude)
        self.parent.choices = _choices([("", "— none —"), *others])

    def payload(self) -> dict[str, Any]:
        return {
            "slug": self.slug.data or "",
            "name": self.name.data or "",
            "kind": self.kind.data,
            "role": self.role.data,
            "country": self.country.data,
            "parent": self.parent.data or None,
            "aliases": [a.strip() for a in (self.aliases.data or "").splitlines() if a.strip()],
            "description": self.description.data,
        }


class TopicForm(_SimpleForm):
    slug = StringField("Slug")
    name = StringField("Name")
    description = TextAreaField("Description (say which direction of the score means what)")
    save = SubmitField("Save topic")

    def payload(self) -> dict[str, Any]:
        return {
            "slug": self.slug.data or "",
            "name": self.name.data or "",
            "description": self.description.data,
        }
