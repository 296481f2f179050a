-- The price drops of the last days.
-- needs revision 0002
-- The same window on new_price_until reads only the months of the history that ended in it (reporting.price_drops).
create or replace function reporting.price_drops_since(days integer)
returns setof reporting.price_drops
language sql
stable
begin atomic
    select *
    from reporting.price_drops
    where changed_at >= now() - make_interval(days => days)
      and (new_price_until is null or new_price_until >= now() - make_interval(days => days));
end;

comment on function reporting.price_drops_since(integer) is 'reporting.price_drops of the last `days` days';
