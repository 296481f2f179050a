-- The watchlist with each rule's game and the alerts delivered for it.
-- needs revision 0005: core.watch_rule, ops.alert_sent
create or replace view reporting.watch_rules as
select
    rule.watch_rule_id,
    anchor.game_id,
    coalesce(game.title, rule.title) as game,
    rule.title as typed,
    rule.region,
    rule.currency,
    rule.below,
    rule.min_discount,
    rule.new_low,
    rule.created_at,
    sent.alerts_sent,
    sent.last_sent_at
from core.watch_rule as rule
join core.listing as anchor on anchor.listing_id = rule.anchor_listing_id
left join core.game as game on game.game_id = anchor.game_id
cross join lateral (
    select count(*) as alerts_sent, max(alert_sent.sent_at) as last_sent_at
    from ops.alert_sent
    where alert_sent.watch_rule_id = rule.watch_rule_id
) as sent;

comment on view reporting.watch_rules is
    'The watchlist: each rule with the game it follows (through its anchor listing) and the alerts delivered for it';
