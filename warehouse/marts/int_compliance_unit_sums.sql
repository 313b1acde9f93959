-- Grain: period × unit (region, municipality, station) × task group (NULL = all groups), for both kinds of period of
-- int_compliance_chosen. Key: (period_kind, month, round_no, level, municipality, station_id, task_group). Internal.
-- The compliance unit figures, defined once: compliance share = Σ compliant / Σ mapped hours (f_compliance_share),
-- clinician admin hours = Σ over the stations, summed as exact decimals (as mart_compliance does) so that the value
-- does not depend on the row order. `level` as in mart_workload_unit. Compliance is not personal data: nothing is
-- suppressed.
CREATE OR REPLACE TABLE int_compliance_unit_sums AS
SELECT
    period_kind,
    month,
    round_no,
    CASE WHEN grouping(municipality) = 1 THEN 'region'
         WHEN grouping(station_id) = 1 THEN 'municipality'
         ELSE 'station' END AS level,
    municipality,
    station_id,
    task_group,
    sum(total_hours_week::DECIMAL(18, 10))::DOUBLE AS total_hours_week,
    sum(compliant_hours_week::DECIMAL(18, 10))::DOUBLE AS compliant_hours_week,
    f_compliance_share(sum(compliant_hours_week::DECIMAL(18, 10))::DOUBLE,
                       sum(total_hours_week::DECIMAL(18, 10))::DOUBLE) AS compliance_share,
    sum(clinician_admin_hours_week::DECIMAL(18, 10))::DOUBLE AS clinician_admin_hours_week,
    count(DISTINCT station_id) AS stations_mapped,
    min(mapping_date) AS first_mapping_date,
    max(mapping_date) AS last_mapping_date
FROM int_compliance_chosen
GROUP BY GROUPING SETS (
    (period_kind, month, round_no, task_group),
    (period_kind, month, round_no, municipality, task_group),
    (period_kind, month, round_no, municipality, station_id, task_group)
);
