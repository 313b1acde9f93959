-- Grain: round number × unit (region, municipality, station) × task group (NULL = all groups).
-- Key: (round_no, level, municipality, station_id, task_group). `level` as in mart_workload_unit.
-- Each station's n-th mapping round (counted from its first, round_no = n) summed to the unit, as in
-- mart_compliance_unit (which holds each station's latest round on or before every month's end): the round selector
-- of the Työnjaon toteutuminen page compares the first, second, … rounds of the stations.
CREATE OR REPLACE TABLE mart_compliance_round_unit AS
WITH rounds AS (
    SELECT station_id, mapping_date, dense_rank() OVER (PARTITION BY station_id ORDER BY mapping_date) AS round_no
    FROM (SELECT DISTINCT station_id, mapping_date FROM mart_compliance)
),
chosen AS (
    SELECT r.round_no, r.station_id, s.municipality, c.mapping_date, c.task_group,
           c.total_hours_week::DECIMAL(18, 10) AS total_hours,
           c.compliant_hours_week::DECIMAL(18, 10) AS compliant_hours,
           c.clinician_admin_hours_week::DECIMAL(18, 10) AS clinician_hours
    FROM rounds AS r
    JOIN mart_compliance AS c ON c.station_id = r.station_id AND c.mapping_date = r.mapping_date
    LEFT JOIN stg_stations AS s ON s.station_id = r.station_id
)
SELECT
    round_no,
    CASE WHEN grouping(municipality) = 1 THEN 'region'
         WHEN grouping(station_id) = 1 THEN 'municipality'
         ELSE 'station' END AS level,
    municipality,
    station_id,
    task_group,
    sum(total_hours)::DOUBLE AS total_hours_week,
    sum(compliant_hours)::DOUBLE AS compliant_hours_week,
    f_compliance_share(sum(compliant_hours)::DOUBLE, sum(total_hours)::DOUBLE) AS compliance_share,
    sum(clinician_hours)::DOUBLE AS clinician_admin_hours_week,
    count(DISTINCT station_id) AS stations_mapped,
    min(mapping_date) AS first_mapping_date,
    max(mapping_date) AS last_mapping_date
FROM chosen
GROUP BY GROUPING SETS (
    (round_no, task_group), (round_no, municipality, task_group), (round_no, municipality, station_id, task_group)
);
