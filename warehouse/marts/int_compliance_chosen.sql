-- Grain: period × station × task group (NULL = all groups), for two kinds of period. Key: (period_kind, month,
-- round_no, station_id, task_group). Internal.
-- The mapping round each compliance unit figure sums per station: for `period_kind = 'month'` each station's latest
-- round on or before the month's last day (int_station_month_round; round_no NULL); for `period_kind = 'round'` the
-- station's n-th round counted from its first (round_no = n; month NULL). mart_compliance_unit and
-- mart_compliance_round_unit select their kind from int_compliance_unit_sums, which sums these rows to the units once.
CREATE OR REPLACE TABLE int_compliance_chosen AS
WITH rounds AS (
    SELECT station_id, mapping_date, dense_rank() OVER (PARTITION BY station_id ORDER BY mapping_date) AS round_no
    FROM (SELECT DISTINCT station_id, mapping_date FROM mart_compliance)
),
periods AS (
    SELECT 'month' AS period_kind, month, NULL::BIGINT AS round_no, station_id, mapping_date
    FROM int_station_month_round
    UNION ALL
    SELECT 'round', NULL::DATE, round_no, station_id, mapping_date FROM rounds
)
SELECT p.period_kind, p.month, p.round_no, p.station_id, s.municipality, c.mapping_date, c.task_group,
       c.total_hours_week, c.compliant_hours_week, c.clinician_admin_hours_week
FROM periods AS p
JOIN mart_compliance AS c ON c.station_id = p.station_id AND c.mapping_date = p.mapping_date
LEFT JOIN stg_stations AS s ON s.station_id = p.station_id;
