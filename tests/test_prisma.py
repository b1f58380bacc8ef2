"""The Prisma schema reader: every construct, comments, malformed files, and a cross-check
against Prisma's own parser (``@prisma/prisma-schema-wasm``, installed under tests/prisma_wasm)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from apms_ops.prisma import PrismaSchemaError, design_profile, load_design, parse, schema_files
from apms_ops.prisma.design import SCALAR_TYPES, read_blocks
from apms_ops.prisma.syntax import Arg, Call, Ref

HERE = Path(__file__).resolve().parent
EVERY = HERE / "prisma" / "every_construct" / "schema.prisma"
MULTI = HERE / "prisma" / "multi_file"
WASM = HERE / "prisma_wasm"
CORPUS_SCHEMAS = sorted((HERE / "corpus").glob("*/*/schema.prisma"))


# ---------------------------------------------------------------- every construct


@pytest.fixture(scope="module")
def every():
    return load_design(EVERY)


def test_datasource_and_generator_settings(every):
    blocks = {b.kind: b for b in read_blocks(EVERY) if b.kind in ("datasource", "generator")}
    ds, gen = blocks["datasource"], blocks["generator"]
    assert ds.properties["url"] == Call("env", (Arg(None, "DATABASE_URL"),))
    assert ds.properties["extensions"][0] == Ref("pgcrypto")
    assert ds.properties["extensions"][2].name == "postgis" and ds.properties["extensions"][2].args[0].name == "version"
    assert gen.properties["previewFeatures"] == ["views", "postgresqlExtensions"]
    assert gen.properties["output"] == "../generated/client"  # the trailing // comment is not part of the value
    assert (every.provider, every.relation_mode, every.schemas) == ("postgresql", "foreignKeys", ("public", "auth"))


def test_models_tables_schemas_and_columns(every):
    account = every.models["Account"]
    assert (account.table, account.schema) == ("accounts", "auth")               # @@map, @@schema
    assert account.columns["handle"] == "user_handle"                           # @map
    assert account.columns["createdAt"] == "created_at"
    assert "invitedBy" not in account.columns and "posts" not in account.columns  # relation fields are not columns
    assert account.columns["roles"] == "roles"                                   # an enum list is a column
    assert every.models["Session"].table == "Session"
    assert every.models["LegacyImport"].ignored is True                          # @@ignore: still a table
    assert "PostStats" not in every.models and every.views == ["PostStats"]     # a view is no table


def test_keys(every):
    assert every.models["Account"].primary_key == ("id",)                            # @id
    assert every.models["Account"].unique_keys == [("email",), ("user_handle", "email")]  # @unique, @@unique(name:)
    assert every.models["Revision"].primary_key == ("postId", "number")             # @@id
    assert every.models["Profile"].primary_key == ("account_id",)                   # @id with @map
    assert every.models["Tag"].unique_keys == [("label",)]


def test_relations_become_expected_foreign_keys(every):
    got = {(r.schema, r.table, r.columns, r.ref_schema, r.ref_table, r.ref_columns) for r in every.relations}
    assert got == {
        ("auth", "accounts", ("invited_by_id",), "auth", "accounts", ("id",)),          # self relation, named
        ("auth", "Session", ("account_id",), "auth", "accounts", ("id",)),              # map: "fk name", onDelete
        ("public", "Profile", ("account_id",), "auth", "accounts", ("id",)),            # 1:1 across schemas
        ("public", "Post", ("authorId",), "auth", "accounts", ("id",)),                 # two named relations
        ("public", "Post", ("editorId",), "auth", "accounts", ("id",)),                 # to the same model
        ("public", "Revision", ("postId",), "public", "Post", ("id",)),
        ("public", "Comment", ("revision_post_id", "revision_number"), "public", "Revision", ("postId", "number")),  # composite
        ("auth", "_Follows", ("A",), "auth", "accounts", ("id",)),                       # implicit self many-to-many
        ("auth", "_Follows", ("B",), "auth", "accounts", ("id",)),
        ("public", "_PostToTag", ("A",), "public", "Post", ("id",)),                     # implicit many-to-many
        ("public", "_PostToTag", ("B",), "public", "Tag", ("id",)),
    }


def test_enums_comments_and_documentation(every):
    assert every.enums == {"Role": ["READER", "WRITER", "ADMIN"], "PostStatus": ["DRAFT", "PUBLISHED"]}
    blocks = {b.name: b for b in read_blocks(EVERY)}
    assert blocks["Account"].doc == "People who sign in.\nTwo lines of documentation."
    assert blocks["Account"].field("invitedById").doc == "The account that invited this one."
    assert blocks["Role"].values[1].doc == "Writes posts." and blocks["Role"].values[1].attributes[0].arg("name") == "writer"
    assert blocks["Role"].attribute("map").arg("name") == "account_role"
    # Strings keep their escapes' meaning; a // inside a string is not a comment.
    assert blocks["Account"].field("settings").attribute("default").arg("value") == '{"theme": "dark", "quote": "say \\"hi\\""}'
    assert parse('model A {\n  id String @id @default("http://x") // note\n}\n')[0].fields[0].attribute("default").arg("value") == "http://x"


def test_attributes_with_nested_arguments():
    (block,) = parse(
        'model A {\n'
        '  id Int @id\n'
        '  b  Int\n'
        '  c  String @db.VarChar(40)\n'
        '  @@index([b(sort: Desc), c(ops: raw("gin_trgm_ops"))], type: Gin, map: "a_idx")\n'
        '}\n')
    index = block.attribute("index")
    first, second = index.arg("fields")
    assert first == Call("b", (Arg("sort", Ref("Desc")),))
    assert second.args[0].value == Call("raw", (Arg(None, "gin_trgm_ops"),))
    assert index.arg("type", None) == Ref("Gin") and index.arg("map", None) == "a_idx"
    assert block.field("c").attribute("db.VarChar").args[0].value == 40


def test_unsupported_types_lists_and_optionals():
    (block,) = parse('model A {\n  id Int @id\n  geo Unsupported("geometry(Point, 4326)")?\n  tags String[]\n  note String?\n}\n')
    geo, tags, note = block.fields[1:]
    assert (geo.type, geo.unsupported, geo.optional) == ("Unsupported", "geometry(Point, 4326)", True)
    assert (tags.list, tags.optional, note.optional) == (True, False, True)


def test_a_folder_of_prisma_files_is_one_schema():
    design = load_design(MULTI)
    assert [f.name for f in schema_files(MULTI)] == ["order.prisma", "user.prisma", "schema.prisma"]
    assert design.relation_mode == "prisma"
    assert {(r.table, r.columns, r.ref_table) for r in design.relations} == {("Order", ("userId",), "User"), ("User", ("orgId",), "Org")}


def test_design_profile_alone_and_on_top_of_a_profile():
    from apms_ops.profiles import load_profile

    alone = design_profile(str(MULTI))
    assert (alone.name, alone.relation_mode, sorted(alone.tables)) == ("prisma", "prisma", ["Order", "Org", "User"])
    assert {fk.label for fk in alone.foreign_keys} == {"Order.userId -> User.id", "User.orgId -> Org.id"}
    merged = design_profile(str(MULTI), load_profile("apms"))
    assert merged.name == "apms" and len(merged.foreign_keys) == 46 + 2 and "Order" in merged.tables


def test_a_profile_may_name_its_prisma_schema_relative_to_itself(tmp_path):
    from apms_ops.profiles import load_profile

    (tmp_path / "prisma").mkdir()
    shutil.copy(EVERY, tmp_path / "prisma" / "schema.prisma")
    (tmp_path / "app.toml").write_text('prisma_schema = "prisma/schema.prisma"\n[profile]\nname = "app"\n')
    profile = load_profile(str(tmp_path / "app.toml"))
    assert profile.prisma_schema == str(tmp_path / "prisma" / "schema.prisma")
    assert len(profile.foreign_keys) == 11 and profile.table_schemas["accounts"] == "auth"
    (tmp_path / "b.toml").write_text('[profile]\nname = "b"\nprisma_schema = "missing.prisma"\n')
    with pytest.raises(PrismaSchemaError, match="missing.prisma: no such file or folder"):
        load_profile(str(tmp_path / "b.toml"))


# ---------------------------------------------------------------- malformed schemas


MALFORMED = [
    ("model A {\n  id Int @id\n", 1, "model A is not closed with '}'"),
    ('model A {\n  id Int @id\n  name String @default("x)\n}\n', 3, "unterminated string"),
    ("model A {\n  id: Int @id\n}\n", 2, "field declarations take no ':'"),
    ("model A {}\n", 1, "unexpected '}' after '{'"),
    ("model A {\n  id Int @id }\n", 2, "unexpected '}' after field id"),
    ("modle A {\n  id Int @id\n}\n", 1, "expected a block"),
    ("model A {\n  id Int @id @default(\n}\n", 3, "expected a value"),
    ("model A {\n  id Int @id\n  b Bogus\n}\n", 3, "type 'Bogus' of field A.b is neither"),
    ("model A {\n  id Int @id\n  b B @relation(fields: [bId], references: [id])\n}\nmodel B {\n  id Int @id\n}\n", 3,
     "A has no scalar field 'bId'"),
    ("model A {\n  id Int @id\n  @@id([nope])\n}\n", 3, "@@id of A names an unknown field 'nope'"),
    ("model A {\n  id Int @id\n}\nmodel A {\n  id Int @id\n}\n", 4, "A is defined twice"),
    ('datasource db {\n  provider = "postgresql"\n  relationMode = "sometimes"\n}\n', 1, "relationMode must be"),
    ("model A {\n  id Int @id\n  t Int[]?\n}\n", 3, "optional lists are not supported"),
    ("model A {\n  id Int @id\n  $x Int\n}\n", 3, "unexpected character '$'"),
]


@pytest.mark.parametrize("text,line,message", MALFORMED, ids=[m[2][:30] for m in MALFORMED])
def test_a_malformed_schema_names_the_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    with pytest.raises(PrismaSchemaError) as err:
        load_design(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    # Prisma's own parser rejects each of them too.
    assert "error" in prisma_dmmf(path)


def test_check_exits_2_with_one_line_on_a_malformed_schema(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "schema.prisma"
    path.write_text("model A {\n  id Int @id\n  name String @default(\"x)\n}\n")
    proc = subprocess.run([sys.executable, "-m", "apms_ops", "check", "--dsn", "postgresql://nobody@127.0.0.1:1/none",
                           "--prisma-schema", str(path)], capture_output=True, text=True, cwd=HERE.parent)
    assert proc.returncode == 2
    assert proc.stderr == f"apms-ops: {path}:3: unterminated string\n"  # before any connection attempt
    assert proc.stdout == ""


# ---------------------------------------------------------------- against Prisma's own parser


def prisma_dmmf(*paths: Path) -> dict:
    """Prisma's own reading of the schema (``tests/prisma_wasm/dmmf.js``), or ``{"error": ...}``.

    The parser comes from the npm registry, pinned by package-lock.json; .ci/run
    installs it, and a checkout without it installs it here once.
    """
    if not (WASM / "node_modules" / "@prisma" / "prisma-schema-wasm").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WASM, check=True, capture_output=True, timeout=300)
    proc = subprocess.run(["node", str(WASM / "dmmf.js"), *map(str, paths)], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(proc.stdout)


def ours_as_dmmf(path: Path) -> dict:
    """What our reader makes of a schema, in the shape of the part of Prisma's DMMF we compare."""
    blocks = read_blocks(path)
    enums = {b.name for b in blocks if b.kind == "enum"}
    models = {b.name for b in blocks if b.kind in ("model", "view")}
    out_models = []
    for b in blocks:
        if b.kind not in ("model", "view") or b.attribute("ignore"):
            continue
        fields = []
        for f in b.fields:
            if f.attribute("ignore") or f.type == "Unsupported":
                continue
            kind = "enum" if f.type in enums else "object" if f.type in models else "scalar"
            entry = {"name": f.name, "kind": kind, "type": f.type, "isList": f.list, "isRequired": f.list or not f.optional,
                     # Prisma's DMMF leaves isUnique false on an @id field, even one also marked @unique.
                     "isId": f.attribute("id") is not None, "isUnique": f.attribute("unique") is not None and f.attribute("id") is None}
            if f.attribute("map"):
                entry["dbName"] = f.attribute("map").arg("name")
            if f.doc:
                entry["documentation"] = f.doc
            if kind == "object":
                rel = f.attribute("relation")
                names = lambda v: [x.name for x in v] if isinstance(v, list) else []  # noqa: E731
                entry["relationFromFields"] = names(rel.arg("fields", None)) if rel else []
                entry["relationToFields"] = names(rel.arg("references", None)) if rel else []
                given = rel.arg("name") if rel else None
                entry["relationName"] = given if isinstance(given, str) else "To".join(sorted((b.name, f.type)))
            fields.append(entry)
        pk = b.attribute("id")
        out_models.append({
            "name": b.name, "dbName": b.attribute("map").arg("name") if b.attribute("map") else None,
            "schema": b.attribute("schema").arg("name") if b.attribute("schema") else None,
            "documentation": b.doc or None,
            "primaryKey": [x.name for x in pk.arg("fields")] if pk else None,
            "uniqueFields": [[x.name for x in a.arg("fields")] for a in b.attributes if a.name == "unique"],
            "fields": fields,
        })
    out_enums = [{"name": b.name, "dbName": b.attribute("map").arg("name") if b.attribute("map") else None,
                  "values": [{"name": v.name, "dbName": v.attributes[0].arg("name") if v.attributes else None,
                              **({"documentation": v.doc} if v.doc else {})} for v in b.values]}
                 for b in blocks if b.kind == "enum"]
    return {"models": sorted(out_models, key=lambda m: m["name"]), "enums": sorted(out_enums, key=lambda e: e["name"])}


def theirs(dmmf: dict) -> dict:
    keep = ("name", "dbName", "kind", "type", "isList", "isRequired", "isId", "isUnique", "documentation",
            "relationFromFields", "relationToFields", "relationName")
    models = [{
        "name": m["name"], "dbName": m["dbName"], "schema": m["schema"], "documentation": m.get("documentation"),
        "primaryKey": m["primaryKey"]["fields"] if m["primaryKey"] else None, "uniqueFields": m["uniqueFields"],
        "fields": [{k: f[k] for k in keep if k in f} for f in m["fields"]],
    } for m in dmmf["models"]]
    enums = [{"name": e["name"], "dbName": e["dbName"],
              "values": [{k: v[k] for k in ("name", "dbName", "documentation") if k in v} for v in e["values"]]}
             for e in dmmf["enums"]]
    return {"models": sorted(models, key=lambda m: m["name"]), "enums": sorted(enums, key=lambda e: e["name"])}


@pytest.mark.parametrize("path", [EVERY, MULTI, *CORPUS_SCHEMAS], ids=lambda p: str(p.relative_to(HERE)))
def test_reader_agrees_with_prismas_own_parser(path):
    files = schema_files(path)
    dmmf = prisma_dmmf(*files)
    assert "error" not in dmmf, dmmf.get("error")
    assert ours_as_dmmf(path) == theirs(dmmf)
    # Every relation Prisma reads with fields and references is one of our expected foreign keys, and no more.
    design = load_design(path)
    prisma_relations = {(m["name"], tuple(f["relationFromFields"]), f["type"], tuple(f["relationToFields"]))
                        for m in dmmf["models"] for f in m["fields"] if f["kind"] == "object" and f["relationFromFields"]}
    ours = {(r.model, r.fields, r.ref_model, r.ref_fields) for r in design.relations if r.fields}  # implicit m-n: no fields
    assert ours == prisma_relations
    assert SCALAR_TYPES >= {f["type"] for m in dmmf["models"] for f in m["fields"] if f["kind"] == "scalar"}
