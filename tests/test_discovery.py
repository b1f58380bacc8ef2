"""Discovery: names read as people write them, each rule alone on hand-made snapshots; the
containment probe and the confidence bands on a real database; partitions."""

from __future__ import annotations

import psycopg
import pytest

from apms_ops.catalog import Column, Constraint, Snapshot, Table, read_snapshot
from apms_ops.connections import read_only_session
from apms_ops.discovery import HIGH, REVIEW, discover
from apms_ops.discovery.names import reference_like, singular_forms, split_words
from apms_ops.profiles import NO_PROFILE, Profile
from apms_ops.review import run_review


@pytest.mark.parametrize("name,words", [
    ("envelopeItemId", ("envelope", "item", "id")),
    ("EnvelopeItem", ("envelope", "item")),
    ("user_ID", ("user", "id")),
    ("URLId", ("url", "id")),
    ("HTTPRequest", ("http", "request")),
    ("featured_user1_id", ("featured", "user", "1", "id")),
    ("SupportRepId", ("support", "rep", "id")),
    ("page_ptr_id", ("page", "ptr", "id")),
    ("Order Items", ("order", "items")),
    ("albumid", ("albumid",)),
])
def test_split_words(name, words):
    assert split_words(name) == words


@pytest.mark.parametrize("plural,singular", [
    ("people", "person"), ("categories", "category"), ("statuses", "status"), ("addresses", "address"),
    ("boxes", "box"), ("movies", "movie"), ("leaves", "leaf"), ("analyses", "analysis"), ("users", "user"),
    ("criteria", "criterion"), ("bases", "base"), ("archives", "archive"), ("status", "status"), ("staff", "staff"),
])
def test_singular_forms(plural, singular):
    assert singular in singular_forms(plural)


@pytest.mark.parametrize("name,expected", [
    ("user_id", True), ("userId", True), ("userID", True), ("created_by", True), ("createdBy", True), ("approved_by_id", True),
    ("paid", False), ("id", False), ("sort_by", False), ("standby", False), ("email", False),
])
def test_reference_like(name, expected):
    assert reference_like(split_words(name)) is expected


# ---------------------------------------------------------------- each rule on a hand-made snapshot


def snapshot(*tables, unique=()) -> Snapshot:
    """Tables as ``("schema.name", {"column": "type"}, pk)``; ``unique`` as ``("schema.name", (columns))``."""
    snap = Snapshot()
    for qualified_name, columns, pk in tables:
        schema, _, name = qualified_name.rpartition(".")
        schema = schema or "public"
        snap.tables[(schema, name)] = Table(schema, name, columns={c: Column(c, t) for c, t in columns.items()})
        if pk:
            snap.constraints.append(Constraint(schema, name, f"{name}_pkey", "p", tuple(pk)))
    for qualified_name, cols in unique:
        schema, _, name = qualified_name.rpartition(".")
        snap.constraints.append(Constraint(schema or "public", name, f"{name}_{'_'.join(cols)}_key", "u", tuple(cols)))
    return snap


def implied(snap: Snapshot, profile: Profile = NO_PROFILE) -> dict:
    """{(table, column): (ref_table.ref_column, band)} for what discovery implies (no data: names and types only)."""
    found = discover(snap, profile)
    return {(r.table if r.schema == "public" else f"{r.schema}.{r.table}", ",".join(r.columns)):
            (f"{r.ref_table if r.ref_schema == 'public' else r.ref_schema + '.' + r.ref_table}.{','.join(r.ref_columns)}", r.confidence)
            for r in found.references if r.implied}


def unresolved(snap: Snapshot) -> dict:
    return {(u.table, u.column): u.reason for u in discover(snap, NO_PROFILE).unresolved}


ID = {"id": "text"}


def test_camel_case_columns_and_quoted_pascal_case_tables():
    snap = snapshot(("User", ID, ["id"]), ("EnvelopeItem", ID, ["id"]),
                    ("Field", {"id": "text", "envelopeItemId": "text", "userId": "text"}, ["id"]))
    assert implied(snap) == {("Field", "envelopeItemId"): ("EnvelopeItem.id", HIGH), ("Field", "userId"): ("User.id", HIGH)}


def test_table_names_compare_without_case_and_plural():
    snap = snapshot(("Organization", ID, ["id"]), ("people", ID, ["id"]), ("categories", ID, ["id"]), ("statuses", ID, ["id"]),
                    ("t", {"id": "text", "organization_id": "text", "person_id": "text", "category_id": "text", "status_id": "text"}, ["id"]))
    assert implied(snap) == {("t", "organization_id"): ("Organization.id", HIGH), ("t", "person_id"): ("people.id", HIGH),
                             ("t", "category_id"): ("categories.id", HIGH), ("t", "status_id"): ("statuses.id", HIGH)}


def test_every_prefix_of_the_child_table_name():
    snap = snapshot(("master_notification_channels", ID, ["id"]), ("master_departments", ID, ["id"]),
                    ("master_notification_templates", {"id": "text", "channel_id": "text", "department_id": "text"}, ["id"]),
                    ("auth_group", ID, ["id"]), ("auth_permission", ID, ["id"]),
                    ("auth_group_permissions", {"id": "text", "group_id": "text", "permission_id": "text"}, ["id"]))
    got = implied(snap)
    assert got[("master_notification_templates", "channel_id")] == ("master_notification_channels.id", HIGH)
    assert got[("master_notification_templates", "department_id")] == ("master_departments.id", HIGH)
    # The child itself is not the answer: auth_group_permissions.permission_id -> auth_permission.
    assert got[("auth_group_permissions", "permission_id")] == ("auth_permission.id", HIGH)


def test_a_unique_prefixed_table():
    snap = snapshot(("auth_user", {"id": "integer"}, ["id"]), ("django_content_type", {"id": "integer"}, ["id"]),
                    ("active_storage_blobs", {"id": "bigint"}, ["id"]),
                    ("blog_post", {"id": "integer", "user_id": "integer", "content_type_id": "integer", "blob_id": "bigint"}, ["id"]))
    assert implied(snap) == {("blog_post", "user_id"): ("auth_user.id", HIGH), ("blog_post", "content_type_id"): ("django_content_type.id", HIGH),
                             ("blog_post", "blob_id"): ("active_storage_blobs.id", HIGH)}


def test_a_prefixed_table_whose_key_type_differs_is_not_guessed():
    # request_id (a text request id) is not merge_requests.id (bigint): the words match by coincidence.
    snap = snapshot(("merge_requests", {"id": "bigint"}, ["id"]), ("audit_logs", {"id": "bigint", "request_id": "text"}, ["id"]))
    assert implied(snap) == {}


@pytest.mark.parametrize("people", ["users", "accounts", "members", "employees", "people", "staff"])
def test_role_words_point_at_the_table_of_people(people):
    snap = snapshot((people, {"id": "uuid"}, ["id"]),
                    ("issues", {"id": "uuid", "author_id": "uuid", "assignee_id": "uuid", "created_by": "uuid", "createdById": "uuid",
                                "approved_by_id": "uuid", "reviewerId": "uuid"}, ["id"]))
    got = implied(snap)
    assert {k[1]: v[0] for k, v in got.items()} == {c: f"{people}.id" for c in
                                                    ("author_id", "assignee_id", "created_by", "createdById", "approved_by_id", "reviewerId")}


def test_the_profile_may_name_the_table_of_people():
    snap = snapshot(("users", {"id": "uuid"}, ["id"]), ("operators", {"id": "uuid"}, ["id"]),
                    ("alerts", {"id": "uuid", "acknowledged_by": "uuid"}, ["id"]))
    assert implied(snap)[("alerts", "acknowledged_by")][0] == "users.id"
    assert implied(snap, Profile(name="p", people_table="operators"))[("alerts", "acknowledged_by")][0] == "operators.id"


def test_created_by_holding_text_is_for_review_not_counted():
    snap = snapshot(("users", ID, ["id"]), ("notes", {"id": "text", "created_by": "text"}, ["id"]))
    assert implied(snap) == {("notes", "created_by"): ("users.id", REVIEW)}  # a name or an e-mail? only the data can say


def test_leading_words_dropped():
    snap = snapshot(("languages", {"id": "integer"}, ["id"]), ("accounts", {"id": "bigint"}, ["id"]),
                    ("films", {"id": "integer", "original_language_id": "integer", "language_id": "integer"}, ["id"]),
                    ("follows", {"id": "bigint", "target_account_id": "bigint", "in_reply_to_account_id": "bigint"}, ["id"]))
    got = implied(snap)
    assert got[("films", "original_language_id")] == ("languages.id", HIGH)
    assert got[("follows", "target_account_id")] == ("accounts.id", HIGH)
    assert got[("follows", "in_reply_to_account_id")] == ("accounts.id", HIGH)


def test_an_external_id_is_not_a_reference():
    snap = snapshot(("customers", {"id": "integer"}, ["id"]), ("charges", {"id": "text"}, ["id"]),
                    ("orders", {"id": "integer", "stripe_customer_id": "text", "stripeChargeId": "text", "messageId": "text"}, ["id"]))
    got = implied(snap)
    assert ("orders", "stripe_customer_id") not in got  # text cannot point at an integer key
    # stripe_ names another system: with no data to ask, a person confirms it.
    assert got[("orders", "stripeChargeId")] == ("charges.id", REVIEW)
    assert unresolved(snap)[("orders", "messageId")] == "no table of that name"


def test_a_column_named_exactly_like_a_table():
    snap = snapshot(("release", {"id": "integer"}, ["id"]), ("country", {"code": "character(2)"}, ["code"]),
                    ("track", {"id": "integer", "release": "integer", "country": "character(2)", "title": "text"}, ["id"]),
                    ("release_label", {"release": "text"}, None))
    got = implied(snap)
    assert got[("track", "release")] == ("release.id", HIGH)       # a number named like a table
    assert got[("track", "country")] == ("country.code", REVIEW)   # text named like a table: the data decides
    assert ("release_label", "release") not in got                # text cannot point at an integer key


def test_self_references():
    snap = snapshot(("employees", {"id": "integer", "reports_to": "integer"}, ["id"]),
                    ("comments", {"id": "text", "parentId": "text", "in_reply_to_id": "text", "parent_comment_id": "text"}, ["id"]),
                    ("label", {"id": "integer", "parent": "integer"}, ["id"]))
    got = implied(snap)
    assert got[("employees", "reports_to")] == ("employees.id", HIGH)
    assert got[("comments", "parentId")] == ("comments.id", HIGH)
    assert got[("comments", "in_reply_to_id")] == ("comments.id", HIGH)
    assert got[("comments", "parent_comment_id")] == ("comments.id", HIGH)
    assert got[("label", "parent")] == ("label.id", HIGH)


def test_the_tables_own_key_is_not_a_reference():
    snap = snapshot(("customer", {"customer_id": "integer"}, ["customer_id"]),
                    ("rental", {"rental_id": "integer", "customer_id": "integer"}, ["rental_id"]))
    assert implied(snap) == {("rental", "customer_id"): ("customer.customer_id", HIGH)}
    assert unresolved(snap) == {}


def test_composite_references():
    snap = snapshot(("node_versions", {"node_id": "integer", "version": "integer"}, ["node_id", "version"]),
                    ("nodes", {"id": "integer"}, ["id"]),
                    ("edges", {"id": "integer", "node_id": "integer", "version": "integer"}, ["id"]),
                    # shared by siblings: a unique key many tables carry is not a reference between them
                    ("roles", {"id": "text", "tenant_id": "text", "code": "text"}, ["id"]),
                    ("teams", {"id": "text", "tenant_id": "text", "code": "text"}, ["id"]),
                    unique=[("roles", ("tenant_id", "code")), ("teams", ("tenant_id", "code"))])
    got = implied(snap)
    assert got[("edges", "node_id,version")] == ("node_versions.node_id,version", HIGH)
    assert got[("edges", "node_id")] == ("nodes.id", HIGH)
    assert not [k for k in got if k[0] in ("roles", "teams")]


def test_a_unique_non_primary_key():
    snap = snapshot(("languages", {"id": "integer", "code": "text"}, ["id"]), ("currencies", {"iso_code": "character(3)"}, ["iso_code"]),
                    ("films", {"id": "integer", "language_code": "text", "currency_iso_code": "character(3)"}, ["id"]),
                    unique=[("languages", ("code",))])
    assert implied(snap) == {("films", "language_code"): ("languages.code", HIGH), ("films", "currency_iso_code"): ("currencies.iso_code", HIGH)}


def test_shared_primary_keys():
    snap = snapshot(("cms_page", {"id": "integer"}, ["id"]), ("home_homepage", {"page_ptr_id": "integer", "intro": "text"}, ["page_ptr_id"]),
                    ("users", {"id": "uuid"}, ["id"]), ("user_settings", {"id": "uuid", "theme": "text"}, ["id"]),
                    ("user_profiles", {"user_id": "uuid", "bio": "text"}, ["user_id"]))
    got = implied(snap)
    assert got[("home_homepage", "page_ptr_id")] == ("cms_page.id", HIGH)
    assert got[("user_profiles", "user_id")] == ("users.id", HIGH)
    assert got[("user_settings", "id")] == ("users.id", REVIEW)  # only the data can confirm a shared id


def test_polymorphic_pairs_are_not_references_to_one_table():
    snap = snapshot(("comments", {"id": "bigint", "commentable_id": "bigint", "commentable_type": "text", "owner_id": "bigint",
                                  "owner_type": "text", "object_id": "text", "content_type_id": "integer"}, ["id"]),
                    ("owners", {"id": "bigint"}, ["id"]), ("django_content_type", {"id": "integer"}, ["id"]),
                    ("links", {"id": "integer", "assigned_object_id": "integer", "assigned_object_type_id": "integer"}, ["id"]))
    got = implied(snap)
    assert ("comments", "commentable_id") not in got and ("comments", "object_id") not in got
    assert ("links", "assigned_object_id") not in got
    assert got[("comments", "content_type_id")] == ("django_content_type.id", HIGH)
    assert got[("links", "assigned_object_type_id")] == ("django_content_type.id", HIGH)  # the type half names the types table
    assert got[("comments", "owner_id")] == ("owners.id", HIGH)  # owner names a table: an owner_type beside it is an attribute
    reasons = {(u.table, u.column): u for u in discover(snap, NO_PROFILE).unresolved}
    assert reasons[("comments", "commentable_id")].polymorphic


def test_an_ambiguous_cross_schema_match_is_reported_never_guessed():
    snap = snapshot(("reporting.events", {"id": "bigint"}, ["id"]), ("archive.events", {"id": "bigint"}, ["id"]),
                    ("app.activity", {"id": "bigint", "event_id": "bigint"}, ["id"]),
                    ("billing.plans", {"code": "text"}, ["code"]), ("app.subscriptions", {"id": "bigint", "plan_code": "text"}, ["id"]))
    got = implied(snap)
    assert ("app.activity", "event_id") not in got
    assert got[("app.subscriptions", "plan_code")] == ("billing.plans.code", HIGH)  # one other schema: no ambiguity
    (u,) = [u for u in discover(snap, NO_PROFILE).unresolved if u.column == "event_id"]
    assert u.reason == "ambiguous: archive.events, reporting.events"
    assert u.candidates == ("archive.events", "reporting.events")


def test_the_childs_own_schema_comes_first():
    snap = snapshot(("users", {"id": "uuid"}, ["id"]), ("auth.users", {"id": "uuid"}, ["id"]),
                    ("posts", {"id": "uuid", "user_id": "uuid"}, ["id"]), ("auth.sessions", {"id": "uuid", "user_id": "uuid"}, ["id"]))
    got = implied(snap)
    assert got[("posts", "user_id")][0] == "users.id" and got[("auth.sessions", "user_id")][0] == "auth.users.id"


def test_prisma_implicit_many_to_many_tables():
    snap = snapshot(("Post", ID, ["id"]), ("Tag", {"id": "integer"}, ["id"]), ("_PostToTag", {"A": "text", "B": "integer"}, ["A", "B"]))
    assert implied(snap) == {("_PostToTag", "A"): ("Post.id", HIGH), ("_PostToTag", "B"): ("Tag.id", HIGH)}


def test_a_design_decides_on_its_own_tables():
    from apms_ops.profiles import ExpectedForeignKey

    snap = snapshot(("users", ID, ["id"]), ("posts", {"id": "text", "author_id": "text", "user_id": "text"}, ["id"]))
    design = Profile(name="p", tables=("users", "posts"), foreign_keys=(ExpectedForeignKey("posts", ("author_id",), "users", ("id",)),))
    refs = {(r.columns, r.expected, r.implied, r.confidence) for r in discover(snap, design).references}
    # user_id is outside the design: listed for review, not counted.
    assert refs == {(("author_id",), True, False, HIGH), (("user_id",), False, True, REVIEW)}
    closed = Profile(name="prisma", tables=("users", "posts"), prisma_schema="x", modeled_tables=("users", "posts"),
                     foreign_keys=design.foreign_keys)
    assert {r.columns for r in discover(snap, closed).references} == {("author_id",)}  # a Prisma schema names every relation


# ---------------------------------------------------------------- the containment probe, on data


PROBED = """
CREATE TABLE customers (id text PRIMARY KEY);
CREATE TABLE users (id text PRIMARY KEY);
CREATE TABLE orders (id integer PRIMARY KEY, stripe_customer_id text, created_by text, customers text, users text);
CREATE TABLE notes (id integer PRIMARY KEY, created_by text);
INSERT INTO customers SELECT 'c' || g FROM generate_series(1, 500) g;
INSERT INTO users VALUES ('u1'), ('u2');
INSERT INTO orders SELECT g, 'cus_' || g, CASE WHEN g % 2 = 0 THEN 'u1' ELSE 'ada@example.com' END, 'c' || g, NULL
  FROM generate_series(1, 300) g;
INSERT INTO notes VALUES (1, 'u1'), (2, 'u2'), (3, NULL);
"""


@pytest.fixture(scope="module")
def probed_env():
    from conftest import ScratchDatabases

    factory = ScratchDatabases()
    yield factory.make(sql_text=PROBED)
    factory.cleanup()


def test_the_probe_confirms_refutes_or_leaves_for_review(probed_env):
    with read_only_session(probed_env) as conn:
        found = discover(read_snapshot(conn), NO_PROFILE, conn)
    refs = {(r.table, r.columns[0]): r for r in found.references}
    # created_by with every value in users: the data agrees with the name.
    assert (refs[("notes", "created_by")].confidence, refs[("notes", "created_by")].ref_table) == (HIGH, "users")
    assert "2 of 2 sampled values found" in refs[("notes", "created_by")].evidence
    # a column named like a table, all its (sampled) values in that table's key.
    assert refs[("orders", "customers")].confidence == HIGH and "200 of 200 sampled values" in refs[("orders", "customers")].evidence
    # e-mails in created_by, Stripe ids in stripe_customer_id: refuted, not references.
    assert ("orders", "created_by") not in refs and ("orders", "stripe_customer_id") not in refs
    reasons = {(u.table, u.column): u.reason for u in found.unresolved}
    assert "are not in it" in reasons[("orders", "created_by")]
    assert "are not in it" in reasons[("orders", "stripe_customer_id")]
    # no values at all: nothing to ask, so a person confirms.
    assert refs[("orders", "users")].confidence == REVIEW
    assert found.probed == 5


def test_the_probe_is_batched_and_bounded(probed_env):
    from sqlalchemy import event

    from apms_ops.connections import engine_for
    from apms_ops.discovery.inference import infer
    from apms_ops.discovery.probe import containment

    statements = []

    def listener(*args, **_kwargs):
        statements.append(args[2])

    with read_only_session(probed_env) as conn:
        snap = read_snapshot(conn)
        guesses = infer(snap).guesses
        event.listen(engine_for(probed_env), "before_cursor_execute", listener)
        try:
            result = containment(conn, guesses, sample=10, batch=50)
        finally:
            event.remove(engine_for(probed_env), "before_cursor_execute", listener)
    probe_statements = [s for s in statements if "sampled" in s]
    assert len(probe_statements) == 1  # every guess in one statement
    assert all(c.sampled <= 10 for c in result.values())  # LIMIT: a bounded sample, whatever the table's size


def test_a_type_mismatch_on_a_high_confidence_reference_is_still_reported(scratch):
    env = scratch.make(sql_text="CREATE TABLE users (id uuid PRIMARY KEY); CREATE TABLE posts (id integer PRIMARY KEY, user_id text);")
    r = run_review(env, "none", only=["C2.reference_types"]).check("C2.reference_types")
    assert r.status == "FAIL"
    assert [(f["column"], f["type"], f["referenced_type"]) for f in r.findings] == [("user_id", "text", "uuid")]


# ---------------------------------------------------------------- partitions


PARTITIONED = """
CREATE TABLE customers (id integer PRIMARY KEY);
CREATE TABLE payments (id integer, customer_id integer, paid date, PRIMARY KEY (id, paid)) PARTITION BY RANGE (paid);
CREATE TABLE payments_2025 PARTITION OF payments FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE payments_2026 PARTITION OF payments FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO customers VALUES (1), (2);
INSERT INTO payments VALUES (1, 1, '2025-03-01'), (2, 2, '2026-03-01');
"""


def test_a_foreign_key_on_every_partition_counts_for_the_partitioned_table(scratch):
    env = scratch.make(sql_text=PARTITIONED + """
        ALTER TABLE payments_2025 ADD CONSTRAINT p25_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
        ALTER TABLE payments_2026 ADD CONSTRAINT p26_fk FOREIGN KEY (customer_id) REFERENCES customers (id);""")
    r = run_review(env, "none", only=["C1.foreign_keys"]).check("C1.foreign_keys")
    assert (r.status, r.target, r.actual) == ("PASS", 1, 1)
    with read_only_session(env) as conn:
        (fk,) = read_snapshot(conn).foreign_keys
    assert (fk.table, fk.columns, fk.ref_table, fk.on_partitions) == ("payments", ("customer_id",), "customers", 2)


def test_a_foreign_key_on_some_partitions_is_still_missing(scratch):
    env = scratch.make(sql_text=PARTITIONED + "ALTER TABLE payments_2025 ADD FOREIGN KEY (customer_id) REFERENCES customers (id);")
    r = run_review(env, "none", only=["C1.foreign_keys"]).check("C1.foreign_keys")
    assert (r.status, r.target, r.actual) == ("WARN", 1, 0)


def test_remediation_on_a_partitioned_table_works_on_this_server(scratch):
    env = scratch.make(sql_text=PARTITIONED)
    (finding,) = run_review(env, "none", only=["C1.foreign_keys"]).check("C1.foreign_keys").findings
    script = finding["sql"]
    assert 'ALTER TABLE "public"."payments" ADD CONSTRAINT "payments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "public"."customers" ("id");' in script
    assert "rejects NOT VALID on a partitioned table" in script
    assert 'ALTER TABLE "public"."payments" ADD CONSTRAINT "payments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "public"."customers" ("id") NOT VALID' not in script
    # The script runs as given (a scratch copy, not a reviewed database), and leaves one FK the parent owns.
    with psycopg.connect(env.url, autocommit=True) as conn:
        conn.execute(script)
        rows = conn.execute("SELECT conrelid::regclass::text, conparentid <> 0, convalidated FROM pg_constraint "
                            "WHERE contype = 'f' ORDER BY 1").fetchall()
    assert rows == [("payments", False, True), ("payments_2025", True, True), ("payments_2026", True, True)]
    assert run_review(env, "none", only=["C1.foreign_keys"]).check("C1.foreign_keys").status == "PASS"


def test_the_whole_child_name_as_a_prefix():
    snap = snapshot(("dcim_device", {"id": "bigint", "role_id": "bigint"}, ["id"]), ("dcim_devicerole", {"id": "bigint"}, ["id"]),
                    ("ipam_role", {"id": "bigint"}, ["id"]), ("posts", {"id": "integer", "type_id": "integer"}, ["id"]),
                    ("post_types", {"id": "integer"}, ["id"]))
    got = implied(snap)
    assert got[("dcim_device", "role_id")] == ("dcim_devicerole.id", HIGH)  # Django: the model's name + the field's
    assert got[("posts", "type_id")] == ("post_types.id", HIGH)


def test_key_names_after_other_words_and_in_one_word_names():
    snap = snapshot(("cust", {"cust_no": "integer", "bill_to_cust_no": "integer"}, ["cust_no"]),
                    ("salesrep", {"rep_no": "integer", "mgr_rep_no": "integer"}, ["rep_no"]),
                    ("currency", {"currencycode": "character(3)"}, ["currencycode"]),
                    ("currencyrate", {"currencyrateid": "integer", "fromcurrencycode": "character(3)", "tocurrencycode": "character(3)"},
                     ["currencyrateid"]))
    got = implied(snap)
    assert got[("cust", "bill_to_cust_no")] == ("cust.cust_no", HIGH)
    assert got[("salesrep", "mgr_rep_no")] == ("salesrep.rep_no", HIGH)
    assert got[("currencyrate", "fromcurrencycode")] == ("currency.currencycode", HIGH)
    assert got[("currencyrate", "tocurrencycode")] == ("currency.currencycode", HIGH)


def test_a_unique_column_elsewhere_must_name_its_table_to_be_pointed_at():
    snap = snapshot(("Payment", {"id": "integer", "externalId": "text"}, ["id"]), ("Calendar", {"id": "integer", "externalId": "text"}, ["id"]),
                    unique=[("Payment", ("externalId",))])
    assert implied(snap) == {}


def test_bare_role_words_and_self_phrases():
    snap = snapshot(("users", {"id": "uuid"}, ["id"]),
                    ("tasks", {"id": "bigint", "assignee": "uuid", "owner": "uuid"}, ["id"]),
                    ("comments", {"id": "bigint", "reply_to": "bigint"}, ["id"]))
    got = implied(snap)
    assert got[("tasks", "assignee")] == ("users.id", HIGH) and got[("tasks", "owner")] == ("users.id", HIGH)
    assert got[("comments", "reply_to")] == ("comments.id", HIGH)


def test_prisma_named_many_to_many_tables():
    snap = snapshot(("users", {"id": "integer"}, ["id"]), ("EventType", {"id": "integer"}, ["id"]), ("Tag", {"id": "text"}, ["id"]),
                    ("_user_eventtype", {"A": "integer", "B": "integer"}, ["A", "B"]),
                    ("_tag_user", {"A": "text", "B": "integer"}, ["A", "B"]))
    got = implied(snap)
    assert got[("_user_eventtype", "A")][0] == "EventType.id" and got[("_user_eventtype", "B")][0] == "users.id"  # name order
    assert got[("_tag_user", "A")][0] == "Tag.id" and got[("_tag_user", "B")][0] == "users.id"  # the key types decide


def test_natural_keys_with_a_name_of_their_own():
    snap = snapshot(("book", {"isbn": "character(13)", "series_isbn": "character(13)"}, ["isbn"]),
                    ("copy", {"barcode": "varchar(14)", "isbn": "character(13)"}, ["barcode"]),
                    ("reservation", {"id": "bigint", "isbn": "character(13)", "fulfilled_by_barcode": "varchar(14)", "email": "text"}, ["id"]),
                    ("subscribers", {"email": "text"}, ["email"]))
    got = implied(snap)
    assert got[("copy", "isbn")] == ("book.isbn", HIGH) and got[("reservation", "isbn")] == ("book.isbn", HIGH)
    assert got[("book", "series_isbn")] == ("book.isbn", HIGH)
    assert got[("reservation", "fulfilled_by_barcode")] == ("copy.barcode", HIGH)
    assert ("reservation", "email") not in got  # a generic key name points nowhere by itself


def test_participles_and_phrases_that_name_people_or_the_same_table():
    snap = snapshot(("staff", {"staff_id": "integer", "supervisor": "integer"}, ["staff_id"]),
                    ("copy", {"id": "integer", "withdrawn_by": "integer"}, ["id"]),
                    ("loan", {"loan_id": "bigint", "renewed_from": "bigint"}, ["loan_id"]),
                    ("products", {"id": "integer", "units_on_order": "smallint"}, ["id"]), ("orders", {"id": "smallint"}, ["id"]))
    got = implied(snap)
    assert got[("staff", "supervisor")] == ("staff.staff_id", HIGH)  # the table of people may be the table itself
    assert got[("copy", "withdrawn_by")] == ("staff.staff_id", HIGH)
    assert got[("loan", "renewed_from")] == ("loan.loan_id", HIGH)
    assert ("products", "units_on_order") not in got  # a quantity "on order", not an order
