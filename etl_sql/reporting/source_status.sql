-- ops.source_status for readers (the web's status page).
-- needs revision 0003
create or replace view reporting.source_status as
select *
from ops.source_status;

comment on view reporting.source_status is
    'ops.source_status for readers: per source, the last good and failed crawl, last load and last ETL';
