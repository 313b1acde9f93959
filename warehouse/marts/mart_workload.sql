-- Grain: station × month (months in which the station has staffing rows). Key: (station_id, month).
CREATE OR REPLACE TABLE mart_workload AS
WITH capacity AS (
    SELECT
        station_id,
        month,
        coalesce(sum(fte) FILTER (WHERE role_group = 'sihteerit'), 0) AS secretary_fte,
        coalesce(sum(fte * (1 - absence_share)) FILTER (WHERE role_group = 'sihteerit'), 0) AS secretary_net_fte,
        coalesce(sum(fte * (1 - absence_share)), 0) AS net_fte,
        sum(fte) AS fte,
        count(DISTINCT person_key) AS headcount,
        sum(sick_days)::BIGINT AS sick_days,
        sum(other_absence_days)::BIGINT AS other_absence_days
    FROM int_staff_months
    GROUP BY station_id, month
),
latest_round AS (
    SELECT c.station_id, c.month, max(m.mapping_date) AS mapping_date
    FROM capacity AS c
    LEFT JOIN (SELECT DISTINCT station_id, mapping_date FROM stg_mappings) AS m
        ON m.station_id = c.station_id AND m.mapping_date <= last_day(c.month)
    GROUP BY c.station_id, c.month
),
required AS (
    SELECT m.station_id, m.mapping_date, sum(m.hours_week) AS required_hours_week
    FROM stg_mappings AS m
    JOIN stg_tasks AS t ON t.task_id = m.task_id
    JOIN ref_roles AS r ON r.role_code = t.owner_role
    WHERE r.role_group = 'sihteerit'
    GROUP BY m.station_id, m.mapping_date
)
SELECT
    c.station_id,
    c.month,
    c.secretary_fte,
    c.secretary_net_fte,
    c.secretary_net_fte * s.weekly_hours AS capacity_hours_week,
    CASE WHEN l.mapping_date IS NOT NULL THEN coalesce(q.required_hours_week, 0) END AS required_hours_week,
    CASE WHEN l.mapping_date IS NOT NULL AND c.secretary_net_fte > 0
        THEN coalesce(q.required_hours_week, 0) / (c.secretary_net_fte * s.weekly_hours) END AS load_ratio,
    c.headcount,
    sl.sick_leave_rate,
    coalesce(sl.suppressed, TRUE) AS sick_leave_suppressed,
    c.fte,
    -- Absence totals are health data: hidden together with the sick-leave rate of a suppressed station.
    CASE WHEN coalesce(sl.suppressed, TRUE) THEN NULL ELSE c.net_fte END AS net_fte,
    CASE WHEN coalesce(sl.suppressed, TRUE) THEN NULL ELSE c.sick_days END AS sick_days,
    CASE WHEN coalesce(sl.suppressed, TRUE) THEN NULL ELSE c.other_absence_days END AS other_absence_days,
    l.mapping_date
FROM capacity AS c
CROSS JOIN ref_settings AS s
LEFT JOIN latest_round AS l ON l.station_id = c.station_id AND l.month = c.month
LEFT JOIN required AS q ON q.station_id = l.station_id AND q.mapping_date = l.mapping_date
LEFT JOIN mart_sick_leave AS sl
    ON sl.station_id = c.station_id AND sl.month = c.month AND sl.role_group IS NULL;
