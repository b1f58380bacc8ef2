"""A Prisma schema read as a database design: tables, keys and the foreign keys its relations mean.

Every ``@relation(fields: [...], references: [...])`` is a foreign key from the
model holding ``fields`` to the model it names (composite ones too), with
``@map`` / ``@@map`` names and ``@@schema`` schemas applied, as ``prisma
migrate`` would create it. Implicit many-to-many relations (a list on both
sides, no ``fields``) are the join table Prisma creates, ``_AToB`` with
columns ``A`` and ``B``. ``relationMode = "prisma"`` in the datasource means
the database holds none of these foreign keys by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from apms_ops.prisma.syntax import Block, Call, Field, PrismaSchemaError, Ref, parse

SCALAR_TYPES = frozenset({"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes", "Unsupported"})


@dataclass(frozen=True)
class Relation:
    """A foreign key the schema means: ``schema.table(columns) -> ref_schema.ref_table(ref_columns)``."""

    schema: str | None
    table: str
    columns: tuple[str, ...]
    ref_schema: str | None
    ref_table: str
    ref_columns: tuple[str, ...]
    model: str
    field: str           # the relation field ("author"), or the join table's column for implicit m-n
    ref_model: str
    name: str | None     # the relation's name, when it has one
    line: int
    file: str
    fields: tuple[str, ...] = ()       # the Prisma field names behind ``columns`` / ``ref_columns``
    ref_fields: tuple[str, ...] = ()


@dataclass
class Model:
    name: str
    table: str
    schema: str | None
    block: Block
    columns: dict[str, str] = field(default_factory=dict)     # field name -> column name (scalars)
    primary_key: tuple[str, ...] = ()                          # column names
    unique_keys: list[tuple[str, ...]] = field(default_factory=list)
    ignored: bool = False


@dataclass
class Design:
    """What a Prisma schema says the database holds."""

    path: str
    files: list[str]
    provider: str | None
    relation_mode: str            # "foreignKeys" (the default) | "prisma"
    schemas: tuple[str, ...]      # the datasource's schemas (multi-schema), in order
    models: dict[str, Model]
    relations: list[Relation]
    enums: dict[str, list[str]]
    views: list[str]

    @property
    def emulated(self) -> bool:
        """``relationMode = "prisma"``: relations live in application code, not in foreign keys."""
        return self.relation_mode == "prisma"


def schema_files(path: str | Path) -> list[Path]:
    """The ``.prisma`` files of a schema: one file, or every ``.prisma`` file under a folder."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.prisma") if f.is_file() and "node_modules" not in f.parts)
        if not files:
            raise PrismaSchemaError(str(p), None, "no .prisma files in this folder")
        return files
    if not p.is_file():
        raise PrismaSchemaError(str(p), None, "no such file or folder")
    return [p]


def read_blocks(path: str | Path) -> list[Block]:
    """Every block of every file of the schema at ``path``."""
    blocks: list[Block] = []
    for f in schema_files(path):
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PrismaSchemaError(str(f), None, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
        blocks += parse(text, str(f))
    return blocks


def load_design(path: str | Path) -> Design:
    """The design a Prisma schema (file or folder) describes; ``PrismaSchemaError`` naming file and line if it is wrong."""
    blocks = read_blocks(path)
    return design_from_blocks(blocks, str(path), sorted({b.file for b in blocks}))


def design_from_blocks(blocks: list[Block], path: str, files: list[str]) -> Design:
    seen: dict[str, Block] = {}
    for b in blocks:
        if b.kind in ("model", "view", "type", "enum"):
            if b.name in seen:
                first = seen[b.name]
                raise PrismaSchemaError(b.file, b.line, f"{b.name} is defined twice (first at {first.file}:{first.line})")
            seen[b.name] = b
    datasources = [b for b in blocks if b.kind == "datasource"]
    if len(datasources) > 1:
        raise PrismaSchemaError(datasources[1].file, datasources[1].line, "more than one datasource block")
    ds = datasources[0] if datasources else None
    provider = _text(ds.properties.get("provider")) if ds else None
    mode = _text(ds.properties.get("relationMode") or ds.properties.get("referentialIntegrity")) if ds else None
    if mode not in (None, "prisma", "foreignKeys"):
        raise PrismaSchemaError(ds.file, ds.line, f'relationMode must be "prisma" or "foreignKeys", not {mode!r}')
    schemas = tuple(_text(s) for s in (ds.properties.get("schemas") or [])) if ds else ()

    enums = {b.name: [v.name for v in b.values] for b in blocks if b.kind == "enum"}
    composite_types = {b.name for b in blocks if b.kind == "type"}
    model_blocks = [b for b in blocks if b.kind == "model"]
    column_types = SCALAR_TYPES | set(enums)
    models = {b.name: _model(b, column_types) for b in model_blocks}
    known_types = SCALAR_TYPES | set(enums) | composite_types | {b.name for b in blocks if b.kind in ("model", "view")}
    for b in blocks:
        for f in b.fields:
            if f.type not in known_types:
                raise PrismaSchemaError(b.file, f.line, f"type {f.type!r} of field {b.name}.{f.name} is neither a built-in type, "
                                                        "nor a model, view, composite type or enum")
    relations = []
    for model in models.values():
        relations += _explicit_relations(model, models)
    relations += _implicit_many_to_many(models)
    return Design(path, files, provider, mode or "foreignKeys", schemas, models, relations, enums,
                  [b.name for b in blocks if b.kind == "view"])


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Call) and value.name == "env":
        return None  # env("...") is read at run time, not here
    return str(value.name if isinstance(value, Ref) else value)


def _names(value, block: Block, line: int, what: str) -> tuple[str, ...]:
    """Field names from ``[a, b]`` (or ``a``), as ``@@id``, ``@@unique`` and ``@relation`` write them."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, Call):   # [title(sort: Desc)]
            out.append(item.name)
        elif isinstance(item, Ref):
            out.append(item.name)
        else:
            raise PrismaSchemaError(block.file, line, f"{what} must list field names, not {item!r}")
    return tuple(out)


def _model(block: Block, column_types: frozenset | set) -> Model:
    mapped = block.attribute("map")
    table = mapped.arg("name") if mapped else block.name
    schema_attr = block.attribute("schema")
    model = Model(block.name, table, schema_attr.arg("name") if schema_attr else None, block,
                  ignored=block.attribute("ignore") is not None)
    for f in block.fields:
        if f.type in column_types:
            column = f.attribute("map")
            model.columns[f.name] = column.arg("name") if column else f.name
    scalar = set(model.columns)

    def columns_of(names: tuple[str, ...], line: int, what: str) -> tuple[str, ...]:
        for n in names:
            if n not in scalar:
                raise PrismaSchemaError(block.file, line, f"{what} of {block.name} names an unknown field {n!r}")
        return tuple(model.columns.get(n, n) for n in names)

    for f in block.fields:
        if f.attribute("id"):
            model.primary_key = (model.columns.get(f.name, f.name),)
        if f.attribute("unique"):
            model.unique_keys.append((model.columns.get(f.name, f.name),))
    for a in block.attributes:
        if a.name == "id":
            model.primary_key = columns_of(_names(a.arg("fields"), block, a.line, "@@id"), a.line, "@@id")
        elif a.name == "unique":
            model.unique_keys.append(columns_of(_names(a.arg("fields"), block, a.line, "@@unique"), a.line, "@@unique"))
    return model


def _explicit_relations(model: Model, models: dict[str, Model]) -> list[Relation]:
    out = []
    block = model.block
    for f in block.fields:
        rel = f.attribute("relation")
        if f.type not in models or rel is None:
            continue
        fields_arg, refs_arg = rel.arg("fields", None), rel.arg("references", None)
        if fields_arg is None and refs_arg is None:
            continue  # the back side of a relation, or an implicit many-to-many side
        if fields_arg is None or refs_arg is None:
            raise PrismaSchemaError(block.file, rel.line, f"@relation on {block.name}.{f.name} needs both fields and references")
        fields = _names(fields_arg, block, rel.line, "fields")
        refs = _names(refs_arg, block, rel.line, "references")
        if len(fields) != len(refs):
            raise PrismaSchemaError(block.file, rel.line, f"@relation on {block.name}.{f.name}: {len(fields)} fields but {len(refs)} references")
        target = models[f.type]
        for n in fields:
            if block.field(n) is None or n not in model.columns:
                raise PrismaSchemaError(block.file, rel.line, f"@relation on {block.name}.{f.name}: {block.name} has no scalar field {n!r}")
        for n in refs:
            if target.block.field(n) is None or n not in target.columns:
                raise PrismaSchemaError(block.file, rel.line, f"@relation on {block.name}.{f.name}: {target.name} has no scalar field {n!r}")
        name = rel.arg("name")
        out.append(Relation(
            model.schema, model.table, tuple(model.columns[n] for n in fields),
            target.schema, target.table, tuple(target.columns[n] for n in refs),
            model.name, f.name, target.name, name if isinstance(name, str) else None, f.line, block.file, fields, refs,
        ))
    return out


def _implicit_many_to_many(models: dict[str, Model]) -> list[Relation]:
    """The join tables of list-to-list relations: ``_AToB(A, B)``, A pointing at the model first in name order."""
    sides: dict[tuple, list[tuple[Model, Field]]] = {}
    for model in models.values():
        for f in model.block.fields:
            if f.type not in models or not f.list:
                continue
            rel = f.attribute("relation")
            if rel is not None and (rel.arg("fields", None) is not None or rel.arg("references", None) is not None):
                continue
            name = rel.arg("name") if rel else None
            pair = tuple(sorted((model.name, f.type)))
            key = (pair, name if isinstance(name, str) else None)
            sides.setdefault(key, []).append((model, f))
    out = []
    for (pair, name), members in sorted(sides.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        # Both sides are lists (a self relation: two list fields), else it is a one-to-many back side.
        other_lists = len(members) == 2 if pair[0] == pair[1] else {m.name for m, _ in members} == set(pair)
        if not other_lists:
            continue  # a list whose other side is a single relation: a one-to-many back side
        a, b = models[pair[0]], models[pair[1]]
        table = f"_{name}" if name else f"_{pair[0]}To{pair[1]}"
        model, f = members[0]
        for column, target in (("A", a), ("B", b)):
            if len(target.primary_key) != 1:
                raise PrismaSchemaError(model.block.file, f.line, f"implicit many-to-many relation {table}: {target.name} needs a single-field @id")
            out.append(Relation(a.schema, table, (column,), target.schema, target.table, target.primary_key,
                                model.name, column, target.name, name, f.line, model.block.file))
    return out
