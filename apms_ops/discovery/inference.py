"""References that column names imply, found the way people name things.

Each column is read as words (``envelopeItemId`` -> envelope, item, id) and
tried against the tables, strongest rule first:

1. the same name (``user_id``, ``userId`` -> ``users``/``"User"``), or the name
   of another table's own key (``album_id`` -> ``album.album_id``, ``isbn`` ->
   ``book.isbn``);
2. the child table's name and its prefixes (``master_positions.department_id``
   -> ``master_departments``, ``dcim_device.role_id`` -> ``dcim_devicerole``);
3. a unique ``<prefix>_<thing>`` table (``user_id`` -> ``auth_user``,
   ``blob_id`` -> ``active_storage_blobs``);
4. another row of the same table (``parent_id``, ``in_reply_to_id``);
5. the table of people for role words (``author_id``, ``created_by``, ``reports_to``);
6. a unique non-primary key (``language_code`` -> ``languages.code``);
7. with leading words dropped (``original_language_id`` -> ``languages``,
   ``bill_to_cust_no`` -> ``cust.cust_no``);
8. loosely: a column named like a table (``release integer`` -> ``release.id``),
   a one-word name ending in a table's or key's name (``billtoaddressid``), a
   1:1 table sharing its parent's id; and, apart, composite keys a child holds
   whole and Prisma's ``_AToB`` tables.

Rules 1-6 are *name* evidence; 3 and 7 are *partial* (names given by other
systems look the same: ``stripe_customer_id``, ``request_id`` beside
``merge_requests``), 8 is *loose*. How much each counts is decided with the
types and, where the name is not enough, with the data
(``apms_ops.discovery.probe``). A polymorphic pair (``x_id`` beside ``x_type``)
is not a reference to one table, and a name that matches tables in several
other schemas is reported as ambiguous, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from apms_ops.catalog import Snapshot, qualified
from apms_ops.discovery.names import (
    EXTERNAL_WORDS, GENERIC_KEY_NAMES, KEY_ATTRIBUTES, PEOPLE_WORDS, POLYMORPHIC_TYPE_WORDS, ROLE_PHRASES, ROLE_WORDS,
    SELF_PARTICIPLES, SELF_PHRASES, SELF_WORDS, is_participle, name_key, name_keys, reference_like, singular_forms,
    split_words,
)

NAME, PARTIAL, LOOSE = "name", "partial", "loose"
PREPOSITIONS = frozenset({"by", "of", "to", "from", "in", "on", "for", "at", "via", "per", "with"})
# Rules whose match may be a coincidence of words (merge_requests for request_id): the types must agree.
PARTIAL_RULES = frozenset({"prefixed table", "end of a one-word table name"})
# 1:1 extension tables: ``<parent>_<word>`` sharing the parent's id.
ONE_TO_ONE_WORDS = frozenset({"profile", "setting", "settings", "detail", "details", "info", "preference", "preferences",
                              "extension", "meta", "metadata", "stat", "stats", "config", "configuration", "option",
                              "options", "extra", "ext", "attribute", "attributes", "property", "properties", "data"})

TableKey = tuple[str, str]


@dataclass(frozen=True)
class Guess:
    """Columns of a table that probably refer to a key of another (or the same) table."""

    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    rule: str                 # how it was found, in words ("same name", "table of people", ...)
    strength: str             # NAME | PARTIAL | LOOSE
    type_match: str           # "same" | "family" | "different"
    external: bool = False    # a dropped leading word names another system (stripe_, github_, external_)

    @property
    def key(self) -> tuple:
        return (self.schema, self.table, self.columns, self.ref_schema, self.ref_table, self.ref_columns)


@dataclass(frozen=True)
class Unresolved:
    """A reference-like column no key was found for, and why."""

    schema: str
    table: str
    column: str
    reason: str
    candidates: tuple[str, ...] = ()
    polymorphic: bool = False  # explained: one half of an ``x_id`` / ``x_type`` pair

    @property
    def label(self) -> str:
        return f"{qualified(self.schema, self.table)}.{self.column}"


@dataclass
class Inference:
    guesses: list[Guess] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)


# ---------------------------------------------------------------- types


def type_family(data_type: str | None) -> str:
    """``integer`` for every integer type, ``text`` for every string type, else the type without modifiers."""
    t = (data_type or "").lower().split("(")[0].strip()
    t = t.rsplit(".", 1)[-1]
    if t in ("smallint", "integer", "bigint", "int", "int2", "int4", "int8", "smallserial", "serial", "bigserial"):
        return "integer"
    if t in ("text", "character varying", "varchar", "character", "char", "bpchar", "citext", "name"):
        return "text"
    if t == "numeric" and data_type and data_type.replace(" ", "").endswith(",0)"):
        return "integer"
    return t


def type_match(child: str | None, parent: str | None) -> str:
    if child == parent:
        return "same"
    if type_family(child) == type_family(parent):
        return "family"
    return "different"


# ---------------------------------------------------------------- the tables, indexed by their names


class _Ambiguous(Exception):
    def __init__(self, tables: list[TableKey]):
        self.tables = tables


class TableNames:
    """Every table under every key its name may be written as, built once per snapshot."""

    def __init__(self, snapshot: Snapshot, people_table: str | None = None):
        self.snapshot = snapshot
        self.words: dict[TableKey, tuple[str, ...]] = {}
        self.by_key: dict[str, list[TableKey]] = defaultdict(list)
        self.by_tail: dict[str, list[TableKey]] = defaultdict(list)
        self.by_word_tail: dict[str, list[TableKey]] = defaultdict(list)
        self._same_name: dict[tuple[str, ...], list[TableKey]] = {}
        self._prefixed: dict[tuple[str, ...], list[TableKey]] = {}
        self.by_key_column: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for key, table in snapshot.tables.items():
            words = split_words(table.name)
            if not words:
                continue
            self.words[key] = words
            for k in name_keys(words):
                self.by_key[k].append(key)
            for i in range(1, len(words)):
                for k in name_keys(words[i:]):
                    self.by_tail[k].append(key)
            last = words[-1]
            for cut in range(1, len(last) - 3):
                for k in name_keys((last[cut:],)):
                    self.by_word_tail[k].append(key)
            pk = snapshot.primary_key(*key)
            for cols in snapshot.unique_keys(*key):
                if len(cols) == 1 and _distinctive_key(split_words(cols[0]), words, primary=cols == pk):
                    self.by_key_column[name_key(split_words(cols[0]))].append((key[0], key[1], cols[0]))
        self._endings = {k[i:] for k in self.by_key for i in range(len(k))}
        self.people = self._people(people_table)

    # -- lookups that return candidate tables (not yet narrowed to one schema)

    def same_name(self, thing: tuple[str, ...]) -> list[TableKey]:
        # Memoized: thousands of tables repeat the same column names (workspace_id, created_by).
        hit = self._same_name.get(thing)
        if hit is None:
            hit = self._same_name[thing] = _unique(t for k in name_keys(thing) for t in self.by_key.get(k, ()))
        return hit

    def with_child_prefix(self, thing: tuple[str, ...], child: TableKey) -> list[TableKey]:
        words = self.words.get(child, ())
        # Longest first, the whole name included: dcim_device.role_id -> dcim_devicerole, posts.type_id -> post_types.
        for n in range(len(words), 0, -1):
            # The child itself is not its own prefix's target: auth_group_permissions.permission_id -> auth_permission.
            hits = [t for t in self.same_name(words[:n] + thing) if t[0] == child[0] and t != child]
            if hits:
                return hits
        return []

    def prefixed(self, thing: tuple[str, ...]) -> list[TableKey]:
        """Tables named ``<prefix>_<thing>``; with several, those with the shortest prefix (an app label,
        ``catalogue_collection``, before a link table, ``catalogue_product_collections``)."""
        if thing not in self._prefixed:
            self._prefixed[thing] = self._find_prefixed(thing)
        return self._prefixed[thing]

    def _find_prefixed(self, thing: tuple[str, ...]) -> list[TableKey]:
        exact = set(self.same_name(thing))
        hits = _unique(t for k in name_keys(thing) for t in self.by_tail.get(k, ()) if t not in exact)
        if len(hits) > 1:
            shortest = min(len(self.words[t]) for t in hits)
            hits = [t for t in hits if len(self.words[t]) == shortest]
        return hits

    def word_tail(self, thing: tuple[str, ...]) -> list[TableKey]:
        """Tables whose one-word model name ends with ``thing`` (``variant`` -> ``catalogue_productvariant``)."""
        if len(thing) != 1 or len(thing[0]) < 4:
            return []
        return _unique(t for k in name_keys(thing) for t in self.by_word_tail.get(k, ()))

    def key_named(self, column_words: tuple[str, ...], child: TableKey) -> list[tuple[str, str, str]]:
        """Other tables whose single-column key is named like this column (``album_id`` -> ``album.album_id``)."""
        return [hit for hit in self.by_key_column.get(name_key(column_words), ()) if hit[:2] != child]

    def may_end_a_name(self, word: str) -> bool:
        """Some table's name ends with ``word`` (in one of its singular forms), separators ignored."""
        return any(form in self._endings for form in singular_forms(word))

    def content_types(self) -> list[TableKey]:
        """Tables of types a polymorphic pair names (Django's ``django_content_type``)."""
        return _unique(t for k, tables in self.by_key.items() if k.endswith("contenttype") for t in tables)

    def _people(self, preferred: str | None) -> list[TableKey]:
        """Tables of people, the most referenced first (``users`` before ``members`` when ``user_id`` is everywhere)."""
        if preferred:
            schema, _, name = preferred.rpartition(".")
            hits = [k for k in self.snapshot.tables if k[1] == name and (not schema or k[0] == schema)]
            hits = hits or [k for k in self.snapshot.tables if k[1].lower() == name.lower() and (not schema or k[0] == schema)]
            if hits:
                return hits[:1]
        found = []
        for key, words in self.words.items():
            forms = set(singular_forms(words[-1])) | set(name_keys(words))
            rank = next((i for i, w in enumerate(PEOPLE_WORDS) if w in forms), None)
            if rank is None and forms & ROLE_WORDS:
                rank = len(PEOPLE_WORDS)  # no users table: operators, agents, admins are the people
            if rank is not None:
                found.append((key, rank, words[-1]))
        if not found:
            return []
        mentions: dict[str, int] = defaultdict(int)
        for table in self.snapshot.tables.values():
            for column in table.columns:
                words = split_words(column)
                if len(words) >= 2 and words[-1] == "id":
                    for form in name_keys(words[:-1]):
                        mentions[form] += 1
        best_rank = min(rank for _, rank, _ in found)
        found = [f for f in found if f[1] < len(PEOPLE_WORDS) or best_rank == len(PEOPLE_WORDS)]

        def score(item):
            key, rank, last = item
            count = max((mentions.get(f, 0) for f in singular_forms(last)), default=0)
            return (-count, rank, len(self.words[key]), key)
        return [key for key, *_ in sorted(found, key=score)]


def _distinctive_key(words: tuple[str, ...], table_words: tuple[str, ...], primary: bool) -> bool:
    """A key column name other tables copy to point at it: ``album_id``, ``albumid``, ``language_code``.

    A unique column that is not the primary key counts only when it names its own
    table (``languages.language_code``): ``"Payment"."externalId"`` is unique, but a
    column called ``externalId`` elsewhere is another system's id, not a pointer to it.
    """
    if words and words[0] in EXTERNAL_WORDS:
        return False
    if len(words) >= 2:
        shaped = words[-1] in KEY_ATTRIBUTES or words[-1] == "id"
    else:
        shaped = len(words) == 1 and len(words[0]) > 4 and words[0].endswith(("id", "code"))  # albumid, currencycode
        # A primary key with a name of its own (isbn, barcode, vin) is copied by what points at it.
        shaped = shaped or (primary and len(words) == 1 and len(words[0]) >= 3 and words[0] not in GENERIC_KEY_NAMES
                            and not words[0].isdigit())
    if not shaped or primary:
        return shaped
    table_keys = {form for w in table_words for form in singular_forms(w)} | set(name_keys(table_words))
    return bool(table_keys & ({w for w in words} | {name_key(words[:i]) for i in range(1, len(words) + 1)})) or any(
        name_key(words).startswith(k) for k in table_keys)


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _in_scope(hits: list[TableKey], child_schema: str) -> list[TableKey]:
    """Narrow candidate tables to one: the child's schema first, else the only other schema; else ambiguous."""
    if not hits:
        return []
    same = [h for h in hits if h[0] == child_schema]
    if same:
        chosen = same
    elif len({h[0] for h in hits}) == 1:
        chosen = hits
    else:
        raise _Ambiguous(sorted(hits))
    if len(chosen) > 1:
        raise _Ambiguous(sorted(chosen))
    return chosen


# ---------------------------------------------------------------- reading one column


class _Reader:
    def __init__(self, snapshot: Snapshot, names: TableNames):
        self.snapshot = snapshot
        self.names = names

    def key_of(self, table: TableKey) -> tuple[str, ...] | None:
        """The single-column key a reference to ``table`` points at: its primary key, or a unique ``id``."""
        pk = self.snapshot.primary_key(*table)
        if pk and len(pk) == 1:
            return pk
        for cols in self.snapshot.unique_keys(*table):
            if len(cols) == 1 and split_words(cols[0]) == ("id",):
                return cols
        return None

    def resolve_thing(self, thing: tuple[str, ...], child: TableKey, prefixed: bool = True) -> tuple[TableKey, str] | None:
        """The table ``thing`` names: same name, the child's prefix, or a unique prefixed table."""
        if not thing or not self.names.may_end_a_name(thing[-1]):
            return None  # no table name ends like this: spare the lookups (most columns of a large schema)
        steps = [("same name", self.names.same_name), ("table prefix", lambda t: self.names.with_child_prefix(t, child))]
        if prefixed:
            steps.append(("prefixed table", self.names.prefixed))
        for rule, lookup in steps:
            found = _in_scope(lookup(thing), child[0])
            if found:
                return found[0], rule
        return None

    def resolve_role(self, thing: tuple[str, ...], child: TableKey) -> tuple[TableKey, str] | None:
        """Another row of the same table (``parent``), or the table of people (``author``, ``created_by``)."""
        if _names_same_table(thing):
            return child, "same table"
        role = (len(thing) == 1 and thing[0] in ROLE_WORDS) or thing[-2:] in ROLE_PHRASES or (
            len(thing) >= 2 and thing[-1] == "by" and is_participle(thing[-2]))
        if role and self.names.people:
            return self.names.people[0], "table of people"
        return None

    def resolve(self, thing: tuple[str, ...], child: TableKey, words: tuple[str, ...]) -> tuple[TableKey, str | None, str, bool] | None:
        """(table, key column, rule, external) for a reference-like column: whole name first, then with leading words dropped."""
        hit = self.resolve_thing(thing, child)
        if hit is None:
            key_hits = self.names.key_named(words, child)
            if key_hits:
                target = _in_scope(_unique((h[0], h[1]) for h in key_hits), child[0])[0]
                return target, next(h[2] for h in key_hits if (h[0], h[1]) == target), "same key name", False
        hit = hit or self.resolve_role(thing, child)
        if hit is None and _no_digits(thing) != thing and _no_digits(thing):
            hit = self.resolve_thing(_no_digits(thing), child) or self.resolve_role(_no_digits(thing), child)
        if hit:
            return hit[0], self._key_column(hit[0]), hit[1], False
        bare = _no_digits(thing) or thing
        tail = _in_scope(self.names.word_tail(bare), child[0]) if len(bare) == 1 else []
        if tail and tail[0] != child:
            return tail[0], self._key_column(tail[0]), "end of a one-word table name", False
        for n in range(1, len(bare)):
            rest = bare[n:]
            if rest[0] in PREPOSITIONS:
                continue
            hit = self.resolve_thing(rest, child) or self.resolve_role(rest, child)
            if hit:
                dropped = bare[:n]
                return (hit[0], self._key_column(hit[0]), f"{hit[1]}, leading words dropped ({'_'.join(dropped)})",
                        any(w in EXTERNAL_WORDS for w in dropped))
        return None

    def _key_column(self, table: TableKey) -> str | None:
        key = self.key_of(table)
        return key[0] if key else None


def _names_same_table(thing: tuple[str, ...]) -> bool:
    """``parent``, ``in_reply_to``, ``replaced_by``, ``renewed_from``: another row of the same table."""
    return ((len(thing) == 1 and thing[0] in SELF_WORDS) or thing in SELF_PHRASES
            or (len(thing) >= 2 and thing[-1] == "by" and thing[-2] in SELF_PARTICIPLES)
            or (len(thing) == 2 and thing[1] == "from" and is_participle(thing[0])))


def _polymorphic_partner(thing: tuple[str, ...], columns: dict[str, tuple[str, ...]]) -> str | None:
    """The ``x_type`` column that makes ``x_id`` polymorphic, if there is one."""
    for name, words in columns.items():
        if len(words) > len(thing) and words[: len(thing)] == thing:
            rest = words[len(thing):]
            if rest in tuple((w,) for w in POLYMORPHIC_TYPE_WORDS) or rest in tuple((w, "id") for w in POLYMORPHIC_TYPE_WORDS) \
                    or rest in tuple((w, "name") for w in POLYMORPHIC_TYPE_WORDS):
                return name
    if thing and thing[-1] in ("object", "entity", "record", "resource", "item", "target", "subject", "content"):
        for name, words in columns.items():
            if words[-3:] == ("content", "type", "id") or words[-2:] == ("content", "type"):
                return name
    return None


def infer(snapshot: Snapshot, covered: set[tuple[str, str, str]] | None = None, people_table: str | None = None) -> Inference:
    """Guessed references for every column not in ``covered`` ((schema, table, column) of known references),
    and the reference-like columns that resolve to no key."""
    covered = covered or set()
    names = TableNames(snapshot, people_table)
    reader = _Reader(snapshot, names)
    out = Inference()
    for child, table in snapshot.tables.items():
        words_of = {c: split_words(c) for c in table.columns}
        pk = snapshot.primary_key(*child)
        for column, words in words_of.items():
            if (child[0], child[1], column) in covered or not words:
                continue
            guess, unresolved = _read_column(reader, child, column, words, words_of, pk)
            if guess:
                out.guesses.append(guess)
            elif unresolved:
                out.unresolved.append(unresolved)
        one_to_one = _shared_primary_key(reader, child, pk, out.guesses)
        if one_to_one and (child[0], child[1], one_to_one.columns[0]) not in covered:
            out.guesses.append(one_to_one)
    out.guesses += _composite_guesses(snapshot, names, covered)
    out.guesses += _implicit_many_to_many(snapshot, names, covered)
    return out


def _read_column(reader: _Reader, child: TableKey, column: str, words: tuple[str, ...],
                 siblings: dict[str, tuple[str, ...]], pk: tuple[str, ...] | None) -> tuple[Guess | None, Unresolved | None]:
    snapshot = reader.snapshot
    own_key = pk == (column,)
    marker, thing = _marker(words)
    ref_like = reference_like(words)
    try:
        if marker == "ptr":
            hit = reader.resolve_thing(thing, child)
            if hit and hit[0] != child and reader.key_of(hit[0]):
                return _guess(snapshot, child, (column,), hit[0], reader.key_of(hit[0]), "shared primary key (parent link)", NAME), None
        elif marker is not None:
            others = {c: w for c, w in siblings.items() if c != column}
            partner = _polymorphic_partner(thing, others)
            if partner and (thing[-1].endswith("able") or not _names_a_table(reader, thing, child)):
                return None, Unresolved(child[0], child[1], column, f"polymorphic: {partner} names the table", polymorphic=True)
            if len(thing) >= 2 and thing[-1] == "type" and _polymorphic_owner(thing, others):
                found = _in_scope(reader.names.content_types(), child[0])
                if found and reader.key_of(found[0]):
                    return _guess(snapshot, child, (column,), found[0], reader.key_of(found[0]), "type half of a polymorphic pair", NAME), None
            hit = reader.resolve(thing, child, words)
            if hit:
                target, ref_col, rule, external = hit
                if own_key and target == child:
                    return None, None  # the table's own key
                if ref_col is None:
                    return None, Unresolved(child[0], child[1], column, f"{qualified(*target)} has no single-column key")
                strength = PARTIAL if rule.split(",")[0] in PARTIAL_RULES or "leading words dropped" in rule else NAME
                if marker == "by" and words[-1] != "id":
                    strength = LOOSE  # created_by often holds a name or an e-mail, not an id
                return _guess(snapshot, child, (column,), target, (ref_col,), rule, strength, external), None
        else:
            guess = None
            if len(words) == 1 and words[0].endswith("id") and len(words[0]) > 4:
                if set(name_keys((words[0][:-2],))) & set(name_keys(reader.names.words.get(child, ()))):
                    return None, None  # emailaddress.emailaddressid: the table's own identity, part of its key
                guess = _concatenated(reader, child, column, words[0][:-2], own_key)
            guess = guess or _by_key_name(reader, child, column, words, own_key) or _unique_attribute(reader, child, column, words)
            if guess is None and not own_key:
                guess = _by_key_name_dropping_words(reader, child, column, words)
            if guess is None and not own_key and len(words) == 1 and len(words[0]) > 8:
                guess = _key_name_at_the_end(reader, child, column, words[0])
            if guess is None and not own_key and _names_same_table(words) and reader.key_of(child):
                guess = _guess(snapshot, child, (column,), child, reader.key_of(child), "same table (named like a relation)", LOOSE)
            if guess is None and not own_key and (words in ROLE_PHRASES or (len(words) == 1 and words[0] in ROLE_WORDS)):
                people = reader.names.people
                if people and reader.key_of(people[0]):
                    guess = _guess(snapshot, child, (column,), people[0], reader.key_of(people[0]), "table of people (a role named bare)", LOOSE)
            if guess is None and not own_key:
                # release -> release.id; pickup_branch -> branch.branch_code (leading words dropped)
                for n in range(len(words)):
                    rest = words[n:]
                    if rest[0] in PREPOSITIONS or (n and words[n - 1] in PREPOSITIONS):
                        continue  # units_on_order is a quantity, not an order
                    hit = reader.resolve_thing(rest, child, prefixed=False)
                    if hit and hit[0] != child and reader.key_of(hit[0]):
                        rule = "named like a table" + (f", leading words dropped ({'_'.join(words[:n])})" if n else "")
                        guess = _guess(snapshot, child, (column,), hit[0], reader.key_of(hit[0]), rule, LOOSE,
                                       any(w in EXTERNAL_WORDS for w in words[:n]))
                        break
            if guess is not None:
                return guess, None
    except _Ambiguous as amb:
        if ref_like:
            labels = tuple(qualified(*t) for t in amb.tables)
            return None, Unresolved(child[0], child[1], column, "ambiguous: " + ", ".join(labels), labels)
        return None, None
    if ref_like and not own_key:
        return None, Unresolved(child[0], child[1], column, "no table of that name")
    return None, None


def _names_a_table(reader: _Reader, thing: tuple[str, ...], child: TableKey) -> bool:
    try:
        return reader.resolve_thing(thing, child, prefixed=False) is not None
    except _Ambiguous:
        return True


def _by_key_name(reader: _Reader, child: TableKey, column: str, words: tuple[str, ...], own_key: bool) -> Guess | None:
    """A column named exactly like another table's own key column (``albumid`` -> ``album.albumid``)."""
    hits = reader.names.key_named(words, child)
    if not hits:
        return None
    if own_key and len(words) >= 1 and set(name_keys(reader.names.words.get(child, ()))) & {
            name_key(words[:-1]) if len(words) > 1 else name_key(words)[:-2]}:
        return None  # businessentity.businessentityid: the key of the table it names, the root of the others
    found = _in_scope(_unique((h[0], h[1]) for h in hits), child[0])
    target = found[0]
    ref_col = next(h[2] for h in hits if (h[0], h[1]) == target)
    return _guess(reader.snapshot, child, (column,), target, (ref_col,), "same key name", NAME)


def _marker(words: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """What ends the name (id, ptr, by, fk) and the words before it."""
    if len(words) >= 3 and words[-2:] == ("ptr", "id"):
        return "ptr", words[:-2]
    if len(words) >= 2 and words[-1] == "id":
        if len(words) >= 3 and words[-2] == "by" and is_participle(words[-3]):
            return "by", words[:-1]
        return "id", words[:-1]
    if len(words) >= 2 and words[-1] in ("uuid", "guid", "uid"):
        return "id", words[:-1]
    if len(words) >= 2 and words[-1] == "by" and is_participle(words[-2]):
        return "by", words
    if len(words) >= 2 and words[-1] == "fk":
        return "fk", words[:-1]
    if len(words) >= 2 and words[-2:] in ROLE_PHRASES:
        return "by", words
    return None, words


def _no_digits(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if not w.isdigit())


def _polymorphic_owner(thing: tuple[str, ...], siblings: dict[str, tuple[str, ...]]) -> bool:
    """``x_type_id`` beside ``x_id`` (or Django's ``content_type_id``): the type half of a polymorphic pair."""
    owner = thing[:-1] + ("id",)
    return any(w == owner for w in siblings.values()) or thing == ("content", "type")


def _guess(snapshot: Snapshot, child: TableKey, columns: tuple[str, ...], target: TableKey, ref_columns: tuple[str, ...],
           rule: str, strength: str, external: bool = False) -> Guess:
    child_types = [snapshot.column(child[0], child[1], c) for c in columns]
    ref_types = [snapshot.column(target[0], target[1], c) for c in ref_columns]
    matches = [type_match(a.type if a else None, b.type if b else None) for a, b in zip(child_types, ref_types)]
    match = "different" if "different" in matches else "family" if "family" in matches else "same"
    return Guess(child[0], child[1], columns, target[0], target[1], ref_columns, rule, strength, match, external)


def _by_key_name_dropping_words(reader: _Reader, child: TableKey, column: str, words: tuple[str, ...]) -> Guess | None:
    """``bill_to_cust_no`` -> ``cust.cust_no``, ``mgr_rep_no`` -> ``salesrep.rep_no``: a key's name after other words."""
    for n in range(1, len(words)):
        rest = words[n:]
        if rest[0] in PREPOSITIONS:
            continue
        hits = [h for h in reader.names.by_key_column.get(name_key(rest), ()) if h[2] != column or h[:2] != child]
        if hits and _distinctive_key(rest, (), primary=True):
            found = _in_scope(_unique((h[0], h[1]) for h in hits), child[0])
            ref_col = next(h[2] for h in hits if (h[0], h[1]) == found[0])
            dropped = words[:n]
            return _guess(reader.snapshot, child, (column,), found[0], (ref_col,),
                          f"same key name, leading words dropped ({'_'.join(dropped)})", PARTIAL,
                          any(w in EXTERNAL_WORDS for w in dropped))
    return None


def _unique_attribute(reader: _Reader, child: TableKey, column: str, thing: tuple[str, ...]) -> Guess | None:
    """``language_code`` -> ``languages.code``: a table named by the leading words, unique on the last one."""
    if len(thing) < 2 or thing[-1] not in KEY_ATTRIBUTES:
        return None
    for split in range(len(thing) - 1, 0, -1):  # currency_iso_code: currencies.iso_code, then currency_isos.code
        owner, attr = thing[:split], thing[split:]
        hit = reader.resolve_thing(owner, child)
        if not hit or hit[0] == child:
            continue
        for cols in reader.snapshot.unique_keys(*hit[0]):
            if len(cols) == 1 and split_words(cols[0]) in (attr, thing):
                return _guess(reader.snapshot, child, (column,), hit[0], cols, "unique key of the named table", NAME)
    return None


def _concatenated(reader: _Reader, child: TableKey, column: str, stem: str, own_key: bool = False) -> Guess | None:
    """``albumid`` -> ``album``; ``billtoaddressid`` -> ``address`` (a one-word name with a table at its end)."""
    hits = _unique(t for k in name_keys((stem,)) for t in reader.names.by_key.get(k, ()))
    rule, strength = "same name (one word)", NAME
    if not hits and not own_key:
        rule, strength = "table name at the end of a one-word name", LOOSE
        for cut in range(1, len(stem) - 3):
            hits = _unique(t for k in name_keys((stem[cut:],)) for t in reader.names.by_key.get(k, ()))
            if hits:
                break
    found = _in_scope(hits, child[0]) if hits else []
    if not found or found[0] == child:
        return None
    key = reader.key_of(found[0])
    return _guess(reader.snapshot, child, (column,), found[0], key, rule, strength) if key else None


def _key_name_at_the_end(reader: _Reader, child: TableKey, column: str, name: str) -> Guess | None:
    """``fromcurrencycode`` -> ``currency.currencycode``: another table's key name at the end of a one-word name."""
    for cut in range(1, len(name) - 5):
        hits = [h for h in reader.names.by_key_column.get(name[cut:], ()) if h[:2] != child]
        if hits:
            found = _in_scope(_unique((h[0], h[1]) for h in hits), child[0])
            ref_col = next(h[2] for h in hits if (h[0], h[1]) == found[0])
            return _guess(reader.snapshot, child, (column,), found[0], (ref_col,), "key name at the end of a one-word name", PARTIAL)
    return None


def _shared_primary_key(reader: _Reader, child: TableKey, pk: tuple[str, ...] | None, guesses: list[Guess]) -> Guess | None:
    """A 1:1 table named ``<parent>_<settings|profile|...>`` whose own ``id`` is its parent's id."""
    if not pk or len(pk) != 1 or split_words(pk[0]) != ("id",):
        return None
    words = reader.names.words.get(child, ())
    if len(words) < 2 or not (set(singular_forms(words[-1])) & ONE_TO_ONE_WORDS):
        return None
    hit = _in_scope(reader.names.same_name(words[:-1]), child[0]) if reader.names.same_name(words[:-1]) else []
    if not hit or hit[0] == child:
        return None
    if any(g.schema == child[0] and g.table == child[1] and (g.ref_schema, g.ref_table) == hit[0] for g in guesses):
        return None  # it already points at its parent through a column of its own
    parent_keys = set(name_keys(reader.names.words[hit[0]]))
    for column in reader.snapshot.tables[child].columns:
        words = split_words(column)
        if len(words) >= 2 and words[-1] == "id" and set(name_keys(words[:-1])) & parent_keys:
            return None  # user_settings.user_id: the link is a column, known or guessed
    key = reader.key_of(hit[0])
    if not key:
        return None
    guess = _guess(reader.snapshot, child, pk, hit[0], key, "shared primary key (1:1 table)", LOOSE)
    return guess if guess.type_match != "different" else None


def _composite_guesses(snapshot: Snapshot, names: TableNames, covered: set) -> list[Guess]:
    """A child holding every column of another table's composite key: ``(node_id, version)`` -> ``node_versions``.

    A composite primary key is a target for any table holding all its columns
    (by name evidence when the columns name the table, else loosely, for the
    data to confirm). A composite unique key that is not the primary key needs
    the name evidence, and tables carrying the same unique key themselves are
    siblings, not children: ``(config_version_id, code)`` unique in fifteen
    tables points from none of them to another.
    """
    out = []
    tables_with: dict[str, set[TableKey]] = defaultdict(set)
    for key, table in snapshot.tables.items():
        for column in table.columns:
            tables_with[column].add(key)
    for parent, words in names.words.items():
        pk = snapshot.primary_key(*parent)
        for cols in snapshot.unique_keys(*parent):
            if len(cols) < 2 or any(split_words(c) in (("id",), ()) for c in cols):
                continue
            col_words = {w for c in cols for w in split_words(c)} - {"id"}
            named = bool(set(singular_forms(words[-1])) & col_words)
            if not named and cols != pk:
                continue
            for child in sorted(set.intersection(*(tables_with[c] for c in cols)) - {parent}):
                if all((child[0], child[1], c) in covered for c in cols):
                    continue
                child_pk = set(snapshot.primary_key(*child) or ())
                if 0 < len(child_pk & set(cols)) < len(cols):
                    # (ord_no, line_no) in inv_line, whose own key is (inv_no, line_no): its own line_no, by coincidence.
                    continue
                if cols != pk and cols in snapshot.unique_keys(*child):
                    continue
                guess = _guess(snapshot, child, tuple(cols), parent, tuple(cols), "every column of a composite key",
                               NAME if named else LOOSE)
                if guess.type_match != "different":
                    out.append(guess)
    return out


def _implicit_many_to_many(snapshot: Snapshot, names: TableNames, covered: set) -> list[Guess]:
    """Prisma's implicit many-to-many tables: ``_CategoryToPost(A, B)``, A -> Category, B -> Post.

    A named relation's table is ``_<name>`` (``_user_eventtype``): when the name is
    two table names, A points at the one whose key has A's type, else at the one
    first in name order, as Prisma orders them.
    """
    out = []
    for key, table in snapshot.tables.items():
        if not key[1].startswith("_") or set(table.columns) != {"A", "B"}:
            continue
        pair = _many_to_many_pair(snapshot, names, key)
        if pair is None:
            continue
        for column, model in zip(("A", "B"), pair):
            ref = snapshot.primary_key(*model)
            if ref and len(ref) == 1 and (key[0], key[1], column) not in covered:
                out.append(_guess(snapshot, key, (column,), model, ref, "Prisma's implicit many-to-many table", NAME))
    return out


def _many_to_many_pair(snapshot: Snapshot, names: TableNames, key: TableKey) -> tuple[TableKey, TableKey] | None:
    body = key[1][1:]

    def table_named(name: str) -> TableKey | None:
        if (key[0], name) in snapshot.tables:
            return (key[0], name)
        try:
            # Model names, which @@map may have turned into other table names (Post -> posts).
            return next(iter(_in_scope(names.same_name(split_words(name)), key[0])), None)
        except _Ambiguous:
            return None

    for i in range(1, len(body) - 2):
        if body[i:i + 2] == "To" and body[i + 2:i + 3].isupper():
            left, right = table_named(body[:i]), table_named(body[i + 2:])
            if left and right:
                return left, right
    words = split_words(body)
    for n in range(1, len(words)):
        left, right = table_named("_".join(words[:n])), table_named("_".join(words[n:]))
        if left and right:
            types = {c: snapshot.column(*key, c).type for c in ("A", "B")}
            left_type = snapshot.column(*left, (snapshot.primary_key(*left) or ("",))[0])
            right_type = snapshot.column(*right, (snapshot.primary_key(*right) or ("",))[0])
            if left_type and right_type and left_type.type != right_type.type:
                return (left, right) if types["A"] == left_type.type else (right, left)
            return tuple(sorted((left, right), key=lambda t: t[1]))
    return None
