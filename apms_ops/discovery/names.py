"""Names as people write them: words, singular forms, and the markers that make a column read as a reference.

``split_words("envelopeItemId") == ("envelope", "item", "id")``; ``user_ID``,
``UserId`` and ``userid`` (one word) differ only in where the word breaks are.
Names are compared by their words joined without separators, lower case, with
the last word in its singular forms: ``"EnvelopeItem"``, ``envelope_items`` and
``envelopeitems`` all have the key ``envelopeitem``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PARTS = re.compile(r"[^A-Za-z0-9]+")
# An acronym before a capitalised word (HTTPRequest), a capitalised or lower word, an acronym, digits.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


@lru_cache(maxsize=65536)
def split_words(name: str) -> tuple[str, ...]:
    """Lower-case words of ``name``: snake_case, camelCase, PascalCase, acronyms and digits."""
    words: list[str] = []
    for part in _PARTS.split(name):
        words += [w.lower() for w in _WORD.findall(part)]
    return tuple(words)


# Plurals no suffix rule gets right, mapped to their singular.
IRREGULAR_PLURALS = {
    "people": "person", "persons": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse",
    "geese": "goose", "feet": "foot", "teeth": "tooth", "oxen": "ox", "lives": "life", "knives": "knife",
    "wives": "wife", "leaves": "leaf", "wolves": "wolf", "halves": "half", "shelves": "shelf", "selves": "self",
    "calves": "calf", "thieves": "thief", "loaves": "loaf", "criteria": "criterion", "phenomena": "phenomenon",
    "indices": "index", "matrices": "matrix", "vertices": "vertex", "appendices": "appendix", "analyses": "analysis",
    "theses": "thesis", "crises": "crisis", "diagnoses": "diagnosis", "axes": "axis", "quizzes": "quiz",
    "alumni": "alumnus", "cacti": "cactus", "fungi": "fungus", "radii": "radius", "syllabi": "syllabus",
}
# Words that look plural but are one thing (or the same in both numbers).
INVARIANT = frozenset({
    "series", "species", "news", "data", "metadata", "media", "staff", "sheep", "fish", "deer", "equipment",
    "information", "info", "status", "address", "access", "business", "process", "class", "analysis", "canvas",
    "bus", "campus", "census", "corpus", "virus", "bonus", "focus", "radius", "gas", "alias", "atlas", "chassis",
    "settings", "stats", "sms", "dns", "os", "ios", "aws", "gps", "mms", "css", "rss",
})


@lru_cache(maxsize=65536)
def singular_forms(word: str) -> tuple[str, ...]:
    """``word`` and what it may be the plural of (``statuses`` -> status; ``bases`` -> base, bas).

    Both readings are kept where a suffix rule cannot tell (``-ses``), since a
    key built from a wrong extra reading matches nothing.
    """
    out = [word]
    if word in INVARIANT or len(word) < 3 or word.isdigit():
        return tuple(out)
    if word in IRREGULAR_PLURALS:
        out.append(IRREGULAR_PLURALS[word])
    elif word.endswith("ies") and len(word) > 4:
        out += [word[:-3] + "y", word[:-1]]           # categories -> category; movies -> movie
    elif word.endswith("ves") and len(word) > 4:
        out += [word[:-1], word[:-3] + "f", word[:-3] + "fe"]   # archives -> archive; (irregular: above)
    elif word.endswith(("sses", "shes", "ches", "xes", "zzes", "uses", "sises")):
        out.append(word[:-2])                         # addresses, wishes, matches, boxes, statuses
    elif word.endswith("oes") and len(word) > 4:
        out += [word[:-2], word[:-1]]                 # heroes -> hero; shoes -> shoe
    elif word.endswith("es") and len(word) > 3:
        out += [word[:-1], word[:-2]]                 # bases -> base, bas; types -> type
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.append(word[:-1])
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=65536)
def name_keys(words: tuple[str, ...]) -> tuple[str, ...]:
    """Keys a name is known by: its words joined, the last word in each singular form."""
    if not words:
        return ()
    head = "".join(words[:-1])
    keys = [head + form for form in singular_forms(words[-1])]
    if words[-1] in ("s", "es") and len(words) > 1:
        keys.append(head)  # item00012s: a plural ending after digits splits off as a word of its own
    return tuple(keys)


def name_key(words: tuple[str, ...]) -> str:
    """The words joined, as they are (no singular form): for exact comparisons."""
    return "".join(words)


# ---------------------------------------------------------------- what a column's name says


# Words that name a person acting on a row; such a column points at the table of people.
ROLE_WORDS = frozenset({
    "author", "owner", "creator", "editor", "updater", "modifier", "deleter", "assignee", "assigner", "reporter",
    "reviewer", "approver", "requester", "requestor", "submitter", "sender", "recipient", "receiver", "inviter",
    "invitee", "host", "organizer", "organiser", "follower", "followee", "mentor", "mentee", "manager", "supervisor",
    "rep", "representative", "agent", "operator", "admin", "administrator", "moderator", "uploader", "publisher",
    "signer", "signatory", "verifier", "validator", "closer", "resolver", "commenter", "poster", "buyer", "seller",
    "user", "member", "employee", "person", "account", "actor", "performer", "handler", "coordinator",
    "responsible", "contact", "initiator", "starter", "launcher", "triggerer", "committer", "merger",
})
# Role phrases of two words (``reports_to``, ``assigned_to``).
ROLE_PHRASES = frozenset({("reports", "to"), ("assigned", "to"), ("report", "to"), ("belongs", "to")})
# Participles that do not end in -ed but are used as ``<verb>_by``.
IRREGULAR_PARTICIPLES = frozenset({
    "made", "done", "written", "taken", "sent", "seen", "given", "driven", "chosen", "held", "run", "set", "paid",
    "built", "kept", "led", "sold", "told", "won", "bought", "brought", "caught", "taught", "thought", "drawn",
    "known", "shown", "begun", "broken", "spoken", "stolen", "frozen", "forgotten", "hidden", "ridden", "signed",
    "read", "put", "cut", "shut", "let", "hit", "quit", "split", "spent", "lent", "found", "bound", "left", "met",
})
# Participles after which ``_by`` names the row that replaced this one, not a person.
SELF_PARTICIPLES = frozenset({"replaced", "superseded", "succeeded", "followed", "preceded", "overridden", "shadowed"})
# Words that name another row of the same table.
SELF_WORDS = frozenset({
    "parent", "ancestor", "root", "predecessor", "successor", "previous", "prev", "next", "original", "superseded",
})
# ``<verb>_<preposition>``: a row that came from, copies or answers another row of its table.
SELF_PHRASES = frozenset({
    ("reply", "to"), ("in", "reply", "to"), ("replied", "to"), ("reblog", "of"), ("alias", "of"), ("copy", "of"),
    ("duplicate", "of"), ("forked", "from"), ("fork", "of"), ("cloned", "from"), ("clone", "of"), ("copied", "from"),
    ("derived", "from"), ("based", "on"), ("merged", "into"), ("redirect", "to"), ("version", "of"),
    ("variant", "of"), ("child", "of"), ("part", "of"), ("quote", "of"), ("retweet", "of"), ("response", "to"),
})
# Tables of people, by the singular of their last word (or the whole key).
PEOPLE_WORDS = ("user", "account", "member", "employee", "person", "staff", "userprofile", "useraccount")
# Leading words that mark an identifier issued by another system, not a row of this database.
EXTERNAL_WORDS = frozenset({
    "external", "remote", "foreign", "legacy", "vendor", "provider", "upstream", "thirdparty", "third", "partner",
    "stripe", "paypal", "braintree", "adyen", "github", "gitlab", "bitbucket", "google", "facebook", "fb", "twitter",
    "slack", "discord", "telegram", "apple", "microsoft", "azure", "aws", "gcp", "shopify", "hubspot", "salesforce",
    "zendesk", "intercom", "mailchimp", "sendgrid", "twilio", "auth0", "okta", "firebase", "segment", "mixpanel",
    "linkedin", "instagram", "tiktok", "youtube", "zoom", "notion", "jira", "linear", "sentry", "paddle", "lemon",
    "lemonsqueezy", "square", "plaid", "xero", "quickbooks", "netsuite", "sap", "imported", "import", "sync",
    "synced", "ext", "openid", "oidc", "saml", "ldap", "scim", "sso", "idp",
})
# Attributes a table keeps unique besides its id, and that other tables use to point at it.
KEY_ATTRIBUTES = frozenset({"code", "key", "slug", "uuid", "uid", "guid", "handle", "sku", "iso", "number", "no", "num"})
# The half of a polymorphic pair that names the table: ``commentable_type`` beside ``commentable_id``.
POLYMORPHIC_TYPE_WORDS = ("type", "class", "model", "table", "kind", "entity")


def is_participle(word: str) -> bool:
    return word.endswith("ed") or word in IRREGULAR_PARTICIPLES or (len(word) > 4 and word.endswith(("wn", "tten", "dden", "ven")))


# One-word key names too common to point anywhere by themselves (``email`` may be a key of one
# table and a plain attribute of ten others); ``isbn`` or ``barcode`` do point.
GENERIC_KEY_NAMES = frozenset({
    "id", "code", "name", "email", "key", "slug", "token", "uuid", "uid", "guid", "value", "type", "status", "title",
    "label", "date", "year", "month", "day", "domain", "url", "path", "username", "login", "handle", "number", "no",
    "version", "locale", "language", "currency", "country", "hash", "sha", "digest", "identifier", "tag", "kind",
    "migration", "session", "secret", "position", "version", "period", "time", "timestamp",
})


def reference_like(words: tuple[str, ...]) -> bool:
    """``*_id``, ``*Id``, ``*ID``, ``*_by`` / ``*By`` after a participle: names people write for a reference."""
    if len(words) < 2:
        return False
    if words[-1] == "id":
        return True
    return words[-1] == "by" and is_participle(words[-2])
