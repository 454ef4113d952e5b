-- The tier lower bounds of seeds/volume_tiers.csv (the only place they live): per level its
-- lowest min_fans, and its rank from the top (1 = the highest level).
create or replace temp table g_tiers as
select
    volume_level,
    min(min_fans) as lower_bound,
    row_number() over (order by min(min_fans) desc) as level_rank
from read_csv($tiers_csv, header = true)
group by volume_level
