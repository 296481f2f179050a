"""Functions and views as repeatable definitions, the way Flyway's repeatable migrations or dbt's models work.

Alembic revisions keep tables, types, schemas, roles, grants on tables and seed data. Every function and view of
the schemas etl, reporting and ops lives in etl_sql/<schema>/<object>.sql, one object per file. Each upgrade or
downgrade (migrations/env.py, one transaction) first drops them all, runs the revisions, then creates from the
files every object the database's revision can hold, in dependency order, and grants them to their roles.

A file reads:

    -- One line saying what the object is.
    -- needs revision 0004: core.news_mention
    create or replace view reporting.game_news as ...;
    comment on view reporting.game_news is '...';

`needs revision` names the oldest revision whose tables, columns and types the object uses itself (text after a
colon says which); an object that uses another one needs that one's revision too. Without the line the object
needs the head revision. Dependencies are the other objects' qualified names in the definition (comments and
`comment on` text aside), so adding a view is adding a file.
"""
import graphlib
import re
from dataclasses import dataclass
from importlib import resources

SCHEMAS = ("etl", "reporting", "ops")

DEFINITION = re.compile(r"^create or replace (function|view) (\w+)\.(\w+)\b", re.MULTILINE)
NEEDS = re.compile(r"^-- needs revision (\w+)", re.MULTILINE)
REFERENCE = re.compile(rf"\b((?:{'|'.join(SCHEMAS)})\.\w+)\b")
LINE_COMMENT = re.compile(r"--[^\n]*")
COMMENT_ON = re.compile(r"^comment on ", re.MULTILINE)

# Who may use the objects of each schema, granted again after every creation (dropping an object drops its
# grants). Grants to other roles sit in the object's own file.
SCHEMA_GRANTS = {
    "etl": """
        revoke all on all functions in schema etl from public;
        grant execute on all functions in schema etl to pricewatch_etl;
    """,
    "reporting": """
        revoke all on all functions in schema reporting from public;
        grant execute on all functions in schema reporting to pricewatch_reader;
        grant select on all tables in schema reporting to pricewatch_reader;
    """,
    "ops": "revoke all on all functions in schema ops from public;",
}

# Comments on every column of every reporting view that exists, run after each creation (etl_sql/column_comments.sql).
COLUMN_COMMENTS = "column_comments.sql"

# Every function and view of the schemas, and the ones among them each depends on.
CATALOG_OBJECTS = """
with object as (
    select 'pg_proc'::regclass as catalog, routine.oid,
           'drop routine ' || quote_ident(schema.nspname) || '.' || quote_ident(routine.proname)
               || '(' || pg_get_function_identity_arguments(routine.oid) || ')' as drop_statement
    from pg_proc as routine
    join pg_namespace as schema on schema.oid = routine.pronamespace
    where schema.nspname = any(%(schemas)s)
    union all
    select 'pg_class'::regclass, view.oid,
           'drop view ' || quote_ident(schema.nspname) || '.' || quote_ident(view.relname)
    from pg_class as view
    join pg_namespace as schema on schema.oid = view.relnamespace
    where schema.nspname = any(%(schemas)s) and view.relkind = 'v'
),
dependency as (
    -- A view depends through its rewrite rule; a function returning a view's rows, on the view's row type.
    select case when rule.oid is null then depend.classid else 'pg_class'::regclass end as catalog,
           coalesce(rule.ev_class, depend.objid) as oid,
           case when row_type.oid is null then depend.refclassid else 'pg_class'::regclass end as referenced_catalog,
           coalesce(row_type.typrelid, depend.refobjid) as referenced_oid
    from pg_depend as depend
    left join pg_rewrite as rule on depend.classid = 'pg_rewrite'::regclass and rule.oid = depend.objid
    left join pg_type as row_type
        on depend.refclassid = 'pg_type'::regclass and row_type.oid = depend.refobjid and row_type.typrelid <> 0
    where depend.deptype = 'n'
)
select object.drop_statement,
       coalesce(array_agg(distinct referenced.drop_statement)
                filter (where referenced.oid is not null and referenced.oid <> object.oid), '{}')
from object
left join dependency on dependency.catalog = object.catalog and dependency.oid = object.oid
left join object as referenced
    on referenced.catalog = dependency.referenced_catalog and referenced.oid = dependency.referenced_oid
group by object.drop_statement
"""


class DefinitionError(Exception):
    """A file of etl_sql/ breaks the convention (one object per file, named after it, in its schema's folder)."""


@dataclass(frozen=True)
class SqlObject:
    kind: str  # function or view
    name: str  # schema.object
    path: str  # etl_sql/<schema>/<object>.sql
    text: str
    needs: str | None  # revision; None: the head revision
    references: frozenset[str]  # qualified names in schemas etl, reporting, ops (tables among them)


def parse(path: str, text: str) -> SqlObject:
    schema, _, file_name = path.removeprefix("etl_sql/").partition("/")
    definitions = DEFINITION.findall(text)
    if len(definitions) != 1:
        raise DefinitionError(f"{path}: defines {len(definitions)} objects with `create or replace`, not one")
    kind, defined_schema, defined_name = definitions[0]
    if (defined_schema, defined_name + ".sql") != (schema, file_name):
        raise DefinitionError(f"{path}: defines {defined_schema}.{defined_name}; a file is named after its object")
    if not text.startswith("-- "):
        raise DefinitionError(f"{path}: starts with a one-line `--` description")
    if not re.search(rf"^comment on {kind} {schema}\.{defined_name}\b", text, re.MULTILINE):
        raise DefinitionError(f"{path}: has no `comment on {kind} {schema}.{defined_name}`")
    needs = NEEDS.search(text)
    definition = COMMENT_ON.split(LINE_COMMENT.sub("", text), maxsplit=1)[0]
    name = f"{schema}.{defined_name}"
    return SqlObject(kind, name, path, text, needs and needs.group(1),
                     frozenset(REFERENCE.findall(definition)) - {name})


def read_objects() -> dict[str, SqlObject]:
    """Every file of etl_sql/, by the qualified name of its object."""
    objects = {}
    root = resources.files("etl_sql")
    for schema in SCHEMAS:
        for entry in sorted(root.joinpath(schema).iterdir(), key=lambda entry: entry.name):
            if entry.name.endswith(".sql"):
                found = parse(f"etl_sql/{schema}/{entry.name}", entry.read_text(encoding="utf-8"))
                objects[found.name] = found
    return objects


def creation_order(objects: dict[str, SqlObject]) -> list[SqlObject]:
    """Objects after the objects they use (a name-sorted order among independent ones, so runs are alike)."""
    sorter = graphlib.TopologicalSorter(
        {name: sorted(found.references & objects.keys()) for name, found in sorted(objects.items())})
    return [objects[name] for name in sorter.static_order()]


def revision_order(script) -> list[str]:
    """The revision ids of an Alembic ScriptDirectory, base to head (the chain is linear)."""
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def available(objects: dict[str, SqlObject], revisions: list[str], current: str | None) -> list[SqlObject]:
    """The objects a database at revision `current` can hold, in creation order (`revisions`: base to head)."""
    applied = set(revisions[:revisions.index(current) + 1]) if current else set()
    chosen = []
    for found in creation_order(objects):
        if found.needs and found.needs not in revisions:
            raise DefinitionError(f"{found.path}: needs revision {found.needs}, which does not exist")
        held = {other.name for other in chosen}
        if (found.needs or revisions[-1]) in applied and found.references & objects.keys() <= held:
            chosen.append(found)
    return chosen


def drop_all(cur) -> None:
    """Drops every function and view of the schemas, dependents first. Without cascade: an object someone else
    made on top of ours (a view of their own) stops the migration with PostgreSQL's message naming it."""
    cur.execute(CATALOG_OBJECTS, {"schemas": list(SCHEMAS)})
    dependents = graphlib.TopologicalSorter(dict(cur.fetchall()))
    for drop_statement in reversed(list(dependents.static_order())):
        cur.execute(drop_statement)


def create(cur, objects: list[SqlObject]) -> None:
    for found in objects:
        cur.execute(found.text)
    for schema in sorted({found.name.partition(".")[0] for found in objects}):
        cur.execute(SCHEMA_GRANTS[schema])
    # Column comments go with the views they describe: one glossary for the columns of every reporting view.
    cur.execute(resources.files("etl_sql").joinpath(COLUMN_COMMENTS).read_text(encoding="utf-8"))
