-- Grain: month × unit (region, municipality, station) × task group (NULL = all groups).
-- Key: (month, level, municipality, station_id, task_group). `level` as in mart_workload_unit.
-- Each station's latest mapping round on or before the month's last day (int_station_month_round), its rows of
-- mart_compliance summed to the unit: compliance share = Σ compliant / Σ mapped hours (f_compliance_share), clinician
-- admin hours = Σ over the stations. Months: every month of the warehouse (staffing, Pulssi, mapping); a unit with
-- no station mapped by a month has no row for it. Hours are summed as exact decimals (as mart_compliance does), so
-- the value does not depend on the row order. Compliance is not personal data: nothing is suppressed.
CREATE OR REPLACE TABLE mart_compliance_unit AS
WITH chosen AS (
    SELECT r.month, r.station_id, s.municipality, c.mapping_date, c.task_group,
           c.total_hours_week::DECIMAL(18, 10) AS total_hours,
           c.compliant_hours_week::DECIMAL(18, 10) AS compliant_hours,
           c.clinician_admin_hours_week::DECIMAL(18, 10) AS clinician_hours
    FROM int_station_month_round AS r
    JOIN mart_compliance AS c ON c.station_id = r.station_id AND c.mapping_date = r.mapping_date
    LEFT JOIN stg_stations AS s ON s.station_id = r.station_id
)
SELECT
    month,
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
    (month, task_group), (month, municipality, task_group), (month, municipality, station_id, task_group)
);
