"""The Prisma schema as the design: read ``schema.prisma`` (or a folder of ``.prisma`` files)
and turn it into the expected tables and foreign keys a review compares the database with.

``design_profile("prisma/schema.prisma")`` gives a profile of its own;
``design_profile(path, base)`` adds the schema's design to another profile.
"""

from __future__ import annotations

from dataclasses import replace

from apms_ops.prisma.design import Design, Relation, load_design, schema_files  # noqa: F401
from apms_ops.prisma.syntax import PrismaSchemaError, parse  # noqa: F401
from apms_ops.profiles import ExpectedForeignKey, Profile


def design_profile(path: str, base: Profile | None = None) -> Profile:
    """A profile whose design is the Prisma schema at ``path`` (merged into ``base`` when given)."""
    design = load_design(path)
    base = base if base is not None and not base.is_empty else Profile(name="prisma", title=f"Prisma schema {path}", source=path)
    schema = base.schema
    tables = list(base.tables)
    table_schemas = dict(base.table_schemas)
    for model in design.models.values():
        if model.table not in tables:
            tables.append(model.table)
        if model.schema and model.schema != schema:
            table_schemas[model.table] = model.schema
    for relation in design.relations:
        if relation.table not in tables:
            tables.append(relation.table)  # implicit many-to-many join tables
        if relation.schema and relation.schema != schema:
            table_schemas[relation.table] = relation.schema
    fks = list(base.foreign_keys)
    known = {(fk.table, fk.columns, fk.ref_table, fk.ref_columns) for fk in fks}
    for r in design.relations:
        if (r.table, r.columns, r.ref_table, r.ref_columns) in known:
            continue
        fks.append(ExpectedForeignKey(r.table, r.columns, r.ref_table, r.ref_columns,
                                      schema=r.schema if r.schema != schema else None,
                                      ref_schema=r.ref_schema if r.ref_schema != schema else None))
    modeled = [m.table for m in design.models.values()] + [r.table for r in design.relations]
    return replace(base, tables=tuple(tables), foreign_keys=tuple(fks), table_schemas=table_schemas,
                   prisma_schema=str(path), relation_mode=design.relation_mode,
                   modeled_tables=tuple(dict.fromkeys([*base.modeled_tables, *modeled])))
