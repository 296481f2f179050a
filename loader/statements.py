"""The SQL of one file load, generated from a feed spec. Every step is one set-based statement.

feed_record       each non-blank line checked against the contract and typed, or given its reject reason.
                  Typed rows come straight from Python (loader.typed_rows); a matched line that is not a
                  pure confirmation takes its latest state's values without being parsed; the SQL checks
                  take the lines Python leaves undecided
feed_line         lines as text, numbered by the reader: only the lines the SQL checks decide, rejects (with
                  their reason as read_error) and the lines of later rejects (for ops.load_reject)
feed_fingerprint  a rescrape's first pass: every line's number, fingerprint and observed-at time, no text
feed_confirmation how many matched lines of each source were pure confirmations (unchanged, never planned)
feed_plan         what each valid record is for its listing: new change, unchanged, or rejected (with why)
"""
from psycopg2 import sql

import contracts
from loader.contract_checks import field_columns, reason_case
from loader.spec import INTEGER_TYPES, Column, FeedSpec


def names(columns, prefix: str | None = None) -> sql.Composable:
    if prefix:
        return sql.SQL(", ").join(sql.Identifier(prefix, c.name) for c in columns)
    return sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)


def typed(column: Column) -> sql.Composable:
    """The record's field as the column's SQL type (the record passed the contract, so casts hold)."""
    if column.sql_type == "text[]":
        return sql.SQL("array(select jsonb_array_elements_text(doc -> {}))").format(sql.Literal(column.field))
    text = sql.Identifier(f"{column.field}/text")
    if column.sql_type in INTEGER_TYPES:
        return sql.SQL("{}::numeric::{}").format(text, sql.SQL(column.sql_type))
    return sql.SQL("{}::{}").format(text, sql.SQL(column.sql_type))


def create_work_tables(spec: FeedSpec) -> sql.Composable:
    columns = sql.SQL(",\n    ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type)) for c in spec.columns)
    line_hash = sql.SQL(",\n    line_hash uuid" if spec.fingerprint_lines else "")
    return sql.SQL("""{matching}
create temp table feed_line (
    line_number bigint not null,
    raw text not null,
    read_error text{line_hash}
) on commit drop;
create temp table feed_record (
    line_number bigint not null,
    reason text,
    {columns},
    content_hash uuid{line_hash}
) on commit drop;
""").format(columns=columns, line_hash=line_hash,
             matching=matching_tables(spec) if spec.fingerprint_lines else sql.SQL(""))


def matching_tables(spec: FeedSpec) -> sql.Composable:
    return sql.SQL("""
create temp table feed_fingerprint (
    line_number bigint not null,
    line_hash uuid,
    {observed_at} {observed_type}
) on commit drop;
create temp table feed_confirmation (
    {source} text not null,
    lines integer not null
) on commit drop;""").format(observed_at=sql.Identifier(spec.observed_at.name),
                             observed_type=sql.SQL(spec.observed_at.sql_type),
                             source=sql.Identifier(spec.source_column.name))


def copy_lines(spec: FeedSpec) -> str:
    line_hash = ", line_hash" if spec.fingerprint_lines else ""
    return f"copy feed_line (line_number, raw, read_error{line_hash}) from stdin"


def copy_records(spec: FeedSpec) -> sql.Composable:
    """COPY of typed rows as loader.typed_rows writes them (content_hash is left to the plan)."""
    line_hash = sql.SQL(", line_hash" if spec.fingerprint_lines else "")
    return sql.SQL("copy feed_record (line_number, reason, {columns}{line_hash}) from stdin").format(
        columns=names(spec.columns), line_hash=line_hash)


def copy_fingerprints(spec: FeedSpec) -> sql.Composable:
    """COPY of a rescrape's first pass; the observed-at values are typed as they arrive (the first pass takes
    only values PostgreSQL reads as Python does, see loader.contract_validator)."""
    return sql.SQL("copy feed_fingerprint (line_number, line_hash, {}) from stdin").format(
        sql.Identifier(spec.observed_at.name))


def match_lines(spec: FeedSpec) -> sql.Composable:
    """Which lines' fingerprints are a latest state's, at the line's own observed-at time (which the first pass
    took only when it passed the contract's rules for that field, clock checks included: see
    loader.feed_rows.first_pass_fingerprint), so this is a plain join, and nothing is kept per matched line:
    the confirmation joins again under the locks. Returns `(line_number, null, 1)` for each other line (new
    listings, changes, lines without a fingerprint or with a bad time: decoded instead), in line order, and
    `(null, source, matched lines)` for each source of the matched lines (the sources to lock)."""
    return sql.SQL("""
select case when latest.{source} is null then line.line_number end as unmatched, latest.{source}, count(*)
from feed_fingerprint as line
left join {latest} as latest on latest.line_hash = line.line_hash
group by 1, 2
order by 1
""").format(source=sql.Identifier(spec.source_column.name), latest=sql.Identifier(*spec.latest_state))


def confirm_lone_lines(spec: FeedSpec, feed_file_id: int) -> sql.Composable:
    """The pure confirmations, applied in one statement (under the source locks): a line whose fingerprint is
    still a latest state's, not decoded, its listing's only line (a fingerprint the first pass saw on several
    lines may be repeated: the parameter lists them, checked here) and no valid decoded record of the listing,
    later than that state's last_seen_at, moves that row's last seen time and queues it for the ETL, as
    move_latest does. feed_confirmation counts them per source for the ledger. Returns how many lines were
    confirmed.

    The exclusions are `not in` filters (hashed subplans), never anti-joins: an anti-join could be planned
    with the hash on the 1M joined rows, then the rows come out (and are updated) in the hash table's
    order instead of the heap's, and the latest states no longer fit in shared buffers (16 s instead of
    2 s per 1M lines)."""
    source = sql.Identifier(spec.source_column.name)
    observed_at = sql.Identifier(spec.observed_at.name)
    return sql.SQL("""
with confirmed as (
    update {latest} as target
    set last_seen_at = line.{observed_at},
        last_seen_feed_file_id = {feed_file_id}
    from feed_fingerprint as line
    where target.line_hash = line.line_hash
      and line.{observed_at} > target.last_seen_at
      and line.line_number not in (select line_number from feed_record)
      and line.line_hash not in (
          select line_hash from feed_fingerprint where line_hash = any(%s::uuid[]) group by 1 having count(*) > 1)
      and ({target_keys}) not in (select {keys} from feed_record where reason is null)
    returning target.{source}, target.change_id
),{queued}
counted as (
    insert into feed_confirmation ({source}, lines)
    select {source}, count(*) from confirmed group by {source}
)
select count(*) from confirmed
""").format(source=source, observed_at=observed_at, keys=names(spec.key), target_keys=names(spec.key, "target"),
            latest=sql.Identifier(*spec.latest_state), feed_file_id=sql.Literal(feed_file_id),
            queued=sql.SQL("\nqueued as (\n{}\n),").format(queue_confirmed(spec, feed_file_id, "confirmed"))
            if spec.confirmation_queue else sql.SQL(""))


def same_key(spec: FeedSpec, one: str, other: str) -> sql.Composable:
    return sql.SQL(" and ").join(sql.SQL("{0}.{2} = {1}.{2}").format(
        sql.Identifier(one), sql.Identifier(other), sql.Identifier(c.name)) for c in spec.key)


def same_state(spec: FeedSpec, latest: str, other: str) -> sql.Composable:
    """A latest-state row (alias `latest`) still holding the change `other` names: its listing, its change id."""
    return sql.SQL("{} and {}.change_id = {}.change_id").format(
        same_key(spec, latest, other), sql.Identifier(latest), sql.Identifier(other))


def record_matched_lines(spec: FeedSpec, feed_file_id: int) -> sql.Composable:
    """After the confirmations (rare: only when they took fewer lines than matched), the matched lines they
    left: a line whose fingerprint is still a latest state's (a listing with several lines in the file or a
    valid decoded record, or a time not after last_seen_at) gets a
    feed_record row with that state's values at the line's own observed-at time, to be planned like a parsed
    line. Returns the lines whose state is no longer the latest (superseded by a concurrent load since the
    match), which are decoded instead."""
    values = sql.SQL(", ").join(sql.Identifier("taken" if c == spec.observed_at else "state", c.name)
                                for c in spec.columns)
    source = sql.Identifier(spec.source_column.name)
    observed_at = sql.Identifier(spec.observed_at.name)
    return sql.SQL("""
with taken as materialized (
    select line.line_number, line.{observed_at}, latest.{source}, latest.change_id
    from feed_fingerprint as line
    left join {latest} as latest on latest.line_hash = line.line_hash
    where line.line_hash is not null
      and not exists (select from feed_record as record where record.line_number = line.line_number)
      and latest.last_seen_feed_file_id is distinct from {feed_file_id}
),
recorded as (
    insert into feed_record (line_number, reason, {columns}, content_hash, line_hash)
    select taken.line_number, null, {values}, state.content_hash, state.line_hash
    from taken
    join {table} as state on state.{source} = taken.{source} and state.change_id = taken.change_id
)
select line_number from taken where change_id is null order by 1
""").format(columns=names(spec.columns), values=values, table=sql.Identifier(*spec.change_log),
            latest=sql.Identifier(*spec.latest_state), source=source, observed_at=observed_at,
            feed_file_id=sql.Literal(feed_file_id))


def check_records(spec: FeedSpec, parse: str = "careful", skip_recorded: bool = False) -> sql.Composable:
    """Fill feed_record from the lines of feed_line (`skip_recorded`: those not in it yet, after a second
    batch of lines was decoded). `careful` validates each line as JSON first; `trusting` casts straight away (one parse
    instead of two) and fails as a whole on the first malformed line."""
    table = contracts.currencies()
    if parse == "careful":
        doc = sql.SQL("case when read_error is null and pg_input_is_valid(raw, 'jsonb') then raw::jsonb end")
    else:
        doc = sql.SQL("case when read_error is null then raw::jsonb end")
    first = ("when read_error is not null then read_error\n"
             "            when doc is null then 'malformed JSON: ' || (pg_input_error_info(raw, 'jsonb')).message\n"
             "            when jsonb_typeof(doc) <> 'object' then 'not a JSON object'")
    money = spec.money
    currency_join = sql.SQL("")
    currency_digits = sql.SQL("null::integer as currency_digits")
    if money:
        currency_join = sql.SQL("left join currency on currency.code = parsed.doc ->> {}").format(
            sql.Literal(money.currency_field))
        currency_digits = sql.SQL("currency.currency_digits")
    content = sql.SQL(", ").join(sql.Identifier(c.name) for c in spec.content)
    # `offset 0` keeps each step a separate subquery: computed once per row, not copied into every use.
    return sql.SQL("""
insert into feed_record (line_number, reason, {columns}, {line_hash}content_hash)
with currency as (
    select * from unnest({codes}::text[], {digits}::integer[]) as currency(code, currency_digits)
),
parsed as (
    select line_number, raw, read_error, {line_hash}{doc} as doc
    from feed_line
    where raw ~ '[^[:space:]]'{unmatched}
    offset 0
),
line as (
    select parsed.*, {currency_digits},
        {fields}
    from parsed
    {currency_join}
    offset 0
),
checked as (
    select line.*,
        case
            {first}
            {checks}
        end as reason
    from line
    offset 0
),
typed as (
    select line_number, reason, {typed}{line_hash_typed}
    from checked
)
select line_number, reason, {columns}, {line_hash}
    case when reason is null then md5(row({content})::text)::uuid end as content_hash
from typed
""").format(
        doc=doc,
        unmatched=sql.SQL("\n      and line_number not in (select line_number from feed_record)"
                          if skip_recorded else ""),
        columns=names(spec.columns),
        line_hash=sql.SQL("line_hash, " if spec.fingerprint_lines else ""),
        line_hash_typed=sql.SQL(", line_hash" if spec.fingerprint_lines else ""),
        codes=sql.Literal(list(table)),
        digits=sql.Literal(list(table.values())),
        fields=field_columns(spec),
        first=sql.SQL(first),
        checks=reason_case(spec),
        currency_join=currency_join,
        currency_digits=currency_digits,
        typed=sql.SQL(",\n        ").join(
            sql.SQL("case when reason is null then {} end as {}").format(typed(c), sql.Identifier(c.name))
            for c in spec.columns),
        content=content,
    )


def lock_sources(spec: FeedSpec, matched_sources=()) -> sql.Composable:
    """Sources of the file's valid records and of its lines matched by fingerprint, sorted so that two loads
    always lock in the same order."""
    source = sql.Identifier(spec.source_column.name)
    matched = sql.SQL(" union select unnest({}::text[])").format(sql.Literal(list(matched_sources))) \
        if matched_sources else sql.SQL("")
    return sql.SQL("select distinct {source} from feed_record where reason is null{matched} order by 1").format(
        source=source, matched=matched)


def plan_changes(spec: FeedSpec) -> sql.Composable:
    """Place every valid record in its listing's history.

    Records of one listing are taken in observed_at then line order. One rule for records at the same moment,
    within a file and across files: the first one recorded wins (the earlier line, or what staging already
    saw at that moment); an identical one is unchanged, a different one is rejected, so no zero-length state
    is recorded. Records older than what staging last saw of the listing cannot be placed in its history:
    identical to the latest state they are unchanged, different they are rejected. The rest form a sequence
    starting from the latest state; a record equal to its predecessor is unchanged, otherwise it is the
    next change. change_number counts the changes so far in the file (0 = still confirming the latest row).

    Most listings have one record in a file. Their place follows from the latest state alone, so only the
    listings with several records are sorted for the window functions (sorting every record dominated). The
    aggregate that finds those listings keeps only them, so joining it back hashes a few listings, not all.
    Records typed in Python come without a content hash: it is computed here, once per record.
    """
    keys = names(spec.key)
    return sql.SQL("""
create temp table feed_plan on commit drop as
with valid as (
    select line_number, {keys}, {observed_at} as observed_at,
        coalesce(content_hash, md5(row({content})::text)::uuid) as content_hash
    from feed_record
    where reason is null
),
record as (
    select valid.*, coalesce(listing.several, false) as several
    from valid
    left join (select {keys}, true as several from valid group by {keys} having count(*) > 1) as listing
        using ({keys})
),
latest as (
    select {keys}, change_seq as latest_seq, content_hash as latest_hash, last_seen_at as latest_seen_at
    from {latest}
    where ({keys}) in (select {keys} from valid)
),
lone as (
    select record.*, latest.latest_seq, latest.latest_hash,
        latest.latest_seen_at,
        -- At the moment staging last saw, only the state it saw then is in order (one state per moment).
        coalesce(observed_at > latest.latest_seen_at
                 or (observed_at = latest.latest_seen_at and content_hash = latest.latest_hash), true) as in_order,
        content_hash is distinct from latest.latest_hash as is_change
    from record
    left join latest using ({keys})
    where not several
),
moment as (
    select record.*, latest.latest_seq, latest.latest_hash, latest.latest_seen_at,
        row_number() over same_moment as moment_rank,
        first_value(content_hash) over same_moment as moment_hash,
        first_value(line_number) over same_moment as moment_line
    from record
    left join latest using ({keys})
    where several
    window same_moment as (partition by {keys}, observed_at order by line_number)
),
placed as (
    select moment.*,
        case
            when moment_rank > 1 and content_hash <> moment_hash then 'rejected'
            when moment_rank > 1 then 'unchanged'
            when observed_at <= latest_seen_at and content_hash <> latest_hash then 'rejected'
            when observed_at < latest_seen_at then 'unchanged'
            else 'sequenced'
        end as placement
    from moment
),
sequenced as (
    select placed.*,
        content_hash is distinct from coalesce(lag(content_hash) over listing_order, latest_hash) as is_change
    from placed
    where placement = 'sequenced'
    window listing_order as (partition by {keys} order by observed_at, line_number)
),
numbered as (
    select sequenced.*,
        count(*) filter (where is_change) over (partition by {keys} order by observed_at, line_number) as change_number
    from sequenced
),
run as (
    select numbered.*,
        max(observed_at) over (partition by {keys}, change_number) as run_last_seen_at,
        last_value(line_number) over (partition by {keys}, change_number order by observed_at, line_number
                                      rows between unbounded preceding and unbounded following) as run_last_line,
        max(change_number) over (partition by {keys}) as last_change_number
    from numbered
)
select line_number, {keys}, observed_at,
    case when is_change then 'new' else 'unchanged' end as outcome,
    null::text as reason,
    change_number,
    coalesce(latest_seq, 0) + change_number as change_seq,
    change_number = last_change_number as is_latest,
    run_last_seen_at,
    run_last_line,
    content_hash
from run
union all
select line_number, {keys}, observed_at, placement, case
        when moment_rank > 1 then 'same listing and scraped_at as line ' || moment_line || ' with different content'
        when observed_at = latest_seen_at then {same_moment}
        else {out_of_order}
    end,
    null, null, null, null, null, content_hash
from placed
where placement <> 'sequenced'
union all
select line_number, {keys}, observed_at,
    case
        when in_order and is_change then 'new'
        when in_order or content_hash = latest_hash then 'unchanged'
        else 'rejected'
    end,
    case
        when in_order or content_hash = latest_hash then null
        when observed_at = latest_seen_at then {same_moment}
        else {out_of_order}
    end,
    case when in_order then is_change::integer::bigint end,
    case when in_order then coalesce(latest_seq, 0) + is_change::integer::bigint end,
    case when in_order then true end,
    case when in_order then observed_at end,
    case when in_order then line_number end,
    content_hash
from lone
""").format(keys=keys, latest=latest_states(spec), observed_at=sql.Identifier(spec.observed_at.name),
            content=names(spec.content),
            out_of_order=sql.Literal("out of order: older than the latest recorded state"),
            same_moment=sql.Literal("same listing and scraped_at as a record already loaded, with different content"))


def latest_states(spec: FeedSpec) -> sql.Composable:
    """Each listing's latest state, in either layout (loader.spec), as a relation to select from."""
    if spec.latest_state:
        return sql.Identifier(*spec.latest_state)
    return sql.SQL("(select * from {} where is_latest) as latest_row").format(sql.Identifier(*spec.table))


def move_latest(spec: FeedSpec, feed_file_id: int) -> sql.Composable:
    """The latest row of each listing the file saw: confirmed (last seen and refresh fields move on) and/or
    superseded by a change. Confirmed rows go to the spec's confirmation queue for the ETL."""
    keys = names(spec.key)
    match = sql.SQL(" and ").join(
        sql.SQL("target.{0} = seen.{0}").format(sql.Identifier(c.name)) for c in spec.key)
    refresh = sql.SQL("").join(
        sql.SQL(",\n    {0} = case when seen.confirmed_at is null then target.{0} else confirming.{0} end").format(
            sql.Identifier(c.name)) for c in spec.refresh)
    update = sql.SQL("""
update {table} as target
set is_latest = not seen.has_change,
    last_seen_at = greatest(target.last_seen_at, seen.confirmed_at),
    last_seen_feed_file_id = case when seen.confirmed_at is null then target.last_seen_feed_file_id else {feed_file_id} end{refresh}
from (
    select {keys},
        max(observed_at) filter (where change_number = 0) as confirmed_at,
        max(run_last_line) filter (where change_number = 0) as confirming_line,
        bool_or(outcome = 'new') as has_change
    from feed_plan
    where change_number is not null
    group by {keys}
) as seen
{confirming}where target.is_latest and {match}""").format(
        table=sql.Identifier(*spec.table), keys=keys, match=match, refresh=refresh, feed_file_id=sql.Literal(feed_file_id),
        # Only refresh fields need the confirming record; unused, the join was planned as a nested loop over
        # feed_record per listing (its estimate of seen's rows is a guess), quadratic in the records.
        confirming=sql.SQL("left join feed_record as confirming on confirming.line_number = seen.confirming_line\n"
                           if spec.refresh else ""))
    if spec.confirmation_queue is None:
        return update
    return sql.SQL("""
with moved as ({update}
    returning target.{source}, target.change_id, seen.confirmed_at
)
{queued}
where confirmed_at is not null
""").format(update=update, source=sql.Identifier(spec.source_column.name),
            queued=queue_confirmed(spec, feed_file_id, "moved"))


def queue_confirmed(spec: FeedSpec, feed_file_id: int, moved: str) -> sql.Composable:
    """The rows an update returned (`moved`: source, change_id) into the spec's confirmation queue."""
    return sql.SQL("""insert into {queue} ({source}, feed_file_id, change_id)
select {source}, {feed_file_id}, change_id
from {moved}""").format(queue=sql.Identifier(*spec.confirmation_queue), source=sql.Identifier(spec.source_column.name),
                        feed_file_id=sql.Literal(feed_file_id), moved=sql.Identifier(moved))


def insert_changes(spec: FeedSpec, feed_file_id: int) -> sql.Composable:
    """A row per change: content from the record that made it, refresh fields from the last record of its run."""
    values = spec.content + spec.refresh
    fingerprint = spec.fingerprint_lines
    return sql.SQL("""
insert into {table} ({keys}, change_seq, is_latest, {observed_at}, last_seen_at, last_seen_feed_file_id,
    {values}, content_hash, feed_file_id, line_number{line_hash})
select {plan_keys}, plan.change_seq, plan.is_latest, plan.observed_at, plan.run_last_seen_at, {feed_file_id},
    {record_values}, plan.content_hash, {feed_file_id}, plan.line_number{line_hash_value}
from feed_plan as plan
join feed_record as record using (line_number){run_last_join}
where plan.outcome = 'new'
""").format(
        line_hash=sql.SQL(", line_hash" if fingerprint else ""),
        line_hash_value=sql.SQL(", record.line_hash" if fingerprint else ""),
        table=sql.Identifier(*spec.table), keys=names(spec.key), observed_at=sql.Identifier(spec.observed_at.name),
        values=names(values), plan_keys=names(spec.key, "plan"),
        record_values=sql.SQL(", ").join([names(spec.content, "record")] + (
            [names(spec.refresh, "run_last")] if spec.refresh else [])),
        run_last_join=sql.SQL("\njoin feed_record as run_last on run_last.line_number = plan.run_last_line")
        if spec.refresh else sql.SQL(""),
        feed_file_id=sql.Literal(feed_file_id))


def write_changes(spec: FeedSpec, feed_file_id: int) -> sql.Composable:
    """The writes of a file in the layout with a latest-state table (loader.spec), in one statement: each change
    appended to the log with the change it superseded; each listing's latest state added, replaced by its
    newest change, or (confirmed only) given its new last seen time, heap-only; a superseded state's final last
    seen written into the log; confirmed states queued for the ETL. Returns how many latest states were
    replaced and how many the plan expected: fewer means another load changed them outside the locks.

    A new listing's only change in the file (every line of a first load) supersedes nothing and is its latest
    state: it is appended in one pass over the plan and its latest state added from what the append returns.
    Only the other changes are numbered and sorted by listing to chain them (the sort and a second join of
    every change cost a first load as much as writing the rows)."""
    keys = names(spec.key)
    feed_file_id = sql.Literal(feed_file_id)
    queued = sql.SQL("""
queued as (
    insert into {queue} ({source}, feed_file_id, change_id)
    select {source}, {feed_file_id}, change_id
    from known
    where confirmed_at is not null
),""").format(queue=sql.Identifier(*spec.confirmation_queue), source=sql.Identifier(spec.source_column.name),
              feed_file_id=feed_file_id) if spec.confirmation_queue else sql.SQL("")
    # change_seq counts on from the latest state's (1 for a listing's first change); is_latest marks the file's
    # last change of the listing.
    lone_new_listing = sql.SQL("change_seq = 1 and is_latest")
    return sql.SQL("""
with seen as (
    select {keys},
        max(observed_at) filter (where change_number = 0) as confirmed_at,
        bool_or(outcome = 'new') as has_change
    from feed_plan
    -- Only listings with a latest state, which their change_seq counts on from.
    where change_seq > change_number
    group by {keys}
),
known as (
    select latest.*, seen.confirmed_at, seen.has_change,
        greatest(latest.last_seen_at, seen.confirmed_at) as seen_until,
        case when seen.confirmed_at is null then latest.last_seen_feed_file_id else {feed_file_id} end as seen_in
    from seen
    join {latest} as latest using ({keys})
),
fresh as (
    insert into {log} ({keys}, change_seq, {observed_at}, last_seen_at, last_seen_feed_file_id,
        {content}, content_hash, feed_file_id, line_number, line_hash)
    select {plan_keys}, plan.change_seq, plan.observed_at, plan.run_last_seen_at,
        {feed_file_id}, {record_content}, plan.content_hash, {feed_file_id}, plan.line_number, record.line_hash
    from feed_plan as plan
    join feed_record as record using (line_number)
    where plan.outcome = 'new' and {lone_new_listing}
    returning {keys}, change_id, change_seq, content_hash, line_hash, last_seen_at
),
change as materialized (
    select line_number, {keys}, change_seq, nextval({sequence}) as change_id
    from feed_plan
    where outcome = 'new' and not ({lone_new_listing})
),
chained as (
    select change.*, known.change_id as replaces_change_id,
        coalesce(lag(change.change_id) over listing_changes, known.change_id) as supersedes_change_id,
        change.change_seq = max(change.change_seq) over (partition by {keys}) as is_newest
    from change
    left join known using ({keys})
    window listing_changes as (partition by {keys} order by change.change_seq)
),
closed as (
    update {log} as superseded
    set last_seen_at = known.seen_until, last_seen_feed_file_id = known.seen_in
    from known
    where known.has_change and {same_change}
      and (superseded.last_seen_at, superseded.last_seen_feed_file_id) is distinct from (known.seen_until, known.seen_in)
),
appended as (
    insert into {log} (change_id, {keys}, change_seq, {observed_at}, last_seen_at, last_seen_feed_file_id,
        {content}, content_hash, feed_file_id, line_number, line_hash, supersedes_change_id)
    overriding system value
    select chained.change_id, {chained_keys}, chained.change_seq, plan.observed_at, plan.run_last_seen_at,
        {feed_file_id}, {record_content}, plan.content_hash, {feed_file_id}, chained.line_number, record.line_hash,
        chained.supersedes_change_id
    from chained
    join feed_plan as plan using (line_number)
    join feed_record as record using (line_number)
),
newest as (
    select chained.*, plan.content_hash, plan.run_last_seen_at, record.line_hash
    from chained
    join feed_plan as plan using (line_number)
    join feed_record as record using (line_number)
    where chained.is_newest
),
added as (
    insert into {latest} ({keys}, change_id, change_seq, content_hash, line_hash, last_seen_at, last_seen_feed_file_id)
    select {keys}, change_id, change_seq, content_hash, line_hash, last_seen_at, {feed_file_id}
    from fresh
    union all
    select {keys}, change_id, change_seq, content_hash, line_hash, run_last_seen_at, {feed_file_id}
    from newest
    where replaces_change_id is null
),
replaced as (
    update {latest} as latest
    set change_id = newest.change_id, change_seq = newest.change_seq, content_hash = newest.content_hash,
        line_hash = newest.line_hash, last_seen_at = newest.run_last_seen_at, last_seen_feed_file_id = {feed_file_id}
    from newest
    where {same_listing} and latest.change_id = newest.replaces_change_id
    returning latest.change_id
),
confirmed as (
    update {latest} as latest
    set last_seen_at = known.seen_until, last_seen_feed_file_id = known.seen_in
    from known
    where not known.has_change and known.confirmed_at is not null and {same_state}
),{queued}
expected as (
    select count(*) as replacements from newest where replaces_change_id is not null
)
select (select count(*) from replaced), replacements from expected
""").format(keys=keys, latest=sql.Identifier(*spec.latest_state), log=sql.Identifier(*spec.change_log),
            # The identity's sequence, as PostgreSQL names it: ids are drawn first to chain a file's changes.
            sequence=sql.Literal(".".join(spec.change_log) + "_change_id_seq"),
            feed_file_id=feed_file_id, observed_at=sql.Identifier(spec.observed_at.name),
            content=names(spec.content), record_content=names(spec.content, "record"),
            plan_keys=names(spec.key, "plan"), lone_new_listing=lone_new_listing,
            chained_keys=names(spec.key, "chained"), same_listing=same_key(spec, "latest", "newest"),
            same_change=sql.SQL("superseded.{0} = known.{0} and superseded.change_id = known.change_id").format(
                sql.Identifier(spec.source_column.name)),
            same_state=same_state(spec, "latest", "known"), queued=queued)


def refresh_latest(spec: FeedSpec) -> sql.Composable:
    """Refresh fields of each latest row take the values of the newest record of its run in the file."""
    match = sql.SQL(" and ").join(
        sql.SQL("target.{0} = newest.{0}").format(sql.Identifier(c.name)) for c in spec.key)
    return sql.SQL("""
update {table} as target
set {assignments}
from (
    select distinct on ({plan_keys}) {plan_keys}, {record_values}
    from feed_plan as plan
    join feed_record as record using (line_number)
    where plan.is_latest
    order by {plan_keys}, plan.observed_at desc, plan.line_number desc
) as newest
where target.is_latest and {match}
""").format(
        table=sql.Identifier(*spec.table), plan_keys=names(spec.key, "plan"),
        record_values=names(spec.refresh, "record"), match=match,
        assignments=sql.SQL(", ").join(sql.SQL("{0} = newest.{0}").format(sql.Identifier(c.name)) for c in spec.refresh))


def rejects_without_text() -> str:
    """Lines the plan rejected whose text the database does not have (their record was typed in Python)."""
    return ("select line_number from feed_plan where outcome = 'rejected'"
            " except select line_number from feed_line order by 1")


def record_rejects(feed_file_id: int) -> sql.Composable:
    return sql.SQL("""
insert into ops.load_reject (feed_file_id, line_number, reason, raw_text)
select {feed_file_id}, rejected.line_number, rejected.reason, feed_line.raw
from (
    select line_number, reason from feed_record where reason is not null
    union all
    select line_number, reason from feed_plan where outcome = 'rejected'
) as rejected
join feed_line using (line_number)
order by rejected.line_number
""").format(feed_file_id=sql.Literal(feed_file_id))


def close_ledger(spec: FeedSpec, feed_file_id: int) -> sql.Composable:
    source = sql.Identifier(spec.source_column.name)
    confirmed = sql.SQL("\n    union all\n    select {source}, 'unchanged', lines from feed_confirmation").format(
        source=source) if spec.fingerprint_lines else sql.SQL("")
    return sql.SQL("""
with outcome as (
    select record.{source}, coalesce(plan.outcome, 'rejected') as outcome, 1 as lines
    from feed_record as record
    left join feed_plan as plan using (line_number){confirmed}
)
update ops.feed_file
set lines_read = counted.lines_read,
    rows_new = counted.rows_new,
    rows_unchanged = counted.rows_unchanged,
    rows_rejected = counted.rows_rejected,
    source = counted.source,
    loaded_at = clock_timestamp()
from (
    select coalesce(sum(lines), 0) as lines_read,
        coalesce(sum(lines) filter (where outcome = 'new'), 0) as rows_new,
        coalesce(sum(lines) filter (where outcome = 'unchanged'), 0) as rows_unchanged,
        coalesce(sum(lines) filter (where outcome = 'rejected'), 0) as rows_rejected,
        case when count(distinct {source}) = 1 then min({source}) end as source
    from outcome
) as counted
where feed_file_id = {feed_file_id}
returning counted.lines_read, counted.rows_new, counted.rows_unchanged, counted.rows_rejected
""").format(source=source, feed_file_id=sql.Literal(feed_file_id), confirmed=confirmed)
