-- Grain: station × month (months in which the station has staffing rows). Key: (station_id, month).
-- Internal, never published: secretary capacity both as recorded (`actual_*`) and as the contract's revision 2
-- publishes it for a station whose secretary roles hold fewer than k people (`estimated_*`): their sick leave
-- taken at the region's secretary sick-leave rate of the month, other absence as recorded, each person-row's
-- net FTE floored at 0. The actual figures of such a station are the sick leave of fewer than k people: the query
-- layer shows them to that station's own esihenkilö only (dashboard/scope.py). Sums are exact decimals (each addend
-- rounded at 1e-18), so that two loads of the same files give byte-identical values whatever the row order (an
-- ORDER BY inside six sums sorted ten million rows six times at national scale). The mapping round of a month is
-- that of int_station_month_round; the figures use the macros of warehouse/definitions.sql.
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE int_workload_capacity AS
WITH region_rate AS (
    -- r = Σ(FTE × sick days) / Σ(FTE × working days) over every secretary row of the region that month.
    SELECT
        month,
        count(DISTINCT person_key) AS region_secretaries,
        sum((fte * sick_days)::DECIMAL(38, 18))::DOUBLE
            / nullif(sum((fte * working_days)::DECIMAL(38, 18))::DOUBLE, 0) AS region_secretary_sick_rate
    FROM int_staff_months
    WHERE role_group = 'sihteerit' AND month IN (SELECT month FROM build_months)
    GROUP BY month
),
person AS (
    SELECT
        m.station_id, m.month, m.person_key, m.role_group, m.fte, m.other_absence_days,
        r.region_secretary_sick_rate, r.region_secretaries,
        m.fte * (1 - m.absence_share) AS actual_net_fte,
        -- A person's net FTE is never below 0 (as the recorded one, whose absence share is at most 1).
        greatest(0.0, m.fte * (1 - m.other_absence_days::DOUBLE / nullif(m.working_days, 0)
                               - coalesce(r.region_secretary_sick_rate, 0))) AS estimated_net_fte
    FROM int_staff_months AS m
    LEFT JOIN region_rate AS r ON r.month = m.month
    WHERE m.month IN (SELECT month FROM build_months)
),
station AS (
    SELECT
        station_id,
        month,
        count(DISTINCT person_key) FILTER (WHERE role_group = 'sihteerit') AS secretaries,
        count(DISTINCT person_key) FILTER (WHERE role_group IS DISTINCT FROM 'sihteerit') AS other_staff,
        count(DISTINCT person_key) AS headcount,
        coalesce(sum(fte::DECIMAL(38, 18)) FILTER (WHERE role_group = 'sihteerit'), 0)::DOUBLE AS secretary_fte,
        coalesce(sum(actual_net_fte::DECIMAL(38, 18)) FILTER (WHERE role_group = 'sihteerit'), 0)::DOUBLE
            AS actual_secretary_net_fte,
        coalesce(sum(estimated_net_fte::DECIMAL(38, 18)) FILTER (WHERE role_group = 'sihteerit'), 0)::DOUBLE
            AS estimated_secretary_net_fte,
        sum(fte::DECIMAL(38, 18))::DOUBLE AS fte,
        coalesce(sum(actual_net_fte::DECIMAL(38, 18)), 0)::DOUBLE AS net_fte,
        sum(other_absence_days)::BIGINT AS other_absence_days,
        any_value(region_secretary_sick_rate) AS region_secretary_sick_rate,
        coalesce(any_value(region_secretaries), 0) AS region_secretaries
    FROM person
    GROUP BY station_id, month
),
required AS (
    SELECT m.station_id, m.mapping_date, sum(m.hours_week ORDER BY m.task_id, m.performer_role) AS required_hours_week
    FROM stg_mappings AS m
    JOIN stg_tasks AS t ON t.task_id = m.task_id
    JOIN ref_roles AS r ON r.role_code = t.owner_role
    WHERE f_is_required(r.role_group)
    GROUP BY m.station_id, m.mapping_date
)
SELECT
    c.station_id,
    c.month,
    c.secretaries,
    c.other_staff,
    c.headcount,
    c.secretaries < s.k_anonymity AS capacity_estimated,
    c.region_secretary_sick_rate,
    c.region_secretaries,
    c.secretary_fte,
    c.actual_secretary_net_fte,
    f_capacity_hours(c.actual_secretary_net_fte, s.weekly_hours) AS actual_capacity_hours_week,
    f_load_ratio(CASE WHEN l.mapping_date IS NOT NULL THEN coalesce(q.required_hours_week, 0) END,
                 f_capacity_hours(c.actual_secretary_net_fte, s.weekly_hours)) AS actual_load_ratio,
    c.estimated_secretary_net_fte,
    CASE WHEN l.mapping_date IS NOT NULL THEN coalesce(q.required_hours_week, 0) END AS required_hours_week,
    c.fte,
    c.net_fte,
    c.other_absence_days,
    l.mapping_date
FROM station AS c
CROSS JOIN ref_settings AS s
LEFT JOIN int_station_month_round AS l ON l.station_id = c.station_id AND l.month = c.month
LEFT JOIN required AS q ON q.station_id = l.station_id AND q.mapping_date = l.mapping_date;
