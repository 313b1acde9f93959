-- Grain: month × unit (region, municipality, station) × task group (NULL = all groups).
-- Key: (month, level, municipality, station_id, task_group). `level` as in mart_workload_unit.
-- Each station's latest mapping round on or before the month's last day (int_station_month_round), its rows of
-- mart_compliance summed to the unit by int_compliance_unit_sums (the definitions live there). Months: every month of
-- the warehouse (staffing, Pulssi, mapping); a unit with no station mapped by a month has no row for it.
CREATE OR REPLACE TABLE mart_compliance_unit AS
SELECT month, level, municipality, station_id, task_group, total_hours_week, compliant_hours_week, compliance_share,
       clinician_admin_hours_week, stations_mapped, first_mapping_date, last_mapping_date
FROM int_compliance_unit_sums
WHERE period_kind = 'month';
