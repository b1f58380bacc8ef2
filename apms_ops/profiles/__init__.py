"""Profiles: the intended state of an application's schema, as data (TOML).

``load_profile("apms")`` reads the built-in ``apms.toml`` beside this file;
``load_profile("path/to/file.toml")`` reads another; ``load_profile("none")``
gives the empty profile (discovery only). A malformed profile raises
``ProfileError`` naming the file and, where there is one, the key.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apms_ops.errors import ProfileError
from apms_ops.tomlfiles import read_toml

BUILTIN_DIR = Path(__file__).resolve().parent


FK_ACTION_WORDS = ("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT")
FK_MATCH_WORDS = ("SIMPLE", "FULL", "PARTIAL")


@dataclass(frozen=True)
class ForeignKeyRules:
    """What a foreign key must be beyond its target; None: the design does not say."""

    on_delete: tuple[str, ...] | None = None   # allowed actions, e.g. ("RESTRICT", "NO ACTION")
    on_update: tuple[str, ...] | None = None
    deferrable: bool | None = None
    initially_deferred: bool | None = None
    match: tuple[str, ...] | None = None

    def merged(self, override: "ForeignKeyRules") -> "ForeignKeyRules":
        """These rules with every rule ``override`` states taking precedence."""
        from dataclasses import fields, replace

        return replace(self, **{f.name: getattr(override, f.name) for f in fields(self) if getattr(override, f.name) is not None})


@dataclass(frozen=True)
class ExpectedForeignKey:
    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    critical: bool = False
    rules: ForeignKeyRules = ForeignKeyRules()
    schema: str | None = None       # None: the profile's schema
    ref_schema: str | None = None

    @property
    def label(self) -> str:
        return f"{self.table}.{','.join(self.columns)} -> {self.ref_table}.{','.join(self.ref_columns)}"


@dataclass(frozen=True)
class ExpectedCheck:
    table: str
    definition: str
    name: str | None = None  # when the design names it; else matched by definition alone


@dataclass(frozen=True)
class ExpectedIndex:
    name: str
    table: str
    columns: tuple[str, ...]
    predicate: str | None = None
    unique: bool = True
    method: str = "btree"


@dataclass(frozen=True)
class Lifecycle:
    table: str
    workspace_column: str
    version_column: str
    status_column: str
    activated_column: str | None
    statuses: tuple[str, ...]
    active: str
    draft: str
    archived: str | None = None


@dataclass(frozen=True)
class Workspaces:
    table: str
    key: str = "id"
    name_column: str | None = None
    column: str = "workspace_id"


@dataclass(frozen=True)
class Runtime:
    table: str
    status_column: str
    config_column: str
    running_statuses: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str = ""
    source: str = "built-in"
    schema: str = "public"
    migrations_table: str | None = None
    expected_migration: str | None = None
    extensions: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    existing_tables: tuple[str, ...] = ()
    id_types: dict[str, str] = field(default_factory=dict)
    foreign_keys: tuple[ExpectedForeignKey, ...] = ()
    foreign_key_defaults: ForeignKeyRules = ForeignKeyRules()
    checks: tuple[ExpectedCheck, ...] = ()
    partial_unique_indexes: tuple[ExpectedIndex, ...] = ()
    lifecycle: Lifecycle | None = None
    workspaces: Workspaces | None = None
    runtime: Runtime | None = None
    people_table: str | None = None          # the table role columns (author_id, created_by) point at
    prisma_schema: str | None = None         # a Prisma schema (file or folder) that is part of the design
    relation_mode: str | None = None         # Prisma's relationMode: "prisma" means no FKs in the database by design
    table_schemas: dict[str, str] = field(default_factory=dict)  # tables that live outside ``schema``
    modeled_tables: tuple[str, ...] = ()     # tables whose every relation the design names (a Prisma schema's)

    @property
    def is_empty(self) -> bool:
        return self.name == "none"

    @property
    def has_design(self) -> bool:
        """The profile says what the database should hold (tables or references), so it can be compared."""
        return bool(self.tables or self.foreign_keys)

    @property
    def design_label(self) -> str:
        return f"Prisma schema {self.prisma_schema}" if self.prisma_schema and self.name == "prisma" else f"profile {self.name}"

    def schema_of(self, table: str) -> str:
        """The schema ``table`` lives in according to the design."""
        return self.table_schemas.get(table, self.schema)

    def expected_id_type(self, table: str) -> str | None:
        """The id type the profile expects for ``table`` (exact name first, then glob patterns)."""
        if table in self.id_types:
            return self.id_types[table]
        for pattern, type_ in self.id_types.items():
            if fnmatch.fnmatchcase(table, pattern):
                return type_
        return None

    def expected_foreign_key(self, table: str, columns: tuple[str, ...]) -> ExpectedForeignKey | None:
        """The profile's foreign key on ``table(columns)``, or None."""
        return next((fk for fk in self.foreign_keys if fk.table == table and tuple(fk.columns) == tuple(columns)), None)

    def foreign_key_rules(self, table: str, columns: tuple[str, ...]) -> ForeignKeyRules | None:
        """What the design asks of the foreign key on ``table(columns)``: the profile-wide
        defaults with the key's own rules on top; None when the profile expects no key there."""
        fk = self.expected_foreign_key(table, columns)
        return None if fk is None else self.foreign_key_defaults.merged(fk.rules)

    def with_schema(self, schema: str | None) -> "Profile":
        from dataclasses import replace

        if not schema:
            return self
        # Tables the design places in the default schema follow it; explicitly placed ones stay.
        return replace(self, schema=schema, table_schemas={t: s for t, s in self.table_schemas.items() if s != self.schema})


NO_PROFILE = Profile(name="none", title="discovery only (no profile)", source="none")


def builtin_profiles() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def load_profile(name_or_path: str | None) -> Profile:
    """A profile by built-in name, by path, or ``none``."""
    if name_or_path in (None, "", "none"):
        return NO_PROFILE
    path = Path(name_or_path)
    if not (path.suffix == ".toml" or "/" in name_or_path or path.exists()):
        builtin = BUILTIN_DIR / f"{name_or_path}.toml"
        if not builtin.is_file():
            raise ProfileError(f"unknown profile {name_or_path!r} (built-in: {', '.join(builtin_profiles())}; or give a path to a .toml file)")
        path = builtin
    profile = parse_profile(read_toml(path, ProfileError, "read profile"), str(path))
    if profile.prisma_schema:
        from apms_ops.prisma import design_profile

        # The profile names the application's Prisma schema: its relations join the design.
        profile = design_profile(profile.prisma_schema, profile)
    return profile


# ---------------------------------------------------------------- validation


class _Reader:
    """Reads typed values out of the TOML tree, naming file and key on every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str):
        raise ProfileError(f"{self.source}: key '{key}': {message}")

    def table(self, data: dict, key: str, allowed: set[str], required: bool = False) -> dict | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(key, "missing")
            return None
        if not isinstance(value, dict):
            self.fail(key, f"must be a table, not {type(value).__name__}")
        unknown = set(value) - allowed
        if unknown:
            self.fail(f"{key}.{sorted(unknown)[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def string(self, data: dict, key: str, path: str, required: bool = True, default: str | None = None) -> str | None:
        value = data.get(key, default)
        if value is None:
            if required:
                self.fail(path, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"must be a non-empty string, not {value!r}")
        return value

    def strings(self, data: dict, key: str, path: str, required: bool = False) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, "missing")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(path, "must be a list of non-empty strings")
        return tuple(value)

    def boolean(self, data: dict, key: str, path: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, not {value!r}")
        return value

    def array_of_tables(self, data: dict, key: str) -> list[dict]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, "must be an array of tables ([[...]])")
        return value


_TOP_KEYS = {
    "profile", "prisma_schema", "discovery", "migrations", "extensions", "tables", "id_types", "foreign_keys",
    "foreign_key_defaults", "checks",
    "partial_unique_indexes", "lifecycle", "workspaces", "runtime",
}
_FK_RULE_KEYS = {"on_delete", "on_update", "deferrable", "initially_deferred", "match"}


def _words(r: "_Reader", data: dict, key: str, path: str, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """A rule given as one word or a list of words, each one of ``allowed`` (case-insensitive)."""
    if key not in data:
        return None
    value = data[key]
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        r.fail(path, f"must be one of {', '.join(allowed)} or a list of them")
    words = tuple(" ".join(v.upper().replace("_", " ").split()) for v in items)
    for word in words:
        if word not in allowed:
            r.fail(path, f"{word!r} is not one of {', '.join(allowed)}")
    return words


def _fk_rules(r: "_Reader", data: dict, path: str) -> ForeignKeyRules:
    def flag(key):
        return r.boolean(data, key, f"{path}.{key}") if key in data else None

    return ForeignKeyRules(
        on_delete=_words(r, data, "on_delete", f"{path}.on_delete", FK_ACTION_WORDS),
        on_update=_words(r, data, "on_update", f"{path}.on_update", FK_ACTION_WORDS),
        deferrable=flag("deferrable"),
        initially_deferred=flag("initially_deferred"),
        match=_words(r, data, "match", f"{path}.match", FK_MATCH_WORDS),
    )


def _readable(r: "_Reader", text: str, path: str) -> None:
    """A definition the profile states must be one SQL expression PostgreSQL's grammar reads."""
    from apms_ops.expressions import ExpressionError, parse

    try:
        parse(text)
    except ExpressionError as exc:
        r.fail(path, f"not one SQL expression ({exc}): {text!r}")


def parse_profile(data: dict[str, Any], source: str) -> Profile:
    """A ``Profile`` from a parsed TOML tree; every problem names ``source`` and the key."""
    r = _Reader(source)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        r.fail(sorted(unknown)[0], f"unknown section (allowed: {', '.join(sorted(_TOP_KEYS))})")
    head = r.table(data, "profile", {"name", "title", "schema", "prisma_schema"}, required=True)
    name = r.string(head, "name", "profile.name")
    if name == "none":
        r.fail("profile.name", "'none' is reserved for discovery without a profile")

    migrations = r.table(data, "migrations", {"table", "expected_latest"}) or {}
    extensions = r.table(data, "extensions", {"required"}) or {}
    tables = r.table(data, "tables", {"created", "existing"}) or {}
    id_types = data.get("id_types", {})
    if not isinstance(id_types, dict) or not all(isinstance(v, str) for v in id_types.values()):
        r.fail("id_types", "must be a table of table-name = \"type\"")

    fks = []
    for i, fk in enumerate(r.array_of_tables(data, "foreign_keys")):
        path = f"foreign_keys[{i}]"
        extra = set(fk) - {"table", "column", "columns", "references", "ref_columns", "critical"} - _FK_RULE_KEYS
        if extra:
            r.fail(f"{path}.{sorted(extra)[0]}", "unknown key")
        table = r.string(fk, "table", f"{path}.table")
        if "columns" in fk:
            columns = r.strings(fk, "columns", f"{path}.columns", required=True)
        else:
            columns = (r.string(fk, "column", f"{path}.column"),)
        ref = r.string(fk, "references", f"{path}.references")
        if "ref_columns" in fk:
            ref_table, ref_columns = ref, r.strings(fk, "ref_columns", f"{path}.ref_columns", required=True)
        else:
            if "." not in ref:
                r.fail(f"{path}.references", f"must be 'table.column', not {ref!r}")
            ref_table, ref_column = ref.rsplit(".", 1)
            ref_columns = (ref_column,)
        if len(ref_columns) != len(columns):
            r.fail(f"{path}.ref_columns", "must name as many columns as the foreign key has")
        fks.append(ExpectedForeignKey(table, tuple(columns), ref_table, tuple(ref_columns), r.boolean(fk, "critical", f"{path}.critical"),
                                      _fk_rules(r, fk, path)))
    defaults = _fk_rules(r, r.table(data, "foreign_key_defaults", _FK_RULE_KEYS) or {}, "foreign_key_defaults")

    checks = []
    for i, ck in enumerate(r.array_of_tables(data, "checks")):
        path = f"checks[{i}]"
        extra = set(ck) - {"table", "definition", "name"}
        if extra:
            r.fail(f"{path}.{sorted(extra)[0]}", "unknown key")
        definition = r.string(ck, "definition", f"{path}.definition")
        _readable(r, definition, f"{path}.definition")
        checks.append(ExpectedCheck(r.string(ck, "table", f"{path}.table"), definition,
                                    r.string(ck, "name", f"{path}.name", required=False)))

    indexes = []
    for i, ix in enumerate(r.array_of_tables(data, "partial_unique_indexes")):
        path = f"partial_unique_indexes[{i}]"
        extra = set(ix) - {"name", "table", "columns", "predicate", "unique", "method"}
        if extra:
            r.fail(f"{path}.{sorted(extra)[0]}", "unknown key")
        columns = r.strings(ix, "columns", f"{path}.columns", required=True)
        for j, column in enumerate(columns):
            _readable(r, column, f"{path}.columns[{j}]")
        predicate = r.string(ix, "predicate", f"{path}.predicate", required=False)
        if predicate is not None:
            _readable(r, predicate, f"{path}.predicate")
        indexes.append(
            ExpectedIndex(
                name=r.string(ix, "name", f"{path}.name"),
                table=r.string(ix, "table", f"{path}.table"),
                columns=columns,
                predicate=predicate,
                unique=r.boolean(ix, "unique", f"{path}.unique", default=True),
                method=r.string(ix, "method", f"{path}.method", required=False, default="btree").lower(),
            )
        )

    lifecycle = None
    lc = r.table(data, "lifecycle", {"table", "workspace_column", "version_column", "status_column", "activated_column", "statuses", "active", "draft", "archived"})
    if lc is not None:
        lifecycle = Lifecycle(
            table=r.string(lc, "table", "lifecycle.table"),
            workspace_column=r.string(lc, "workspace_column", "lifecycle.workspace_column"),
            version_column=r.string(lc, "version_column", "lifecycle.version_column"),
            status_column=r.string(lc, "status_column", "lifecycle.status_column"),
            activated_column=r.string(lc, "activated_column", "lifecycle.activated_column", required=False),
            statuses=r.strings(lc, "statuses", "lifecycle.statuses", required=True),
            active=r.string(lc, "active", "lifecycle.active"),
            draft=r.string(lc, "draft", "lifecycle.draft"),
            archived=r.string(lc, "archived", "lifecycle.archived", required=False),
        )
        for key in ("active", "draft", "archived"):
            value = getattr(lifecycle, key)
            if value is not None and value not in lifecycle.statuses:
                r.fail(f"lifecycle.{key}", f"{value!r} is not one of lifecycle.statuses")

    workspaces = None
    ws = r.table(data, "workspaces", {"table", "key", "name_column", "column"})
    if ws is not None:
        workspaces = Workspaces(
            table=r.string(ws, "table", "workspaces.table"),
            key=r.string(ws, "key", "workspaces.key", default="id"),
            name_column=r.string(ws, "name_column", "workspaces.name_column", required=False),
            column=r.string(ws, "column", "workspaces.column", default="workspace_id"),
        )

    discovery = r.table(data, "discovery", {"people_table"}) or {}
    prisma_key = "prisma_schema" if "prisma_schema" in data else "profile.prisma_schema"
    prisma_schema = r.string(data if "prisma_schema" in data else head, "prisma_schema", prisma_key, required=False)
    if prisma_schema and source not in ("", "built-in"):
        # Relative to the profile file, so a profile and its schema travel together.
        prisma_schema = str((Path(source).resolve().parent / prisma_schema)) if not Path(prisma_schema).is_absolute() else prisma_schema

    runtime = None
    rt = r.table(data, "runtime", {"table", "status_column", "config_column", "running_statuses"})
    if rt is not None:
        runtime = Runtime(
            table=r.string(rt, "table", "runtime.table"),
            status_column=r.string(rt, "status_column", "runtime.status_column"),
            config_column=r.string(rt, "config_column", "runtime.config_column"),
            running_statuses=r.strings(rt, "running_statuses", "runtime.running_statuses", required=True),
        )

    return Profile(
        name=name,
        title=r.string(head, "title", "profile.title", required=False, default=name) or name,
        source=source,
        schema=r.string(head, "schema", "profile.schema", required=False, default="public"),
        migrations_table=r.string(migrations, "table", "migrations.table", required=False),
        expected_migration=r.string(migrations, "expected_latest", "migrations.expected_latest", required=False),
        extensions=r.strings(extensions, "required", "extensions.required"),
        tables=r.strings(tables, "created", "tables.created"),
        existing_tables=r.strings(tables, "existing", "tables.existing"),
        id_types=dict(id_types),
        foreign_keys=tuple(fks),
        foreign_key_defaults=defaults,
        checks=tuple(checks),
        partial_unique_indexes=tuple(indexes),
        lifecycle=lifecycle,
        workspaces=workspaces,
        runtime=runtime,
        people_table=r.string(discovery, "people_table", "discovery.people_table", required=False),
        prisma_schema=prisma_schema,
    )
